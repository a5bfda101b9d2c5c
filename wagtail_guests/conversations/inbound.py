"""anymail inbound events: a guest's email becomes a message of their conversation.

Which guest, in order:

1. a recipient is the Reply-To address of one of our emails (see :mod:`.addresses`): the guest
   that email was sent to, even if the reply comes from another address (a partner, a work
   account), so the conversation stays in one place;
2. else the sender's address, through the identity rule (``wagtail_guests.identity``);
   anonymised guests are never matched;
3. else a new guest, created through ``match_or_create_guest`` with the source "contact form"
   (writing to the establishment is a contact, like the website's contact form), named after
   the sender's display name. A message the provider flags as spam creates no guest: it is
   dropped.

The message is stored unread, with its photos (see :mod:`.attachments`), and a "message
received" line is added to the guest's timeline.
"""

from __future__ import annotations

import html
import logging
import re
from email.utils import getaddresses, parseaddr

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags

from ..actions.guests import match_or_create_guest
from ..identity import normalise_email
from ..models import (
    Activity,
    ActivityKind,
    GuestSource,
    Message,
    MessageAttachment,
    MessageDirection,
    OutgoingEmail,
)
from . import signals
from .addresses import token_from_address
from .attachments import attachment_parts, store_attachments
from .events import claim, event_key
from .tracking import find_recipient

logger = logging.getLogger(__name__)

#: Longest message text kept (characters); a longer email is cut, with a mark.
MAX_BODY = 100_000
_BLOCK_END = re.compile(r"(?i)<br\s*/?>|</(p|div|li|tr|h[1-6])\s*>")
_BLANK_LINES = re.compile(r"\n{3,}")


def html_to_text(value: str) -> str:
    text = _BLOCK_END.sub("\n", value)
    return _BLANK_LINES.sub("\n\n", html.unescape(strip_tags(text))).strip()


def message_text(message) -> str:
    """The reply itself: the provider's quote-stripped text when it has one, else the text."""
    text = (message.stripped_text or "").strip() or (message.text or "").strip()
    if not text and message.html:
        text = html_to_text(message.html)
    if len(text) > MAX_BODY:
        text = text[:MAX_BODY] + "\n[…]"
    return text


def recipients(message) -> list[str]:
    addresses = [a.addr_spec for a in (*message.to, *message.cc, *message.bcc)]
    if message.envelope_recipient:
        addresses.append(str(message.envelope_recipient))
    for header in ("Delivered-To", "X-Original-To"):
        values = [str(v) for v in message.get_all(header) or []]
        addresses.extend(address for _name, address in getaddresses(values) if address)
    return addresses


def find_replied_email(message) -> OutgoingEmail | None:
    """The outgoing email whose Reply-To address this message was sent to."""
    for address in recipients(message):
        token = token_from_address(address)
        if token is None:
            continue
        email = (
            OutgoingEmail.objects.select_related("guest").filter(reply_token=token).first()
            or OutgoingEmail.objects.select_related("guest")
            .filter(reply_token__iexact=token)
            .order_by("pk")
            .first()
        )
        if email is not None:
            return email
    return None


def _sender(message):
    sender = message.from_email
    if isinstance(sender, list):  # several From addresses: unusual, take the first
        sender = sender[0] if sender else None
    if sender is None or not sender.addr_spec or len(sender.addr_spec) > 254:
        return None
    return sender


def _is_own_address(address: str) -> bool:
    """Mail from our own sender address is a loop (an auto-reply to an auto-reply)."""
    own = parseaddr(getattr(settings, "DEFAULT_FROM_EMAIL", "") or "")[1]
    return bool(own) and normalise_email(own) == normalise_email(address)


def _split_name(display_name: str, address: str) -> tuple[str, str]:
    name = " ".join((display_name or "").replace('"', " ").split())
    if not name or "@" in name:
        return address.split("@", 1)[0][:150], ""
    first, _, last = name.rpartition(" ")
    if not first:
        return last[:150], ""
    return first[:150], last[:150]


def _new_guest(sender, when):
    first_name, last_name = _split_name(sender.display_name, sender.addr_spec)
    result = match_or_create_guest(
        {"email": sender.addr_spec, "first_name": first_name, "last_name": last_name},
        source=GuestSource.FORM,
        first_contact_at=when,
    )
    return result.guest


def _inbound_key(event, esp_name, message) -> str:
    return event_key(
        esp_name,
        "inbound",
        event.event_id or message.get("Message-ID"),
        message.get("From"),
        message.get("Date"),
        message.get("Subject"),
        message_text(message),
    )


def _delete_files(names):
    storage = MessageAttachment._meta.get_field("file").storage
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # logged without the name: it may hold personal data
            logger.exception("wagtail-guests: a refused inbound file could not be removed")


def _store(event, esp_name, message, saved_files) -> Message | None:
    sender = _sender(message)
    if sender is None or _is_own_address(sender.addr_spec):
        return None
    now = timezone.now()
    when = event.timestamp if event.timestamp and event.timestamp <= now else now
    email = find_replied_email(message)
    guest = email.guest if email is not None else None
    if guest is not None and guest.anonymised_at:
        email, guest = None, None
    if guest is None:
        guest = find_recipient(sender.addr_spec)
    if guest is None:
        if message.spam_detected:
            logger.info("wagtail-guests: an inbound email flagged as spam was dropped")
            return None
        guest = _new_guest(sender, when)
    subject = " ".join((message.subject or "").split())[:255]
    stored = Message.objects.create(
        guest=guest,
        direction=MessageDirection.INBOUND,
        email=email,
        sender=sender.addr_spec,
        subject=subject,
        body=message_text(message),
        esp_event_id=str(event.event_id or "")[:255],
        created_at=when,
    )
    refused = store_attachments(stored, attachment_parts(message), saved_files)
    if refused:
        stored.refused_attachments = refused
        stored.save(update_fields=["refused_attachments"])
    Activity.objects.create(
        guest=guest,
        kind=ActivityKind.MESSAGE_RECEIVED,
        created_at=when,
        booking_id=email.booking_id if email is not None else None,
        payload={"message": stored.pk, "subject": subject, "refused": len(refused)},
    )
    transaction.on_commit(
        lambda: signals.message_received.send(Message, message=stored, guest=guest)
    )
    return stored


def record_inbound_event(event, esp_name: str) -> Message | None:
    """Store one inbound email; ``None`` if it was ignored or already processed."""
    message = event.message
    if message is None:
        return None
    saved_files: list[str] = []
    try:
        with transaction.atomic():
            if not claim(_inbound_key(event, esp_name, message)):
                return None
            return _store(event, esp_name, message, saved_files)
    except BaseException:
        # Nothing was committed: the files saved meanwhile belong to no message.
        _delete_files(saved_files)
        raise
