"""System checks for wagtail-guests settings (ids ``wagtail_guests.E001`` …)."""

from django.conf import settings
from django.core import checks

from .conf import guests_settings

# SQLite transaction modes that take the write lock when the transaction begins.
_LOCKING_SQLITE_MODES = {"IMMEDIATE", "EXCLUSIVE"}


@checks.register()
def check_settings(app_configs=None, **kwargs):
    errors = []
    limit = guests_settings.RATE_LIMIT
    if not (
        isinstance(limit, (tuple, list))
        and len(limit) == 2
        and all(isinstance(n, int) and n > 0 for n in limit)
    ):
        errors.append(
            checks.Error(
                "WAGTAIL_GUESTS_RATE_LIMIT must be a pair of positive integers "
                "(submissions, seconds).",
                id="wagtail_guests.E001",
            )
        )
    max_tags = guests_settings.MAX_TAGS_PER_GUEST
    if not isinstance(max_tags, int) or max_tags < 1:
        errors.append(
            checks.Error(
                "WAGTAIL_GUESTS_MAX_TAGS_PER_GUEST must be a positive integer.",
                id="wagtail_guests.E002",
            )
        )
    return errors


@checks.register()
def check_sqlite_transaction_mode(app_configs=None, **kwargs):
    """Warn when the default database is SQLite in its default (deferred) transaction mode.

    In that mode two transactions that both read then write cannot wait for each other, so
    simultaneous submissions fail. The check reads the settings only; it opens no connection.
    """
    default = settings.DATABASES.get("default", {})
    engine = default.get("ENGINE", "")
    if not (engine.endswith("sqlite3") or "spatialite" in engine):
        return []
    mode = (default.get("OPTIONS") or {}).get("transaction_mode") or ""
    if str(mode).upper() in _LOCKING_SQLITE_MODES:
        return []
    return [
        checks.Warning(
            "The default database is SQLite without OPTIONS['transaction_mode'] = 'IMMEDIATE'. "
            'Concurrent form submissions may then fail with "database is locked" instead of '
            "waiting for each other.",
            hint=(
                'Add "transaction_mode": "IMMEDIATE" (and a "timeout" such as 20 seconds) '
                "to DATABASES['default']['OPTIONS'], or use PostgreSQL in production."
            ),
            id="wagtail_guests.W001",
        )
    ]


# --- Webhooks and translation (wagtail_guests.E010 – E019; wagtail_guests.conversations) -----


@checks.register(checks.Tags.security)
def check_webhook_secret(app_configs=None, **kwargs):
    """Error when anymail's webhooks accept anyone: tracking and inbound mail change guests.

    Without ``WEBHOOK_SECRET`` (``ANYMAIL["WEBHOOK_SECRET"]`` or ``ANYMAIL_WEBHOOK_SECRET``),
    anymail's basic-auth check is off, and anyone could post fake bounces or messages.
    """
    from anymail.utils import get_anymail_setting

    secret = get_anymail_setting("webhook_secret", default=None)
    if isinstance(secret, str):
        secret = [secret]
    if secret and all(isinstance(s, str) and ":" in s and len(s) > 2 for s in secret):
        return []
    return [
        checks.Error(
            "No webhook secret is configured for anymail: anyone could post fake tracking "
            "events or guest messages to the webhook URLs.",
            hint=(
                'Set ANYMAIL = {"WEBHOOK_SECRET": "<random>:<random>"} (or '
                "ANYMAIL_WEBHOOK_SECRET), and give the same user:password to your email "
                "provider's webhook URLs. See docs/email.md."
            ),
            id="wagtail_guests.E010",
        )
    ]


@checks.register()
def check_translation_backend(app_configs=None, **kwargs):
    from django.utils.module_loading import import_string

    path = guests_settings.TRANSLATION_BACKEND
    if not path:
        return []
    try:
        if isinstance(path, str):
            import_string(path)
    except ImportError as error:
        return [
            checks.Error(
                f"WAGTAIL_GUESTS_TRANSLATION_BACKEND {path!r} cannot be imported ({error}).",
                id="wagtail_guests.E011",
            )
        ]
    if path == "wagtail_guests.conversations.translation.libretranslate.LibreTranslateBackend":
        url = guests_settings.LIBRETRANSLATE_URL or ""
        if not url.startswith(("http://", "https://")):
            return [
                checks.Error(
                    "WAGTAIL_GUESTS_LIBRETRANSLATE_URL must be the http(s) address of a "
                    "LibreTranslate server when the LibreTranslate backend is chosen.",
                    id="wagtail_guests.E012",
                )
            ]
    return []


# --- Sending email (wagtail_guests.E020 – E029, W020 – W029; wagtail_guests.emailing) -------

_EMAIL_POSITIVE_INTEGERS = (
    "EMAIL_MAX_ATTEMPTS",
    "EMAIL_RETRY_DELAY",
    "EMAIL_RETRY_MAX_DELAY",
    "EMAIL_SENDING_TIMEOUT",
    "EMAIL_BATCH_SIZE",
)


def _is_int(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@checks.register()
def check_email_sending(app_configs=None, **kwargs):
    """Settings of the outbox, and the public URLs that unsubscribe links need."""
    from django.urls import NoReverseMatch, reverse

    errors = []
    reply_to = guests_settings.REPLY_TO_ADDRESS
    if reply_to and not (
        isinstance(reply_to, str) and reply_to.count("{token}") == 1 and "@" in reply_to
    ):
        errors.append(
            checks.Error(
                "WAGTAIL_GUESTS_REPLY_TO_ADDRESS must be an address containing {token} once, "
                'such as "replies+{token}@hotel.example".',
                id="wagtail_guests.E020",
            )
        )
    for name in _EMAIL_POSITIVE_INTEGERS:
        value = getattr(guests_settings, name)
        if not _is_int(value) or value < 1:
            errors.append(
                checks.Error(
                    f"WAGTAIL_GUESTS_{name} must be a positive integer.",
                    id="wagtail_guests.E021",
                )
            )
    grace = guests_settings.SCHEDULE_GRACE_DAYS
    if not _is_int(grace) or grace < 0:
        errors.append(
            checks.Error(
                "WAGTAIL_GUESTS_SCHEDULE_GRACE_DAYS must be an integer, 0 or more.",
                id="wagtail_guests.E022",
            )
        )
    base_url = guests_settings.BASE_URL
    if base_url and not (
        isinstance(base_url, str) and base_url.startswith(("http://", "https://"))
    ):
        errors.append(
            checks.Error(
                'WAGTAIL_GUESTS_BASE_URL must start with "https://" (or "http://").',
                id="wagtail_guests.E023",
            )
        )
    max_age = guests_settings.UNSUBSCRIBE_MAX_AGE
    if max_age is not None and (not _is_int(max_age) or max_age < 1):
        errors.append(
            checks.Error(
                "WAGTAIL_GUESTS_UNSUBSCRIBE_MAX_AGE must be a number of seconds, or None.",
                id="wagtail_guests.E024",
            )
        )
    try:
        reverse("wagtail_guests_unsubscribe", args=["-"])
    except NoReverseMatch:
        errors.append(
            checks.Warning(
                "The public URLs of wagtail-guests are not included: marketing and scheduled "
                "emails would go out without an unsubscribe link.",
                hint='Add path("guests/", include("wagtail_guests.urls")) to your URLconf, '
                "before Wagtail's own URLs.",
                id="wagtail_guests.W020",
            )
        )
    return errors


# --- GDPR (wagtail_guests.E030 – E039; wagtail_guests.gdpr) ---------------------------------


@checks.register()
def check_retention(app_configs=None, **kwargs):
    """``WAGTAIL_GUESTS_RETENTION_DAYS`` is None (off) or a whole number of days."""
    value = guests_settings.RETENTION_DAYS
    if value is None or (_is_int(value) and value >= 1):
        return []
    return [
        checks.Error(
            "WAGTAIL_GUESTS_RETENTION_DAYS must be a whole number of days (at least 1), or None "
            "to keep guests until they are anonymised by hand.",
            id="wagtail_guests.E030",
        )
    ]
