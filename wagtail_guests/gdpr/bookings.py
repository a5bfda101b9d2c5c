"""Bookings: what is the guest's, what is someone else's, and how anonymisation separates them.

A booking's dates, nights, party size, room type, status, rating and revenue are not personal
data and are always kept. For the person anonymised:

- on the bookings they made (booker), the free-text notes are cleared; the booking keeps its
  (now anonymous) booker, so "returning guests" and revenue per guest stay true;
- on the bookings where they are an additional guest, the link to them is removed. The
  booking is someone else's, so its notes and the booker's submission are kept, except that
  the person's entry in the submission's list of additional guests is removed, and their
  full name, email and phone number are replaced by "***" in the notes and in the text the
  booker sent (best effort: a nickname or a misspelling cannot be recognised).
"""

from __future__ import annotations

import re
from collections import defaultdict

from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ..identity import normalise_email, normalise_name
from ..models import Booking, Guest, Submission
from .registry import PersonalData

ANOTHER_GUEST = _("another guest")
REDACTED = "***"
Companion = Booking.additional_guests.through


def _identifiers(guest) -> list[str]:
    terms = [guest.email, guest.phone]
    first, last = guest.first_name.strip(), guest.last_name.strip()
    if first and last:
        terms += [f"{first} {last}", f"{last} {first}"]
    return [t for t in terms if t and len(t) >= 3]


def redact(text: str, guests) -> str:
    """``text`` with the full names, emails and phone numbers of ``guests`` replaced."""
    for guest in guests:
        for term in _identifiers(guest):
            pattern = r"\s+".join(re.escape(part) for part in term.split())
            text = re.sub(pattern, REDACTED, text, flags=re.IGNORECASE)
    return text


def _redact_value(value, guests):
    if isinstance(value, str):
        return redact(value, guests)
    if isinstance(value, list):
        return [_redact_value(v, guests) for v in value]
    if isinstance(value, dict):
        return {k: _redact_value(v, guests) for k, v in value.items()}
    return value


def same_person(entry: dict, guest) -> bool:
    """Whether an "additional guest" entry of a submission names ``guest``."""
    if not isinstance(entry, dict):
        return False
    email = normalise_email(entry.get("email"))
    if email and email == normalise_email(guest.email):
        return True
    name = normalise_name(f"{entry.get('first_name', '')} {entry.get('last_name', '')}")
    return bool(name) and name == normalise_name(f"{guest.first_name} {guest.last_name}")


def _strip_companions(submission, persons, booking_id, erased_ids):
    data = submission.data
    companions = data.get("additional_guests")
    if isinstance(companions, list) and companions:
        kept = [c for c in companions if not any(same_person(c, p) for p in persons)]
        if len(kept) == len(companions):
            # Nobody matched (staff changed the person's details since): keep only the entries
            # that still name someone on the booking.
            remaining = list(
                Guest.objects.filter(companion_bookings=booking_id).exclude(pk__in=erased_ids)
            )
            kept = [c for c in companions if any(same_person(c, r) for r in remaining)]
        data = {**data, "additional_guests": kept}
    return _redact_value(data, persons)


def unlink_companions(guests):
    """Remove ``guests`` from other people's bookings (see the module docstring)."""
    by_id = {g.pk: g for g in guests}
    by_booking = defaultdict(list)
    links = Companion.objects.filter(guest_id__in=list(by_id)).values_list("booking_id", "guest_id")
    for booking_id, guest_id in links:
        by_booking[booking_id].append(by_id[guest_id])
    if not by_booking:
        return
    bookings = list(
        Booking.objects.filter(pk__in=list(by_booking)).exclude(notes="").only("pk", "notes")
    )
    for booking in bookings:
        booking.notes = redact(booking.notes, by_booking[booking.pk])
    Booking.objects.bulk_update(bookings, ["notes"], batch_size=500)
    submissions = list(
        Submission.objects.filter(booking_id__in=list(by_booking))
        .exclude(guest_id__in=list(by_id))
        .exclude(data={})
        .only("pk", "data", "booking_id")
    )
    changed = []
    for submission in submissions:
        if not isinstance(submission.data, dict):
            continue
        persons = by_booking[submission.booking_id]
        data = _strip_companions(submission, persons, submission.booking_id, list(by_id))
        if data != submission.data:
            submission.data = data
            changed.append(submission)
    Submission.objects.bulk_update(changed, ["data"], batch_size=500)
    Companion.objects.filter(guest_id__in=list(by_id)).delete()


def _row(booking, guest):
    is_booker = booking.booker_id == guest.pk
    others = [g for g in booking.additional_guests.all() if g.pk != guest.pk]
    return {
        "reference": booking.reference,
        "role": str(_("booker") if is_booker else _("additional guest")),
        "kind": str(booking.get_kind_display()),
        "status": str(booking.get_status_display()),
        "arrival_date": booking.arrival_date,
        "departure_date": booking.departure_date,
        "time": booking.time,
        "nights": booking.nights,
        "number_of_guests": booking.number_of_guests,
        "room_type": booking.room_type,
        "checked_in": booking.checked_in,
        "rating": booking.rating,
        "revenue": booking.revenue,
        # The notes of someone else's booking are about that booking, not this guest.
        "notes": booking.notes if is_booker else "",
        "booked_by": "" if is_booker or booking.booker_id is None else str(ANOTHER_GUEST),
        "other_guests": [str(ANOTHER_GUEST)] * len(others),
        "created_at": booking.created_at,
    }


class BookingsData(PersonalData):
    key = "bookings"
    label = _("Bookings")
    models = [Booking, Companion]
    order = 30
    erased_description = _(
        "the notes of the bookings they made, and their place on other people's bookings"
    )
    fields = {
        "reference": _("Reference"),
        "role": _("Role"),
        "kind": _("Kind"),
        "status": _("Status"),
        "arrival_date": _("Arrival date"),
        "departure_date": _("Departure date"),
        "time": _("Time"),
        "nights": _("Nights"),
        "number_of_guests": _("Number of guests"),
        "room_type": _("Room type"),
        "checked_in": _("Checked in"),
        "rating": _("Rating"),
        "revenue": _("Revenue"),
        "notes": _("Notes"),
        "booked_by": _("Booked by"),
        "other_guests": _("Other guests on the booking"),
        "created_at": _("Created"),
    }

    def export(self, guest):
        ids = Booking.objects.filter(Q(booker=guest) | Q(additional_guests=guest)).values("pk")
        bookings = (
            Booking.objects.filter(pk__in=ids)
            .prefetch_related("additional_guests")
            .order_by("arrival_date", "pk")
        )
        return [_row(booking, guest) for booking in bookings]

    def summary(self, guest):
        lines = []
        notes = Booking.objects.filter(booker=guest).exclude(notes="").count()
        if notes:
            text = ngettext(
                "The notes of %(count)d booking they made (the booking itself stays)",
                "The notes of %(count)d bookings they made (the bookings themselves stay)",
                notes,
            )
            lines.append(text % {"count": notes})
        joined = Companion.objects.filter(guest=guest).count()
        if joined:
            text = ngettext(
                "Their place on %(count)d booking made by someone else, and their name, email "
                "and phone number in its notes and request",
                "Their place on %(count)d bookings made by someone else, and their name, email "
                "and phone number in their notes and requests",
                joined,
            )
            lines.append(text % {"count": joined})
        return lines

    def erase(self, guests):
        ids = [g.pk for g in guests]
        Booking.objects.filter(booker__in=ids).exclude(notes="").update(
            notes="", updated_at=timezone.now()
        )
        unlink_companions(guests)

    def owned(self, guest_ids):
        # Booking log entries are labelled with the reference and hold status codes: kept.
        return []

    def active_since(self, since):
        day = timezone.localdate(since) if timezone.is_aware(since) else since.date()
        recent = Q(created_at__gte=since) | Q(arrival_date__gte=day) | Q(departure_date__gte=day)
        booked = Booking.objects.filter(recent, booker=OuterRef("pk"))
        joined = Companion.objects.filter(guest=OuterRef("pk")).filter(
            Q(booking__created_at__gte=since)
            | Q(booking__arrival_date__gte=day)
            | Q(booking__departure_date__gte=day)
        )
        return Q(Exists(booked)) | Q(Exists(joined))


def upcoming_guest_ids(guest_ids, *, today=None) -> set[int]:
    """Which of ``guest_ids`` have an upcoming or current booking (not cancelled/duplicate),
    as booker or additional guest; the same rule as deleting a guest."""
    today = today or timezone.localdate()
    current = Q(departure_date__gte=today) | Q(departure_date__isnull=True, arrival_date__gte=today)
    active = Booking.objects.active().filter(current)
    ids = list(guest_ids)
    booked = active.filter(booker__in=ids).values_list("booker_id", flat=True)
    joined = Companion.objects.filter(guest_id__in=ids, booking__in=active.values("pk"))
    return set(booked) | set(joined.values_list("guest_id", flat=True))
