"""Process each webhook event once, whatever the provider retries.

Providers deliver webhooks "at least once": a timeout on our side, or a retry on theirs, sends
the same event again. :func:`claim` inserts the event's key into
:class:`~wagtail_guests.models.ProcessedWebhook` (unique) inside the caller's transaction, so
the key and the event's effects commit together, or not at all (a failure answers HTTP 500 and
the provider's retry is processed afresh). A second delivery, even a concurrent one, fails the
insert and is skipped.

Providers stop retrying within a few days, so :func:`prune` (run with the periodic email job)
deletes keys older than :data:`KEEP_KEYS`: a key made from an event without an id is a digest
that includes the recipient's address, and a digest of an address is not anonymous.
"""

from __future__ import annotations

import datetime
import hashlib

from django.db import IntegrityError, transaction
from django.utils import timezone

from ..models import ProcessedWebhook

KEY_MAX_LENGTH = ProcessedWebhook._meta.get_field("key").max_length
KEEP_KEYS = datetime.timedelta(days=7)


def _digest(*parts) -> str:
    text = "\x1f".join("" if part is None else str(part) for part in parts)
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()


def event_key(esp_name: str, kind: str, event_id: str | None, *fallback) -> str:
    """The key of one event: ``"<esp>:<kind>:<event id>"``.

    Some events carry no id (Postmark sends none with deliveries, opens and clicks): their key
    is then a digest of ``fallback``, the fields that tell two events apart (type, message id,
    recipient, time…), so a retry of the same event still has the same key.
    """
    esp_name = esp_name or "unknown"
    if event_id:
        key = f"{esp_name}:{kind}:{event_id}"
        if len(key) <= KEY_MAX_LENGTH:
            return key
        return f"{esp_name}:{kind}:sha256:{_digest(event_id)}"
    return f"{esp_name}:{kind}:sha256:{_digest(*fallback)}"


def claim(key: str) -> bool:
    """Record ``key`` as processed; ``False`` if it already was. Call inside ``atomic()``."""
    try:
        with transaction.atomic():
            ProcessedWebhook.objects.create(key=key)
    except IntegrityError:
        return False
    return True


def prune(now=None) -> int:
    """Delete the keys of events received more than :data:`KEEP_KEYS` ago; returns how many."""
    cutoff = (now or timezone.now()) - KEEP_KEYS
    deleted, _ = ProcessedWebhook.objects.filter(received_at__lt=cutoff).delete()
    return deleted
