"""Admin forms of guest emails: templates, scheduled email rules, and the profile's send forms."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin.forms import WagtailAdminModelForm

from ..models import EmailTemplate, ScheduledEmailRule
from .templates import MERGE_FIELDS, unknown_fields

#: Longest schedule offset, in days, either way.
MAX_DAYS = 365
MAX_BODY = 20_000


def merge_fields_help() -> str:
    fields = ", ".join(f"{{{name}}}" for name in MERGE_FIELDS)
    return format_lazy(
        "{}{}",
        _("Merge fields, replaced for each guest: "),
        fields,
    )


class EmailTemplateForm(WagtailAdminModelForm):
    class Meta:
        model = EmailTemplate
        fields = ["name", "language", "subject", "body", "is_marketing"]
        widgets = {"body": forms.Textarea(attrs={"rows": 14})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [
            ("", _("Default (guests whose language has no version of its own)")),
            *settings.LANGUAGES,
        ]
        self.fields["body"].help_text = merge_fields_help()
        self.fields["name"].help_text = _(
            "Translations of one email share its name: add one template per language."
        )

    def _check_fields(self, name):
        value = self.cleaned_data.get(name, "")
        unknown = unknown_fields(value)
        if unknown:
            raise ValidationError(
                ngettext(
                    "Unknown merge field: %(fields)s.",
                    "Unknown merge fields: %(fields)s.",
                    len(unknown),
                )
                % {"fields": ", ".join(f"{{{field}}}" for field in unknown)},
                code="unknown_merge_field",
            )
        return value

    def clean_subject(self):
        return self._check_fields("subject")

    def clean_body(self):
        body = self._check_fields("body")
        if len(body) > MAX_BODY:
            raise ValidationError(_("The body is too long."))
        return body


class ScheduledEmailRuleForm(WagtailAdminModelForm):
    class Meta:
        model = ScheduledEmailRule
        fields = ["name", "template", "anchor", "days", "booking_kind", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].help_text = _(
            "Each guest receives the translation of this template in their language, if any."
        )
        self.fields["days"].widget.attrs.update(min=-MAX_DAYS, max=MAX_DAYS)

    def clean_days(self):
        days = self.cleaned_data["days"]
        if abs(days) > MAX_DAYS:
            raise ValidationError(
                _("Choose a number of days between -%(max)s and %(max)s.") % {"max": MAX_DAYS}
            )
        return days


class SendTemplateForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"))

    def __init__(self, *args, names=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["template"].choices = [(name, name) for name in names]


class SendMessageForm(forms.Form):
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(label=_("Message"), widget=forms.Textarea, max_length=MAX_BODY)
