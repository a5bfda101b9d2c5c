"""``manage.py guests_import FILE``: import guests from a CSV or XLSX file, all or nothing.

    manage.py guests_import clients.csv --dry-run          # the preview: writes nothing
    manage.py guests_import clients.csv                    # the import
    manage.py guests_import clients.csv --encoding cp1252 --delimiter ";"
    manage.py guests_import --cleanup                      # delete abandoned admin uploads

The same checks, rules and report as the admin import. Exits with status 1 (and imports
nothing) when the file or a row has an error.
"""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from ...importing import storage
from ...importing.engine import ImportAborted, has_errors, import_file, preview_file
from ...importing.jobs import log_import
from ...importing.reading import DELIMITERS, ENCODINGS
from ...models import ImportJob, ImportStatus

DELIMITER_NAMES = {"comma": ",", "semicolon": ";", "tab": "\t", **{d: d for d in DELIMITERS}}


def report_lines(report: dict) -> list[str]:
    """The report as text, as the admin shows it."""
    lines = [f"File error: {message}" for message in report.get("file_errors", [])]
    if report.get("rows"):
        lines.append(
            "Rows read: {rows}; new guests: {new}; updated: {updated}; unchanged: {unchanged}; "
            "rows with errors: {error_rows}; duplicate rows: {duplicates_total}".format(**report)
        )
        lines.append(
            "Consents given: {consents_given}; withdrawn: {consents_withdrawn}; tags added: "
            "{tags_added}; bookings added: {bookings}".format(**report)
        )
    if report.get("new_tags"):
        lines.append("New tags: " + ", ".join(report["new_tags"]))
    if report.get("ignored_columns"):
        lines.append("Columns not imported: " + ", ".join(report["ignored_columns"]))
    for error in report.get("errors", []):
        column = f" [{error['column']}]" if error["column"] else ""
        lines.append(f"Row {error['row']}{column}: {error['message']}")
    if report.get("errors_total", 0) > len(report.get("errors", [])):
        lines.append(f"… {report['errors_total']} errors in all.")
    for duplicate in report.get("duplicates", []):
        differences = ", ".join(duplicate["differences"]) or "-"
        lines.append(
            f"Row {duplicate['row']} is the same guest as row {duplicate['first_row']} "
            f"(by {duplicate['rule']}); different values not imported: {differences}"
        )
    return lines


class Command(BaseCommand):
    help = "Import guests from a CSV or XLSX file (see docs/import-export.md)."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", help="The CSV or XLSX file.")
        parser.add_argument("--dry-run", action="store_true", help="Check and report only.")
        parser.add_argument(
            "--encoding", default="", choices=["", *ENCODINGS], help="Default: detected."
        )
        parser.add_argument(
            "--delimiter", default="", help="comma, semicolon or tab (default: detected)."
        )
        parser.add_argument(
            "--cleanup", action="store_true", help="Delete abandoned uploads of the admin import."
        )

    def handle(self, *args, file=None, dry_run=False, encoding="", delimiter="", **options):
        if options["cleanup"]:
            self.stdout.write(f"Deleted {storage.cleanup()} abandoned upload(s).")
            if not file:
                return
        if not file:
            raise CommandError("Name the file to import.")
        if not os.path.isfile(file):
            raise CommandError(f"No such file: {file}")
        if delimiter and delimiter not in DELIMITER_NAMES:
            raise CommandError("--delimiter must be comma, semicolon or tab.")
        self.last = -1
        kwargs = {
            "name": os.path.basename(file),
            "encoding": encoding,
            "delimiter": DELIMITER_NAMES.get(delimiter, ""),
            "progress": self.progress,
        }
        if dry_run:
            report = preview_file(file, **kwargs)
            self.print_report(report)
            if has_errors(report):
                raise CommandError("The file has errors: nothing would be imported.")
            self.stdout.write(self.style.SUCCESS("Dry run: nothing was written."))
            return
        job = ImportJob.objects.create(
            file_name=kwargs["name"][:255], status=ImportStatus.IMPORTING
        )
        try:
            report = import_file(file, **kwargs)
        except ImportAborted as aborted:
            self._finish(job, ImportStatus.FAILED, aborted.report)
            self.print_report(aborted.report)
            raise CommandError("The file has errors: nothing was imported.") from None
        except Exception:
            self._finish(job, ImportStatus.FAILED, {})
            raise
        self._finish(job, ImportStatus.DONE, report)
        log_import(job)
        self.print_report(report)
        self.stdout.write(self.style.SUCCESS("Import done."))

    @staticmethod
    def _finish(job, status, report):
        job.status, job.report, job.progress = status, report, 100
        job.finished_at = timezone.now()
        job.save()

    def progress(self, fraction: float, phase: str = ""):
        percent = int(fraction * 100) // 10 * 10
        if percent > self.last:
            self.last = percent
            self.stderr.write(f"{percent:3d}% {phase}")

    def print_report(self, report):
        for line in report_lines(report):
            self.stdout.write(line)
