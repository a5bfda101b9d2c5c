"""Email templates: the right translation for a guest, and merge fields filled in safely.

Merge fields are written ``{first_name}``, as in ``str.format``, and ``{{``/``}}`` give literal
braces. Only the plain names of :data:`MERGE_FIELDS` are replaced; anything else stays in the
text exactly as written, so a typo shows in the preview instead of failing the send. Unlike
``str.format_map``, there is no attribute access, indexing or format spec:
``{first_name.__class__}`` or ``{first_name:>999999999}`` is left as is, so an editor cannot
reach Python objects or make the server build a huge string.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.db.models import Q
from django.utils import formats, timezone, translation
from django.utils.translation import gettext_lazy as _

from ..models import Booking, EmailTemplate

#: The merge fields, with the help text shown to editors.
MERGE_FIELDS = {
    "first_name": _("the guest’s first name"),
    "last_name": _("the guest’s last name"),
    "full_name": _("first and last name"),
    "arrival_date": _("arrival date of the booking"),
    "departure_date": _("departure date of the booking"),
    "nights": _("number of nights"),
    "booking_reference": _("booking reference"),
    "number_of_guests": _("number of guests of the booking"),
    "room_type": _("room type"),
    "time": _("time of a table booking"),
    "site_name": _("name of the website"),
    "unsubscribe_url": _("link to unsubscribe from all emails"),
}

_TOKEN = re.compile(r"\{\{|\}\}|\{([A-Za-z_][A-Za-z0-9_]*)\}")
# Anything between single braces, to tell editors about fields that will not be replaced.
_BRACED = re.compile(r"(?<!\{)\{([^{}\n]{1,60})\}(?!\})")
_LINE_BREAKS = re.compile(r"[\r\n\u0085\u2028\u2029\v\f]+")


def merge(text: str, values: dict) -> str:
    """``text`` with each known ``{name}`` replaced by ``values[name]`` (see module docstring)."""

    def replace(match):
        text = match.group(0)
        if text in ("{{", "}}"):
            return text[0]
        name = match.group(1)
        if name in values:
            return str(values[name])
        return text

    return _TOKEN.sub(replace, text or "")


def unknown_fields(text: str) -> list[str]:
    """The ``{…}`` of ``text`` that are not merge fields (for the template form)."""
    found = []
    for match in _BRACED.finditer(text or ""):
        name = match.group(1)
        if name not in MERGE_FIELDS and name not in found:
            found.append(name)
    return found


def single_line(text: str) -> str:
    """One line, for a subject or a header: no CR, LF or other line separators."""
    return " ".join(_LINE_BREAKS.sub(" ", text or "").split())


def template_for(name: str, language: str | None) -> EmailTemplate | None:
    """The template called ``name`` in ``language``, else the closest one.

    Tried in order: the exact language ("pt-br"), its base language ("pt"), the default
    (empty language), the site's ``LANGUAGE_CODE``, then any translation. ``None`` if no
    template has that name.
    """
    candidates = list(EmailTemplate.objects.filter(name=name))
    if not candidates:
        return None
    by_language = {template.language.lower(): template for template in candidates}
    language = (language or "").lower()
    site_language = (settings.LANGUAGE_CODE or "").lower()
    order = [language, language.split("-")[0], "", site_language, site_language.split("-")[0]]
    for code in order:
        if code in by_language:
            return by_language[code]
    return candidates[0]


def template_language(template: EmailTemplate) -> str:
    """The language the template is written in: dates and the footer follow it."""
    return template.language or settings.LANGUAGE_CODE


def default_booking(guest) -> Booking | None:
    """The booking a template sent by hand talks about: the next stay, else the last one."""
    if guest is None or guest.pk is None:
        return None
    bookings = Booking.objects.active().filter(Q(booker=guest) | Q(additional_guests=guest))
    today = timezone.localdate()
    upcoming = bookings.filter(Q(arrival_date__gte=today) | Q(departure_date__gte=today)).order_by(
        "arrival_date", "pk"
    )
    return upcoming.first() or bookings.order_by("-arrival_date", "-pk").first()


def _date(value) -> str:
    return formats.date_format(value, "DATE_FORMAT") if value else ""


def site_name(guest) -> str:
    site = getattr(guest, "site", None)
    if site is not None and site.site_name:
        return site.site_name
    return getattr(settings, "WAGTAIL_SITE_NAME", "") or ""


def merge_values(guest, *, booking=None, language=None, unsubscribe_url="") -> dict:
    """The merge field values for ``guest`` (and ``booking``), formatted in ``language``.

    Values are plain strings; names go through :func:`single_line` so a line break typed into
    a guest's name can never split a subject into two headers.
    """
    language = language or settings.LANGUAGE_CODE
    with translation.override(language):
        values = {
            "first_name": single_line(guest.first_name) if guest else "",
            "last_name": single_line(guest.last_name) if guest else "",
            "full_name": single_line(guest.full_name) if guest else "",
            "site_name": site_name(guest),
            "unsubscribe_url": unsubscribe_url,
            "arrival_date": "",
            "departure_date": "",
            "nights": "",
            "booking_reference": "",
            "number_of_guests": "",
            "room_type": "",
            "time": "",
        }
        if booking is not None:
            values.update(
                {
                    "arrival_date": _date(booking.arrival_date),
                    "departure_date": _date(booking.departure_date),
                    "nights": str(booking.nights or ""),
                    "booking_reference": booking.reference,
                    "number_of_guests": str(booking.number_of_guests or ""),
                    "room_type": single_line(booking.room_type),
                    "time": formats.time_format(booking.time, "TIME_FORMAT")
                    if booking.time
                    else "",
                }
            )
    return values


def render(template: EmailTemplate, guest, *, booking=None) -> tuple[str, str]:
    """(subject, body) of ``template`` for ``guest``; the subject is always one line.

    Without ``booking``, the booking fields describe the guest's next (else last) booking.
    """
    from .unsubscribe import unsubscribe_url

    if booking is None:
        booking = default_booking(guest)
    link = ""
    if guest is not None and guest.pk and "{unsubscribe_url}" in template.subject + template.body:
        link = unsubscribe_url(guest)
    values = merge_values(
        guest, booking=booking, language=template_language(template), unsubscribe_url=link
    )
    subject = single_line(merge(template.subject, values))
    body = merge(template.body, values)
    return subject, body
