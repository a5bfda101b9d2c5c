"""Admin forms: add guest, edit guest, tags, consent and booking status on the profile."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.models import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, ObjectList
from wagtail.admin.widgets import AdminDateInput

from .actions.booking_status import StatusChange
from .actions.staff import EDITABLE_FIELDS
from .identity import normalise_phone
from .models import Guest, Tag
from .permissions import booking_permission_policy


def language_choices(current: str = ""):
    choices = [("", "---------"), *((code, name) for code, name in settings.LANGUAGES)]
    if current and current not in dict(choices):
        choices.append((current, current))
    return choices


def _clean_phone(form, cleaned_data):
    """Store the phone number in E.164, reading a national number in the chosen country."""
    phone = (cleaned_data.get("phone") or "").strip()
    if not phone:
        return
    normalised = normalise_phone(phone, str(cleaned_data.get("country") or "") or None)
    if not normalised:
        form.add_error("phone", _("Enter a valid phone number, e.g. +33 6 12 34 56 78."))
    else:
        cleaned_data["phone"] = normalised


class AddGuestForm(forms.Form):
    """The "Add guest" form of the brief (000): it goes through the identity rule."""

    first_name = Guest._meta.get_field("first_name").formfield()
    last_name = Guest._meta.get_field("last_name").formfield()
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    arrival_date = forms.DateField(label=_("Arrival date"), required=False, widget=AdminDateInput)
    departure_date = forms.DateField(
        label=_("Departure date"), required=False, widget=AdminDateInput
    )
    country = Guest._meta.get_field("country").formfield()
    language = forms.ChoiceField(label=_("Language"), required=False, choices=language_choices)

    def __init__(self, *args, instance=None, for_user=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only staff who may add bookings get the dates (they create a stay).
        if for_user is not None and not booking_permission_policy.user_has_permission(
            for_user, "add"
        ):
            del self.fields["arrival_date"]
            del self.fields["departure_date"]

    def clean(self):
        cleaned_data = super().clean()
        _clean_phone(self, cleaned_data)
        arrival, departure = cleaned_data.get("arrival_date"), cleaned_data.get("departure_date")
        if departure and not arrival:
            self.add_error("arrival_date", _("Enter the arrival date too."))
        elif arrival and not departure:
            self.add_error("departure_date", _("Enter the departure date too."))
        elif arrival and departure and departure <= arrival:
            self.add_error("departure_date", _("The departure date must be after the arrival."))
        return cleaned_data

    def guest_details(self) -> dict:
        names = ("first_name", "last_name", "email", "phone", "country", "language")
        return {name: self.cleaned_data.get(name) or "" for name in names}


class GuestEditForm(WagtailAdminModelForm):
    """Every detail staff may edit; ``Guest.clean()`` refuses a duplicate identity."""

    language = forms.ChoiceField(label=_("Preferred language"), required=False)

    class Meta:
        model = Guest
        fields = EDITABLE_FIELDS

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "language" in self.fields:
            self.fields["language"].choices = language_choices(self.instance.language)
        self._original = self._values()

    def _values(self):
        return {
            name: Guest._meta.get_field(name).value_from_object(self.instance)
            for name in self.fields
        }

    def clean_first_contact_at(self):
        # The date-time widget drops seconds: keep the stored time if only they differ.
        value = self.cleaned_data.get("first_contact_at")
        initial = self._original.get("first_contact_at")
        if value and initial and value == initial.replace(second=0, microsecond=0):
            return initial
        return value

    def clean(self):
        cleaned_data = super().clean()
        _clean_phone(self, cleaned_data)
        return cleaned_data

    def changed_fields(self) -> list[str]:
        """Names of the fields whose stored value changes (after validation)."""
        current = self._values()
        return [name for name, value in current.items() if value != self._original[name]]


guest_edit_handler = ObjectList(
    [
        FieldRowPanel([FieldPanel("first_name"), FieldPanel("last_name")]),
        FieldRowPanel([FieldPanel("email"), FieldPanel("phone")]),
        FieldPanel("address"),
        FieldRowPanel([FieldPanel("postal_code"), FieldPanel("city")]),
        FieldRowPanel([FieldPanel("country"), FieldPanel("language")]),
        MultiFieldPanel(
            [FieldPanel("site"), FieldPanel("first_contact_at")], heading=_("First contact")
        ),
    ],
    base_form_class=GuestEditForm,
).bind_to_model(Guest)


class TagChangeForm(forms.Form):
    """Add a tag (an existing one, or a new one by name) or remove one, on the profile."""

    action = forms.ChoiceField(choices=[("add", _("Add")), ("remove", _("Remove"))])
    tag = forms.ModelChoiceField(queryset=Tag.objects.all(), required=False, label=_("Tag"))
    new_tag = forms.CharField(required=False, max_length=50, label=_("New tag"), strip=True)

    def clean(self):
        cleaned_data = super().clean()
        if not cleaned_data.get("tag") and not (
            cleaned_data.get("action") == "add" and cleaned_data.get("new_tag")
        ):
            raise forms.ValidationError(_("Choose a tag."), code="no_tag")
        return cleaned_data


class ConsentForm(forms.Form):
    given = forms.TypedChoiceField(
        choices=[("1", _("Given")), ("0", _("Withdrawn"))], coerce=lambda v: v == "1"
    )
    wording = forms.CharField(
        label=_("What the guest agreed to"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For example: “Asked at reception to receive the newsletter.”"),
    )


class BookingStatusForm(forms.Form):
    change = forms.ChoiceField(choices=StatusChange.choices)
