"""The arrivals chart of the guest list: bookings arriving per day, as a server-rendered SVG.

One aggregate query; no JavaScript and no external library. The template
(``wagtail_guests/admin/list/arrivals_chart.html``) gives the SVG a title and description
and follows it with the same figures as a table.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.db.models import Count
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext

from ..models import Booking, BookingKind
from ..models.bookings import INACTIVE_STATUSES

DAYS = 30

# Geometry of the SVG, in viewBox units.
WIDTH, HEIGHT = 720, 160
LEFT, RIGHT, TOP, BOTTOM = 32, 8, 10, 24


def _n(value: float) -> str:
    """A coordinate as text: never localised (a French "12,5" would break the SVG)."""
    return f"{value:.1f}"


@dataclass
class ChartDay:
    date: datetime.date
    stays: int = 0
    tables: int = 0
    bars: list = field(default_factory=list)  # (class, x, y, width, height) as text
    label: str = ""
    tick: str = ""  # short x-axis label, on some days only
    tick_x: str = ""

    @property
    def total(self) -> int:
        return self.stays + self.tables

    @property
    def title(self) -> str:
        return ngettext(
            "%(date)s: %(count)s arrival (%(stays)s stays, %(tables)s tables)",
            "%(date)s: %(count)s arrivals (%(stays)s stays, %(tables)s tables)",
            self.total,
        ) % {"date": self.label, "count": self.total, "stays": self.stays, "tables": self.tables}


@dataclass
class ArrivalsChart:
    days: list[ChartDay]
    maximum: int
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def total(self) -> int:
        return sum(day.total for day in self.days)

    @property
    def busiest(self) -> ChartDay | None:
        busiest = max(self.days, key=lambda day: day.total, default=None)
        return busiest if busiest is not None and busiest.total else None

    @property
    def description(self) -> str:
        text = ngettext(
            "%(count)s arrival from %(start)s to %(end)s.",
            "%(count)s arrivals from %(start)s to %(end)s.",
            self.total,
        ) % {
            "count": self.total,
            "start": self.days[0].label,
            "end": self.days[-1].label,
        }
        if self.busiest:
            text += " " + gettext("Busiest day: %(date)s, with %(count)s.") % {
                "date": self.busiest.label,
                "count": self.busiest.total,
            }
        return text

    @property
    def axis(self) -> dict:
        return {
            "left": LEFT,
            "right": _n(WIDTH - RIGHT),
            "top": TOP,
            "bottom": _n(HEIGHT - BOTTOM),
            "label_x": _n(LEFT - 6),
            "max_y": _n(TOP + 4),
            "zero_y": _n(HEIGHT - BOTTOM),
            "tick_y": _n(HEIGHT - 6),
        }


def arrival_counts(start: datetime.date, end: datetime.date) -> dict:
    """{(date, kind): number of bookings arriving} for active bookings, in one query."""
    rows = (
        Booking.objects.filter(arrival_date__gte=start, arrival_date__lte=end)
        .exclude(status__in=INACTIVE_STATUSES)
        .order_by()
        .values_list("arrival_date", "kind")
        .annotate(count=Count("*"))
    )
    return {(arrival, kind): count for arrival, kind, count in rows}


def arrivals_chart(today=None, days=DAYS) -> ArrivalsChart:
    today = today or timezone.localdate()
    dates = [today + datetime.timedelta(days=offset) for offset in range(days)]
    counts = arrival_counts(dates[0], dates[-1])
    chart_days = [
        ChartDay(
            date=day,
            stays=counts.get((day, BookingKind.STAY.value), 0),
            tables=counts.get((day, BookingKind.TABLE.value), 0),
            label=date_format(day, "D j M"),
        )
        for day in dates
    ]
    maximum = max([day.total for day in chart_days] + [1])
    plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_width / days
    bar_width = slot * 0.7
    for index, day in enumerate(chart_days):
        x = LEFT + index * slot + (slot - bar_width) / 2
        baseline = HEIGHT - BOTTOM
        for classname, count in (("stays", day.stays), ("tables", day.tables)):
            if not count:
                continue
            height = plot_height * count / maximum
            baseline -= height
            day.bars.append((classname, _n(x), _n(baseline), _n(bar_width), _n(height)))
        if index % 7 == 0:
            day.tick = date_format(day.date, "j M")
            day.tick_x = _n(x + bar_width / 2)
    return ArrivalsChart(days=chart_days, maximum=maximum)
