"""Audit log actions for imports and exports (``wagtail_guests.import``, ``wagtail_guests.export``).

An entry keeps who (the log entry's user), how many rows, the format and the *names* of the
filters used, never a name, an email, a search text or a file name.

- An import is logged on its :class:`~wagtail_guests.models.ImportJob` ("Import #12").
- An export is logged on the Wagtail ``Site`` whose guest list it came from (the default site
  for a command): an export concerns many guests, not one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from wagtail.log_actions import LogFormatter, log

IMPORT_ACTION = "wagtail_guests.import"
EXPORT_ACTION = "wagtail_guests.export"


def _count(value) -> str:
    return number_format(value or 0, force_grouping=True)


class ImportFormatter(LogFormatter):
    label = gettext_lazy("Import guests")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        return _(
            "Imported %(rows)s rows: %(new)s new guests, %(updated)s updated, "
            "%(unchanged)s unchanged"
        ) % {name: _count(data.get(name)) for name in ("rows", "new", "updated", "unchanged")}


class ExportFormatter(LogFormatter):
    label = gettext_lazy("Export guests")

    def format_message(self, log_entry):
        data = log_entry.data or {}
        rows = data.get("rows") or 0
        if data.get("newsletter"):
            text = ngettext(
                "Exported %(rows)s guest for the newsletter (%(format)s)",
                "Exported %(rows)s guests for the newsletter (%(format)s)",
                rows,
            )
        else:
            text = ngettext(
                "Exported %(rows)s guest (%(format)s)",
                "Exported %(rows)s guests (%(format)s)",
                rows,
            )
        text %= {"rows": _count(rows), "format": str(data.get("format", "")).upper()}
        filters = data.get("filters") or []
        if filters:
            text = _("%(line)s; filters: %(filters)s") % {
                "line": text,
                "filters": ", ".join(filters),
            }
        return text


def register_log_actions(actions):
    """``register_log_actions`` hook."""
    actions.register_action(IMPORT_ACTION)(ImportFormatter)
    actions.register_action(EXPORT_ACTION)(ExportFormatter)


def default_site():
    from wagtail.models import Site

    return Site.objects.filter(is_default_site=True).first() or Site.objects.order_by("pk").first()


def log_export(*, user=None, site=None, rows: int, file_format: str, filters=(), **extra):
    """Record an export in the audit log (no-op if the project has no Wagtail site)."""
    site = site or default_site()
    if site is None:
        return None
    data = {"rows": rows, "format": file_format, "filters": sorted(set(filters)), **extra}
    with transaction.atomic():
        return log(instance=site, action=EXPORT_ACTION, user=user, data=data)
