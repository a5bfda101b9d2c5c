"""The life of an :class:`~wagtail_guests.models.ImportJob`: upload, check, confirm, import.

Views, tasks and the command call these; the work itself is in :mod:`.engine`.
"""

from __future__ import annotations

import logging
import os
import time

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log

from ..conf import guests_settings
from ..models import ImportJob, ImportStatus
from . import storage
from .audit import IMPORT_ACTION
from .engine import ImportAborted, has_errors, import_file, preview_file
from .reading import check_limits, check_size, detect_format

logger = logging.getLogger(__name__)

#: The figures an audit log entry keeps (counts only: no name, no file name).
LOGGED = (
    "rows",
    "new",
    "updated",
    "unchanged",
    "duplicates_total",
    "consents_given",
    "consents_withdrawn",
    "tags_added",
    "bookings",
)


def create_job(uploaded_file, *, user=None, encoding="", delimiter="") -> ImportJob:
    """Store an upload and check its limits (size, rows) before anything parses it.

    Raises ``ImportFileError`` (the file is deleted) when a limit is passed or the file is not
    a CSV or XLSX file. Abandoned uploads of earlier imports are cleaned up first.
    """
    storage.cleanup()
    check_size(uploaded_file.size)
    stored_name = storage.save_upload(uploaded_file)
    path = str(storage.path_of(stored_name))
    try:
        rows = check_limits(path, detect_format(path, uploaded_file.name))
    except Exception:
        storage.delete(stored_name)
        raise
    return ImportJob.objects.create(
        user=user,
        file_name=os.path.basename(uploaded_file.name or "")[:255] or "import.csv",
        stored_name=stored_name,
        encoding=encoding,
        delimiter=delimiter,
        report={"estimated_rows": rows},
    )


def runs_in_background(job: ImportJob) -> bool:
    return (job.report or {}).get("estimated_rows", 0) > guests_settings.IMPORT_BACKGROUND_ROWS


class Progress:
    """Write a job's progress at most once a second.

    During the import's transaction the job row is updated through a second connection on
    PostgreSQL (the admin sees it move); SQLite allows one writer, so it waits for the end.
    """

    def __init__(self, job: ImportJob):
        self.job, self.last, self.side = job, 0.0, None

    def __call__(self, fraction: float, phase: str = ""):
        now = time.monotonic()
        if now - self.last < 1:
            return
        self.last = now
        percent = max(0, min(int(fraction * 100), 99))
        if not connection.in_atomic_block:
            ImportJob.objects.filter(pk=self.job.pk).update(progress=percent)
        elif connection.vendor == "postgresql":
            self._side_update(percent)

    def _side_update(self, percent: int):
        if self.side is None:
            main = connections[DEFAULT_DB_ALIAS]
            self.side = type(main)(main.settings_dict.copy(), "wagtail_guests_progress")
        table = ImportJob._meta.db_table
        with self.side.cursor() as cursor:  # autocommit; never waits for a locked row
            cursor.execute(
                f"UPDATE {table} SET progress = %s WHERE id = "  # noqa: S608 (our table name)
                f"(SELECT id FROM {table} WHERE id = %s FOR UPDATE SKIP LOCKED)",
                [percent, self.job.pk],
            )

    def close(self):
        if self.side is not None:
            self.side.close()
            self.side = None


def _finish(job: ImportJob, status: str, **fields):
    job.status, job.finished_at = status, timezone.now()
    for name, value in fields.items():
        setattr(job, name, value)
    job.progress = 100
    job.save()


def run_preview(job: ImportJob) -> ImportJob:
    """Check the job's file and store the report (status "checked")."""
    progress = Progress(job)
    try:
        report = preview_file(
            str(storage.path_of(job.stored_name)),
            name=job.file_name,
            encoding=job.encoding,
            delimiter=job.delimiter,
            user=job.user,
            progress=progress,
        )
    except Exception:
        logger.exception("Checking import #%s failed", job.pk)
        storage.delete(job.stored_name)
        _finish(job, ImportStatus.FAILED, stored_name="", error=_("The file could not be checked."))
        return job
    finally:
        progress.close()
    report["estimated_rows"] = (job.report or {}).get("estimated_rows", 0)
    job.report, job.status, job.progress = report, ImportStatus.READY, 100
    if has_errors(report):
        storage.delete(job.stored_name)  # nothing to confirm: the file must be fixed first
        job.stored_name = ""
    job.save()
    return job


def claim(job: ImportJob) -> bool:
    """Move a checked job to "importing", once: a second click or request gets False."""
    claimed = (
        ImportJob.objects.filter(pk=job.pk, status=ImportStatus.READY, stored_name=job.stored_name)
        .exclude(stored_name="")
        .update(status=ImportStatus.IMPORTING, progress=0)
    )
    if claimed:
        job.status, job.progress = ImportStatus.IMPORTING, 0
    return bool(claimed)


def run_import(job: ImportJob, site=None) -> ImportJob:
    """Import a claimed job's file, all or nothing; delete the file; log the import."""
    progress = Progress(job)
    try:
        report = import_file(
            str(storage.path_of(job.stored_name)),
            name=job.file_name,
            encoding=job.encoding,
            delimiter=job.delimiter,
            user=job.user,
            site=site,
            progress=progress,
        )
    except ImportAborted as aborted:
        status, fields = ImportStatus.FAILED, {"report": aborted.report}
        fields["error"] = _("The file has errors. Nothing was imported.")
    except Exception:
        logger.exception("Import #%s failed", job.pk)
        status, fields = ImportStatus.FAILED, {}
        fields["error"] = _("The import failed because of a database error. Nothing was imported.")
    else:
        status, fields = ImportStatus.DONE, {"report": report}
    finally:
        progress.close()
        storage.delete(job.stored_name)
    _finish(job, status, stored_name="", **fields)
    if status == ImportStatus.DONE:
        log_import(job)
    return job


def cancel(job: ImportJob) -> bool:
    report = {k: v for k, v in (job.report or {}).items() if k != "sample"}  # names: gone
    cancelled = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportStatus.CHECKING, ImportStatus.READY]
    ).update(
        status=ImportStatus.CANCELLED, stored_name="", finished_at=timezone.now(), report=report
    )
    storage.delete(job.stored_name)
    return bool(cancelled)


def log_import(job: ImportJob):
    report = job.report or {}
    data = {name: report.get(name, 0) for name in LOGGED}
    data["format"] = report.get("format", "")
    with transaction.atomic():
        log(instance=job, action=IMPORT_ACTION, user=job.user, data=data)
