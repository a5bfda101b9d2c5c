"""A staff reply from the inbox: an outbox email, and an outbound message of the conversation.

The email goes through the outbox like every other (``emailing.outbox.queue_email``), so it is
sent by a task, retried on provider errors, and carries a Reply-To token: the guest's answer to
it comes back into the same conversation. The outbox writes the timeline lines ("email queued",
"email sent"); the timeline links those of replies to the conversation.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..models import (
    EmailTemplate,
    Message,
    MessageDirection,
    OutgoingKind,
)
from ..permissions import require
from . import signals


class ReplyNotSent(Exception):
    """The reply could not be queued; ``str(error)`` says why, for staff."""


def reply_subject(guest) -> str:
    """ "Re: <subject of the guest's last message>", or "" if they have not written."""
    last = (
        Message.objects.filter(guest=guest, direction=MessageDirection.INBOUND)
        .exclude(subject="")
        .order_by("-created_at", "-pk")
        .values_list("subject", flat=True)
        .first()
    )
    if not last:
        return ""
    if last[:3].lower() == "re:":
        return last[:200]
    return f"Re: {last}"[:200]


def template_names() -> list[str]:
    return list(EmailTemplate.objects.order_by("name").values_list("name", flat=True).distinct())


def render_template(name: str, guest) -> tuple[EmailTemplate, str, str] | None:
    """The guest's version of the template ``name``, rendered: (template, subject, body)."""
    from ..emailing import templates as email_templates

    template = email_templates.template_for(name, guest.language)
    if template is None:
        return None
    subject, body = email_templates.render(template, guest)
    return template, subject, body


def send_reply(guest, *, user, subject: str, body: str, template=None) -> Message:
    """Queue a reply to ``guest`` and add it to their conversation."""
    require(user, "change")
    if guest.anonymised_at:
        raise ReplyNotSent(_("This guest was anonymised: they cannot be emailed."))
    if not guest.email:
        raise ReplyNotSent(_("This guest has no email address."))
    from ..emailing.outbox import queue_email

    with transaction.atomic():
        email = queue_email(
            guest,
            subject=subject,
            body=body,
            kind=OutgoingKind.REPLY,
            user=user,
            template=template,
        )
        if email is None:
            raise ReplyNotSent(
                _("This guest cannot be emailed: their address is missing or was refused.")
            )
        now = timezone.now()
        message = Message.objects.create(
            guest=guest,
            direction=MessageDirection.OUTBOUND,
            email=email,
            sender=email.from_email[:254],
            subject=email.subject,
            body=email.body,
            user=user,
            created_at=now,
            read_at=now,
        )
        transaction.on_commit(
            lambda: signals.reply_queued.send(Message, message=message, user=user)
        )
    return message
