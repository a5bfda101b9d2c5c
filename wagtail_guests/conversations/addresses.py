"""The Reply-To address of outgoing emails, read back from an inbound email's recipients.

Outgoing emails carry ``Reply-To: <WAGTAIL_GUESTS_REPLY_TO_ADDRESS>`` with ``{token}`` replaced
by the email's ``reply_token`` (e.g. ``replies+Xc9aQ2mT0pLk7bWe@hotel.example``). A reply is
addressed to that address, so the token names the email it answers, and through it the guest,
whichever address the reply comes from.
"""

from __future__ import annotations

import re
from email.utils import parseaddr
from functools import lru_cache

from ..conf import guests_settings

#: ``secrets.token_urlsafe`` characters; at least 8 of them (the model makes 16).
_REPLY_ID_PATTERN = r"(?P<token>[A-Za-z0-9_-]{8,64})"


def reply_address_format() -> str:
    return guests_settings.REPLY_TO_ADDRESS or ""


@lru_cache(maxsize=8)
def _compile(address_format: str):
    # The format may carry a display name ("Hotel <replies+{token}@…>"): match the address.
    address_format = parseaddr(address_format)[1] or address_format.strip()
    if address_format.count("{token}") != 1:
        return None
    before, after = address_format.split("{token}")
    return re.compile(
        "^" + re.escape(before) + _REPLY_ID_PATTERN + re.escape(after) + "$", re.IGNORECASE
    )


def token_from_address(address: str | None) -> str | None:
    """The reply token in ``address`` (an address spec), or ``None``."""
    if not address:
        return None
    pattern = _compile(reply_address_format())
    if pattern is None:
        return None
    match = pattern.match(address.strip())
    return match.group("token") if match else None
