"""Scheduled emails: "template T, N days before arrival / after departure", once per booking.

Each run of the scheduler (the ``guests_send_emails`` command or the ``send_guest_emails``
task) queues, for every active rule, the bookings whose send date is today, or up to
``WAGTAIL_GUESTS_SCHEDULE_GRACE_DAYS`` days ago (a missed run); bookings further in the past
never get it. A booking is skipped when it is cancelled or a duplicate (and, after departure,
a no-show), or when its guest cannot receive marketing email (no address, unsubscribed,
anonymised, address bounced).

Exactly once: each email is queued under ``dedup_key = "rule:<rule>:booking:<booking>"``,
which the database keeps unique, so two runs at once, on two servers, queue it once.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import DateField
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..conf import guests_settings
from ..models import (
    Booking,
    BookingStatus,
    OutgoingEmail,
    OutgoingKind,
    ScheduleAnchor,
    ScheduledEmailRule,
)
from .outbox import queue_email, refusal
from .templates import render, template_for


def dedup_key(rule, booking) -> str:
    return f"rule:{rule.pk}:booking:{booking.pk}"


def anchor_date(rule, booking) -> datetime.date:
    if rule.anchor == ScheduleAnchor.DEPARTURE:
        return booking.departure_date or booking.arrival_date
    return booking.arrival_date


def send_date(rule, booking) -> datetime.date:
    return anchor_date(rule, booking) + datetime.timedelta(days=rule.days)


def rule_bookings(rule):
    """The bookings ``rule`` applies to, whatever the date."""
    bookings = Booking.objects.active().filter(booker__isnull=False)
    if rule.booking_kind:
        bookings = bookings.filter(kind=rule.booking_kind)
    if rule.anchor == ScheduleAnchor.DEPARTURE:
        # No thank-you email for a stay that did not happen.
        bookings = bookings.exclude(status=BookingStatus.NO_SHOW).annotate(
            anchor=Coalesce("departure_date", "arrival_date", output_field=DateField())
        )
    return bookings


def _anchor_field(rule) -> str:
    return "anchor" if rule.anchor == ScheduleAnchor.DEPARTURE else "arrival_date"


def due_bookings(rule, today: datetime.date):
    """Bookings whose email from ``rule`` is due today, or within the grace days, to guests
    who can receive it."""
    latest = today - datetime.timedelta(days=rule.days)
    earliest = latest - datetime.timedelta(days=max(guests_settings.SCHEDULE_GRACE_DAYS, 0))
    field = _anchor_field(rule)
    return (
        rule_bookings(rule)
        .filter(**{f"{field}__gte": earliest, f"{field}__lte": latest})
        .filter(
            booker__anonymised_at__isnull=True,
            booker__unsubscribed_at__isnull=True,
            booker__email_undeliverable_at__isnull=True,
        )
        .exclude(booker__email="")
        .select_related("booker", "booker__site")
        .order_by("pk")
    )


def queue_rule(rule, today: datetime.date) -> int:
    """Queue ``rule``'s due emails; the number queued by this call."""
    bookings = list(due_bookings(rule, today))
    keys = {dedup_key(rule, booking) for booking in bookings}
    done = set(OutgoingEmail.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    templates = {}
    queued = 0
    for booking in bookings:
        key = dedup_key(rule, booking)
        if key in done:
            continue
        guest = booking.booker
        language = (guest.language or "").lower()
        if language not in templates:
            templates[language] = template_for(rule.template.name, language) or rule.template
        template = templates[language]
        subject, body = render(template, guest, booking=booking)
        email = queue_email(
            guest,
            subject=subject,
            body=body,
            kind=OutgoingKind.SCHEDULED,
            booking=booking,
            template=template,
            rule=rule,
            is_marketing=True,
            dedup_key=key,
        )
        queued += email is not None
    return queued


def queue_scheduled_emails(today: datetime.date | None = None) -> int:
    """Queue every active rule's due emails; the number queued (others were already)."""
    today = today or timezone.localdate()
    rules = ScheduledEmailRule.objects.filter(active=True).select_related("template")
    return sum(queue_rule(rule, today) for rule in rules)


@dataclass
class PlannedEmail:
    """An email a rule will send a guest, for the profile's Emails section."""

    rule: ScheduledEmailRule
    booking: Booking
    date: datetime.date
    blocked: str | None  # why it will not be sent (a refusal code), or None


def planned_for(guest, today: datetime.date | None = None, limit: int = 50) -> list[PlannedEmail]:
    """The scheduled emails still to come for ``guest``'s bookings, soonest first."""
    today = today or timezone.localdate()
    grace = datetime.timedelta(days=max(guests_settings.SCHEDULE_GRACE_DAYS, 0))
    rules = list(ScheduledEmailRule.objects.filter(active=True).select_related("template"))
    if not rules or guest.anonymised_at:
        return []
    blocked = refusal(guest, is_marketing=True, kind=OutgoingKind.SCHEDULED)
    planned = []
    for rule in rules:
        field = _anchor_field(rule)
        earliest = today - grace - datetime.timedelta(days=rule.days)
        bookings = rule_bookings(rule).filter(booker=guest, **{f"{field}__gte": earliest})
        for booking in bookings.order_by(field, "pk")[:limit]:
            planned.append(PlannedEmail(rule, booking, send_date(rule, booking), blocked))
    keys = [dedup_key(item.rule, item.booking) for item in planned]
    done = set(OutgoingEmail.objects.filter(dedup_key__in=keys).values_list("dedup_key", flat=True))
    planned = [item for item in planned if dedup_key(item.rule, item.booking) not in done]
    planned.sort(key=lambda item: (item.date, item.rule.pk, item.booking.pk))
    return planned[:limit]
