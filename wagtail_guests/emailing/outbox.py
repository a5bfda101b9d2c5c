"""The outbox: every email to a guest is a row first, then sent exactly once by a task.

:func:`queue_email` writes the row (and an "email queued" line on the guest's timeline) and
enqueues :func:`~wagtail_guests.emailing.tasks.send_outgoing_email` once the transaction
commits. :func:`send_email` claims the row with a conditional ``UPDATE`` (waiting → sending):
of two workers, or a task and the periodic command, only one sends it. A provider error leaves
the row "waiting to retry" with a growing delay (``WAGTAIL_GUESTS_EMAIL_RETRY_DELAY``, doubled
at each attempt); after ``WAGTAIL_GUESTS_EMAIL_MAX_ATTEMPTS`` it is "failed", still listed in
the admin, where staff can retry it. :func:`send_due_emails` (the ``guests_send_emails``
command) sends what is due.
"""

from __future__ import annotations

import datetime
import logging
from smtplib import SMTPException

from anymail.exceptions import (
    AnymailError,
    AnymailInvalidAddress,
    AnymailRecipientsRefused,
    AnymailUnsupportedFeature,
)
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ..conf import guests_settings
from ..models import Activity, ActivityKind, OutgoingEmail, OutgoingKind, OutgoingStatus
from .message import build_message
from .templates import single_line

logger = logging.getLogger(__name__)

#: Rows a worker may pick up.
WAITING = (OutgoingStatus.QUEUED, OutgoingStatus.RETRYING)
#: Errors worth retrying: the provider or the network failed, not the message.
PROVIDER_ERRORS = (AnymailError, SMTPException, OSError)
#: Errors a retry cannot fix: the address or the message itself is refused.
PERMANENT_ERRORS = (AnymailRecipientsRefused, AnymailInvalidAddress, AnymailUnsupportedFeature)

# Reasons a guest cannot be emailed (stored in ``last_error`` of a cancelled row).
NO_ADDRESS = "no_address"
ANONYMISED = "anonymised"
UNSUBSCRIBED = "unsubscribed"
UNDELIVERABLE = "undeliverable"
CANCELLED_BY_PRE_SEND = "cancelled_before_sending"


def refusal(guest, *, is_marketing: bool, kind: str = "", to_email: str | None = None):
    """Why ``guest`` may not be sent this email (a reason code), or ``None`` if they may.

    Anonymised guests get nothing; unsubscribed guests get no marketing email; an address
    that bounced hard or complained gets nothing. A test to a staff member (``kind="test"``)
    only needs a guest that is not anonymised.
    """
    if guest is None:
        return None if kind == OutgoingKind.TEST and to_email else NO_ADDRESS
    if guest.anonymised_at:
        return ANONYMISED
    if kind == OutgoingKind.TEST:
        return None if to_email else NO_ADDRESS
    if not (to_email or guest.email):
        return NO_ADDRESS
    if is_marketing and guest.unsubscribed_at:
        return UNSUBSCRIBED
    if guest.email_undeliverable_at:
        return UNDELIVERABLE
    return None


def clean_address(address: str | None) -> str | None:
    """A single, valid address, or ``None`` (nothing that could add a header or recipient)."""
    address = (address or "").strip()
    if not address or any(char in address for char in "\r\n,;<>\"'"):
        return None
    try:
        validate_email(address)
    except ValidationError:
        return None
    return address


def unsubscribe_footer(guest, body: str, *, language: str) -> str:
    """``body`` ending with the unsubscribe link, unless it already contains it."""
    from .unsubscribe import link_prefix, unsubscribe_url

    prefix = link_prefix()
    if not prefix or prefix in body:
        return body
    with translation.override(language):
        line = _("To stop receiving our emails, open this link: %(url)s") % {
            "url": unsubscribe_url(guest)
        }
    return f"{body.rstrip()}\n\n-- \n{line}\n"


def queue_email(
    guest,
    *,
    subject: str,
    body: str,
    kind: str,
    user=None,
    booking=None,
    template=None,
    rule=None,
    is_marketing: bool = False,
    dedup_key: str | None = None,
    to_email: str | None = None,
) -> OutgoingEmail | None:
    """Write an email to the outbox and have it sent once the transaction commits.

    Returns ``None``, recording nothing, when the guest may not be emailed (see
    :func:`refusal`), the address is not valid, or ``dedup_key`` was already queued (by
    this or any other process: the unique constraint decides). Marketing emails get the
    unsubscribe link appended unless the body already has it. The caller checks permissions.
    """
    if refusal(guest, is_marketing=is_marketing, kind=kind, to_email=to_email):
        return None
    address = clean_address(to_email or guest.email)
    if address is None:
        return None
    if template is not None:
        language = template.language or settings.LANGUAGE_CODE
    else:
        language = (guest.language if guest else "") or settings.LANGUAGE_CODE
    if is_marketing and guest is not None:
        body = unsubscribe_footer(guest, body, language=language)
    now = timezone.now()
    fields = {
        "guest": guest,
        "booking": booking,
        "template": template,
        "rule": rule,
        "kind": kind,
        "is_marketing": is_marketing,
        "to_email": address,
        "from_email": guests_settings.EMAIL_FROM_ADDRESS or settings.DEFAULT_FROM_EMAIL,
        "subject": single_line(subject)[:255],
        "body": body,
        "dedup_key": dedup_key,
        "created_by": user,
        "created_at": now,
        "next_attempt_at": now,
    }
    try:
        with transaction.atomic():
            email = OutgoingEmail.objects.create(**fields)
            if guest is not None and kind != OutgoingKind.TEST:
                Activity.objects.create(
                    guest=guest,
                    kind=ActivityKind.EMAIL_QUEUED,
                    user=user,
                    booking=booking,
                    created_at=now,
                    payload=_payload(email),
                )
    except IntegrityError:
        if dedup_key and OutgoingEmail.objects.filter(dedup_key=dedup_key).exists():
            return None
        raise
    transaction.on_commit(lambda: enqueue_send(email.pk), robust=True)
    return email


def _payload(email) -> dict:
    payload = {"email": email.pk, "kind": email.kind, "subject": email.subject}
    if email.template_id:
        payload["template"] = email.template_id
    if email.rule_id:
        payload["rule"] = email.rule_id
    return payload


def enqueue_send(outgoing_id: int, *, run_after=None) -> None:
    """Hand the row to the task backend; the periodic command sends it anyway if this fails."""
    from .tasks import send_outgoing_email

    task = send_outgoing_email
    if run_after is not None:
        if not task.get_backend().supports_defer:
            return  # the periodic command will pick it up when it is due
        task = task.using(run_after=run_after)
    task.enqueue(outgoing_id)


def retry_delay(attempts: int) -> datetime.timedelta:
    """Backoff after the ``attempts``-th failed attempt: the delay doubles each time."""
    seconds = guests_settings.EMAIL_RETRY_DELAY * (2 ** max(attempts - 1, 0))
    return datetime.timedelta(seconds=min(seconds, guests_settings.EMAIL_RETRY_MAX_DELAY))


def claim(outgoing_id: int, now) -> bool:
    """Take the row for sending: true for exactly one caller while it is waiting and due."""
    lease = now + datetime.timedelta(seconds=guests_settings.EMAIL_SENDING_TIMEOUT)
    return bool(
        OutgoingEmail.objects.filter(
            pk=outgoing_id, status__in=WAITING, next_attempt_at__lte=now
        ).update(status=OutgoingStatus.SENDING, next_attempt_at=lease, attempts=F("attempts") + 1)
    )


def send_email(outgoing_id: int, *, now=None) -> str | None:
    """Send one outbox row if it is due and no one else is sending it; its new status.

    ``None``: not sent now (already sent, being sent elsewhere, or not due yet).
    """
    now = now or timezone.now()
    if not claim(outgoing_id, now):
        return None
    email = OutgoingEmail.objects.select_related("guest", "guest__site").get(pk=outgoing_id)
    reason = refusal(
        email.guest, is_marketing=email.is_marketing, kind=email.kind, to_email=email.to_email
    )
    if reason:
        return _finish(email, OutgoingStatus.CANCELLED, last_error=reason)
    try:
        message = build_message(email)
        sent = message.send()
    except PERMANENT_ERRORS as error:
        return _failed(email, error, now, permanent=True)
    except Exception as error:  # the provider, the network, or anything else: retry later
        if not isinstance(error, PROVIDER_ERRORS):
            logger.exception("Unexpected error sending outgoing email #%s", email.pk)
        return _failed(email, error, now)
    if not sent:
        # A pre_send receiver (ours or the site's) cancelled it.
        return _finish(email, OutgoingStatus.CANCELLED, last_error=CANCELLED_BY_PRE_SEND)
    status = getattr(message, "anymail_status", None)
    message_id = getattr(status, "message_id", None)
    if message_id is not None and not isinstance(message_id, (set, frozenset)):
        email.esp_message_id = str(message_id)[:255]
    return _finish(email, OutgoingStatus.SENT, sent_at=timezone.now())


def _finish(email, status, *, last_error="", sent_at=None) -> str:
    """Record the outcome of a send this worker claimed."""
    changes = {"status": status, "last_error": last_error}
    if status == OutgoingStatus.SENT:
        changes.update(sent_at=sent_at, esp_message_id=email.esp_message_id)
    with transaction.atomic():
        # A slow send may have outlived its lease and been marked failed: it did go out.
        allowed = (OutgoingStatus.SENDING, OutgoingStatus.FAILED)
        OutgoingEmail.objects.filter(pk=email.pk, status__in=allowed).update(**changes)
        if status == OutgoingStatus.SENT:
            _timeline(email, ActivityKind.EMAIL_SENT)
    return status


def _failed(email, error, now, *, permanent=False) -> str:
    attempts = OutgoingEmail.objects.filter(pk=email.pk).values_list("attempts", flat=True)[0]
    text = f"{type(error).__name__}: {error}"[:2000]
    final = permanent or attempts >= guests_settings.EMAIL_MAX_ATTEMPTS
    status = OutgoingStatus.FAILED if final else OutgoingStatus.RETRYING
    next_attempt = now if final else now + retry_delay(attempts)
    logger.warning(
        "Outgoing email #%s: attempt %s failed (%s)", email.pk, attempts, type(error).__name__
    )
    with transaction.atomic():
        OutgoingEmail.objects.filter(pk=email.pk, status=OutgoingStatus.SENDING).update(
            status=status, last_error=text, next_attempt_at=next_attempt
        )
        if final:
            _timeline(email, ActivityKind.EMAIL_FAILED)
    if not final:
        transaction.on_commit(lambda: enqueue_send(email.pk, run_after=next_attempt), robust=True)
    return status


def _timeline(email, kind) -> None:
    if email.guest_id is None or email.kind == OutgoingKind.TEST:
        return
    Activity.objects.create(
        guest_id=email.guest_id,
        kind=kind,
        user=email.created_by if kind == ActivityKind.EMAIL_FAILED else None,
        booking_id=email.booking_id,
        payload=_payload(email),
    )


def retry(email: OutgoingEmail, *, user=None) -> bool:
    """Send a failed (or waiting) email again now, with a fresh series of attempts.

    The conditional update makes a double click, or two staff members, retry it once.
    """
    now = timezone.now()
    retried = OutgoingEmail.objects.filter(
        pk=email.pk, status__in=(OutgoingStatus.FAILED, OutgoingStatus.RETRYING)
    ).update(status=OutgoingStatus.RETRYING, attempts=0, next_attempt_at=now)
    if retried:
        transaction.on_commit(lambda: enqueue_send(email.pk), robust=True)
    return bool(retried)


def release_stale(now=None) -> int:
    """Mark failed the rows left "sending" past their lease (a worker died mid-send).

    They are not sent again automatically: the provider may have accepted them. Staff see
    them as failed, with the reason, and may retry.
    """
    now = now or timezone.now()
    return OutgoingEmail.objects.filter(
        status=OutgoingStatus.SENDING, next_attempt_at__lt=now
    ).update(
        status=OutgoingStatus.FAILED,
        last_error="interrupted: the worker stopped while sending; check before retrying",
    )


def send_due_emails(*, now=None, limit=None) -> dict:
    """Send every due outbox row (oldest due first); counts by resulting status."""
    now = now or timezone.now()
    limit = limit or guests_settings.EMAIL_BATCH_SIZE
    counts = {"stale": release_stale(now)}
    due = list(
        OutgoingEmail.objects.filter(status__in=WAITING, next_attempt_at__lte=now)
        .order_by("next_attempt_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in due:
        status = send_email(pk, now=now)
        if status is not None:
            counts[status] = counts.get(status, 0) + 1
    return counts
