"""From a file's rows to checked records: the column mapping and each row's validation, done by
:class:`~wagtail_guests.resources.GuestImportResource`. Nothing here touches the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from django.utils.translation import gettext as _

from ..actions.guests import DETAIL_FIELDS
from ..identity import Identity, normalise_email, normalise_name
from ..resources import COLUMNS_BY_FIELD, REQUIRED_FIELDS, GuestImportResource, field_for_header
from .reading import ImportFileError, Table

#: The guest fields a row may supply, in the shape ``actions.guests.clean_details`` returns.
GUEST_FIELDS = DETAIL_FIELDS


@dataclass(slots=True)
class Record:
    """One valid row, ready for the identity rule."""

    number: int
    details: dict
    identity: Identity
    consent: bool | None = None
    tags: tuple = ()
    arrival: object = None
    departure: object = None
    reference: str = ""
    notes: str = ""
    first_contact: object = None


@dataclass
class RowError:
    row: int
    column: str  # the header as written in the file ("" for the whole row)
    message: str

    def as_dict(self):
        return {"row": self.row, "column": self.column, "message": self.message}


@dataclass
class Columns:
    """How a file's headers map to fields."""

    headers: list[str]
    index: dict[str, int]  # field -> position in a row
    ignored: list[str] = field(default_factory=list)

    def header_of(self, field_name: str) -> str:
        position = self.index.get(field_name)
        if position is None:
            return COLUMNS_BY_FIELD[field_name].en if field_name in COLUMNS_BY_FIELD else ""
        return self.headers[position]


def map_columns(headers: list[str]) -> Columns:
    """Match headers to fields; raise :class:`ImportFileError` for a missing or doubled column."""
    index, ignored, doubled = {}, [], []
    for position, header in enumerate(headers):
        name = field_for_header(header)
        if name is None:
            if str(header).strip():
                ignored.append(str(header).strip())
        elif name in index:
            doubled.append(str(header).strip())
        else:
            index[name] = position
    missing = [name for name in REQUIRED_FIELDS if name not in index]
    if missing:
        names = ", ".join(
            f"“{COLUMNS_BY_FIELD[n].en}” / “{COLUMNS_BY_FIELD[n].fr}”" for n in missing
        )
        raise ImportFileError(
            _(
                "A required column is missing: %(columns)s. The first row of the file must name "
                "the columns, as in the sample file. Columns found: %(found)s."
            )
            % {"columns": names, "found": ", ".join(f"“{h}”" for h in headers if h) or "-"},
            code="missing_column",
        )
    if doubled:
        raise ImportFileError(
            _("These columns appear twice: %(columns)s. Keep only one of each.")
            % {"columns": ", ".join(f"“{h}”" for h in doubled)},
            code="doubled_column",
        )
    return Columns([str(h).strip() for h in headers], index, ignored)


class RowReader:
    """Iterate over a table's rows, yielding :class:`Record` or :class:`RowError` lists."""

    def __init__(self, table: Table):
        self.table = table
        self.columns = map_columns(table.headers)
        self.resource = GuestImportResource()
        self.width = len(table.headers)
        while self.width and not str(table.headers[self.width - 1]).strip():
            self.width -= 1

    def __iter__(self):
        clean_row = self.resource.row_cleaner(self.columns.index)
        width, header_of, record = self.width, self.columns.header_of, self._record
        for number, cells in self.table.rows:
            if len(cells) != width and (
                len(cells) < width or any(str(c).strip() for c in cells[width:])
            ):
                yield self._ragged(number, len(cells))
                continue
            values, errors = clean_row(cells)
            if errors:
                yield [RowError(number, header_of(f), m) for f, m in errors]
                continue
            yield record(number, values)

    def _ragged(self, number: int, count: int) -> list[RowError]:
        return [
            RowError(
                number,
                "",
                _(
                    "This row has %(cells)d cells but the first row names %(columns)d columns: "
                    "check for a missing quote or a separator too many."
                )
                % {"cells": count, "columns": self.width},
            )
        ]

    @staticmethod
    def _record(number: int, values: dict) -> Record:
        # The shape clean_details() gives: known fields, trimmed, non-empty, phone in E.164.
        details = {name: values[name] for name in GUEST_FIELDS if values.get(name)}
        identity = Identity(
            email=normalise_email(details.get("email", "")),
            phone=details.get("phone", ""),
            first_name=_name_key(details.get("first_name", "")),
            last_name=_name_key(details.get("last_name", "")),
        )
        return Record(
            number=number,
            details=details,
            identity=identity,
            consent=values.get("newsletter_consent"),
            tags=values.get("tags") or (),
            arrival=values.get("arrival_date"),
            departure=values.get("departure_date"),
            reference=(values.get("booking_reference") or "").upper(),
            notes=values.get("notes") or "",
            first_contact=values.get("first_contact"),
        )


#: ``normalise_name`` of the names of a file: first and last names repeat on many rows.
_name_key = lru_cache(maxsize=50_000)(normalise_name)


class RecordReader:
    """A table's checked records, read as they are asked for: all at once (a preview), or part
    by part (an import, which writes one part while it reads the next).

    ``on_rows(rows_read)`` is called every ``EVERY`` rows (progress). Reading raises
    ``ImportFileError``.
    """

    EVERY = 500

    def __init__(self, table: Table, on_rows=None):
        reader = RowReader(table)
        self.columns = reader.columns
        self._items = iter(reader)
        self.on_rows = on_rows or (lambda rows: None)
        self.records: list[Record] = []
        self.errors: list[RowError] = []
        self.rows, self.done = 0, False

    def read(self, count: int | None = None):
        """Read ``count`` more rows (``None``: the rest)."""
        while count is None or count > 0:
            item = next(self._items, None)
            if item is None:
                self.done = True
                return
            self.rows += 1
            if isinstance(item, Record):
                self.records.append(item)
            else:
                self.errors.extend(item)
            if self.rows % self.EVERY == 0:
                self.on_rows(self.rows)
            if count is not None:
                count -= 1

    def parts(self, size: int, first: int | None = None):
        """Yield the records ``size`` at a time (the first part: ``first``), reading the file
        as far as each part needs."""
        start, size, rest = 0, first or size, size
        while True:
            if start + size > len(self.records) and not self.done:
                self.read(start + size - len(self.records))
            if start >= len(self.records):
                return
            yield self.records[start : start + size]
            start += size
            size = rest


def read_records(table: Table, on_row=None):
    """Return ``(columns, records, errors, rows)`` for a whole table.

    ``on_row(rows_read)`` is called every 500 rows (progress). Raises ``ImportFileError``.
    """
    reader = RecordReader(table, on_row)
    reader.read()
    return reader.columns, reader.records, reader.errors, reader.rows
