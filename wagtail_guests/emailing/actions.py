"""Staff actions on a guest's emails: send a template or a message, test, resend, retry,
unsubscribe.

Each checks the user's permission (``change`` on guests), writes Wagtail's audit log with ids
and codes only (the log shows "Guest #42", never an address or a subject), and goes through
the outbox, so the same checks and retries apply as to scheduled emails.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import log

from ..models import OutgoingEmail, OutgoingKind, OutgoingStatus
from ..permissions import require
from . import outbox
from .templates import default_booking, merge, merge_values, render, template_for
from .unsubscribe import unsubscribe

#: Why an email was not queued, for staff (keys: :func:`outbox.refusal` codes).
REFUSALS = {
    outbox.NO_ADDRESS: gettext_lazy("This guest has no valid email address."),
    outbox.ANONYMISED: gettext_lazy("This guest was anonymised: they cannot be emailed."),
    outbox.UNSUBSCRIBED: gettext_lazy(
        "This guest unsubscribed from all emails: marketing emails are not sent to them."
    ),
    outbox.UNDELIVERABLE: gettext_lazy(
        "Emails to this guest’s address bounced or were marked as spam."
    ),
    outbox.CANCELLED_BY_PRE_SEND: gettext_lazy("The email was stopped before sending."),
}


class EmailNotQueued(Exception):
    """Nothing was queued; ``str(error)`` tells staff why."""


@dataclass
class Sent:
    email: OutgoingEmail
    test: bool = False


def refusal_text(code: str | None) -> str:
    return str(REFUSALS.get(code, code or ""))


def _queue(guest, *, user, test: bool, prefixed: bool = False, **fields) -> Sent:
    if test:
        address = getattr(user, "email", "") or ""
        if not address:
            raise EmailNotQueued(_("Your account has no email address to send the test to."))
        if not prefixed:
            fields["subject"] = _("[Test] %(subject)s") % {"subject": fields["subject"]}
        fields.update(kind=OutgoingKind.TEST, to_email=address, is_marketing=False)
    code = outbox.refusal(
        guest,
        is_marketing=fields.get("is_marketing", False),
        kind=fields["kind"],
        to_email=fields.get("to_email"),
    )
    if code:
        raise EmailNotQueued(refusal_text(code))
    with transaction.atomic():
        email = outbox.queue_email(guest, user=user, **fields)
        if email is None:
            raise EmailNotQueued(refusal_text(outbox.NO_ADDRESS))
        log(
            guest,
            "wagtail_guests.email_test" if test else "wagtail_guests.email_queued",
            user=user,
            data={"email": email.pk, "kind": email.kind},
        )
    return Sent(email, test)


def send_template(guest, name: str, *, user, test: bool = False) -> Sent:
    """Queue the guest's translation of the template ``name`` (or a test of it to ``user``)."""
    require(user, "change")
    template = template_for(name, guest.language)
    if template is None:
        raise EmailNotQueued(_("This email template no longer exists."))
    booking = default_booking(guest)
    subject, body = render(template, guest, booking=booking)
    return _queue(
        guest,
        user=user,
        test=test,
        subject=subject,
        body=body,
        kind=OutgoingKind.TEMPLATE,
        booking=booking,
        template=template,
        is_marketing=template.is_marketing,
    )


def send_message(guest, *, subject: str, body: str, user, test: bool = False) -> Sent:
    """Queue a message written by staff; merge fields such as ``{first_name}`` are filled."""
    require(user, "change")
    booking = default_booking(guest)
    values = merge_values(guest, booking=booking, language=guest.language or None)
    return _queue(
        guest,
        user=user,
        test=test,
        subject=merge(subject, values),
        body=merge(body, values),
        kind=OutgoingKind.MESSAGE,
        booking=booking,
    )


def send_again(email: OutgoingEmail, *, user) -> Sent:
    """Queue a new copy of ``email``: a template is rendered afresh, a message copied.

    A test is sent again as a test, to ``user``'s own address.
    """
    require(user, "change")
    guest = email.guest
    if guest is None:
        raise EmailNotQueued(refusal_text(outbox.NO_ADDRESS))
    # A test goes again to the staff member who asks, never to the guest.
    test = email.kind == OutgoingKind.TEST
    template = template_for(email.template.name, guest.language) if email.template else None
    if template is not None:
        subject, body = render(template, guest, booking=email.booking)
    else:
        subject, body = email.subject, email.body
    if email.kind == OutgoingKind.REPLY:
        return _reply_again(guest, user=user, subject=subject, body=body, template=template)
    return _queue(
        guest,
        user=user,
        test=test,
        prefixed=test and template is None,  # a copied test subject has its "[Test]" already
        subject=subject,
        body=body,
        kind=email.kind,
        booking=email.booking,
        template=template,
        rule=email.rule,
        is_marketing=email.is_marketing,
    )


def _reply_again(guest, *, user, subject, body, template) -> Sent:
    """A reply sent again is a reply too: it shows in the guest's conversation."""
    from ..conversations.replies import ReplyNotSent, send_reply

    try:
        with transaction.atomic():
            message = send_reply(guest, user=user, subject=subject, body=body, template=template)
            log(
                guest,
                "wagtail_guests.email_queued",
                user=user,
                data={"email": message.email_id, "kind": message.email.kind},
            )
    except ReplyNotSent as error:
        raise EmailNotQueued(str(error)) from error
    return Sent(message.email)


def retry_email(email: OutgoingEmail, *, user) -> bool:
    """Send a failed email again now; ``False`` if it was not failed or waiting any more."""
    require(user, "change")
    with transaction.atomic():
        retried = outbox.retry(email, user=user)
        if retried and email.guest_id:
            log(email.guest, "wagtail_guests.email_retry", user=user, data={"email": email.pk})
    return retried


def staff_unsubscribe(guest, *, user) -> bool:
    """The profile's "Unsubscribe from all emails"; ``False`` if already unsubscribed."""
    require(user, "change")
    return unsubscribe(guest, user=user)


def retryable(email: OutgoingEmail) -> bool:
    return email.status in (OutgoingStatus.FAILED, OutgoingStatus.RETRYING)
