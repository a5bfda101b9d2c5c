"""Every ``WAGTAIL_GUESTS_*`` setting, with its default, read lazily.

Read settings through ``guests_settings.NAME`` rather than ``django.conf.settings`` so that
``override_settings`` works in tests and every default lives in one place. Each setting is
documented in ``docs/settings.md``.
"""

from __future__ import annotations

from django.conf import settings

DEFAULTS: dict[str, object] = {
    # Region used to read phone numbers written without an international prefix ("06 12 34 56 78").
    "DEFAULT_PHONE_REGION": "FR",
    # Most tags one guest may carry (the brief: nine).
    "MAX_TAGS_PER_GUEST": 9,
    # Spam protection for the public form blocks.
    "MIN_FILL_SECONDS": 3,
    "RATE_LIMIT": (10, 600),  # (submissions, seconds) per client IP address
    "RATE_LIMIT_CACHE": "default",
    "CLIENT_IP_HEADER": None,  # e.g. "HTTP_X_FORWARDED_FOR" behind a trusted proxy
    # The class that builds the public forms; a site may replace it with a subclass.
    "FORM_BUILDER": "wagtail_guests.forms.GuestFormBuilder",
    # Sender of staff notification emails (None: DEFAULT_FROM_EMAIL).
    "NOTIFICATION_FROM_EMAIL": None,
    # Booking references look like "GB-7K3QZP".
    "BOOKING_REFERENCE_PREFIX": "GB-",
    # Upper bounds the editor cannot raise in a block (sane input lengths).
    "MAX_PARTY_SIZE": 50,
    "MAX_MESSAGE_LENGTH": 5000,
    "MAX_ADDITIONAL_GUESTS": 10,
}


class GuestsSettings:
    """Attribute access to the settings; a missing one falls back to its default."""

    prefix = "WAGTAIL_GUESTS_"

    def __getattr__(self, name: str):
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown wagtail-guests setting {name!r}")
        return getattr(settings, self.prefix + name, DEFAULTS[name])


guests_settings = GuestsSettings()
