"""Spam traps of the public form blocks: honeypot, minimum fill time and a per-IP rate limit.

A caught submission is treated like a real one from the visitor's side (same redirect, same
success message) and stores nothing. Only a reason code is logged: never a name, an email
address or an IP address.

Everything lives in Django's cache or in signed form fields, so the traps work the same when
several processes or servers share the load (Redis or Memcached in production).
"""

from __future__ import annotations

import logging
import time

from django import forms
from django.core import signing
from django.core.cache import caches
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .conf import guests_settings

logger = logging.getLogger(__name__)

#: Names of the two trap fields inside each form (before the form prefix).
HONEYPOT_FIELD = "website"
TIMESTAMP_FIELD = "started"

#: Reason codes, logged and returned by :func:`check_traps`.
HONEYPOT = "honeypot"
TOO_FAST = "too_fast"
BAD_TIMESTAMP = "bad_timestamp"
RATE_LIMIT = "rate_limit"

_SALT = "wagtail_guests.spam.started"


def honeypot_field() -> forms.CharField:
    """A text field people never see (hidden visually and from assistive technology)."""
    return forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )


def timestamp_field(block_id: str = "") -> forms.CharField:
    """A hidden field carrying the signed time the form was shown."""
    return forms.CharField(
        required=False, widget=forms.HiddenInput, initial=lambda: make_timestamp(block_id)
    )


def make_timestamp(block_id: str = "", when: float | None = None) -> str:
    """Sign the time a form for ``block_id`` was shown (``when``: seconds since the epoch)."""
    when = time.time() if when is None else when
    return signing.Signer(salt=f"{_SALT}:{block_id}").sign(str(int(when)))


def fill_time_reason(token: str | None, block_id: str = "") -> str | None:
    """Return ``TOO_FAST`` or ``BAD_TIMESTAMP`` if the signed start time gives a bot away."""
    minimum = guests_settings.MIN_FILL_SECONDS
    if not minimum:
        return None
    try:
        started = int(signing.Signer(salt=f"{_SALT}:{block_id}").unsign(token or ""))
    except (signing.BadSignature, ValueError):
        return BAD_TIMESTAMP
    if time.time() - started < minimum:
        return TOO_FAST
    return None


def client_ip(request) -> str:
    """The client's address: ``REMOTE_ADDR``, or the header named by
    ``WAGTAIL_GUESTS_CLIENT_IP_HEADER`` behind a trusted proxy (its last entry: the one the
    proxy appended, which the client cannot forge)."""
    header = guests_settings.CLIENT_IP_HEADER
    if header and request.META.get(header):
        return request.META[header].split(",")[-1].strip()
    return request.META.get("REMOTE_ADDR", "")


def rate_limited(request) -> bool:
    """Count one submission for the client's address; True once it is over the limit.

    A fixed window per address in Django's cache, with ``add`` + ``incr`` so concurrent
    processes count together. The cache key holds a keyed hash of the address, never the
    address itself.
    """
    count, seconds = guests_settings.RATE_LIMIT
    cache = caches[guests_settings.RATE_LIMIT_CACHE]
    window = int(time.time() // seconds)
    digest = salted_hmac("wagtail_guests.spam.rate_limit", client_ip(request)).hexdigest()
    key = f"wagtail_guests:rate:{digest}:{window}"
    if cache.add(key, 1, timeout=seconds):
        return count < 1
    try:
        current = cache.incr(key)
    except ValueError:  # The key expired between add() and incr().
        cache.add(key, 1, timeout=seconds)
        current = 1
    return current > count


def trap_reason(data, prefix: str, block_id: str) -> str | None:
    """Check the honeypot and the fill time of submitted ``data`` (before validating it)."""
    if data.get(f"{prefix}-{HONEYPOT_FIELD}"):
        return HONEYPOT
    return fill_time_reason(data.get(f"{prefix}-{TIMESTAMP_FIELD}"), block_id)


def log_caught(reason: str) -> None:
    logger.info("wagtail-guests: submission discarded as spam (%s)", reason)
