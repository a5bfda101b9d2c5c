"""Real provider webhook payloads (as documented by Postmark and Mailgun) and helpers to post
them to anymail's webhook URLs the way the provider would.

The JSON files are the providers' documented examples; tests change only the fields that tie
an event to test data (message id, recipient, sender, attachments).
"""

from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from pathlib import Path

import pytest
from django.test import override_settings

HERE = Path(__file__).parent
WEBHOOK_SECRET = "wagtail-guests:webhook-test-secret"
MAILGUN_SIGNING_KEY = "mailgun-test-signing-key"
REPLY_TO = "replies+{token}@hotel.example"

#: A real 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII="
)
#: The start of a PDF document.
PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def webhook_settings(**extra):
    """anymail configured as a site would: a webhook secret and Mailgun's signing key."""
    return override_settings(
        ANYMAIL={
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            "MAILGUN_WEBHOOK_SIGNING_KEY": MAILGUN_SIGNING_KEY,
        },
        WAGTAIL_GUESTS_REPLY_TO_ADDRESS=REPLY_TO,
        **extra,
    )


@pytest.fixture
def webhooks():
    with webhook_settings():
        yield


def load(name: str) -> dict:
    return json.loads((HERE / f"{name}.json").read_text())


def basic_auth(secret: str = WEBHOOK_SECRET) -> dict:
    token = base64.b64encode(secret.encode()).decode()
    return {"HTTP_AUTHORIZATION": f"Basic {token}"}


def post_postmark(client, kind: str, payload: dict, *, auth: str | None = WEBHOOK_SECRET):
    """POST ``payload`` to anymail's Postmark ``kind`` ("tracking" or "inbound") webhook."""
    headers = basic_auth(auth) if auth else {}
    return client.post(
        f"/anymail/postmark/{kind}/",
        data=json.dumps(payload),
        content_type="application/json",
        **headers,
    )


def sign_mailgun(payload: dict, key: str = MAILGUN_SIGNING_KEY) -> dict:
    payload = copy.deepcopy(payload)
    block = payload["signature"]
    block["signature"] = hmac.new(
        key.encode("ascii"),
        f"{block['timestamp']}{block['token']}".encode("ascii"),
        hashlib.sha256,
    ).hexdigest()
    return payload


def post_mailgun_tracking(client, payload: dict, *, key: str = MAILGUN_SIGNING_KEY):
    return client.post(
        "/anymail/mailgun/tracking/",
        data=json.dumps(sign_mailgun(payload, key)),
        content_type="application/json",
        **basic_auth(),
    )


def postmark_attachment(name: str, content_type: str, data: bytes) -> dict:
    return {
        "Name": name,
        "Content": base64.b64encode(data).decode(),
        "ContentType": content_type,
        "ContentLength": len(data),
    }


def postmark_reply(
    *,
    sender: str,
    name: str = "",
    to: str,
    text: str,
    subject: str = "Re: Your stay",
    attachments=(),
    message_id: str = "73e6d360-66eb-11e1-8e72-a8904824019b",
):
    """Postmark's documented inbound example, from ``sender`` to ``to``."""
    payload = load("postmark_inbound")
    payload.update(
        {
            "FromName": name,
            "From": sender,
            "FromFull": {"Email": sender, "Name": name, "MailboxHash": ""},
            "To": to,
            "ToFull": [{"Email": to, "Name": "", "MailboxHash": ""}],
            "Cc": "",
            "CcFull": [],
            "Bcc": "",
            "BccFull": [],
            "OriginalRecipient": to,
            "Subject": subject,
            "MessageID": message_id,
            "TextBody": text,
            "HtmlBody": "",
            "StrippedTextReply": text,
            "Attachments": list(attachments),
        }
    )
    return payload


def make_sent_email(
    guest, *, message_id: str, subject: str = "Your stay at the Tilleuls", **fields
):
    """An email of the outbox that the provider accepted under ``message_id``."""
    from django.utils import timezone

    from wagtail_guests.models import OutgoingEmail

    fields.setdefault("kind", "template")
    fields.setdefault("to_email", guest.email)
    return OutgoingEmail.objects.create(
        guest=guest,
        subject=subject,
        body="Dear guest, we look forward to welcoming you.",
        status="sent",
        sent_at=timezone.now(),
        esp_message_id=message_id,
        **fields,
    )
