"""Unsubscribe links: a signed token naming the guest, and the action that unsubscribes.

The token is ``django.core.signing`` output (salted, timestamped) carrying only the guest's id:
it cannot be forged without ``SECRET_KEY`` and holds nothing personal. Links are absolute
(an email is read outside the site): ``WAGTAIL_GUESTS_BASE_URL``, else the guest's Wagtail site,
else the default site.
"""

from __future__ import annotations

from django.core import signing
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import Site

from ..conf import guests_settings
from ..models import (
    Activity,
    ActivityKind,
    ConsentSource,
    Guest,
    NewsletterConsent,
    OutgoingEmail,
    OutgoingStatus,
)

SALT = "wagtail_guests.unsubscribe"
#: The public URL name, from ``wagtail_guests.urls`` (which a site includes).
URL_NAME = "wagtail_guests_unsubscribe"


class InvalidToken(Exception):
    """The token was tampered with, or has expired (``expired`` says which)."""

    def __init__(self, expired=False):
        self.expired = expired
        super().__init__("expired" if expired else "invalid")


def make_token(guest) -> str:
    return signing.dumps(guest.pk, salt=SALT)


def read_token(token: str) -> int:
    """The guest id in ``token``; raises :class:`InvalidToken`."""
    try:
        value = signing.loads(token, salt=SALT, max_age=guests_settings.UNSUBSCRIBE_MAX_AGE)
    except signing.SignatureExpired as error:
        raise InvalidToken(expired=True) from error
    except signing.BadSignature as error:
        raise InvalidToken() from error
    if not isinstance(value, int) or isinstance(value, bool):
        raise InvalidToken()
    return value


def base_url(guest=None) -> str:
    """Scheme and host of public links, without a trailing slash ("" if unknown)."""
    if guests_settings.BASE_URL:
        return str(guests_settings.BASE_URL).rstrip("/")
    site = getattr(guest, "site", None)
    if site is None:
        site = Site.objects.filter(is_default_site=True).first()
    if site is not None:
        return site.root_url.rstrip("/")
    return ""


def unsubscribe_path(guest) -> str:
    """The site-relative link, or "" when the site does not include ``wagtail_guests.urls``."""
    try:
        return reverse(URL_NAME, args=[make_token(guest)])
    except NoReverseMatch:
        return ""


def link_prefix() -> str:
    """The path every unsubscribe link starts with ("" if the URLs are not included)."""
    try:
        path = reverse(URL_NAME, args=["-"])
    except NoReverseMatch:
        return ""
    return path[: path.rindex("-")]


def unsubscribe_url(guest) -> str:
    path = unsubscribe_path(guest)
    return f"{base_url(guest)}{path}" if path else ""


def unsubscribe(guest, *, user=None) -> bool:
    """Unsubscribe ``guest`` from all emails; ``False`` if already done or anonymised.

    Sets ``unsubscribed_at``, adds an "unsubscribed" line to the timeline, withdraws a given
    newsletter consent (a consent record says how), and cancels marketing emails still waiting
    in the outbox. ``user``: the staff member who did it (the audit log records it), or
    ``None`` for the guest's own link. The caller checks permissions.
    """
    from ..actions.consent import record_consent

    now = timezone.now()
    with transaction.atomic():
        locked = Guest.objects.select_for_update().filter(pk=guest.pk).first()
        if locked is None or locked.anonymised_at or locked.unsubscribed_at:
            return False
        Guest.objects.filter(pk=guest.pk).update(unsubscribed_at=now, updated_at=now)
        guest.unsubscribed_at = now
        source = ConsentSource.STAFF if user is not None else ConsentSource.UNSUBSCRIBE
        Activity.objects.create(
            guest=guest,
            kind=ActivityKind.UNSUBSCRIBED,
            user=user,
            created_at=now,
            payload={"source": source},
        )
        if locked.newsletter_consent == NewsletterConsent.GIVEN:
            record_consent(guest, given=False, source=source, user=user, when=now)
        OutgoingEmail.objects.filter(
            guest=guest,
            is_marketing=True,
            status__in=(OutgoingStatus.QUEUED, OutgoingStatus.RETRYING),
        ).update(status=OutgoingStatus.CANCELLED, last_error="unsubscribed")
        if user is not None:
            log(guest, "wagtail_guests.unsubscribe", user=user)
    return True
