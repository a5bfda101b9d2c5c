"""Fast inserts for the import: ``COPY`` on PostgreSQL, ``executemany`` on SQLite.

An import writes hundreds of thousands of rows (guests, timeline entries, consent records,
tags). Building a model instance per row and going through ``bulk_create`` costs more than the
database's own work, so :func:`insert_rows` takes plain value tuples and streams them:

- PostgreSQL: ``COPY … FROM STDIN`` through psycopg, in the current transaction;
- SQLite: one prepared ``INSERT`` run by ``executemany``;
- other databases: ``bulk_create`` of model instances (slower, same result).

:func:`update_rows` is the same for updates: on PostgreSQL one ``UPDATE … FROM unnest(…)`` for
thousands of rows, elsewhere one prepared ``UPDATE … WHERE id = %s`` per row run by
``executemany``.

Columns left out get the field's default (``auto_now``/``auto_now_add`` and ``timezone.now``
defaults get the import's time), as ``Model.save()`` would. When ids are needed (a new guest's
id for its timeline), they are drawn from the table's sequence first (PostgreSQL) or follow the
table's highest id (SQLite, where the transaction holds the write lock), so the rows go in with
their ids. Database errors come out as Django's (``IntegrityError``…), so the import's retry on
a unique violation works the same.
"""

from __future__ import annotations

import contextlib
import functools
import json
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import connection, models
from django.utils import timezone

from ..utils import chunked


def _is_now(field) -> bool:
    return (
        getattr(field, "auto_now", False)
        or getattr(field, "auto_now_add", False)
        or (field.default is timezone.now)
    )


def _default(field, now):
    if _is_now(field):
        return now
    return field.get_default()


class EncodedJson:
    """A ``JSONField`` value given as JSON text, encoded already (by a caller that writes
    100,000 similar values and encodes them faster than ``json.dumps``)."""

    __slots__ = ("text",)

    def __init__(self, text: str):
        self.text = text


def _as_is(text: str) -> str:
    return text


def _json_adapter(field):
    dumps = functools.partial(json.dumps, cls=field.encoder)
    if connection.vendor == "postgresql":
        from psycopg.types.json import Jsonb

        # Dumped by psycopg, as text or in COPY's binary format alike.
        def adapt(value):
            if value is None:
                return None
            if type(value) is EncodedJson:
                return Jsonb(value.text, dumps=_as_is)
            return Jsonb(value, dumps=dumps)

    elif connection.vendor == "sqlite":

        def adapt(value):
            if value is None:
                return None
            return value.text if type(value) is EncodedJson else dumps(value)

    else:  # bulk_create() encodes the values itself

        def adapt(value):
            return json.loads(value.text) if type(value) is EncodedJson else value

    return adapt


def _adapter(field):
    """A function turning a Python value into what the database driver takes, or None."""
    if isinstance(field, models.JSONField):
        return _json_adapter(field)
    if connection.vendor not in ("postgresql", "sqlite"):
        return None  # bulk_create() adapts the values itself
    naive = connection.vendor == "postgresql" and not settings.USE_TZ
    if naive and isinstance(field, models.DateTimeField):
        # Without USE_TZ, naive times are in settings.TIME_ZONE (Django gives the connection
        # that time zone); COPY's binary format needs them aware.
        zone = timezone.get_default_timezone()
        return lambda value: (
            value if value is None or timezone.is_aware(value) else timezone.make_aware(value, zone)
        )
    if connection.vendor == "sqlite":
        ops = connection.ops
        if isinstance(field, models.DateTimeField):
            return ops.adapt_datetimefield_value
        if isinstance(field, models.DateField):
            return ops.adapt_datefield_value
    return None


def allocate_ids(model, count: int) -> list[int]:
    """``count`` unused primary keys for ``model``'s table, in increasing order."""
    if count == 0:
        return []
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is found once, not once per id (that was most of the time), and
            # the ids come back as one array, not a row each.
            cursor.execute(
                "SELECT array_agg(nextval((SELECT pg_get_serial_sequence(%s, %s)::regclass))) "
                "FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(cursor.fetchone()[0])
        quoted = connection.ops.quote_name(table)
        cursor.execute(f"SELECT MAX({connection.ops.quote_name(column)}) FROM {quoted}")  # noqa: S608
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        highest = max(highest, row[0] if row else 0)
    return list(range(highest + 1, highest + 1 + count))


def insert_rows(model, columns: Sequence[str], rows: Iterable[Sequence], *, now=None) -> int:
    """Insert ``rows`` (value tuples in the order of ``columns``, field attnames such as
    ``guest_id``; include the primary key to give ids) into ``model``'s table.

    Returns the number of rows inserted.
    """
    return start_insert(model, columns, rows, now=now).finish()


def start_insert(model, columns: Sequence[str], rows: Iterable[Sequence], *, now=None):
    """Like :func:`insert_rows`, but on PostgreSQL the database may still be inserting the
    rows when this returns: the caller does other work meanwhile, calling ``pump()`` now and
    then, and must call ``finish()`` (which waits for the database and returns the number of
    rows, or raises its error) before any other query. Elsewhere the rows are inserted here."""
    now = now or timezone.now()
    meta = model._meta
    by_name = {field.attname: field for field in meta.concrete_fields}
    fields = [by_name[name] for name in columns]
    given = set(columns)
    rest = [f for f in meta.concrete_fields if f.attname not in given and not f.primary_key]
    constants = tuple(_adapt(f, _default(f, now)) for f in rest)
    adapters = [(i, a) for i, a in enumerate(map(_adapter, fields)) if a is not None]

    def prepared():
        for row in rows:
            if adapters:
                row = list(row)
                for i, adapt in adapters:
                    row[i] = adapt(row[i])
            yield (*row, *constants)

    all_fields = [*fields, *rest]
    if connection.vendor == "postgresql":
        return _BackgroundCopy(meta.db_table, all_fields, prepared())
    if connection.vendor == "sqlite":
        return _Done(_executemany(meta.db_table, all_fields, prepared()))
    return _Done(_bulk_create(model, all_fields, prepared()))


def update_rows(model, columns: Sequence[str], rows: Iterable[Sequence]) -> int:
    """Set ``columns`` (field attnames) of the rows of ``model``'s table whose primary key is
    each row's first value: ``rows`` are tuples ``(pk, *values)``. A ``None`` value leaves that
    column of that row as it is, so rows that change different columns share one statement.

    PostgreSQL: one ``UPDATE … FROM unnest(…)`` per ``UPDATE_BATCH`` rows, the values passed
    as one array per column (set-based, far lighter than ``bulk_update``'s ``CASE WHEN`` or a
    statement per row). Elsewhere: one prepared ``UPDATE … WHERE id = %s`` run by
    ``executemany``. Returns the number of rows given.
    """
    meta = model._meta
    by_name = {field.attname: field for field in meta.concrete_fields}
    fields = [by_name[name] for name in columns]
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        return _update_from_arrays(meta, fields, rows)
    adapters = [(i + 1, a) for i, a in enumerate(map(_adapter, fields)) if a]
    assignments = ", ".join(
        f"{quote(field.column)} = COALESCE(%s, {quote(field.column)})" for field in fields
    )
    statement = (
        f"UPDATE {quote(meta.db_table)} SET {assignments} "  # noqa: S608
        f"WHERE {quote(meta.pk.column)} = %s"
    )

    def prepared():
        for row in rows:
            row = list(row)
            for i, adapt in adapters:
                if row[i] is not None:
                    row[i] = adapt(row[i])
            yield (*row[1:], row[0])

    counter = _Counter(prepared())
    with connection.cursor() as cursor:
        cursor.executemany(statement, counter)
    return counter.count


#: Rows per ``UPDATE … FROM unnest(…)`` statement on PostgreSQL.
UPDATE_BATCH = 10_000


def _update_from_arrays(meta, fields, rows) -> int:
    quote = connection.ops.quote_name
    table, pk = quote(meta.db_table), meta.pk
    names = [f"v{i}" for i in range(len(fields))]
    arrays = ", ".join(f"%s::{field.cast_db_type(connection)}[]" for field in (pk, *fields))
    assignments = ", ".join(
        f"{quote(field.column)} = COALESCE(v.{name}, t.{quote(field.column)})"
        for field, name in zip(fields, names, strict=True)
    )
    statement = (
        f"UPDATE {table} AS t SET {assignments} "  # noqa: S608
        f"FROM unnest({arrays}) AS v(pk, {', '.join(names)}) "
        f"WHERE t.{quote(pk.column)} = v.pk"
    )
    adapters = [_adapter(field) for field in (pk, *fields)]
    count = 0
    with connection.cursor() as cursor:
        for batch in chunked(rows, UPDATE_BATCH):
            columns = [list(column) for column in zip(*batch, strict=True)]
            for column, adapt in zip(columns, adapters, strict=True):
                if adapt is not None:
                    column[:] = [None if v is None else adapt(v) for v in column]
            cursor.execute(statement, columns)
            count += len(batch)
    return count


def _adapt(field, value):
    adapt = _adapter(field)
    return adapt(value) if adapt is not None else value


def _column_list(fields) -> str:
    return ", ".join(connection.ops.quote_name(field.column) for field in fields)


class _Done:
    """An insert that is over."""

    def __init__(self, count: int):
        self.count = count

    def pump(self):
        pass

    def finish(self) -> int:
        return self.count

    def abandon(self, error: BaseException):
        pass


class _BackgroundCopy:
    """``COPY … FROM STDIN`` whose rows are all handed to the driver at once, for PostgreSQL to
    read while Python does other work (an import plans the next rows meanwhile).

    psycopg formats the rows; libpq keeps what the connection cannot take yet (the connection
    is non-blocking: psycopg always makes it so) and ``pump()`` sends more of it, without
    waiting. ``finish()`` sends the rest and waits for the end of the ``COPY``.

    The rows go in ``COPY``'s binary format, typed by the table's own columns: for an import's
    300,000 rows psycopg formats them in a third of the time text takes (dates and times are
    numbers, not text to write and parse), and the server reads them a little faster.
    """

    def __init__(self, table: str, fields, rows):
        from psycopg.copy import LibpqWriter

        class QueueingWriter(LibpqWriter):
            def write(self, data):
                if not pgconn.nonblocking or pgconn.put_copy_data(data) != 1:
                    super().write(data)  # cannot be queued: sent now, waiting for it

        connection.ensure_connection()
        table, columns = connection.ops.quote_name(table), _column_list(fields)
        statement = f"COPY {table} ({columns}) FROM STDIN (FORMAT BINARY)"
        self.count = 0
        self._stack = contextlib.ExitStack()
        with self._stack:
            self._stack.enter_context(connection.wrap_database_errors)
            cursor = self._stack.enter_context(connection.connection.cursor())
            cursor.execute(f"SELECT {columns} FROM {table} LIMIT 0")  # noqa: S608
            types = [column.type_code for column in cursor.description]
            pgconn = cursor.connection.pgconn
            copy = self._stack.enter_context(cursor.copy(statement, writer=QueueingWriter(cursor)))
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)
                self.count += 1
            self._pgconn = pgconn
            self._stack = self._stack.pop_all()

    def pump(self):
        """Send the connection what it can take now, without waiting."""
        if self._pgconn is not None:
            self._pgconn.flush()

    def finish(self) -> int:
        """Wait for the ``COPY`` to end; raise the database's error, as Django's."""
        self._pgconn = None
        self._stack.close()
        return self.count

    def abandon(self, error: BaseException):
        """End the ``COPY`` with an error (another one happened meanwhile): nothing of it is
        written, and the transaction is aborted, as it is being."""
        self._pgconn = None
        with contextlib.suppress(Exception):  # the error that ends the transaction is ``error``
            self._stack.__exit__(type(error), error, error.__traceback__)


def _executemany(table: str, fields, rows) -> int:
    placeholders = ", ".join(["%s"] * len(fields))
    statement = (
        f"INSERT INTO {connection.ops.quote_name(table)} ({_column_list(fields)}) "  # noqa: S608
        f"VALUES ({placeholders})"
    )
    counter = _Counter(rows)
    with connection.cursor() as cursor:
        cursor.executemany(statement, counter)
    return counter.count


class _Counter:
    def __init__(self, rows):
        self.rows, self.count = rows, 0

    def __iter__(self):
        for row in self.rows:
            self.count += 1
            yield row


def _bulk_create(model, fields, rows) -> int:
    names = [field.attname for field in fields]
    objects = [model(**dict(zip(names, row, strict=True))) for row in rows]
    model.objects.bulk_create(objects, batch_size=1000)
    return len(objects)
