"""The right-of-access report (GDPR Art. 15): everything held about one guest.

:func:`build_report` walks every registered :class:`~.registry.PersonalData` section, so the
JSON file and the printable page always hold the same data, and a section registered later
(emails, a site's own model) appears in both. Other people are never named: on a shared
booking they appear as "another guest".
"""

from __future__ import annotations

import datetime
import json
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from django.utils import formats, timezone
from django.utils.functional import Promise
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .registry import get_personal_data

FORMAT = "wagtail-guests/personal-data"
VERSION = 1
#: Sections with at most this many columns are shown as a table, others as one block per row.
TABLE_COLUMNS = 4

NESTED_LABELS = {"additional_guests": gettext_lazy("Additional guests")}


def build_report(guest) -> dict:
    """The report as a JSON-serialisable dict (dates stay ``date`` objects until encoded)."""
    report = {
        "format": FORMAT,
        "version": VERSION,
        "generated_at": timezone.now(),
        "guest_id": guest.pk,
    }
    for section in get_personal_data():
        if not section.in_report:
            continue
        rows = section.export(guest)
        if getattr(section, "single", False):
            report[section.key] = rows[0] if rows else {}
        else:
            report[section.key] = rows
    return report


def to_json(report: dict) -> str:
    return json.dumps(report, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)


class Pairs(list):
    """(label, value) pairs, shown as a nested definition list on the printable page."""

    is_pairs = True


def _nested_label(key) -> str:
    from ..mail import FIELD_LABELS

    label = FIELD_LABELS.get(key) or NESTED_LABELS.get(key)
    return str(label) if label else str(key)


def display(value):
    """A value of the report as text (or :class:`Pairs` for a mapping) in the reader's locale."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return formats.date_format(value, "DATETIME_FORMAT")
    if isinstance(value, datetime.date):
        return formats.date_format(value, "DATE_FORMAT")
    if isinstance(value, datetime.time):
        return formats.time_format(value, "TIME_FORMAT")
    if isinstance(value, int | float | Decimal):
        return formats.number_format(value)
    if isinstance(value, dict):
        return Pairs((_nested_label(k), display(v)) for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(str(display(v)) for v in value)
    if isinstance(value, Promise):
        return str(value)
    return str(value)


def printable_sections(report: dict) -> list[dict]:
    """The report arranged for the printable page: one entry per section, in order."""
    sections = []
    for section in get_personal_data():
        if not section.in_report:
            continue
        data = report.get(section.key)
        rows = [data] if getattr(section, "single", False) else list(data or [])
        keys = list(section.fields)
        for row in rows:
            keys += [k for k in row if k not in keys]
        columns = [str(section.fields.get(k, capfirst(k.replace("_", " ")))) for k in keys]
        sections.append(
            {
                "key": section.key,
                "title": str(section.label),
                "single": getattr(section, "single", False),
                "as_table": len(keys) <= TABLE_COLUMNS,
                "columns": columns,
                "rows": [
                    [(column, display(row.get(k))) for column, k in zip(columns, keys, strict=True)]
                    for row in rows
                ],
            }
        )
    return sections
