"""Audit log actions of guest emails (registered by ``wagtail_hooks``).

Entries store the outbox row's id and kind, never an address or a subject.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter

from ..models import OutgoingKind


def _kind(log_entry) -> str:
    value = (log_entry.data or {}).get("kind")
    try:
        return str(OutgoingKind(value).label)
    except ValueError:
        return str(value or "?")


class EmailQueuedFormatter(LogFormatter):
    label = gettext_lazy("Send guest email")

    def format_message(self, log_entry):
        return _("Email #%(email)s queued (%(kind)s)") % {
            "email": (log_entry.data or {}).get("email", "?"),
            "kind": _kind(log_entry),
        }


class EmailTestFormatter(LogFormatter):
    label = gettext_lazy("Send a test email to oneself")

    def format_message(self, log_entry):
        return _("Test email #%(email)s sent to the staff member") % {
            "email": (log_entry.data or {}).get("email", "?")
        }


class EmailRetryFormatter(LogFormatter):
    label = gettext_lazy("Retry guest email")

    def format_message(self, log_entry):
        return _("Email #%(email)s retried") % {"email": (log_entry.data or {}).get("email", "?")}


class UnsubscribeFormatter(LogFormatter):
    label = gettext_lazy("Unsubscribe guest from all emails")

    def format_message(self, log_entry):
        return _("Unsubscribed from all emails by staff")


FORMATTERS = {
    "wagtail_guests.email_queued": EmailQueuedFormatter,
    "wagtail_guests.email_test": EmailTestFormatter,
    "wagtail_guests.email_retry": EmailRetryFormatter,
    "wagtail_guests.unsubscribe": UnsubscribeFormatter,
}


def register_log_actions(actions):
    """``register_log_actions`` hook."""
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)
