"""The public forms of the contact and booking blocks.

They validate; they never write: :mod:`wagtail_guests.submit` hands their
:meth:`GuestForm.record_kwargs` to ``actions.record_submission``. Their fields come from
:class:`~wagtail_guests.forms.GuestFormBuilder`.
"""

from __future__ import annotations

import json
import re

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Div, Fieldset, Layout, Row
from django import forms
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

from .. import spam
from ..actions.guests import DETAIL_FIELDS
from ..identity import normalise_phone

_ADDITIONAL = re.compile(r"^additional_(\d+)_(first_name|last_name|email)$")


def _legend(text) -> str:
    # crispy renders a legend as a template string: escape it so it stays plain text.
    return escape(str(text))


def _present(form, *names):
    return [name for name in names if name in form.fields]


def _row(form, *names):
    """A row of columns for the fields present (an empty list if none is)."""
    present = _present(form, *names)
    return [Row(*[Column(name) for name in present])] if present else []


def current_language() -> str:
    """The active language as one of ``settings.LANGUAGES`` (``fr-ca`` -> ``fr``)."""
    try:
        return translation.get_supported_language_variant(translation.get_language() or "")
    except LookupError:
        return settings.LANGUAGE_CODE


class GuestForm(forms.Form):
    """What both blocks ask: who the visitor is. The builder adds the fields the editor chose."""

    submission_kind = "contact"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.disable_csrf = True
        self.helper.layout = Layout(*self.layout_items())

    # Layout ----------------------------------------------------------------------------------

    def layout_items(self) -> list:
        items = [self.details_fieldset(), *self.extra_layout_items()]
        items += _present(self, "message", "consent")
        items.append(
            Div(
                *_present(self, spam.HONEYPOT_FIELD),
                css_class="wagtail-guests-hp visually-hidden",
                aria_hidden="true",
            )
        )
        items += _present(self, spam.TIMESTAMP_FIELD)
        return items

    def details_fieldset(self):
        return Fieldset(
            _legend(_("Your details")),
            *_row(self, "first_name", "last_name"),
            *_present(self, "email", "phone", "address"),
            *_row(self, "postal_code", "city"),
            *_present(self, "country", "language"),
        )

    def extra_layout_items(self) -> list:
        return []

    # Validation ------------------------------------------------------------------------------

    def clean(self):
        cleaned = super().clean()
        phone = cleaned.get("phone")
        if phone:
            normalised = normalise_phone(phone, cleaned.get("country") or None)
            if normalised:
                cleaned["phone"] = normalised
            else:
                self.add_error("phone", _("Enter a valid phone number."))
        return cleaned

    # What to record --------------------------------------------------------------------------

    def guest_details(self) -> dict:
        data = self.cleaned_data
        details = {name: data[name] for name in DETAIL_FIELDS if data.get(name)}
        details["language"] = data.get("language") or current_language()
        return details

    def consent_wording(self) -> str | None:
        """The exact words the visitor agreed to, or ``None`` if the box was not ticked."""
        if self.cleaned_data.get("consent"):
            return str(self.fields["consent"].label)
        return None

    def submission_data(self) -> dict:
        """The validated data, JSON-safe (dates in ISO format), without the spam traps."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in (spam.HONEYPOT_FIELD, spam.TIMESTAMP_FIELD)
            and not _ADDITIONAL.match(name)
            and value not in ("", None, [])
        }
        return json.loads(json.dumps(data, cls=DjangoJSONEncoder))

    def record_kwargs(self) -> dict:
        """Keyword arguments for ``actions.record_submission`` (the caller adds page, site…)."""
        return {
            "kind": self.submission_kind,
            "guest_details": self.guest_details(),
            "data": self.submission_data(),
            "consent_wording": self.consent_wording(),
        }


class ContactForm(GuestForm):
    submission_kind = "contact"


class BookingForm(GuestForm):
    """A hotel stay (arrival, departure, guests, room type) or a table (date, time, party)."""

    submission_kind = "booking"
    booking_kind = "stay"

    def extra_layout_items(self) -> list:
        if self.booking_kind == "table":
            legend = _("Your table")
            rows = _row(self, "date", "time", "party_size")
        else:
            legend = _("Your stay")
            rows = [
                *_row(self, "arrival_date", "departure_date"),
                *_row(self, "number_of_guests", "room_type"),
            ]
        items = [Fieldset(_legend(legend), *rows)]
        for number in self.additional_numbers:
            names = [f"additional_{number}_{part}" for part in ("first_name", "last_name", "email")]
            items.append(
                Fieldset(
                    _legend(_("Additional guest %(number)s") % {"number": number}),
                    *_row(self, *names),
                    css_class="wagtail-guests-additional",
                )
            )
        return items

    @cached_property
    def additional_numbers(self) -> list[int]:
        numbers = {int(m[1]) for m in map(_ADDITIONAL.match, self.fields) if m}
        return sorted(numbers)

    def _not_in_past(self, name):
        value = self.cleaned_data.get(name)
        if value and value < timezone.localdate():
            raise forms.ValidationError(_("This date is in the past."), code="past_date")
        return value

    def clean_arrival_date(self):
        return self._not_in_past("arrival_date")

    def clean_date(self):
        return self._not_in_past("date")

    def clean(self):
        cleaned = super().clean()
        arrival, departure = cleaned.get("arrival_date"), cleaned.get("departure_date")
        if arrival and departure and departure <= arrival:
            self.add_error(
                "departure_date", _("The departure date must be after the arrival date.")
            )
        day, at = cleaned.get("date"), cleaned.get("time")
        if day and at and day == timezone.localdate() and at < timezone.localtime().time():
            self.add_error("time", _("This time has already passed."))
        party = cleaned.get("number_of_guests") or cleaned.get("party_size")
        companions = self._clean_additional_guests()
        if party and len(companions) >= party:
            field = "number_of_guests" if "number_of_guests" in self.fields else "party_size"
            self.add_error(
                field, _("The number of guests must count you and everyone you name below.")
            )
        cleaned["additional_guests"] = companions
        return cleaned

    def _clean_additional_guests(self) -> list[dict]:
        companions = []
        for number in self.additional_numbers:
            row = {
                part: self.cleaned_data.get(f"additional_{number}_{part}") or ""
                for part in ("first_name", "last_name", "email")
            }
            if not any(row.values()):
                continue
            missing = [part for part in ("first_name", "last_name") if not row[part]]
            for part in missing:
                self.add_error(f"additional_{number}_{part}", _("Enter this guest's name."))
            if not missing:
                companions.append({k: v for k, v in row.items() if v})
        return companions

    def booking_details(self) -> dict:
        data = self.cleaned_data
        if self.booking_kind == "table":
            return {
                "kind": "table",
                "arrival_date": data["date"],
                "time": data["time"],
                "number_of_guests": data["party_size"],
            }
        return {
            "kind": "stay",
            "arrival_date": data["arrival_date"],
            "departure_date": data["departure_date"],
            "number_of_guests": data["number_of_guests"],
            "room_type": data.get("room_type") or "",
        }

    def record_kwargs(self) -> dict:
        return {
            **super().record_kwargs(),
            "booking_details": self.booking_details(),
            "additional_guests": self.cleaned_data.get("additional_guests", []),
        }
