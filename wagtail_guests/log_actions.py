"""Wagtail audit log actions of wagtail-guests (registered by ``wagtail_hooks``).

Log entries store ``str(instance)`` ("Guest #42", "Booking GB-7K3QZP") and codes or ids in
``data``, never personal data; these formatters turn them into readable, translated messages.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.log_actions import LogFormatter

from .models import BookingStatus, Tag


def _tag_label(log_entry) -> str:
    tag_id = (log_entry.data or {}).get("tag")
    tag = Tag.objects.filter(pk=tag_id).first() if tag_id else None
    return tag.label if tag is not None else _("a deleted tag")


def _status_label(value) -> str:
    try:
        return str(BookingStatus(value).label)
    except ValueError:
        return str(value or "?")


class TagFormatter(LogFormatter):
    label = gettext_lazy("Tag guest")

    def format_message(self, log_entry):
        return _("Tag “%(tag)s” added") % {"tag": _tag_label(log_entry)}


class UntagFormatter(LogFormatter):
    label = gettext_lazy("Remove guest tag")

    def format_message(self, log_entry):
        return _("Tag “%(tag)s” removed") % {"tag": _tag_label(log_entry)}


class BookingStatusFormatter(LogFormatter):
    label = gettext_lazy("Change booking status")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _("Status changed from %(previous)s to %(status)s") % {
            "previous": _status_label(data.get("from")),
            "status": _status_label(data.get("to")),
        }


class ConsentFormatter(LogFormatter):
    label = gettext_lazy("Record newsletter consent")

    def format_message(self, log_entry):
        if (log_entry.data or {}).get("given"):
            return _("Newsletter consent given to staff")
        return _("Newsletter consent withdrawn by staff")


FORMATTERS = {
    "wagtail_guests.tag": TagFormatter,
    "wagtail_guests.untag": UntagFormatter,
    "wagtail_guests.booking_status": BookingStatusFormatter,
    "wagtail_guests.consent": ConsentFormatter,
}


def register_log_actions(actions):
    """``register_log_actions`` hook."""
    for action, formatter in FORMATTERS.items():
        actions.register_action(action)(formatter)
