"""Form fields of the public forms: strict email addresses and single-line names."""

from __future__ import annotations

import unicodedata

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NAME_MAX_LENGTH = 150
EMAIL_MAX_LENGTH = 254


def validate_single_line(value: str) -> None:
    """Reject line breaks and other control characters (they end up in email headers)."""
    if any(unicodedata.category(char) == "Cc" for char in value):
        raise ValidationError(
            _("Remove the line breaks and special characters."), code="control_characters"
        )


class NameField(forms.CharField):
    """A single-line text field (names, city, postal code), at most 150 characters."""

    default_validators = [validate_single_line]

    def __init__(self, *, autocomplete=None, max_length=NAME_MAX_LENGTH, **kwargs):
        if autocomplete:
            kwargs.setdefault("widget", forms.TextInput(attrs={"autocomplete": autocomplete}))
        super().__init__(max_length=max_length, **kwargs)


class EmailAddressField(forms.EmailField):
    """One email address: no line breaks, no list of addresses."""

    default_error_messages = {
        "line_break": _("Enter an email address on a single line."),
        "multiple": _("Enter a single email address."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", EMAIL_MAX_LENGTH)
        super().__init__(**kwargs)

    def to_python(self, value):
        # Checked before the base class strips whitespace, which would hide a trailing CR/LF.
        if isinstance(value, str) and ("\r" in value or "\n" in value):
            raise ValidationError(self.error_messages["line_break"], code="line_break")
        value = super().to_python(value)
        if value.count("@") > 1 or any(char in value for char in ",;"):
            raise ValidationError(self.error_messages["multiple"], code="multiple")
        return value
