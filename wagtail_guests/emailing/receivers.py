"""anymail ``pre_send`` guard: the last check before a guest email leaves.

:func:`~wagtail_guests.emailing.outbox.queue_email` and
:func:`~wagtail_guests.emailing.outbox.send_email` already refuse anonymised guests,
unsubscribed guests (marketing) and addresses that bounced. This receiver checks again inside
the anymail backend, at the moment of sending, so that a message built elsewhere from an
outbox row, or a guest unsubscribing a second before, still cannot get through: it raises
``AnymailCancelSend`` and anymail drops the message without error. Only anymail backends send
the ``pre_send`` signal; with another backend the outbox checks alone apply.
"""

from anymail.exceptions import AnymailCancelSend
from anymail.signals import pre_send
from django.dispatch import receiver

from ..identity import normalise_email
from ..models import Guest, OutgoingEmail
from .message import METADATA_KEY
from .outbox import refusal


def _recipients(message) -> set[str]:
    from email.utils import getaddresses

    return {normalise_email(address) for _, address in getaddresses(message.recipients())}


@receiver(pre_send, dispatch_uid="wagtail_guests_pre_send_guard")
def refuse_unreachable_guests(sender, message, esp_name, **kwargs):
    metadata = getattr(message, "metadata", None) or {}
    email_id = metadata.get(METADATA_KEY)
    if not email_id:
        return  # not a guest email (staff notifications and the site's own mail)
    email = OutgoingEmail.objects.select_related("guest").filter(pk=email_id).first()
    if email is None:
        raise AnymailCancelSend("unknown outbox email")
    reason = refusal(
        email.guest, is_marketing=email.is_marketing, kind=email.kind, to_email=email.to_email
    )
    if reason:
        raise AnymailCancelSend(reason)
    recipients = _recipients(message)
    if recipients != {normalise_email(email.to_email)}:
        raise AnymailCancelSend("recipients differ from the outbox row")
    if email.kind == "test":
        return
    # Another guest record with this address may have unsubscribed, or bounced.
    others = Guest.objects.filter(email__iexact=email.to_email)
    if others.filter(anonymised_at__isnull=False).exists():
        raise AnymailCancelSend("anonymised")
    if others.filter(email_undeliverable_at__isnull=False).exists():
        raise AnymailCancelSend("undeliverable")
    if email.is_marketing and others.filter(unsubscribed_at__isnull=False).exists():
        raise AnymailCancelSend("unsubscribed")
