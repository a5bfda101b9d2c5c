"""Preview and import a file: the two steps every door (admin, task, command) goes through.

``preview_file()`` reads and checks every row and plans the import without writing anything.
``import_file()`` does the same inside one transaction and, if no row has an error, writes it
all; any error (a row, the database) leaves nothing behind. Both return a report, a plain dict
(stored on the :class:`~wagtail_guests.models.ImportJob`, shown by the admin and the command).
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from ..permissions import require
from ..utils import collector_paused
from .plan import make_plan
from .reading import ImportFileError, open_table
from .rows import read_records
from .writer import Writer

#: How many row errors and duplicates a report lists (all are counted).
LISTED = 500
#: How many rows the preview shows as read, and which of their fields.
SAMPLE = 5
SAMPLE_FIELDS = ("first_name", "last_name", "email", "phone", "city", "country", "language")
#: Attempts at planning and writing when another request creates one of the new guests.
ATTEMPTS = 3


class ImportAborted(Exception):
    """Nothing was imported: the file or some rows have errors. ``report`` says which."""

    def __init__(self, report: dict):
        super().__init__("The import was not done: the file has errors.")
        self.report = report


def _no_progress(fraction: float, phase: str):
    pass


def empty_report(**extra) -> dict:
    report = {
        "rows": 0,
        "new": 0,
        "updated": 0,
        "unchanged": 0,
        "error_rows": 0,
        "errors": [],
        "file_errors": [],
        "duplicates": [],
        "duplicates_total": 0,
        "consents_given": 0,
        "consents_withdrawn": 0,
        "tags_added": 0,
        "bookings": 0,
        "new_tags": [],
        "columns": [],
        "ignored_columns": [],
        "imported": False,
    }
    report.update(extra)
    return report


def file_error_report(error: ImportFileError, **extra) -> dict:
    return empty_report(file_errors=list(error.messages), **extra)


def build_report(table, columns, rows, row_errors, plan) -> dict:
    errors = sorted([*row_errors, *plan.errors], key=lambda e: e.row)
    targets = plan.targets
    report = empty_report(
        format=table.format,
        encoding=table.encoding,
        delimiter=table.delimiter,
        rows=rows,
        new=plan.count("new"),
        updated=plan.count("updated"),
        unchanged=plan.count("unchanged"),
        error_rows=len({e.row for e in errors}),
        errors=[e.as_dict() for e in errors[:LISTED]],
        errors_total=len(errors),
        file_errors=list(plan.file_errors),
        duplicates=plan.duplicates[:LISTED],
        duplicates_total=len(plan.duplicates),
        consents_given=sum(1 for t in targets for _r, given in t.consents if given),
        consents_withdrawn=sum(1 for t in targets for _r, given in t.consents if not given),
        tags_added=sum(len(t.tags) for t in targets),
        bookings=sum(len(t.bookings) for t in targets),
        new_tags=sorted(plan.new_tags.values()),
        columns=[
            [columns.headers[i], name]
            for name, i in sorted(columns.index.items(), key=lambda x: x[1])
        ],
        ignored_columns=columns.ignored,
    )
    return report


def has_errors(report: dict) -> bool:
    return bool(report["file_errors"] or report["error_rows"])


def _read(path, name, encoding, delimiter, progress, share):
    table = open_table(path, name=name, encoding=encoding, delimiter=delimiter)
    try:
        total = max(table.estimated_rows, 1)
        columns, records, errors, rows = read_records(
            table, on_row=lambda done: progress(share * min(done / total, 1), "reading")
        )
    finally:
        table.close()
    return table, columns, records, errors, rows


@collector_paused()
def preview_file(path, *, name="", encoding="", delimiter="", user=None, progress=None) -> dict:
    """Check ``path`` and say what importing it would do. Writes nothing.

    Raises ``PermissionDenied`` unless ``user`` (None: a command) may import guests.
    """
    require(user, "import")
    progress = progress or _no_progress
    try:
        table, columns, records, errors, rows = _read(
            path, name, encoding, delimiter, progress, 0.9
        )
    except ImportFileError as error:
        return file_error_report(error)
    progress(0.9, "checking")
    plan = make_plan(records, columns, user=user)
    report = build_report(table, columns, rows, errors, plan)
    report["sample"] = sample_rows(records, columns)
    return report


def sample_rows(records, columns) -> list[dict]:
    """The first rows as read, for the preview: wrong accents (a wrong encoding) or values in
    the wrong column show at a glance. Only in the preview's report: the job's report is
    replaced by the import's, which has none."""
    fields = [name for name in SAMPLE_FIELDS if name in columns.index]
    return [
        {
            "row": record.number,
            "cells": [[columns.header_of(name), record.details.get(name, "")] for name in fields],
        }
        for record in records[:SAMPLE]
    ]


@collector_paused()
def import_file(path, *, name="", encoding="", delimiter="", user=None, site=None, progress=None):
    """Import ``path``, all or nothing, and return the report.

    Raises :class:`ImportAborted` (nothing written) if the file or a row has an error.
    """
    require(user, "import")
    progress = progress or _no_progress
    try:
        table, columns, records, errors, rows = _read(
            path, name, encoding, delimiter, progress, 0.4
        )
    except ImportFileError as error:
        raise ImportAborted(file_error_report(error)) from error
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with transaction.atomic():
                plan = make_plan(records, columns, user=user, lock=True)
                report = build_report(table, columns, rows, errors, plan)
                if has_errors(report):
                    raise ImportAborted(report)
                progress(0.4, "writing")
                Writer(
                    plan,
                    file_name=name,
                    user=user,
                    site=site,
                    progress=lambda done, total: progress(0.4 + 0.6 * done / total, "writing"),
                ).write()
        except IntegrityError:
            # Another request created one of these guests (or took a booking reference):
            # plan again, so the import matches what is now in the database.
            if attempt == ATTEMPTS:
                raise
            continue
        report["imported"] = True
        return report
    raise AssertionError("unreachable")  # pragma: no cover


__all__ = [
    "ImportAborted",
    "ImportFileError",
    "PermissionDenied",
    "has_errors",
    "import_file",
    "preview_file",
]
