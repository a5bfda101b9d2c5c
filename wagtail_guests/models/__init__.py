"""The guest list's data: guests, tags, bookings, submissions, consent and the timeline."""

from .activity import Activity, ActivityKind
from .bookings import Booking, BookingKind, BookingStatus
from .consent import ConsentPurpose, ConsentRecord, ConsentSource
from .guests import Guest, GuestSource, NewsletterConsent
from .submissions import Submission, SubmissionKind
from .tags import GuestTag, Tag, TagLimitExceeded

__all__ = [
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
    "NewsletterConsent",
    "Submission",
    "SubmissionKind",
    "Tag",
    "TagLimitExceeded",
]
