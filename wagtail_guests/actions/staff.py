"""Writes made by staff in the admin: add, edit and delete a guest, tags and consent.

Each action checks the user's permission, runs in one transaction, writes Wagtail's audit log
(with no personal data: the log stores ``str(guest)``, "Guest #42", and codes or ids only in
``data``) and adds a line to the guest's timeline.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..models import (
    Activity,
    ActivityKind,
    Booking,
    BookingKind,
    ConsentSource,
    Guest,
    GuestSource,
    Tag,
)
from ..permissions import booking_permission_policy, require, tag_permission_policy
from .bookings import create_booking
from .consent import record_consent
from .guests import DETAIL_FIELDS, MatchResult, match_or_create_guest
from .tags import add_tag, remove_tag

#: The guest fields staff edit on the edit form (tags and consent are managed on the profile).
EDITABLE_FIELDS = (*DETAIL_FIELDS, "site", "first_contact_at")


class GuestHasUpcomingStay(PermissionDenied):
    """Raised on an attempt to delete a guest who has an upcoming or current booking.

    A ``PermissionDenied``, so a forged request gets HTTP 403. ``bookings`` lists the
    bookings that prevent the deletion.
    """

    def __init__(self, bookings):
        self.bookings = list(bookings)
        super().__init__(_("This guest has an upcoming or current booking and cannot be deleted."))


@dataclass
class AddGuestResult:
    match: MatchResult
    booking: Booking | None = None

    @property
    def guest(self) -> Guest:
        return self.match.guest

    @property
    def created(self) -> bool:
        return self.match.created


def upcoming_bookings(guest, *, today=None):
    """The guest's bookings that are upcoming or under way (not cancelled or duplicate).

    A stay counts until its departure day; a table (or a stay without a departure date) until
    its date. Bookings where the guest is an additional guest count too.
    """
    today = today or timezone.localdate()
    current = Q(departure_date__gte=today) | Q(departure_date__isnull=True, arrival_date__gte=today)
    on_booking = Q(booker=guest) | Q(additional_guests=guest)
    ids = Booking.objects.active().filter(on_booking).filter(current).values("pk")
    return Booking.objects.filter(pk__in=ids).order_by("arrival_date", "pk")


def add_guest(
    details: dict, *, user, arrival_date=None, departure_date=None, site=None
) -> AddGuestResult:
    """Add a guest from the admin through the identity rule, with an optional stay.

    If the details match an existing guest, that guest's empty fields are filled (nothing staff
    entered is overwritten) and ``result.created`` is False.
    """
    require(user, "add")
    if arrival_date:
        require(user, "add", booking_permission_policy)
    with transaction.atomic():
        match = match_or_create_guest(details, source=GuestSource.MANUAL, site=site, user=user)
        guest = match.guest
        if match.created:
            log(guest, "wagtail.create", user=user)
        elif match.filled:
            log(guest, "wagtail.edit", user=user, data={"fields": match.filled})
            Activity.objects.create(
                guest=guest, kind=ActivityKind.UPDATED, user=user, payload={"fields": match.filled}
            )
        booking = None
        if arrival_date:
            booking = create_booking(
                booker=guest,
                kind=BookingKind.STAY,
                arrival_date=arrival_date,
                departure_date=departure_date,
                site=site or guest.site,
                user=user,
            )
            log(booking, "wagtail.create", user=user)
    return AddGuestResult(match, booking)


def update_guest(guest, details: dict | None = None, *, user, changed_fields=None):
    """Save staff changes to a guest's details.

    Either pass ``details`` (field name -> value; validated here) or apply the changes to
    ``guest`` first (e.g. through a validated model form) and pass ``changed_fields``. The audit
    log and the timeline record the names of the changed fields, never their values.
    """
    require(user, "change")
    if details is not None:
        changed_fields = []
        for name, value in details.items():
            if name not in EDITABLE_FIELDS:
                raise ValueError(f"{name!r} is not a field staff may edit")
            if getattr(guest, name) != value:
                setattr(guest, name, value)
                changed_fields.append(name)
        guest.full_clean()
    fields = [name for name in (changed_fields or []) if name in EDITABLE_FIELDS]
    with transaction.atomic():
        guest.save()
        log(guest, "wagtail.edit", user=user, content_changed=bool(fields), data={"fields": fields})
        if fields:
            Activity.objects.create(
                guest=guest, kind=ActivityKind.UPDATED, user=user, payload={"fields": fields}
            )
    return guest


def delete_guest(guest, *, user):
    """Delete a guest for good; refused while they have an upcoming or current booking.

    Past bookings stay for the records, without their booker (shown as "***").
    """
    require(user, "delete")
    with transaction.atomic():
        Guest.objects.select_for_update().filter(pk=guest.pk).first()
        blocking = list(upcoming_bookings(guest))
        if blocking:
            raise GuestHasUpcomingStay(blocking)
        log(guest, "wagtail.delete", user=user, deleted=True)
        guest.delete()


def tag_guest(guest, tag, *, user) -> bool:
    """Add ``tag`` to ``guest`` (raises ``TagLimitExceeded`` at the limit)."""
    with transaction.atomic():
        added = add_tag(guest, tag, user=user)
        if added:
            log(guest, "wagtail_guests.tag", user=user, data={"tag": tag.pk})
    return added


def untag_guest(guest, tag, *, user) -> bool:
    with transaction.atomic():
        removed = remove_tag(guest, tag, user=user)
        if removed:
            log(guest, "wagtail_guests.untag", user=user, data={"tag": tag.pk})
    return removed


def get_or_create_tag(name: str, *, user) -> Tag:
    """The tag called ``name`` (case-insensitive), created if the user may add tags."""
    name = " ".join(name.split())
    tag = Tag.objects.filter(name__iexact=name).first()
    if tag is not None:
        return tag
    require(user, "add", tag_permission_policy)
    with transaction.atomic():
        tag = Tag.objects.create(name=name)
        log(tag, "wagtail.create", user=user)
    return tag


def record_staff_consent(guest, *, given: bool, user, wording: str = "", language: str = ""):
    """Record newsletter consent given (or withdrawn) by the guest to a member of staff."""
    require(user, "change")
    with transaction.atomic():
        record = record_consent(
            guest,
            given=given,
            source=ConsentSource.STAFF,
            wording=wording,
            language=language or guest.language,
            user=user,
        )
        log(guest, "wagtail_guests.consent", user=user, data={"given": given, "record": record.pk})
    return record
