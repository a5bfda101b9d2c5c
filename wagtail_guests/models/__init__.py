"""The guest list's data: guests, tags, bookings, submissions, consent and the timeline."""

from .activity import Activity, ActivityKind
from .bookings import Booking, BookingKind, BookingStatus
from .consent import ConsentPurpose, ConsentRecord, ConsentSource
from .email import (
    EmailEvent,
    EmailTemplate,
    Message,
    MessageAttachment,
    MessageDirection,
    OutgoingEmail,
    OutgoingKind,
    OutgoingStatus,
    ProcessedWebhook,
    ScheduleAnchor,
    ScheduledEmailRule,
)
from .guests import Guest, GuestSource, NewsletterConsent
from .imports import ImportJob, ImportStatus
from .submissions import Submission, SubmissionKind
from .tags import GuestTag, Tag, TagLimitExceeded

__all__ = [
    "EmailEvent",
    "EmailTemplate",
    "Message",
    "MessageAttachment",
    "MessageDirection",
    "OutgoingEmail",
    "OutgoingKind",
    "OutgoingStatus",
    "ProcessedWebhook",
    "ScheduleAnchor",
    "ScheduledEmailRule",
    "Activity",
    "ActivityKind",
    "Booking",
    "BookingKind",
    "BookingStatus",
    "ConsentPurpose",
    "ConsentRecord",
    "ConsentSource",
    "Guest",
    "GuestSource",
    "GuestTag",
    "ImportJob",
    "ImportStatus",
    "NewsletterConsent",
    "Submission",
    "SubmissionKind",
    "Tag",
    "TagLimitExceeded",
]
