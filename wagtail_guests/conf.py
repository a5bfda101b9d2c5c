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
    # Import (see docs/import-export.md): limits checked before a file is read, the number of
    # rows above which an admin import runs as a background task, where uploaded files wait
    # between the preview and the confirmation (None: a "wagtail-guests-imports" folder in the
    # system's temporary directory, never under MEDIA_ROOT, which a web server may serve), and
    # how long an abandoned upload is kept.
    "IMPORT_MAX_BYTES": 20 * 1024 * 1024,
    "IMPORT_MAX_ROWS": 200_000,
    "IMPORT_BACKGROUND_ROWS": 2_000,
    "IMPORT_TEMP_DIR": None,
    "IMPORT_TEMP_MAX_AGE": 24 * 3600,  # seconds
    # Anonymise guests with no booking, submission or message of their own for this many days
    # (None: off). See docs/gdpr.md.
    "RETENTION_DAYS": None,
    # Sending email to guests (see docs/email.md): the From address (None: DEFAULT_FROM_EMAIL);
    # the Reply-To address, a format with "{token}" such as "replies+{token}@hotel.example"
    # (None: no Reply-To); the absolute base of public links such as unsubscribe links (None:
    # the guest's Wagtail site, else the default site); how long an unsubscribe link stays
    # valid (seconds, None: forever).
    "EMAIL_FROM_ADDRESS": None,
    "REPLY_TO_ADDRESS": None,
    "BASE_URL": None,
    "UNSUBSCRIBE_MAX_AGE": 2 * 365 * 24 * 3600,
    # The outbox: a provider error is retried after EMAIL_RETRY_DELAY seconds, doubled at each
    # attempt up to EMAIL_RETRY_MAX_DELAY; after EMAIL_MAX_ATTEMPTS the email is "failed"
    # (staff can retry it). An email "sending" for longer than EMAIL_SENDING_TIMEOUT seconds
    # (a worker died mid-send) is marked failed, never sent twice by itself.
    "EMAIL_MAX_ATTEMPTS": 8,
    "EMAIL_RETRY_DELAY": 60,
    "EMAIL_RETRY_MAX_DELAY": 6 * 3600,
    "EMAIL_SENDING_TIMEOUT": 15 * 60,
    "EMAIL_BATCH_SIZE": 500,  # outbox rows sent per run of guests_send_emails
    # Scheduled emails: an email due on a day is still queued this many days later (a missed
    # run of the scheduler), never for bookings further in the past.
    "SCHEDULE_GRACE_DAYS": 1,
    # Replies from guests (see docs/email.md, "Tracking, replies and inbox"): the largest photo
    # kept from an inbound email, and the image types kept (anything else is refused and noted).
    "INBOUND_ATTACHMENT_MAX_BYTES": 10 * 1024 * 1024,
    "INBOUND_IMAGE_TYPES": (
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "image/heic",
        "image/heif",
    ),
    # Message translation (off by default): the dotted path of a backend class, e.g.
    # "wagtail_guests.conversations.translation.libretranslate.LibreTranslateBackend", the
    # languages offered, and the LibreTranslate server, API key and timeout (seconds).
    "TRANSLATION_BACKEND": None,
    "TRANSLATION_LANGUAGES": ("fr", "en", "de", "es", "nl", "pl", "ru", "ar", "pt"),
    "TRANSLATION_TIMEOUT": 10,
    "LIBRETRANSLATE_URL": "",
    "LIBRETRANSLATE_API_KEY": "",
}


class GuestsSettings:
    """Attribute access to the settings; a missing one falls back to its default."""

    prefix = "WAGTAIL_GUESTS_"

    def __getattr__(self, name: str):
        if name not in DEFAULTS:
            raise AttributeError(f"Unknown wagtail-guests setting {name!r}")
        return getattr(settings, self.prefix + name, DEFAULTS[name])


guests_settings = GuestsSettings()
