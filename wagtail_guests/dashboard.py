"""The guests panel on the Wagtail dashboard: arrivals, new guests, guests to look out for.

Registered through the ``construct_homepage_panels`` hook. It runs a fixed number of queries,
whatever the number of guests or bookings.
"""

from __future__ import annotations

import datetime

from django.db.models import Count, Prefetch, Q
from django.utils import timezone
from wagtail.admin.ui.components import Component

from .models import Booking, Guest, Tag
from .permissions import guest_permission_policy
from .views.common import guest_url

SOON_DAYS = 7
LIST_LENGTH = 10


def can_see_guests(user) -> bool:
    return guest_permission_policy.user_has_any_permission(user, ["view", "change", "delete"])


class GuestsPanel(Component):
    name = "wagtail_guests"
    order = 150
    template_name = "wagtail_guests/admin/dashboard/panel.html"

    class Media:
        css = {"all": ["wagtail_guests/admin/guests.css"]}

    def __init__(self, request, today: datetime.date | None = None):
        self.request = request
        self.today = today or timezone.localdate()

    def get_context_data(self, parent_context):
        today = self.today
        soon = today + datetime.timedelta(days=SOON_DAYS)
        arriving = Booking.objects.active().filter(booker__isnull=False)
        counts = arriving.aggregate(
            today=Count("pk", filter=Q(arrival_date=today)),
            soon=Count("pk", filter=Q(arrival_date__gt=today, arrival_date__lte=soon)),
        )
        warning_tags = Prefetch(
            "booker__tags", queryset=Tag.objects.filter(is_warning=True), to_attr="warnings"
        )
        upcoming = list(
            arriving.filter(arrival_date__gte=today, arrival_date__lte=soon)
            .select_related("booker")
            .prefetch_related(warning_tags)
            .order_by("arrival_date", "time", "pk")[:LIST_LENGTH]
        )
        for booking in upcoming:
            booking.profile_url = guest_url("inspect", booking.booker)
        warned = list(
            Guest.objects.filter(
                pk__in=arriving.filter(
                    arrival_date__gte=today,
                    arrival_date__lte=soon,
                    booker__tags__is_warning=True,
                ).values("booker_id")
            )
            .prefetch_related(
                Prefetch("tags", queryset=Tag.objects.filter(is_warning=True), to_attr="warnings")
            )
            .order_by("last_name", "first_name", "pk")[:LIST_LENGTH]
        )
        for guest in warned:
            guest.profile_url = guest_url("inspect", guest)
        month_start = timezone.make_aware(
            datetime.datetime.combine(today.replace(day=1), datetime.time.min)
        )
        return {
            "arrivals_today": counts["today"],
            "arrivals_soon": counts["soon"],
            "soon_days": SOON_DAYS,
            "upcoming": upcoming,
            "new_guests": Guest.objects.filter(created_at__gte=month_start).count(),
            "warned_guests": warned,
            "guests_url": guest_url("index"),
        }


def add_guests_panel(request, panels):
    """``construct_homepage_panels`` hook: the panel, for staff who may see guests."""
    if can_see_guests(request.user):
        panels.append(GuestsPanel(request))
