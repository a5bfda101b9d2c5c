"""The guest list (``/admin/guests/``): Wagtail's generic IndexView with guest-sized parts.

- Filters: :class:`~wagtail_guests.filters.GuestFilterSet`; with no filter, no search and no
  ``all`` parameter, the default view shows guests arriving in the next 30 days (brief 000).
- Search: :func:`~wagtail_guests.search.search_guests` (ORM and indexes, not a search index).
- Speed: the count is capped (no ``COUNT(*)`` over a million guests), and the page's tags and
  booking figures are fetched for the page's guests only, in one query each, so the number of
  queries does not grow with the number of guests.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import Count, F, Max, Min, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from wagtail.admin.paginator import WagtailPaginator
from wagtail.admin.ui.tables import BulkActionsCheckboxColumn, Column, DateColumn, TitleColumn
from wagtail.admin.utils import set_query_params
from wagtail.admin.views.generic import IndexView

from ..filters import SHOW_ALL_PARAM, GuestFilterSet, guest_filter_data
from ..models import Booking, BookingStatus
from ..search import search_guests
from .charts import arrivals_chart
from .exporting import GuestExportMixin
from .list_columns import (
    ConsentColumn,
    LanguageColumn,
    PhoneColumn,
    StayColumn,
    StaysCountColumn,
    TagsColumn,
)

#: Bookings that count as a stay or visit: not cancelled, duplicate or no-show.
STAY_STATUSES = (BookingStatus.REQUESTED, BookingStatus.CONFIRMED)


class CappedCountPaginator(WagtailPaginator):
    """A paginator that stops counting at ``count_cap`` rows (or just past the asked page).

    Counting a million filtered guests costs more than showing a page of them; past the cap
    the list says "more than 10,000" and still offers the next page.
    """

    count_cap = 10_000

    def __init__(self, object_list, per_page, *, requested_page=None, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        try:
            page = max(int(requested_page), 1)
        except (TypeError, ValueError):
            page = 1
        self.limit = max(self.count_cap, (page + 1) * self.per_page)

    @cached_property
    def _counted(self) -> int:
        rows = self.object_list.prefetch_related(None).order_by().values("pk")
        return rows[: self.limit + 1].count()

    @cached_property
    def count(self):
        return min(self._counted, self.limit)

    @property
    def is_capped(self) -> bool:
        return self._counted > self.limit

    @cached_property
    def items_count_label(self):
        if self.is_capped:
            return ngettext(
                "More than %(count)s guest", "More than %(count)s guests", self.count
            ) % {"count": number_format(self.count, force_grouping=True)}
        return ngettext("%(count)s guest", "%(count)s guests", self.count) % {
            "count": number_format(self.count, force_grouping=True)
        }


@dataclass
class BookingSummary:
    stays: int = 0
    next_arrival: datetime.date | None = None
    staying_until: datetime.date | None = None
    last_arrival: datetime.date | None = None


def booking_summaries(guest_ids, today=None) -> dict[int, BookingSummary]:
    """Stays count and next / current / last stay of each guest, in one query."""
    today = today or timezone.localdate()
    rows = (
        Booking.objects.filter(booker_id__in=list(guest_ids), status__in=STAY_STATUSES)
        .order_by()
        .values("booker_id")
        .annotate(
            stays=Count("pk"),
            next_arrival=Min("arrival_date", filter=Q(arrival_date__gte=today)),
            staying_until=Max(
                "departure_date", filter=Q(arrival_date__lt=today, departure_date__gt=today)
            ),
            last_arrival=Max("arrival_date", filter=Q(arrival_date__lt=today)),
        )
    )
    return {row.pop("booker_id"): BookingSummary(**row) for row in rows}


class GuestIndexView(GuestExportMixin, IndexView):
    template_name = "wagtail_guests/admin/list/index.html"
    results_template_name = "wagtail_guests/admin/list/index_results.html"
    filterset_class = GuestFilterSet
    paginator_class = CappedCountPaginator
    default_ordering = "name_key"
    is_searchable = True
    page_title = _("Guests")
    search_placeholder = _("Name, email, phone or booking reference")

    def get_base_queryset(self):
        return super().get_base_queryset().prefetch_related("tags")

    @cached_property
    def can_change(self) -> bool:
        return self.user_has_permission("change")

    @cached_property
    def columns(self):
        title_column_class = self._get_title_column_class(TitleColumn)
        columns = [
            title_column_class(
                "name",
                label=_("Name"),
                accessor="full_name",
                sort_key="name_key",
                get_url=self.get_inspect_url,
                get_title_id=lambda guest: f"guest_{guest.pk}_title",
            ),
            Column("email", label=_("Email")),
            PhoneColumn("phone", label=_("Phone")),
            LanguageColumn("language", label=_("Language")),
            TagsColumn("tags", label=_("Tags")),
            StayColumn("stay", label=_("Next or last stay")),
            StaysCountColumn("stays", label=_("Stays")),
            ConsentColumn("newsletter_consent", label=_("Newsletter")),
            DateColumn("created_at", label=_("Created"), sort_key="created_at"),
        ]
        if self.can_change:
            columns.insert(0, BulkActionsCheckboxColumn("bulk_actions", obj_type="guest"))
        return columns

    def get_list_more_buttons(self, instance):
        buttons = super().get_list_more_buttons(instance)
        for button in buttons:
            if getattr(button, "url", None) == self.get_inspect_url(instance):
                button.label, button.icon_name = gettext("Profile"), "user"
        return buttons

    # Filters, with the default arrival window ------------------------------------------------

    @cached_property
    def filter_data(self):
        return guest_filter_data(self.request.GET, self.filterset_class)

    @property
    def is_default_window(self) -> bool:
        return self.filter_data[1]

    def get_filterset_kwargs(self):
        return {"data": self.filter_data[0], "request": self.request}

    @cached_property
    def active_filters(self):
        # Removing the last filter must not bring the default window back: say "all".
        return [
            active._replace(
                removed_filter_url=set_query_params(
                    active.removed_filter_url, {SHOW_ALL_PARAM: "1"}
                )
            )
            for active in IndexView.active_filters.func(self)
        ]

    @cached_property
    def show_all_url(self) -> str:
        return set_query_params(self.index_url, {SHOW_ALL_PARAM: "1"})

    # Search, order, pagination ---------------------------------------------------------------

    def get_search_form(self):
        form = super().get_search_form()
        if form is not None:
            form.fields["q"].widget.attrs["placeholder"] = self.search_placeholder
        return form

    def search_queryset(self, queryset):
        if not self.is_searching:
            return queryset
        return search_guests(queryset, self.search_query)

    def order_queryset(self, queryset, *, walk_index=True):
        ordering = self.ordering or self.default_ordering
        descending = ordering.startswith("-")
        key = F(ordering.lstrip("-"))
        if not walk_index:
            # The same order, through an expression no index matches: see paginate_queryset().
            key = Coalesce(key, key)
        key = key.desc() if descending else key.asc()
        return queryset.order_by(key, "-pk" if descending else "pk")

    def get_paginator(self, queryset, per_page, orphans=0, allow_empty_first_page=True, **kw):
        return self.paginator_class(
            queryset,
            per_page,
            orphans=orphans,
            allow_empty_first_page=allow_empty_first_page,
            requested_page=self.request.GET.get(self.page_kwarg),
            **kw,
        )

    def paginate_queryset(self, queryset, page_size):
        paginator = self.get_paginator(
            queryset,
            page_size,
            orphans=self.get_paginate_orphans(),
            allow_empty_first_page=self.get_allow_empty(),
        )
        if (self.is_searching or self.is_filtering) and not paginator.is_capped:
            # At most a few thousand matches: sort them. Walking the name (or date) index in
            # order until a page of matches turns up is quick when matches are everywhere,
            # slow when they cluster (every "Lemaire" among the first names starting with A).
            paginator.object_list = self.order_queryset(queryset, walk_index=False)
        page = paginator.get_page(self.request.GET.get(self.page_kwarg))
        guests = list(page.object_list)
        summaries = booking_summaries([guest.pk for guest in guests]) if guests else {}
        for guest in guests:
            guest.booking_summary = summaries.get(guest.pk, BookingSummary())
        page.object_list = guests
        return paginator, page, guests, page.has_other_pages()

    # Context -----------------------------------------------------------------------------------

    def get_context_data(self, *args, **kwargs):
        context = super().get_context_data(*args, **kwargs)
        paginator = context.get("paginator")
        window = self.filters.form.cleaned_data.get("arrival") if self.is_default_window else None
        context.update(
            {
                "is_default_window": self.is_default_window,
                "default_window": window,
                "show_all_url": self.show_all_url,
                "count_is_capped": bool(paginator and paginator.is_capped),
                "can_bulk_edit": self.can_change,
                "matches_label": self.matches_label(context.get("items_count", 0), paginator),
            }
        )
        if not self.results_only:
            context["arrivals_chart"] = arrivals_chart()
        return context

    def matches_label(self, count, paginator):
        if paginator is not None and paginator.is_capped:
            return ngettext("More than %(count)s match", "More than %(count)s matches", count) % {
                "count": number_format(count, force_grouping=True)
            }
        if count == 0:
            return gettext("No matches")
        return ngettext("%(count)s match", "%(count)s matches", count) % {
            "count": number_format(count, force_grouping=True)
        }
