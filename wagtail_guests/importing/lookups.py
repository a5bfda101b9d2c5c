"""What an import plan reads from the database: the existing guests that a part of the file
may match, and what planning the file's tags and bookings needs. Nothing is written here.

On PostgreSQL these reads are shaped for an import that writes while it plans: a part's keys
go as one array built ahead of time, read by plain btree index scans
(:func:`plain_index_scans`), and :class:`ReadForFinish` reads everything the end of the plan
needs at once, before the last part is written.
"""

from __future__ import annotations

import contextlib
import json
from collections import defaultdict
from operator import itemgetter
from typing import NamedTuple

from django.db import connection
from django.db.models import F, Lookup

from ..models import Booking, Guest, GuestTag, Tag
from ..utils import chunked
from .rows import GUEST_FIELDS, Record

BATCH = 1000
#: What the plan needs of an existing guest.
EXISTING = (*GUEST_FIELDS, "newsletter_consent", "unsubscribed_at")


class _AnyOf(Lookup):
    """``field = ANY(…)``, the values sent as one JSON array (PostgreSQL), encoded when the
    lookup is built: an import builds a part's lookups while the database still writes the
    previous part (as a ``text[]`` literal, psycopg quoted each value as the query ran, the
    database waiting). Read by a plain index scan, one descent per value (see
    :func:`plain_index_scans`)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def __init__(self, lhs, values):
        super().__init__(lhs, json.dumps(list(values)))

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        values = "ARRAY(SELECT jsonb_array_elements_text(%s::jsonb))"
        return f"{lhs} = ANY({values})", (*params, self.rhs)


def guests_with(field: str, values, **filters) -> list:
    """Querysets (not run) of the guests whose ``field`` is one of ``values``: on PostgreSQL
    one per 20,000 values, passed as one array; elsewhere one per ``BATCH`` values."""
    values = list(values)
    if connection.vendor != "postgresql":
        return [
            Guest.objects.filter(**{f"{field}__in": batch}, **filters)
            for batch in chunked(values, BATCH)
        ]
    return [
        Guest.objects.filter(_AnyOf(F(field), values[start : start + 20_000]), **filters)
        for start in range(0, len(values), 20_000)
    ]


@contextlib.contextmanager
def plain_index_scans(*, joins=False):
    """On PostgreSQL, within the transaction, existing guests are looked up by plain btree
    index scans: neither bitmap scans (the only way to read a GIN index) nor sequential scans;
    with ``joins``, rows are joined by nested loops only, one index descent per row.

    An import inserts guests while it plans the next rows: the trigram indexes then hold them
    in their pending list, which the planner cannot see, and a lookup by phone through
    ``guests_guest_phone_trgm`` (its ``=``) reads that whole list for each phone: seconds per
    10,000 rows, where the btree takes ms. And the statistics never count the rows inserted
    so far, so the planner took the growing table for a small one and scanned all of it for
    each part's keys, where the index takes a few ms. Likewise the update of the guests found
    (``joins``), joined by primary key: it hashed the whole table, spilling to disk, to update
    9,000 of its 140,000 rows."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    names = ["enable_bitmapscan", "enable_seqscan"]
    if joins:
        names += ["enable_hashjoin", "enable_mergejoin"]
    current = ", ".join(f"current_setting('{name}')" for name in names)
    off = ", ".join(f"set_config('{name}', 'off', true)" for name in names)
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {current}, {off}")  # noqa: S608 (our own names)
        previous = cursor.fetchone()[: len(names)]
    try:
        yield
    finally:
        restore = ", ".join(f"set_config('{name}', %s, true)" for name in names)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {restore}", previous)  # noqa: S608


class ReadForFinish:
    """What the database holds that ``Planner.finish`` needs, read at once: the tags (if the
    file has any), the tags and bookings of the guests found (``found``: their ids), and which
    of the file's booking references are used (if ``bookings``: the user may add some)."""

    def __init__(self, records: list[Record], found: list[int], *, bookings: bool):
        self.tags: list[Tag] = []
        self.tag_ids: dict[int, set] = defaultdict(set)  # guest id: its tags' ids
        self.references: dict[str, int] = {}  # the file's references already used: booker
        self.stays: set = set()  # (booker id, arrival, departure) of the guests found
        if any(record.tags for record in records):
            self.tags = list(Tag.objects.all())
            for batch in chunked(found, BATCH):
                links = GuestTag.objects.filter(guest_id__in=batch)
                for guest_id, tag_id in links.values_list("guest_id", "tag_id"):
                    self.tag_ids[guest_id].add(tag_id)
        booked = [record for record in records if record.arrival]
        if booked and bookings:
            references = {record.reference for record in booked if record.reference}
            for batch in chunked(references, BATCH):
                used = Booking.objects.filter(reference__in=batch)
                self.references.update(used.values_list("reference", "booker_id"))
            for batch in chunked(found, BATCH):
                stays = Booking.objects.filter(booker_id__in=batch)
                self.stays.update(stays.values_list("booker_id", "arrival_date", "departure_date"))


class LookUp(NamedTuple):
    """A part's lookups, built (see ``Planner.prepare_look_up``), not run yet."""

    by_key: list  # querysets
    by_phone: list
    pairs: set  # (phone, last name key)


def existing(queryset, lock: bool, *extra) -> list[dict]:
    """The guests' values, by id. Sorted here, not by the query: an ``ORDER BY id`` made the
    planner read the whole primary key index in order rather than the lookup's own index."""
    if lock:
        queryset = queryset.select_for_update()
    rows = queryset.order_by().values("pk", *EXISTING, *extra)
    return sorted(rows, key=itemgetter("pk"))
