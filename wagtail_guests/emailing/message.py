"""Build the Django email message of an outbox row: one recipient, safe headers.

Only Django's mail API is used, so any backend works (SMTP, console, any anymail provider).
anymail reads ``tags`` and ``metadata`` (the guest and email ids, never personal data) and
hands them to the provider; other backends ignore them. Every header value goes through
:func:`~wagtail_guests.emailing.templates.single_line`, so no CR or LF from a guest's name or
a subject can start a new header.
"""

from __future__ import annotations

from django.core.mail import EmailMultiAlternatives

from ..conf import guests_settings
from ..models import OutgoingEmail
from .templates import single_line

#: anymail tag on every guest email; ``wagtail-guests-<kind>`` is added too.
TAG = "wagtail-guests"
#: The metadata key naming the outbox row (read by the ``pre_send`` guard).
METADATA_KEY = "wagtail_guests_email"


def reply_to_address(email: OutgoingEmail) -> str | None:
    """``WAGTAIL_GUESTS_REPLY_TO_ADDRESS`` with ``{token}`` replaced by the email's token."""
    address_format = guests_settings.REPLY_TO_ADDRESS
    if not address_format:
        return None
    return single_line(str(address_format).replace("{token}", email.reply_token)) or None


def unsubscribe_headers(email: OutgoingEmail) -> dict:
    """RFC 2369 / RFC 8058 one-click unsubscribe headers of a marketing email."""
    from .unsubscribe import unsubscribe_url

    if not email.is_marketing or email.guest is None:
        return {}
    url = single_line(unsubscribe_url(email.guest))
    if not url:
        return {}
    return {
        "List-Unsubscribe": f"<{url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
    }


def build_message(email: OutgoingEmail) -> EmailMultiAlternatives:
    reply_to = reply_to_address(email)
    message = EmailMultiAlternatives(
        subject=single_line(email.subject),
        body=email.body,
        from_email=single_line(email.from_email) or None,
        to=[single_line(email.to_email)],
        reply_to=[reply_to] if reply_to else None,
        headers=unsubscribe_headers(email),
    )
    message.tags = [TAG, f"{TAG}-{email.kind}"]
    message.metadata = {
        METADATA_KEY: str(email.pk),
        "guest_id": str(email.guest_id or ""),
        "kind": email.kind,
        "marketing": "1" if email.is_marketing else "0",
    }
    if len(message.recipients()) != 1:  # never more: no cc, no bcc, one address
        raise ValueError("An outgoing email must have exactly one recipient.")
    return message
