"""Retention: anonymise the guests who have not been in touch for ``WAGTAIL_GUESTS_RETENTION_DAYS``.

A guest is *expired* when none of these happened in the last N days:

- their first contact (``Guest.first_contact_at``);
- a booking on which they are the booker or an additional guest: made (``created_at``),
  arriving or departing (any status; so an upcoming stay always keeps the guest);
- a form submission;
- a message they sent (and whatever other registered sections count as the guest's activity:
  :meth:`~.registry.PersonalData.active_since`).

What staff do (edits, tags, notes, emails they send, imports) does not count. Guests with an
upcoming or current booking are never anonymised, whatever the dates say. Run by
``manage.py guests_purge`` or the ``purge_expired_guests`` task; idempotent.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from ..conf import guests_settings
from ..models import Guest
from .registry import get_personal_data

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000


def retention_days() -> int | None:
    """The retention period in days, or ``None`` when retention is off (the default)."""
    value = guests_settings.RETENTION_DAYS
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ImproperlyConfigured(
            "WAGTAIL_GUESTS_RETENTION_DAYS must be a whole number of days (at least 1) or None."
        )
    return value


def cutoff(days: int, *, now=None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=days)


def expired_guests(days: int, *, now=None):
    """Guests (not anonymised yet) with no activity of their own since ``days`` ago."""
    since = cutoff(days, now=now)
    queryset = Guest.objects.active().filter(first_contact_at__lt=since)
    for section in get_personal_data():
        condition = section.active_since(since)
        if condition is not None:
            queryset = queryset.exclude(condition)
    return queryset


@dataclass
class PurgeResult:
    days: int | None
    since: datetime.datetime | None = None
    dry_run: bool = False
    #: Guests found expired.
    expired: list[int] = field(default_factory=list)
    #: Guests anonymised (empty on a dry run).
    anonymised: list[int] = field(default_factory=list)
    #: Expired on paper but left alone: an upcoming or current booking.
    upcoming: list[int] = field(default_factory=list)

    @property
    def enabled(self) -> bool:
        return self.days is not None


def purge(*, days: int | None = None, dry_run: bool = False, now=None) -> PurgeResult:
    """Anonymise the expired guests (or only count them, with ``dry_run``).

    ``days`` overrides the setting. Each batch is one transaction that locks its guests and
    checks again that they are expired, so a guest who sends a form meanwhile is kept.
    """
    from ..actions.gdpr import RETENTION, anonymise_guests
    from .bookings import upcoming_guest_ids

    days = days if days is not None else retention_days()
    result = PurgeResult(days=days, dry_run=dry_run)
    if days is None:
        return result
    now = now or timezone.now()
    result.since = cutoff(days, now=now)
    ids = list(expired_guests(days, now=now).order_by("pk").values_list("pk", flat=True))
    result.expired = ids
    if dry_run:
        result.upcoming = sorted(upcoming_guest_ids(ids)) if ids else []
        return result
    for start in range(0, len(ids), BATCH_SIZE):
        batch = ids[start : start + BATCH_SIZE]
        with transaction.atomic():
            list(Guest.objects.select_for_update().filter(pk__in=batch).values_list("pk"))
            still = expired_guests(days, now=now).filter(pk__in=batch)
            still = list(still.values_list("pk", flat=True))
            done = anonymise_guests(still, user=None, reason=RETENTION)
        result.anonymised.extend(done.anonymised)
        result.upcoming.extend(done.upcoming)
    logger.info(
        "wagtail-guests: retention purge anonymised %d guests (%d kept for an upcoming stay)",
        len(result.anonymised),
        len(result.upcoming),
    )
    return result
