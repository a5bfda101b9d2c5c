"""Reading import files as they come from real tools: CSV in any usual encoding and delimiter,
and Excel workbooks (.xlsx).

- Encodings: UTF-8 with or without BOM, UTF-16 with BOM (Excel's "Unicode text"), else
  Windows-1252 (Excel on Windows; a superset of Latin-1's printable characters), else Latin-1.
  A chosen encoding is checked over the whole file first, with a clear message if it is wrong.
- Delimiters: comma, semicolon or tab, detected on the header line unless chosen.
- Quoted cells may hold delimiters and newlines (Python's ``csv`` module).
- Limits (:func:`check_limits`) are checked before any row is read: the file size, and the
  number of rows counted cheaply (newlines in a CSV, the sheet's dimension in a workbook).
  A cell with newlines counts as several lines there; rows are counted again while reading.
"""

from __future__ import annotations

import codecs
import csv
import datetime
import math
import os
from collections.abc import Iterator
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ..conf import guests_settings

ENCODINGS = {
    "utf-8": gettext_lazy("UTF-8 (most tools, Excel “CSV UTF-8”)"),
    "cp1252": gettext_lazy("Windows-1252 (Excel “CSV” on Windows)"),
    "latin-1": gettext_lazy("ISO-8859-1 (Latin-1)"),
    "mac-roman": gettext_lazy("Mac Roman (old Excel for Mac)"),
    "utf-16": gettext_lazy("UTF-16 (Excel “Unicode text”)"),
}
DELIMITERS = {
    ",": gettext_lazy("Comma ( , )"),
    ";": gettext_lazy("Semicolon ( ; )"),
    "\t": gettext_lazy("Tab"),
}
_CHUNK = 1 << 20
_XLSX_MAGIC = b"PK\x03\x04"
_XLS_MAGIC = b"\xd0\xcf\x11\xe0"


class ImportFileError(ValidationError):
    """The file cannot be read: too big, too many rows, wrong encoding, not a CSV or XLSX…

    A ``ValidationError``, so a form shows it like any other error.
    """


MEGABYTE = 1024 * 1024


def _bytes_label(size: int) -> str:
    # Rounded up to a tenth: a file just over the limit never shows the limit's own figure.
    return _("%(size)s MB") % {"size": number_format(math.ceil(size * 10 / MEGABYTE) / 10, 1)}


def check_size(size: int):
    limit = guests_settings.IMPORT_MAX_BYTES
    if size > limit:
        raise ImportFileError(
            _(
                "This file is too big (%(size)s). The limit is %(limit)s: split the file in "
                "several parts and import them one after the other."
            )
            % {"size": _bytes_label(size), "limit": _bytes_label(limit)},
            code="too_big",
        )


def check_row_count(rows: int):
    limit = guests_settings.IMPORT_MAX_ROWS
    if rows > limit:
        raise ImportFileError(
            _(
                "This file has more than %(limit)s rows. Split it in several files of at most "
                "%(limit)s rows and import them one after the other."
            )
            % {"limit": number_format(limit, force_grouping=True)},
            code="too_many_rows",
        )


def detect_format(path: str, name: str = "") -> str:
    """ "csv" or "xlsx", from the file's first bytes; refuses old .xls and binary files."""
    with open(path, "rb") as handle:
        head = handle.read(4096)
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_XLS_MAGIC) or name.lower().endswith(".xls"):
        raise ImportFileError(
            _(
                "This is an old Excel file (.xls). In Excel, use “Save as” and choose "
                "“Excel workbook (.xlsx)” or “CSV”, then import that file."
            ),
            code="xls",
        )
    if b"\x00" in head and not head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError(
            _("This file is neither a CSV file nor an Excel workbook (.xlsx)."), code="binary"
        )
    return "csv"


def count_lines(path: str) -> int:
    """Lines in a text file, counted on the bytes (no decoding, no parsing). A file with no
    line feed at all has its lines ended by carriage returns alone (old Excel for Mac)."""
    newlines, returns, last = 0, 0, b"\n"
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            newlines += chunk.count(b"\n")
            returns += chunk.count(b"\r")
            last = chunk[-1:]
    return (newlines or returns) + (last not in (b"\n", b"\r"))


def _decodes(path: str, encoding: str) -> bool:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        with open(path, "rb") as handle:
            while chunk := handle.read(_CHUNK):
                decoder.decode(chunk)
        decoder.decode(b"", final=True)
    except (UnicodeDecodeError, ValueError):
        return False
    return True


def detect_encoding(path: str) -> str:
    with open(path, "rb") as handle:
        head = handle.read(4)
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if _decodes(path, "utf-8"):
        return "utf-8"
    return "cp1252" if _decodes(path, "cp1252") else "latin-1"


def check_encoding(path: str, encoding: str) -> str:
    """The codec to read the file with, for a chosen ``encoding`` (checked) or "" (detected)."""
    if not encoding:
        return detect_encoding(path)
    if encoding == "utf-8":
        encoding = "utf-8-sig"  # reads files with and without a BOM
    if not _decodes(path, encoding):
        label = ENCODINGS.get(encoding.replace("-sig", ""), encoding)
        raise ImportFileError(
            _(
                "This file is not written in %(encoding)s: accents would come out wrong. Choose "
                "“Automatic” or another encoding (often Windows-1252 for Excel on Windows)."
            )
            % {"encoding": label},
            code="encoding",
        )
    return encoding


def sniff_delimiter(header_line: str) -> str:
    """The delimiter of a CSV file from its header line: the most frequent of , ; and tab
    outside quotes (a comma on a tie or when there is none)."""
    counts, quoted = dict.fromkeys(DELIMITERS, 0), False
    for char in header_line:
        if char == '"':
            quoted = not quoted
        elif not quoted and char in counts:
            counts[char] += 1
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


@dataclass
class Table:
    """An open file: its headers, and its rows as ``(row_number, cells)``.

    Row numbers are a spreadsheet's: the header is row 1. Empty rows are skipped.
    """

    format: str
    headers: list[str]
    rows: Iterator[tuple[int, list]]
    encoding: str = ""
    delimiter: str = ""
    estimated_rows: int = 0
    _close: list = field(default_factory=list, repr=False)

    def close(self):
        for close in self._close:
            close()
        self._close.clear()


def check_limits(path: str, file_format: str) -> int:
    """Check the file size and the (cheaply counted) number of rows; return that number."""
    check_size(os.path.getsize(path))
    rows = _xlsx_dimension_rows(path) if file_format == "xlsx" else max(count_lines(path) - 1, 0)
    check_row_count(rows)
    return rows


def open_table(path: str, *, name: str = "", encoding: str = "", delimiter: str = "") -> Table:
    """Check the limits, then open ``path`` (CSV or XLSX) for reading its rows."""
    file_format = detect_format(path, name)
    estimated = check_limits(path, file_format)
    if file_format == "xlsx":
        table = _open_xlsx(path)
    else:
        table = _open_csv(path, check_encoding(path, encoding), delimiter)
    table.estimated_rows = estimated
    return table


def _limited(rows):
    limit = guests_settings.IMPORT_MAX_ROWS
    for count, row in enumerate(rows, 1):
        if count > limit:
            check_row_count(count)
        yield row


def _open_csv(path: str, encoding: str, delimiter: str) -> Table:
    handle = open(path, encoding=encoding, newline="")  # noqa: SIM115 (closed by Table.close)
    try:
        first_line = handle.readline()
        delimiter = delimiter or sniff_delimiter(first_line)
        handle.seek(0)
        reader = csv.reader(handle, delimiter=delimiter)
        headers = next(reader, [])
    except (csv.Error, UnicodeError) as error:
        handle.close()
        raise _csv_error(error, 1) from error
    if not any(h.strip() for h in headers):
        handle.close()
        raise ImportFileError(_("The file is empty: the first row must name the columns."))

    def rows():
        number = 1
        try:
            for cells in reader:
                number += 1
                if any(cells):
                    yield number, cells
        except csv.Error as error:
            raise _csv_error(error, number + 1) from error

    return Table(
        "csv",
        headers,
        _limited(rows()),
        encoding.replace("-sig", ""),
        delimiter,
        _close=[handle.close],
    )


def _csv_error(error, row: int) -> ImportFileError:
    return ImportFileError(
        _(
            'The file cannot be read near row %(row)s: a quote (") is probably not closed. '
            "Open the file in a spreadsheet, check that row and save it again as CSV."
        )
        % {"row": row},
        code="csv",
    )


def _xlsx_dimension_rows(path: str) -> int:
    workbook = _load_workbook(path)
    try:
        sheet = workbook.active
        return max((sheet.max_row or 1) - 1, 0)
    finally:
        workbook.close()


def _load_workbook(path: str):
    import zipfile

    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise ImportFileError(
            _("This Excel file cannot be read. Open it in Excel and save it again as .xlsx."),
            code="xlsx",
        ) from error


def _cell(value):
    if value is None:
        return ""
    if isinstance(value, datetime.datetime):
        return value.date() if value.time() == datetime.time(0) else value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return str(value)
    return value


def _open_xlsx(path: str) -> Table:
    workbook = _load_workbook(path)
    sheet = workbook.active
    rows = sheet.iter_rows(values_only=True)
    headers, number = [], 0
    for number, values in enumerate(rows, 1):  # noqa: B007 (the header's row number is used)
        if any(v not in (None, "") for v in values):
            headers = [str(_cell(v)).strip() for v in values]
            break
    while headers and not headers[-1]:
        headers.pop()
    if not headers:
        workbook.close()
        raise ImportFileError(_("The file is empty: the first row must name the columns."))

    def body():
        for row_number, values in enumerate(rows, number + 1):
            cells = [_cell(v) for v in values]
            while cells and cells[-1] == "":
                cells.pop()
            if cells:  # a sheet has no "missing cells": pad the row to the header's width
                yield row_number, cells + [""] * (len(headers) - len(cells))

    return Table("xlsx", headers, _limited(body()), _close=[workbook.close])
