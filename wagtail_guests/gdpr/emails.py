"""Emails and conversations: the outbox, tracking events, messages and their attached photos.

What anonymisation does with each (``docs/gdpr.md`` explains why):

- outgoing emails: the address, subject, body, last error and the provider's message id are
  cleared; the reply token is replaced by a new random one, so a late reply to an old email
  cannot land on the anonymised guest; emails still waiting to be sent are cancelled. Kind,
  template, rule, status and dates stay (counts of emails sent stay true);
- tracking events: the provider's description (a bounce message quotes the address) and
  event id are cleared; the event type and time stay;
- messages: sender, subject, body, language, translation and the names of refused
  attachments are cleared; direction and time stay;
- attached photos: the rows are deleted and their files removed from storage once the
  anonymisation has committed.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction
from django.db.models import CharField, Exists, Func, OuterRef, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..models import (
    EmailEvent,
    Message,
    MessageAttachment,
    MessageDirection,
    OutgoingEmail,
    OutgoingStatus,
)
from ..models.email import new_reply_token
from .registry import PersonalData

logger = logging.getLogger(__name__)
BATCH_SIZE = 500
#: Emails in these states have not left yet: anonymising the guest cancels them.
NOT_SENT = (OutgoingStatus.QUEUED, OutgoingStatus.RETRYING)


class RandomToken(Func):
    """32 random hexadecimal characters made by the database (one UPDATE for any number of
    rows): PostgreSQL's ``gen_random_uuid()`` (a strong random source, PostgreSQL 13+),
    SQLite's ``randomblob()``. Other databases get tokens from Python."""

    VENDORS = ("postgresql", "sqlite")
    output_field = CharField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return "replace(gen_random_uuid()::text, '-', '')", []

    def as_sqlite(self, compiler, connection, **extra_context):
        return "lower(hex(randomblob(16)))", []


def _choice(instance, name):
    return str(getattr(instance, f"get_{name}_display")())


def _events_of(guest_ids):
    return EmailEvent.objects.filter(Q(guest__in=guest_ids) | Q(email__guest__in=guest_ids))


class EmailsData(PersonalData):
    key = "emails"
    label = _("Emails sent to the guest")
    models = [OutgoingEmail]
    order = 52
    erased_description = _("the address, subject and body of the emails sent to them")
    fields = {
        "created_at": _("Written"),
        "sent_at": _("Sent"),
        "kind": _("Kind"),
        "status": _("Status"),
        "delivery_status": _("Delivery"),
        "to": _("To"),
        "from": _("From"),
        "subject": _("Subject"),
        "body": _("Body"),
        "booking": _("Booking"),
    }

    def export(self, guest):
        emails = OutgoingEmail.objects.filter(guest=guest).select_related("booking")
        return [
            {
                "created_at": email.created_at,
                "sent_at": email.sent_at,
                "kind": _choice(email, "kind"),
                "status": _choice(email, "status"),
                "delivery_status": email.delivery_status,
                "to": email.to_email,
                "from": email.from_email,
                "subject": email.subject,
                "body": email.body,
                "booking": email.booking.reference if email.booking else "",
            }
            for email in emails.order_by("created_at", "pk")
        ]

    def summary(self, guest):
        count = OutgoingEmail.objects.filter(guest=guest).count()
        if not count:
            return []
        text = ngettext(
            "The address, subject and body of %(count)d email sent to them",
            "The addresses, subjects and bodies of %(count)d emails sent to them",
            count,
        )
        return [text % {"count": count}]

    def erase(self, guests):
        ids = [g.pk for g in guests]
        emails = OutgoingEmail.objects.filter(guest__in=ids)
        emails.filter(status__in=NOT_SENT).update(status=OutgoingStatus.CANCELLED)
        emails.exclude(to_email="", subject="", body="", last_error="", esp_message_id="").update(
            to_email="", subject="", body="", last_error="", esp_message_id=""
        )
        # A new random token: the old one is in the guest's mailbox, and a reply to it must
        # not be filed under the anonymised guest.
        if connection.vendor in RandomToken.VENDORS:
            emails.update(reply_token=RandomToken())
            return
        rows = list(emails.only("pk").order_by("pk"))
        for email in rows:
            email.reply_token = new_reply_token()
        OutgoingEmail.objects.bulk_update(rows, ["reply_token"], batch_size=BATCH_SIZE)


class EmailEventsData(PersonalData):
    key = "email_events"
    label = _("Email tracking")
    models = [EmailEvent]
    order = 53
    erased_description = _("the provider's reports on those emails")
    fields = {"time": _("Time"), "event": _("Event"), "description": _("Description")}

    def export(self, guest):
        events = _events_of([guest.pk]).order_by("occurred_at", "pk")
        return [
            {"time": event.occurred_at, "event": event.event_type, "description": event.description}
            for event in events
        ]

    def summary(self, guest):
        count = _events_of([guest.pk]).exclude(description="", event_id="").count()
        if not count:
            return []
        text = ngettext(
            "The provider's description of %(count)d email tracking event",
            "The provider's descriptions of %(count)d email tracking events",
            count,
        )
        return [text % {"count": count}]

    def erase(self, guests):
        events = _events_of([g.pk for g in guests])
        events.exclude(description="", event_id="").update(description="", event_id="")

    def owned(self, guest_ids):
        return [_events_of(guest_ids)]


class MessagesData(PersonalData):
    key = "messages"
    label = _("Messages")
    models = [Message, MessageAttachment]
    order = 54
    erased_description = _("the messages they sent and received, with their attached photos")
    fields = {
        "time": _("Time"),
        "direction": _("Direction"),
        "from": _("From"),
        "subject": _("Subject"),
        "body": _("Message"),
        "language": _("Language"),
        "translation": _("Translation"),
        "attachments": _("Attached photos"),
        "refused_attachments": _("Attachments not accepted"),
    }
    ERASED = {
        "sender": "",
        "subject": "",
        "body": "",
        "language": "",
        "translation": "",
        "translation_language": "",
        "refused_attachments": [],
        "esp_event_id": "",
    }

    def export(self, guest):
        messages = Message.objects.filter(guest=guest).prefetch_related("attachments")
        return [
            {
                "time": message.created_at,
                "direction": _choice(message, "direction"),
                "from": message.sender,
                "subject": message.subject,
                "body": message.body,
                "language": message.language,
                "translation": message.translation,
                "attachments": [a.file_name or a.file.name for a in message.attachments.all()],
                "refused_attachments": [
                    item.get("name", "") if isinstance(item, dict) else str(item)
                    for item in (message.refused_attachments or [])
                ],
            }
            for message in messages.order_by("created_at", "pk")
        ]

    def summary(self, guest):
        count = Message.objects.filter(guest=guest).count()
        if not count:
            return []
        lines = [
            ngettext(
                "The sender, subject, text and translation of %(count)d message",
                "The senders, subjects, texts and translations of %(count)d messages",
                count,
            )
            % {"count": count}
        ]
        files = MessageAttachment.objects.filter(message__guest=guest).count()
        if files:
            text = ngettext(
                "%(count)d attached photo (deleted)", "%(count)d attached photos (deleted)", files
            )
            lines.append(text % {"count": files})
        return lines

    def erase(self, guests):
        ids = [g.pk for g in guests]
        Message.objects.filter(guest__in=ids).exclude(
            sender="", subject="", body="", translation="", language="", refused_attachments=[]
        ).update(**self.ERASED)
        attachments = MessageAttachment.objects.filter(message__guest__in=ids)
        files = [name for name in attachments.values_list("file", flat=True) if name]
        attachments.delete()
        if files:
            storage = MessageAttachment._meta.get_field("file").storage
            # After the commit: a rolled-back anonymisation must not lose the photos.
            transaction.on_commit(lambda: _delete_files(storage, files))

    def owned(self, guest_ids):
        return [
            Message.objects.filter(guest__in=guest_ids),
            MessageAttachment.objects.filter(message__guest__in=guest_ids),
        ]

    def active_since(self, since):
        received = Message.objects.filter(
            guest=OuterRef("pk"), direction=MessageDirection.INBOUND, created_at__gte=since
        )
        return Q(Exists(received))


def _delete_files(storage, names):
    for name in names:
        try:
            storage.delete(name)
        except OSError:  # logged without the name: it may hold the guest's file name
            logger.exception("wagtail-guests: an attachment file could not be deleted")
