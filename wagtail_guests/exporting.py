"""Exports of the guest list: CSV (streamed), Excel (.xlsx) and the newsletter format.

Public functions, for the guest list's "Export" buttons and bulk actions:

- :func:`export_response(queryset, format, user, filters_description) <export_response>`:
  the guests of ``queryset`` as a download; checks the ``export`` permission and writes the
  audit log.
- :func:`newsletter_export(queryset, user=…) <newsletter_export>`: only the guests who may
  receive the newsletter, in the format Mailchimp and Brevo import; says how many were refused.
- :func:`describe_filters(query_dict) <describe_filters>`: the names of the list's filters in
  use, for the audit log.

Safety: a cell that begins with ``= + - @``, a tab or a line break is written with an
apostrophe in front (OWASP "CSV injection"), so a spreadsheet shows it as text instead of
running it; the importer removes that apostrophe, so an exported file imports back to the same
values (:func:`escape_cell`, ``resources.unescape_cell``). In .xlsx files every cell is a text
cell. Anonymised guests are never exported: they have no details left.
"""

from __future__ import annotations

import contextlib
import csv
import io
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import connections, transaction
from django.db.models import Aggregate, CharField, OuterRef, Subquery
from django.db.models.functions import TruncDate
from django.http import FileResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from .actions.guests import DETAIL_FIELDS
from .importing.audit import log_export
from .models import GuestTag, NewsletterConsent, Tag
from .permissions import require
from .resources import CONSENT_VALUES, FORMULA_TRIGGERS, export_headers
from .utils import chunked

#: Rows fetched (and tags looked up) at a time: memory stays flat however many guests.
CHUNK_SIZE = 2000
#: Headers of the newsletter file: the names Mailchimp matches by itself; Brevo lets you map
#: each column to an attribute (EMAIL, FIRSTNAME, LASTNAME…) when importing.
NEWSLETTER_HEADERS = ["Email Address", "First Name", "Last Name", "Language", "Tags"]
XLSX_MAX_ROWS = 1_048_575
FORMATS = ("csv", "xlsx")
_TRIGGERS = frozenset(FORMULA_TRIGGERS)


class TooManyRowsForExcel(ValueError):
    """An Excel sheet holds at most 1,048,576 rows: export that many guests as CSV."""

    def __init__(self, rows: int):
        super().__init__(rows)
        self.rows = rows

    @property
    def message(self) -> str:
        return _(
            "An Excel file holds at most %(limit)s rows and this list has %(rows)s guests: "
            "export it as CSV, or narrow the list with filters."
        ) % {
            "limit": number_format(XLSX_MAX_ROWS, force_grouping=True),
            "rows": number_format(self.rows, force_grouping=True),
        }


def escape_cell(value: str) -> str:
    """Make a CSV cell spreadsheet-safe: an apostrophe before a leading formula character (and
    before an apostrophe that already precedes one, so the importer's un-escaping is exact)."""
    if value and (
        value[0] in _TRIGGERS or (value[0] == "'" and value.lstrip("'")[:1] in _TRIGGERS)
    ):
        return "'" + value
    return value


def _xlsx_text(value: str) -> str:
    # Text cells are never formulas, so only the apostrophe rule applies (the same un-escaping).
    if value[:1] == "'" and value.lstrip("'")[:1] in _TRIGGERS:
        return "'" + value
    return value


def export_language(language: str | None = None) -> str:
    return "fr" if (language or get_language() or "en").startswith("fr") else "en"


def exportable(queryset):
    return queryset.filter(anonymised_at__isnull=True)


class _JoinedIds(Aggregate):
    """The values of a column joined with commas: ``STRING_AGG`` (PostgreSQL) or
    ``GROUP_CONCAT`` (SQLite)."""

    function = "STRING_AGG"
    template = "%(function)s(CAST(%(expressions)s AS varchar), ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(
            compiler,
            connection,
            function="GROUP_CONCAT",
            template="%(function)s(%(expressions)s, ',')",
            **extra_context,
        )


def _tag_ids():
    """A guest's tag ids as "3,7", read with the guest (no query per chunk of guests)."""
    links = GuestTag.objects.filter(guest_id=OuterRef("pk")).order_by().values("guest_id")
    return Subquery(links.annotate(ids=_JoinedIds("tag_id")).values("ids"))


def _tag_labels() -> dict:
    return {str(tag.pk): tag.label for tag in Tag.objects.all()}


def _tag_names(tag_ids: str | None, labels: dict) -> str:
    """Tag ids as "3,7" -> their names as "Regular, VIP", sorted."""
    return ", ".join(sorted(labels.get(pk, "") for pk in tag_ids.split(","))) if tag_ids else ""


def _reading(queryset):
    """On PostgreSQL, read inside a transaction: the server-side cursor then streams the rows
    instead of first copying them all (a cursor ``WITH HOLD``). Not on SQLite, where a
    transaction would hold the write lock for the whole download."""
    if connections[queryset.db].vendor == "postgresql":
        return transaction.atomic(using=queryset.db)
    return contextlib.nullcontext()


def guest_rows(queryset, language: str = "en") -> Iterator[list[str]]:
    """The export rows of ``queryset`` (columns :data:`~wagtail_guests.resources.EXPORT_FIELDS`),
    read ``CHUNK_SIZE`` guests at a time, each with its tags."""
    labels = _tag_labels()
    yes, no = CONSENT_VALUES[language]
    consent = {NewsletterConsent.GIVEN: yes, NewsletterConsent.WITHDRAWN: no}
    tz = timezone.get_current_timezone()
    rows = (
        exportable(queryset)
        .prefetch_related(None)
        .annotate(
            export_tags=_tag_ids(),
            export_first_contact=TruncDate("first_contact_at", tzinfo=tz),
        )
        .values_list(*DETAIL_FIELDS, "newsletter_consent", "export_tags", "export_first_contact")
    )
    with _reading(rows):
        for *values, state, tag_ids, first_contact in rows.iterator(chunk_size=CHUNK_SIZE):
            yield [
                *values,
                consent.get(state, ""),
                _tag_names(tag_ids, labels),
                first_contact.isoformat() if first_contact else "",
            ]


def csv_stream(headers, rows: Iterable[list[str]], *, delimiter=",", bom=True) -> Iterator[bytes]:
    """CSV bytes, a chunk of rows at a time, each cell made spreadsheet-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow(headers)
    first = buffer.getvalue()
    buffer.seek(0)
    buffer.truncate()
    yield (("\ufeff" if bom else "") + first).encode()
    triggers = _TRIGGERS
    for chunk in chunked(rows, CHUNK_SIZE):
        # escape_cell() inlined: this runs for every cell of a million guests.
        writer.writerows(
            [
                "'" + cell
                if cell
                and (cell[0] in triggers or (cell[0] == "'" and cell.lstrip("'")[:1] in triggers))
                else cell
                for cell in row
            ]
            for row in chunk
        )
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()


def write_xlsx(headers, rows: Iterable[list[str]], handle, title: str = "Guests"):
    """Write an .xlsx workbook (openpyxl's write-only mode) where every cell is text."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title)

    def cell(value):
        value = ILLEGAL_CHARACTERS_RE.sub("", _xlsx_text(value))
        item = WriteOnlyCell(sheet, value=value)
        item.data_type = "s"  # text: never a formula, a number or a date
        return item

    sheet.append([cell(h) for h in headers])
    for count, row in enumerate(rows, 1):
        if count > XLSX_MAX_ROWS:
            raise ValueError("Too many rows for an Excel sheet.")
        sheet.append([cell(value) for value in row])
    workbook.save(handle)


def _filename(stem: str, extension: str) -> str:
    return f"{stem}-{timezone.localdate().isoformat()}.{extension}"


def file_response(headers, rows, file_format: str, *, stem="guests", delimiter=",", bom=True):
    """A download of ``rows``: streamed for CSV; built in a temporary file for XLSX."""
    if file_format == "xlsx":
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(headers, rows, handle)
        handle.seek(0)
        return FileResponse(
            handle,
            as_attachment=True,
            filename=_filename(stem, "xlsx"),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
    response = StreamingHttpResponse(
        csv_stream(headers, rows, delimiter=delimiter, bom=bom),
        content_type="text/csv; charset=utf-8",
    )
    response["Content-Disposition"] = f'attachment; filename="{_filename(stem, "csv")}"'
    return response


def export_response(
    queryset, format="csv", user=None, filters_description=(), *, site=None, language=None
):
    """Download the guests of ``queryset`` (the list's filtered/searched queryset, or a bulk
    selection) as ``"csv"`` or ``"xlsx"``.

    Raises ``PermissionDenied`` unless ``user`` may export guests (``None``: a command).
    ``filters_description``: the names of the filters used (see :func:`describe_filters`),
    kept in the audit log with the number of rows. French users get French headers and a
    semicolon-separated CSV (what Excel expects in France).
    """
    require(user, "export")
    if format not in FORMATS:
        raise ValueError(f"Unknown export format {format!r}")
    language = export_language(language)
    queryset = exportable(queryset)
    rows = queryset.count()
    if format == "xlsx" and rows > XLSX_MAX_ROWS:
        raise TooManyRowsForExcel(rows)
    log_export(user=user, site=site, rows=rows, file_format=format, filters=filters_description)
    return file_response(
        export_headers(language),
        guest_rows(queryset, language),
        format,
        delimiter=";" if language == "fr" else ",",
    )


def newsletter_queryset(queryset):
    """The guests of ``queryset`` the newsletter may go to: consent given (and current), not
    unsubscribed, not anonymised, with an email address that does not bounce."""
    return queryset.filter(
        newsletter_consent=NewsletterConsent.GIVEN,
        unsubscribed_at__isnull=True,
        anonymised_at__isnull=True,
        email_undeliverable_at__isnull=True,
    ).exclude(email="")


@dataclass
class NewsletterExport:
    response: object
    exported: int
    refused: int

    @property
    def message(self) -> str:
        return newsletter_refusal_message(self.refused)


def newsletter_refusal_message(refused: int) -> str:
    if not refused:
        return ""
    return ngettext(
        "%(count)d guest was left out: no newsletter consent, unsubscribed, or no working "
        "email address.",
        "%(count)d guests were left out: no newsletter consent, unsubscribed, or no working "
        "email address.",
        refused,
    ) % {"count": refused}


def newsletter_rows(queryset) -> Iterator[list[str]]:
    labels = _tag_labels()
    rows = (
        newsletter_queryset(queryset)
        .prefetch_related(None)
        .annotate(export_tags=_tag_ids())
        .values_list("email", "first_name", "last_name", "language", "export_tags")
        .order_by("pk")
    )
    with _reading(rows):
        for *values, tag_ids in rows.iterator(chunk_size=CHUNK_SIZE):
            yield [*values, _tag_names(tag_ids, labels)]


def newsletter_export(queryset, user=None, filters_description=(), *, site=None):
    """The "newsletter export" and the "transfer to subscriber list" bulk action: a UTF-8,
    comma-separated CSV of email, first name, last name, language and tags, for Mailchimp or
    Brevo, with only the guests :func:`newsletter_queryset` allows.

    Returns a :class:`NewsletterExport` (``response``, ``exported``, ``refused`` and a
    ``message`` saying how many guests were refused). Requires the ``export`` permission.
    """
    require(user, "export")
    selected = queryset.count()
    exported = newsletter_queryset(queryset).count()
    log_export(
        user=user,
        site=site,
        rows=exported,
        file_format="csv",
        filters=filters_description,
        newsletter=True,
        refused=selected - exported,
    )
    response = file_response(
        NEWSLETTER_HEADERS, newsletter_rows(queryset), "csv", stem="newsletter", bom=False
    )
    return NewsletterExport(response, exported, selected - exported)


def describe_filters(query_dict) -> list[str]:
    """The names of the guest list's filters set in ``query_dict`` (``request.GET``): "language",
    "tags", "arrival"…, and "search" for a search. Names only, never the values."""
    from .filters import GuestFilterSet

    names = set()
    for name in GuestFilterSet.base_filters:
        keys = [name, f"{name}_from", f"{name}_to", f"{name}_after", f"{name}_before"]
        if any(query_dict.get(key) for key in keys):
            names.add(name)
    if query_dict.get("q"):
        names.add("search")
    return sorted(names)


__all__ = [
    "NewsletterExport",
    "TooManyRowsForExcel",
    "describe_filters",
    "escape_cell",
    "export_response",
    "newsletter_export",
    "newsletter_queryset",
]
