"""anymail tracking events: the email's delivery status, the guest's timeline, bounces.

Every provider's webhook arrives as an ``AnymailTrackingEvent`` (anymail normalises them), so
nothing here is provider-specific, except one documented exception: Postmark reports soft
bounces as "bounced" and says which in the event's ``Type``.

An event is matched to the outbox row whose ``esp_message_id`` is the event's message id, else
to the guest whose email is the event's recipient (identity rule). Events of staff
notifications, and events matching nothing, change nothing.
"""

from __future__ import annotations

import logging
from urllib.parse import urlsplit, urlunsplit

from anymail.signals import EventType, RejectReason
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..emailing.message import METADATA_KEY
from ..identity import Identity, find_guest, normalise_email
from ..models import Activity, ActivityKind, EmailEvent, Guest, OutgoingEmail
from .events import claim, event_key

logger = logging.getLogger(__name__)

#: The anymail tag of staff notifications (see ``wagtail_guests.mail``): not guest emails.
STAFF_NOTIFICATION_TAG = "wagtail-guests-staff-notification"

#: Tracking events that appear on the guest's timeline.
TIMELINE_KINDS = {
    EventType.DELIVERED: ActivityKind.EMAIL_DELIVERED,
    EventType.OPENED: ActivityKind.EMAIL_OPENED,
    EventType.CLICKED: ActivityKind.EMAIL_CLICKED,
    EventType.BOUNCED: ActivityKind.EMAIL_BOUNCED,
    EventType.REJECTED: ActivityKind.EMAIL_BOUNCED,
    EventType.COMPLAINED: ActivityKind.EMAIL_COMPLAINED,
}
#: Shown once per email: a second open or click (or a link scanner) adds no line.
ONCE_PER_EMAIL = {
    ActivityKind.EMAIL_DELIVERED,
    ActivityKind.EMAIL_OPENED,
    ActivityKind.EMAIL_CLICKED,
}

#: ``OutgoingEmail.delivery_status`` only moves forward: providers send events out of order
#: (an open often arrives before the delivery), and a late "delivered" must not hide a click.
STATUS_RANK = {
    "": 0,
    EventType.QUEUED: 1,
    EventType.SENT: 2,
    EventType.DEFERRED: 3,
    EventType.AUTORESPONDED: 4,
    EventType.DELIVERED: 5,
    EventType.OPENED: 6,
    EventType.CLICKED: 7,
    EventType.FAILED: 8,
    EventType.UNSUBSCRIBED: 8,
    EventType.REJECTED: 9,
    EventType.BOUNCED: 9,
    EventType.COMPLAINED: 10,
}

#: ``OutgoingEmail.delivery_status`` (anymail event types), as shown to staff
#: (under a reply in the inbox, in the profile's Emails section).
DELIVERY_LABELS = {
    "queued": _("accepted by the provider"),
    "sent": _("sent by the provider"),
    "deferred": _("delayed"),
    "delivered": _("delivered"),
    "opened": _("opened"),
    "clicked": _("link clicked"),
    "bounced": _("bounced"),
    "rejected": _("refused by the provider"),
    "failed": _("failed"),
    "complained": _("marked as spam"),
    "autoresponded": _("automatic answer received"),
    "unsubscribed": _("unsubscribed"),
}

#: A rejection for one of these reasons says the address itself cannot receive email. Other
#: reasons ("blocked", "other", "unsubscribed") are about the sender or a policy.
ADDRESS_REJECT_REASONS = {
    RejectReason.INVALID,
    RejectReason.BOUNCED,
    RejectReason.TIMED_OUT,
    RejectReason.SPAM,
}
#: Postmark "bounced" events whose ``Type`` is temporary.
SOFT_BOUNCE_TYPES = {"SoftBounce", "Transient", "DnsError"}


def is_hard_failure(event) -> bool:
    """Whether ``event`` means the address should not be emailed again."""
    if event.event_type == EventType.COMPLAINED:
        return True
    if event.event_type == EventType.BOUNCED:
        esp_event = event.esp_event
        return not (isinstance(esp_event, dict) and esp_event.get("Type") in SOFT_BOUNCE_TYPES)
    if event.event_type == EventType.REJECTED:
        return event.reject_reason in ADDRESS_REJECT_REASONS
    return False


def _tracking_key(event, esp_name) -> str:
    return event_key(
        esp_name,
        "tracking",
        event.event_id,
        event.event_type,
        event.message_id,
        event.recipient,
        event.timestamp.isoformat() if event.timestamp else "",
        event.click_url,
    )


def find_email(event) -> OutgoingEmail | None:
    """The outbox row of the event: by the provider's message id, else by the row id the
    outbox put in the anymail metadata, if the recipient agrees."""
    emails = OutgoingEmail.objects.select_related("guest")
    if event.message_id:
        email = emails.filter(esp_message_id=event.message_id).order_by("-pk").first()
        if email is not None:
            return email
    pk = str((event.metadata or {}).get(METADATA_KEY) or "")
    if not pk.isdigit():
        return None
    email = emails.filter(pk=int(pk)).first()
    if email is None or normalise_email(email.to_email) != normalise_email(event.recipient):
        return None
    return email


def find_recipient(address: str | None) -> Guest | None:
    """The guest whose email is ``address`` (identity rule; never an anonymised guest)."""
    if not address or not address.strip():
        return None
    return find_guest(Identity.of(email=address))


def _description(event) -> str:
    if event.event_type == EventType.CLICKED and event.click_url:
        # The link without its query string: it may carry a signed token.
        parts = urlsplit(event.click_url)
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    text = event.description or event.mta_response or event.reject_reason or ""
    return str(text)[:2000]


def _advance_status(email: OutgoingEmail, status: str) -> None:
    rank = STATUS_RANK.get(status)
    if rank is None:
        return
    lower = [name for name, value in STATUS_RANK.items() if value <= rank]
    # One conditional UPDATE: concurrent events cannot move the status backwards.
    OutgoingEmail.objects.filter(pk=email.pk, delivery_status__in=lower).update(
        delivery_status=status
    )


def _mark_undeliverable(guest: Guest, address: str, when) -> bool:
    """Mark ``guest`` unreachable by email, if ``address`` is still their address."""
    if address and normalise_email(address) != normalise_email(guest.email):
        return False  # the guest has changed their address since
    return bool(
        Guest.objects.filter(pk=guest.pk, email_undeliverable_at__isnull=True).update(
            email_undeliverable_at=when
        )
    )


def _add_activity(guest, email, kind, when, event) -> None:
    payload = {"event": event.event_type}
    if email is not None:
        payload.update({"email": email.pk, "kind": email.kind, "subject": email.subject})
        if (
            kind in ONCE_PER_EMAIL
            and Activity.objects.filter(guest=guest, kind=kind, payload__email=email.pk).exists()
        ):
            return
    Activity.objects.create(
        guest=guest,
        kind=kind,
        created_at=when,
        booking_id=email.booking_id if email is not None else None,
        payload=payload,
    )


def record_tracking_event(event, esp_name: str) -> EmailEvent | None:
    """Store one tracking event and apply it; ``None`` if it was ignored or already seen."""
    if STAFF_NOTIFICATION_TAG in (event.tags or []):
        return None
    now = timezone.now()
    when = event.timestamp if event.timestamp and event.timestamp <= now else now
    with transaction.atomic():
        if not claim(_tracking_key(event, esp_name)):
            return None
        email = find_email(event)
        if email is not None:
            guest = email.guest if email.guest and not email.guest.anonymised_at else None
        else:
            guest = find_recipient(event.recipient)
        if email is None and guest is None:
            return None
        stored = EmailEvent.objects.create(
            email=email,
            guest=guest,
            event_type=str(event.event_type or "")[:20],
            event_id=str(event.event_id or "")[:255],
            esp_name=str(esp_name or "")[:40],
            description=_description(event),
            occurred_at=when,
        )
        if email is not None:
            _advance_status(email, event.event_type)
        if guest is None:
            return stored
        kind = TIMELINE_KINDS.get(event.event_type)
        if kind is not None:
            _add_activity(guest, email, kind, when, event)
        if is_hard_failure(event):
            address = event.recipient or (email.to_email if email is not None else "")
            if _mark_undeliverable(guest, address, when):
                logger.info(
                    "wagtail-guests: guest %s marked undeliverable (%s)", guest.pk, event.event_type
                )
    return stored
