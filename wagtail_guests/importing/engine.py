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
from .plan import Planner, make_plan
from .reading import ImportFileError, open_table
from .rows import RecordReader, read_records
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


@collector_paused()
def preview_file(path, *, name="", encoding="", delimiter="", user=None, progress=None) -> dict:
    """Check ``path`` and say what importing it would do. Writes nothing.

    Raises ``PermissionDenied`` unless ``user`` (None: a command) may import guests.
    """
    require(user, "import")
    progress = progress or _no_progress
    try:
        table = open_table(path, name=name, encoding=encoding, delimiter=delimiter)
        try:
            total = max(table.estimated_rows, 1)
            columns, records, errors, rows = read_records(
                table, on_row=lambda done: progress(0.9 * min(done / total, 1), "reading")
            )
        finally:
            table.close()
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


class _Pump:
    """Keeps the insert under way fed (``bulk.start_insert``) while Python reads and plans."""

    insert = None

    def __call__(self):
        if self.insert is not None:
            self.insert.pump()

    def finish(self):
        """Wait for the insert under way, if any, to end (before any other query)."""
        insert, self.insert = self.insert, None
        if insert is not None:
            insert.finish()


def _plan_and_write(source: RecordReader, writer: Writer, planner: Planner, pump: _Pump, then):
    """Plan the records part by part, writing each part's new guests while the next part is
    read and planned (on PostgreSQL the database inserts them meanwhile, fed by ``pump``, which
    reading and planning call). Returns the plan, the new guests that later rows changed (by
    id), and what ``then(plan)`` returns.

    The database waits for Python as little as it can: a part's lookups are built
    while the previous part's guests are inserted, and run before the next insert starts; the
    rows' tags and bookings (``Planner.finish``), then ``then(plan)`` (the report), are done
    while the last part's guests are inserted. Once a row has an error, nothing more is
    written (the transaction is rolled back), but every row is still read and planned, for
    the report."""
    changed = {}
    parts = source.parts(PART, first=FIRST_PART)
    ahead = next(parts, None)
    if ahead is not None:
        planner.look_up(ahead)
    try:
        while ahead is not None:
            created, rewritten = planner.match(ahead, pump)
            changed.update(rewritten)
            for record in ahead:
                # Its fields are its guest's now (a large import's memory).
                record.details = record.identity = None
            ahead = next(parts, None)
            look_up = planner.prepare_look_up(ahead) if ahead is not None else None
            pump.finish()
            if look_up is not None:
                planner.run_look_up(look_up)
            else:
                planner.read_for_finish(source.records)
            if created and not (source.errors or planner.plan.errors):
                pump.insert = writer.start_guests(created)
                planner.written(created)
        plan = planner.finish(source.records, pump)
        done = then(plan)
        pump.finish()
    except BaseException as error:
        if pump.insert is not None:
            pump.insert.abandon(error)
        raise
    return plan, changed, done


#: Rows planned at a time by an import, whose new guests are written while the next are; the
#: first part is smaller, the database having nothing to do until it is planned.
PART = 10_000
FIRST_PART = 2_000


@collector_paused()
def import_file(path, *, name="", encoding="", delimiter="", user=None, site=None, progress=None):
    """Import ``path``, all or nothing, and return the report.

    Raises :class:`ImportAborted` (nothing written) if the file or a row has an error.
    """
    require(user, "import")
    progress = progress or _no_progress
    for attempt in range(1, ATTEMPTS + 1):
        try:
            return _import(path, name, encoding, delimiter, user, site, progress)
        except IntegrityError:
            # Another request created one of these guests (or took a booking reference):
            # read and plan again, so the import matches what is now in the database.
            if attempt == ATTEMPTS:
                raise
    raise AssertionError("unreachable")  # pragma: no cover


def _import(path, name, encoding, delimiter, user, site, progress) -> dict:
    try:
        table = open_table(path, name=name, encoding=encoding, delimiter=delimiter)
        try:
            pump, total = _Pump(), max(table.estimated_rows, 1)

            def on_rows(rows):
                pump()
                progress(0.6 * min(rows / total, 1), "reading")

            source = RecordReader(table, on_rows)
            with transaction.atomic():
                planner = Planner(source.columns, user=user, lock=True)
                writer = Writer(
                    planner.plan,
                    file_name=name,
                    user=user,
                    site=site,
                    progress=lambda done, total: progress(0.6 + 0.4 * done / total, "writing"),
                )
                plan, changed, report = _plan_and_write(
                    source,
                    writer,
                    planner,
                    pump,
                    then=lambda plan: build_report(
                        table, source.columns, source.rows, source.errors, plan
                    ),
                )
                # The rows and the planner's indexes of their keys have done their work: their
                # memory goes to the rows written next (a large import's peak).
                source.records = planner = None
                if has_errors(report):
                    raise ImportAborted(report)
                progress(0.6, "writing")
                writer.write(changed.values())
        finally:
            table.close()
    except ImportFileError as error:
        raise ImportAborted(file_error_report(error)) from error
    report["imported"] = True
    return report


__all__ = [
    "ImportAborted",
    "ImportFileError",
    "PermissionDenied",
    "has_errors",
    "import_file",
    "preview_file",
]
