"""Import files waiting for confirmation, and import reports: copies outside the guest's rows.

An uploaded file waits in ``WAGTAIL_GUESTS_IMPORT_TEMP_DIR`` between the preview and the
confirmation (see :mod:`wagtail_guests.importing.storage`). If a guest being anonymised is in
such a file (same email, same phone number, or same first and last name in one row), the file
is deleted and its import cancelled: confirming it would bring the person back. A check or an
import that is running is left to finish (its file is deleted when it ends).

The reports of finished imports quote invalid values ("“x@” is not a valid email address"),
so the guest's email, phone number and full name are replaced by "***" there, and in the
stored file name. The report of a checked import also shows its first rows (the preview's
"sample", one cell per column: the first and last name are separate values there): a sample
with a row naming the guest is removed from the report.
"""

from __future__ import annotations

import json
import logging
import re

import phonenumbers
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..identity import normalise_name
from ..importing import storage
from ..models import ImportJob, ImportStatus
from .bookings import _identifiers, _redact_value, redact
from .registry import PersonalData

logger = logging.getLogger(__name__)
_NON_DIGITS = re.compile(r"\D")
#: Shorter national numbers are not searched for in files (too many false matches).
MIN_PHONE_DIGITS = 6
#: Imports whose file is being read by a task right now.
RUNNING = (ImportStatus.CHECKING, ImportStatus.IMPORTING)


def _national_number(phone: str) -> str:
    try:
        number = str(phonenumbers.parse(phone).national_number)
    except phonenumbers.NumberParseException:
        return ""
    return number if len(number) >= MIN_PHONE_DIGITS else ""


class _Finder:
    """Does a row of an import file name one of the guests? (normalised comparisons)"""

    def __init__(self, guests):
        self.emails, self.phones, self.names = set(), set(), set()
        for guest in guests:
            if guest.email:
                self.emails.add(normalise_name(guest.email))
            if guest.phone and (number := _national_number(guest.phone)):
                self.phones.add(number)
            first, last = normalise_name(guest.first_name), normalise_name(guest.last_name)
            if first and last:
                self.names.add((first, last))

    def __bool__(self):
        return bool(self.emails or self.phones or self.names)

    def matches(self, cells) -> bool:
        values = {normalise_name(str(cell)) for cell in cells if cell not in (None, "")}
        if self.emails & values:
            return True
        if self.phones:
            for value in values:
                digits = _NON_DIGITS.sub("", value)
                if len(digits) >= MIN_PHONE_DIGITS and any(digits.endswith(p) for p in self.phones):
                    return True
        for first, last in self.names:
            if f"{first} {last}" in values or f"{last} {first}" in values:
                return True
            if first in values and last in values:
                return True
        return False


def file_mentions(stored_name: str, finder: _Finder, *, file_name="", encoding="", delimiter=""):
    """Whether a stored import file names one of the finder's guests (True if unreadable:
    a file that cannot be checked is deleted rather than kept)."""
    from ..importing.reading import open_table

    try:
        path = str(storage.path_of(stored_name))
    except ValueError:
        return False
    try:
        table = open_table(path, name=file_name, encoding=encoding, delimiter=delimiter)
    except FileNotFoundError:
        return False
    except Exception:  # a file the importer refuses is no use to anyone
        return True
    try:
        return any(finder.matches(cells) for _number, cells in table.rows)
    except Exception:
        return True
    finally:
        table.close()


class ImportsData(PersonalData):
    key = "imports"
    label = _("Import files")
    models = [ImportJob]
    order = 80
    in_report = False
    erased_description = _("any import file waiting for confirmation that names them")

    def summary(self, guest):
        return []

    def owned(self, guest_ids):
        return []  # import log entries are "Import #12" with counts: nothing about a guest

    def erase(self, guests):
        finder = _Finder(guests)
        self._delete_waiting_files(finder)
        self._redact_reports(guests, finder)

    def _delete_waiting_files(self, finder):
        if not finder:
            return
        waiting = list(
            ImportJob.objects.exclude(stored_name="")
            .exclude(status__in=RUNNING)
            .only("pk", "stored_name", "file_name", "encoding", "delimiter", "status")
        )
        if not waiting:
            return
        found = [
            job
            for job in waiting
            if file_mentions(
                job.stored_name,
                finder,
                file_name=job.file_name,
                encoding=job.encoding,
                delimiter=job.delimiter,
            )
        ]
        if not found:
            return
        jobs = ImportJob.objects.filter(pk__in=[job.pk for job in found])
        jobs.filter(status=ImportStatus.READY).update(
            status=ImportStatus.CANCELLED, finished_at=timezone.now()
        )
        jobs.update(stored_name="")
        names = [job.stored_name for job in found]
        transaction.on_commit(lambda: [storage.delete(name) for name in names])

    def _redact_reports(self, guests, finder):
        terms = [term.lower() for guest in guests for term in _identifiers(guest)]
        if not terms and not finder:
            return
        changed = []
        for job in ImportJob.objects.only("pk", "file_name", "report").iterator():
            dropped = bool(finder) and sample_mentions(job.report, finder)
            if dropped:
                job.report = {k: v for k, v in job.report.items() if k != SAMPLE}
            text = f"{job.file_name} {json.dumps(job.report, ensure_ascii=False)}".lower()
            if any(term in text for term in terms):
                job.file_name = redact(job.file_name, guests)
                job.report = _redact_value(job.report, guests)
            elif not dropped:
                continue
            changed.append(job)
        ImportJob.objects.bulk_update(changed, ["file_name", "report"], batch_size=100)


#: The key of an import report's first rows, shown by the preview (see importing.engine).
SAMPLE = "sample"


def sample_mentions(report, finder: _Finder) -> bool:
    """Whether a row of the report's sample names one of the finder's guests."""
    sample = report.get(SAMPLE) if isinstance(report, dict) else None
    if not isinstance(sample, list):
        return False
    for row in sample:
        cells = row.get("cells") if isinstance(row, dict) else None
        if not isinstance(cells, list):
            continue
        values = [c[-1] if isinstance(c, list | tuple) and c else c for c in cells]
        if finder.matches([v for v in values if isinstance(v, str | int | float)]):
            return True
    return False
