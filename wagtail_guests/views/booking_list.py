"""The bookings list (``/admin/guests/bookings/``)."""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import BooleanColumn, Column, StatusTagColumn, TitleColumn
from wagtail.admin.views.generic import IndexView

from ..filters import BookingFilterSet
from ..models import Booking, BookingStatus
from ..permissions import guest_permission_policy
from ..search import reference_candidates
from .common import StableOrderingMixin, profile_url
from .list_columns import BookingDatesColumn, GuestLinkColumn


class BookingIndexView(StableOrderingMixin, IndexView):
    filterset_class = BookingFilterSet
    default_ordering = "-arrival_date"
    page_title = _("Bookings")
    search_fields = ["reference"]
    is_searchable = True

    def get_base_queryset(self):
        return Booking.objects.select_related("booker")

    @cached_property
    def can_view_guests(self) -> bool:
        return guest_permission_policy.user_has_any_permission(
            self.request.user, {"view", "add", "change", "delete"}
        )

    def guest_url(self, guest):
        return profile_url(guest) if self.can_view_guests else None

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        text = self.search_query.strip()
        candidates = reference_candidates(text)
        if candidates:  # The unique index answers at once.
            return queryset.filter(reference__in=candidates)
        return queryset.filter(reference__icontains=text)

    @cached_property
    def columns(self):
        title_column_class = self._get_title_column_class(TitleColumn)
        return [
            title_column_class(
                "reference",
                label=_("Reference"),
                sort_key="reference",
                get_url=self.get_inspect_url,
            ),
            Column(
                "kind",
                label=_("Kind"),
                accessor=lambda booking: capfirst(booking.get_kind_display()),
                sort_key="kind",
            ),
            GuestLinkColumn("booker", label=_("Guest"), get_url=self.guest_url),
            BookingDatesColumn("arrival_date", label=_("Dates / party"), sort_key="arrival_date"),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor=lambda booking: capfirst(booking.get_status_display()),
                sort_key="status",
                primary=lambda booking: booking.status == BookingStatus.CONFIRMED,
            ),
            BooleanColumn("checked_in", label=_("Checked in"), sort_key="checked_in"),
        ]
