"""Audit-log actions of the GDPR features (registered by ``wagtail_hooks``).

Their ``data`` holds codes only: the reason of an anonymisation, the format of an export.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter


class AnonymiseFormatter(LogFormatter):
    label = gettext_lazy("Anonymise guest")

    def format_message(self, log_entry):
        if (log_entry.data or {}).get("reason") == "retention":
            return _("Personal data anonymised (retention period passed)")
        return _("Personal data anonymised")


class PersonalDataExportFormatter(LogFormatter):
    label = gettext_lazy("Download personal data")

    def format_message(self, log_entry):
        if (log_entry.data or {}).get("format") == "html":
            return _("Personal data viewed on the printable page")
        return _("Personal data downloaded (JSON)")


FORMATTERS = {
    "wagtail_guests.anonymise": AnonymiseFormatter,
    "wagtail_guests.personal_data_export": PersonalDataExportFormatter,
}


def register_log_actions(actions):
    """``register_log_actions`` hook."""
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)
