"""Small helpers shared by the guest admin views."""

from django.contrib.admin.utils import quote
from django.db.models import Q
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, reverse

from ..models import Booking, Guest

#: The namespace of the guest ``ModelViewSet`` (see ``wagtail_guests.viewsets``).
GUEST_VIEWSET = "guests"


def guest_url(view: str, guest=None, url_name: str | None = None) -> str:
    """The URL of one of the guest viewset's views ("" if it is not registered)."""
    args = [quote(guest.pk if hasattr(guest, "pk") else guest)] if guest is not None else []
    try:
        return reverse(url_name or f"{GUEST_VIEWSET}:{view}", args=args)
    except NoReverseMatch:
        return ""


def profile_url(guest) -> str:
    return guest_url("inspect", guest)


def get_guest(pk) -> Guest:
    return get_object_or_404(Guest, pk=pk)


def bookings_of(guest):
    """Every booking the guest is on, as booker or as an additional guest."""
    ids = Booking.objects.filter(Q(booker=guest) | Q(additional_guests=guest)).values("pk")
    return Booking.objects.filter(pk__in=ids)


class StableOrderingMixin:
    """For an ``IndexView``: order by the chosen column, then by primary key, so rows with the
    same value keep one order from page to page."""

    def order_queryset(self, queryset):
        ordering = self.ordering or self.default_ordering
        return queryset.order_by(ordering, "-pk" if ordering.startswith("-") else "pk")
