"""django-filter FilterSets for the guest and booking lists.

Filters on bookings (arrival, departure, checked in, reference) describe one booking: "arriving
this week, not checked in" means a booking arriving this week that is not checked in. They are
combined into a single ``EXISTS`` on the guest's bookings (the bookings they made).
"""

from __future__ import annotations

import datetime

import django_filters
from django import forms
from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from wagtail.admin.active_filters import BaseFilterAdapter, register_filter_adapter_class
from wagtail.admin.filters import DateRangePickerWidget, WagtailFilterSet
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.models import Site

from .identity import normalise_name
from .models import Booking, BookingKind, BookingStatus, Guest, GuestSource, NewsletterConsent, Tag
from .search import reference_candidates

#: The query parameter that turns the default arrival window off ("Show all guests").
SHOW_ALL_PARAM = "all"
#: The default view lists guests arriving from today to today + this many days (brief 000).
DEFAULT_WINDOW_DAYS = 30


class YesNoFilter(django_filters.BooleanFilter):
    """A Yes / No / All filter whose active-filter pill reads "Yes" or "No"."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", BooleanRadioSelect)
        super().__init__(*args, **kwargs)


class YesNoFilterAdapter(BaseFilterAdapter):
    def get_active_filters(self):
        for active in super().get_active_filters():
            yield active._replace(value=str(_("Yes") if self.value else _("No")))


register_filter_adapter_class(YesNoFilter, YesNoFilterAdapter, exact_class=True)


def date_range(label, field_name=None, method=None):
    return django_filters.DateFromToRangeFilter(
        label=label, field_name=field_name, method=method, widget=DateRangePickerWidget
    )


def _as_date(value):
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value


def _range_conditions(field: str, value) -> dict:
    conditions = {}
    if value is not None and value.start is not None:
        conditions[f"{field}__gte"] = _as_date(value.start)
    if value is not None and value.stop is not None:
        conditions[f"{field}__lte"] = _as_date(value.stop)
    return conditions


def reachable_condition() -> Q:
    """Guests the establishment may email: see "reachable by email" in brief 000."""
    return (
        ~Q(email="")
        & Q(unsubscribed_at__isnull=True, anonymised_at__isnull=True)
        & Q(email_undeliverable_at__isnull=True)
        & Q(Exists(Booking.objects.active().filter(booker=OuterRef("pk"))))
    )


def language_choices():
    languages = getattr(settings, "WAGTAIL_CONTENT_LANGUAGES", None) or settings.LANGUAGES
    return [(code, str(name)) for code, name in languages]


class GuestFilterSet(WagtailFilterSet):
    #: Filters that describe one booking; combined in :meth:`filter_queryset`.
    booking_filters = ("arrival", "departure", "checked_in", "reference")

    arrival = date_range(_("Arrival date"), method="filter_nothing")
    departure = date_range(_("Departure date"), method="filter_nothing")
    reachable = YesNoFilter(
        label=_("Reachable by email"),
        method="filter_reachable",
        help_text=_(
            "Yes: a valid email, not unsubscribed, not bouncing, and a booking that is not "
            "cancelled or a duplicate. No: all other guests."
        ),
    )
    checked_in = YesNoFilter(label=_("Checked in"), method="filter_nothing")
    tags = django_filters.ModelMultipleChoiceFilter(
        label=_("Tags"),
        queryset=Tag.objects.all(),
        widget=forms.CheckboxSelectMultiple,
        method="filter_tags",
        help_text=_("Guests with any of these tags."),
    )
    name = django_filters.CharFilter(label=_("Name"), method="filter_name")
    reference = django_filters.CharFilter(label=_("Booking reference"), method="filter_nothing")
    language = django_filters.ChoiceFilter(
        label=_("Language"),
        choices=language_choices,
        method="filter_language",
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )
    newsletter_consent = django_filters.ChoiceFilter(
        label=_("Newsletter consent"),
        choices=NewsletterConsent.choices,
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )
    source = django_filters.ChoiceFilter(
        label=_("Source"),
        choices=GuestSource.choices,
        widget=forms.RadioSelect,
        empty_label=_("All"),
    )
    site = django_filters.ModelChoiceFilter(label=_("Site"), queryset=Site.objects.all())
    created = date_range(_("Created"), field_name="created_at")
    updated = date_range(_("Updated"), field_name="updated_at")
    first_contact = date_range(_("First contact"), field_name="first_contact_at")

    class Meta:
        model = Guest
        fields = []

    @classmethod
    def param_names(cls) -> set[str]:
        """Every query parameter this filter set reads (``arrival_from``, ``tags``…)."""
        names = set()
        for name, field in cls().form.fields.items():
            suffixes = getattr(field.widget, "suffixes", None) or [None]
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        return names

    def filter_nothing(self, queryset, name, value):
        return queryset  # Applied together in filter_queryset().

    def filter_reachable(self, queryset, name, value):
        return queryset.filter(reachable_condition() if value else ~reachable_condition())

    def filter_tags(self, queryset, name, value):
        if not value:  # An empty queryset is not one of django-filter's "empty values".
            return queryset
        tagged = Guest.tags.through.objects.filter(guest=OuterRef("pk"), tag__in=value)
        return queryset.filter(Exists(tagged))

    def filter_name(self, queryset, name, value):
        for word in normalise_name(value).split():
            queryset = queryset.filter(name_key__contains=word)
        return queryset

    def filter_language(self, queryset, name, value):
        return queryset.filter(Q(language__iexact=value) | Q(language__istartswith=f"{value}-"))

    def matching_bookings(self):
        """The bookings the booking filters describe, or None when none is set."""
        data = self.form.cleaned_data
        conditions = {
            **_range_conditions("arrival_date", data.get("arrival")),
            **_range_conditions("departure_date", data.get("departure")),
        }
        if data.get("checked_in") is not None:
            conditions["checked_in"] = data["checked_in"]
        bookings = Booking.objects.filter(**conditions)
        if conditions:
            # A cancelled or duplicate booking is not an arrival, a departure or a check-in.
            bookings = bookings.active()
        reference = (data.get("reference") or "").strip()
        if reference:
            candidates = reference_candidates(reference, strict=False) or [reference.upper()]
            bookings = bookings.filter(reference__in=candidates)
        elif not conditions:
            return None
        return bookings

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        bookings = self.matching_bookings()
        if bookings is not None:
            queryset = queryset.filter(Exists(bookings.filter(booker=OuterRef("pk"))))
        return queryset


def default_arrival_window(today=None) -> tuple[datetime.date, datetime.date]:
    today = today or timezone.localdate()
    return today, today + datetime.timedelta(days=DEFAULT_WINDOW_DAYS)


def guest_filter_data(query_dict, filterset_class=GuestFilterSet):
    """Return ``(data, is_default)``: the filter data for a request's query parameters.

    With no filter, no search and no ``all`` parameter, the list shows the default view:
    guests arriving from today to today + 30 days, as if those dates had been entered (so the
    filter shows, and one click on it or on "Show all guests" clears it).
    """
    if SHOW_ALL_PARAM in query_dict or "q" in query_dict:
        return query_dict, False
    if any(name in query_dict for name in filterset_class.param_names()):
        return query_dict, False
    data = query_dict.copy()
    start, end = default_arrival_window()
    data["arrival_from"], data["arrival_to"] = start.isoformat(), end.isoformat()
    return data, True


class BookingFilterSet(WagtailFilterSet):
    arrival = date_range(_("Arrival date"), field_name="arrival_date")
    departure = date_range(_("Departure date"), field_name="departure_date")
    status = django_filters.MultipleChoiceFilter(
        label=_("Status"), choices=BookingStatus.choices, widget=forms.CheckboxSelectMultiple
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), choices=BookingKind.choices, widget=forms.RadioSelect, empty_label=_("All")
    )
    checked_in = YesNoFilter(label=_("Checked in"), field_name="checked_in")
    created = date_range(_("Created"), field_name="created_at")

    class Meta:
        model = Booking
        fields = []
