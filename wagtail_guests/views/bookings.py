"""Change a booking's status from the guest profile (confirm, cancel, check in, no-show)."""

from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from ..actions.booking_status import StatusChange, change_booking_status
from ..forms_admin import BookingStatusForm
from ..permissions import booking_permission_policy
from .common import bookings_of, get_guest, profile_url
from .forbidden import permission_required

MESSAGES = {
    StatusChange.CONFIRM: gettext_lazy("Booking %(reference)s confirmed."),
    StatusChange.CANCEL: gettext_lazy("Booking %(reference)s cancelled."),
    StatusChange.CHECK_IN: gettext_lazy("Booking %(reference)s: guest checked in."),
    StatusChange.NO_SHOW: gettext_lazy("Booking %(reference)s marked as a no-show."),
}


@permission_required("change", booking_permission_policy)
@require_POST
def change_status(request, pk, booking_pk):
    guest = get_guest(pk)
    booking = get_object_or_404(bookings_of(guest), pk=booking_pk)
    form = BookingStatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a status change."))
        return redirect(profile_url(guest) + "#bookings")
    change = StatusChange(form.cleaned_data["change"])
    try:
        change_booking_status(booking, change, user=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(profile_url(guest) + "#bookings")
    messages.success(request, MESSAGES[change] % {"reference": booking.reference})
    if change == StatusChange.NO_SHOW:
        # The profile then offers to tag the guest "No-show" in one click.
        return redirect(f"{profile_url(guest)}?no_show={booking.pk}#no-show-offer")
    return redirect(profile_url(guest) + "#bookings")
