"""Staff changes to a booking's status: confirm, cancel, mark checked in, mark no-show."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..models import Activity, ActivityKind, Booking, BookingStatus
from ..permissions import booking_permission_policy, require

S = BookingStatus


class StatusChange(models.TextChoices):
    CONFIRM = "confirm", _("Confirm")
    CANCEL = "cancel", _("Cancel")
    CHECK_IN = "check_in", _("Mark checked in")
    NO_SHOW = "no_show", _("Mark no-show")


#: For each change: the statuses it may start from, the status it leads to, and whether the
#: booking must not be checked in yet.
TRANSITIONS = {
    StatusChange.CONFIRM: ({S.REQUESTED, S.CANCELLED, S.NO_SHOW}, S.CONFIRMED),
    StatusChange.CANCEL: ({S.REQUESTED, S.CONFIRMED}, S.CANCELLED),
    StatusChange.CHECK_IN: ({S.REQUESTED, S.CONFIRMED, S.NO_SHOW}, S.CONFIRMED),
    StatusChange.NO_SHOW: ({S.REQUESTED, S.CONFIRMED}, S.NO_SHOW),
}


class InvalidStatusChange(ValidationError):
    """Raised when a change does not apply to the booking's current status."""

    def __init__(self, booking, change):
        super().__init__(
            _("Booking %(reference)s cannot be changed this way from its current status.")
            % {"reference": booking.reference},
            code="invalid_status_change",
        )


def available_changes(booking) -> list[StatusChange]:
    """The changes that apply to ``booking`` as it is now, in display order."""
    return [change for change in StatusChange if _allowed(booking, change)]


def _allowed(booking, change) -> bool:
    sources, _target = TRANSITIONS[change]
    if booking.status not in sources:
        return False
    # Once checked in, a booking can no longer be cancelled, checked in again or be a no-show.
    return not (booking.checked_in and change != StatusChange.CONFIRM)


def change_booking_status(booking, change: str, *, user) -> Booking:
    """Apply ``change`` (a :class:`StatusChange` value) to ``booking``.

    Writes the audit log of the booking (codes only) and a "booking changed" line on the
    timeline of every guest on the booking.
    """
    require(user, "change", booking_permission_policy)
    change = StatusChange(change)
    with transaction.atomic():
        locked = Booking.objects.select_for_update().get(pk=booking.pk)
        if not _allowed(locked, change):
            raise InvalidStatusChange(locked, change)
        before = locked.status
        _sources, target = TRANSITIONS[change]
        locked.status = target
        if change == StatusChange.CHECK_IN:
            locked.checked_in = True
        locked.save(update_fields=["status", "checked_in", "updated_at"])
        data = {"change": change.value, "from": before, "to": target.value}
        log(locked, "wagtail_guests.booking_status", user=user, data=data)
        guest_ids = [locked.booker_id, *locked.additional_guests.values_list("pk", flat=True)]
        Activity.objects.bulk_create(
            [
                Activity(
                    guest_id=guest_id,
                    kind=ActivityKind.BOOKING_CHANGED,
                    booking=locked,
                    user=user,
                    payload={**data, "reference": locked.reference},
                )
                for guest_id in dict.fromkeys(guest_ids)
                if guest_id is not None
            ]
        )
    booking.status, booking.checked_in = locked.status, locked.checked_in
    return booking


def mark_checked_in(booking, *, user) -> Booking:
    return change_booking_status(booking, StatusChange.CHECK_IN, user=user)


def mark_no_show(booking, *, user) -> Booking:
    return change_booking_status(booking, StatusChange.NO_SHOW, user=user)
