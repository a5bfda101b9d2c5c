"""Table columns of the guest and booking lists."""

from __future__ import annotations

import phonenumbers
from django.utils.translation import get_language_info
from wagtail.admin.ui.tables import Column


def display_phone(e164: str) -> str:
    """ "+33612345678" -> "+33 6 12 34 56 78" (as stored when it cannot be parsed)."""
    if not e164:
        return ""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)


def display_language(code: str) -> str:
    if not code:
        return ""
    try:
        return get_language_info(code)["name_translated"]
    except KeyError:
        return code


class PhoneColumn(Column):
    def get_value(self, instance):
        return display_phone(super().get_value(instance) or "")


class LanguageColumn(Column):
    def get_value(self, instance):
        return display_language(super().get_value(instance) or "")


class TagsColumn(Column):
    """The guest's tags as badges; warning tags (No-show, Problematic…) stand out."""

    cell_template_name = "wagtail_guests/admin/list/tags_cell.html"

    def get_value(self, instance):
        return list(instance.tags.all())  # prefetched


class StayColumn(Column):
    """Next stay, current stay or last stay, from ``instance.booking_summary``."""

    cell_template_name = "wagtail_guests/admin/list/stay_cell.html"

    def get_value(self, instance):
        return getattr(instance, "booking_summary", None)


class StaysCountColumn(Column):
    def get_value(self, instance):
        summary = getattr(instance, "booking_summary", None)
        return summary.stays if summary else 0


class ConsentColumn(Column):
    cell_template_name = "wagtail_guests/admin/list/consent_cell.html"

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        context["unsubscribed"] = bool(instance.unsubscribed_at)
        context["undeliverable"] = bool(instance.email_undeliverable_at)
        return context

    def get_value(self, instance):
        return instance.get_newsletter_consent_display()


class GuestLinkColumn(Column):
    """The name of the guest in attribute ``name`` ("booker", "guest"…) linking to their
    profile (``get_url(guest)``, falsy for no link), or "***" once the guest was deleted."""

    cell_template_name = "wagtail_guests/admin/list/booking_guest_cell.html"

    def __init__(self, name, *, get_url, **kwargs):
        super().__init__(name, **kwargs)
        self._get_url = get_url

    def get_cell_context_data(self, instance, parent_context):
        context = super().get_cell_context_data(instance, parent_context)
        guest = getattr(instance, self.name)
        context["guest_url"] = self._get_url(guest) if guest is not None else None
        return context

    def get_value(self, instance):
        guest = getattr(instance, self.name)
        return guest.full_name if guest is not None else None


class BookingDatesColumn(Column):
    """Arrival and departure with nights for a stay; date, time and party size for a table."""

    cell_template_name = "wagtail_guests/admin/list/booking_dates_cell.html"

    def get_value(self, instance):
        return instance.arrival_date
