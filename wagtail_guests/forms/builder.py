"""The builder that turns a block's settings into its form class.

A site replaces it with a subclass through ``WAGTAIL_GUESTS_FORM_BUILDER`` (as
``wagtail.contrib.forms`` does with its ``FormBuilder``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .. import spam
from ..conf import guests_settings
from .fields import EmailAddressField, NameField
from .public import BookingForm, ContactForm, GuestForm, current_language


class GuestFormBuilder:
    """Build the form class of one contact or booking block from the editor's settings.

    ``value`` is the block's ``StructValue``; ``kind`` is ``"contact"`` or ``"booking"``.
    Override ``create_<name>_field`` methods or :attr:`formfields` to change a field, or the
    form classes to change validation.
    """

    contact_form_class = ContactForm
    booking_form_class = BookingForm

    def __init__(self, value, *, kind: str, block_id: str = ""):
        self.value = value
        self.kind = kind
        self.block_id = block_id
        self.options = set(value.get("fields") or [])

    @property
    def booking_kind(self) -> str:
        return (self.value.get("kind") or "stay") if self.kind == "booking" else ""

    def get_form_class(self) -> type[GuestForm]:
        base = self.booking_form_class if self.kind == "booking" else self.contact_form_class
        attrs = {**self.formfields, "__module__": base.__module__}
        if self.kind == "booking":
            attrs["booking_kind"] = self.booking_kind
        return type(base.__name__, (base,), attrs)

    def get_form(self, data=None, *, prefix=None) -> GuestForm:
        return self.get_form_class()(data, prefix=prefix)

    @cached_property
    def formfields(self) -> dict[str, forms.Field]:
        fields = {
            "first_name": NameField(label=_("First name"), autocomplete="given-name"),
            "last_name": NameField(label=_("Last name"), autocomplete="family-name"),
            "email": EmailAddressField(
                label=_("Email"), widget=forms.EmailInput(attrs={"autocomplete": "email"})
            ),
        }
        if "phone" in self.options:
            fields["phone"] = self.create_phone_field()
        if "address" in self.options:
            fields.update(self.create_address_fields())
        if "country" in self.options:
            fields["country"] = self.create_country_field()
        if "language" in self.options:
            fields["language"] = self.create_language_field()
        if self.kind == "booking":
            fields.update(self.create_booking_fields())
        if "message" in self.options:
            fields["message"] = self.create_message_field()
        if self.value.get("consent_text"):
            fields["consent"] = forms.BooleanField(label=self.value["consent_text"], required=False)
        fields[spam.HONEYPOT_FIELD] = spam.honeypot_field()
        fields[spam.TIMESTAMP_FIELD] = spam.timestamp_field(self.block_id)
        return fields

    def create_phone_field(self):
        return forms.CharField(
            label=_("Phone"),
            required=False,
            max_length=40,
            widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
        )

    def create_address_fields(self) -> dict:
        return {
            "address": forms.CharField(
                label=_("Street address"),
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2, "autocomplete": "street-address"}),
            ),
            "postal_code": NameField(
                label=_("Postal code"), required=False, max_length=20, autocomplete="postal-code"
            ),
            "city": NameField(
                label=_("City"), required=False, max_length=100, autocomplete="address-level2"
            ),
        }

    def create_country_field(self):
        return forms.ChoiceField(
            label=_("Country"),
            required=False,
            choices=[("", _("Choose a country")), *countries],
            widget=forms.Select(attrs={"autocomplete": "country"}),
        )

    def create_language_field(self):
        return forms.ChoiceField(
            label=_("Preferred language"),
            choices=settings.LANGUAGES,
            initial=current_language,
        )

    def create_message_field(self):
        return forms.CharField(
            label=_("Message"),
            required=False,
            max_length=guests_settings.MAX_MESSAGE_LENGTH,
            widget=forms.Textarea(attrs={"rows": 5}),
        )

    def party_limits(self) -> tuple[int, int]:
        high = max(1, min(self.value.get("max_party_size") or 1, guests_settings.MAX_PARTY_SIZE))
        low = max(1, min(self.value.get("min_party_size") or 1, high))
        return low, high

    def create_booking_fields(self) -> dict:
        low, high = self.party_limits()
        today = timezone.localdate().isoformat()

        def date_field(label):
            return forms.DateField(
                label=label,
                widget=forms.DateInput(attrs={"type": "date", "min": today}, format="%Y-%m-%d"),
            )

        def party_field(label):
            return forms.IntegerField(label=label, min_value=low, max_value=high, initial=low)

        if self.booking_kind == "table":
            fields = {
                "date": date_field(_("Date")),
                "time": forms.TimeField(
                    label=_("Time"),
                    widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                ),
                "party_size": party_field(_("Number of people")),
            }
        else:
            fields = {
                "arrival_date": date_field(_("Arrival")),
                "departure_date": date_field(_("Departure")),
                "number_of_guests": party_field(_("Number of guests")),
            }
            room_types = [room for room in self.value.get("room_types") or [] if room]
            if "room_type" in self.options and room_types:
                fields["room_type"] = forms.ChoiceField(
                    label=_("Room type"),
                    required=False,
                    choices=[("", _("No preference")), *[(room, room) for room in room_types]],
                )
        if "additional_guests" in self.options:
            fields.update(self.create_additional_guest_fields())
        return fields

    def create_additional_guest_fields(self) -> dict:
        count = min(
            self.value.get("max_additional_guests") or 0, guests_settings.MAX_ADDITIONAL_GUESTS
        )
        fields = {}
        for number in range(1, count + 1):
            fields[f"additional_{number}_first_name"] = NameField(
                label=_("First name"), required=False, autocomplete="off"
            )
            fields[f"additional_{number}_last_name"] = NameField(
                label=_("Last name"), required=False, autocomplete="off"
            )
            fields[f"additional_{number}_email"] = EmailAddressField(
                label=_("Email (optional)"), required=False
            )
        return fields


def get_form_builder_class() -> type[GuestFormBuilder]:
    """The builder named by ``WAGTAIL_GUESTS_FORM_BUILDER``."""
    return import_string(guests_settings.FORM_BUILDER)
