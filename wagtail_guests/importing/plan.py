"""What an import will do, decided row by row exactly as ``match_or_create_guest`` would.

The rows are taken in file order, as if each went through the identity action in turn:

1. A row with an email matches the guest with that email (``identity_key``); a row with a
   phone and no email matches the guest with that phone and last name (the lowest id first,
   as ``identity.find_guest``); a row with neither matches on first and last name.
2. An earlier row of the same file counts: a second row for the same person is a *duplicate*,
   reported with the row it repeats and the columns where they disagree.
3. A match only fills the guest's empty fields (``actions.guests._merge``), never overwrites.

Nothing is written here. With ``lock=True`` (the confirmation, inside its transaction) the
matched guests are locked (``SELECT … FOR UPDATE``), as the action locks them.
"""

from __future__ import annotations

import contextlib
from operator import itemgetter

from django.db import connection
from django.db.models import F, Lookup
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from ..actions.guests import _merge
from ..conf import guests_settings
from ..identity import Identity
from ..models import Booking, Guest, GuestTag, NewsletterConsent, Tag
from ..permissions import booking_permission_policy, tag_permission_policy
from ..resources import normalise_header
from ..utils import chunked
from .rows import GUEST_FIELDS, Columns, Record, RowError
from .targets import Plan, Target

BATCH = 1000
#: The French names of the preset tags (brief 002), read even without a French translation.
PRESET_NAMES_FR = {
    "friends_family": "Amis & Famille",
    "influencer": "Influenceur",
    "problematic": "Problématique",
    "regular": "Régulier",
}
_EXISTING = (*GUEST_FIELDS, "newsletter_consent", "unsubscribed_at")


def _may(user, policy, action) -> bool:
    """``user=None`` is a command or a task, authorised by other means (as in ``require``)."""
    return user is None or policy.user_has_permission(user, action)


class _AnyOf(Lookup):
    """``field = ANY(%s::text[])``, the values passed as one array (PostgreSQL): read by a
    plain index scan, one descent per value (see :func:`_plain_index_scans`)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        return f"{lhs} = ANY(%s::text[])", (*params, list(self.rhs))


def _guests_with(field: str, values, **filters):
    """Querysets of the guests whose ``field`` is one of ``values``: on PostgreSQL one per
    20,000 values, passed as one array; elsewhere one per ``BATCH`` values."""
    values = list(values)
    if connection.vendor != "postgresql":
        for batch in chunked(values, BATCH):
            yield Guest.objects.filter(**{f"{field}__in": batch}, **filters)
        return
    for start in range(0, len(values), 20_000):
        yield Guest.objects.filter(_AnyOf(F(field), values[start : start + 20_000]), **filters)


@contextlib.contextmanager
def _plain_index_scans():
    """On PostgreSQL, within the transaction, existing guests are looked up by plain btree
    index scans: neither bitmap scans (the only way to read a GIN index) nor sequential scans.

    An import inserts guests while it plans the next rows: the trigram indexes then hold them
    in their pending list, which the planner cannot see, and a lookup by phone through
    ``guests_guest_phone_trgm`` (its ``=``) reads that whole list for each phone: seconds per
    10,000 rows, where the btree takes ms. And the statistics never count the rows inserted
    so far, so the planner took the growing table for a small one and scanned all of it for
    each part's keys (15-25 ms a part where the index takes 2-12 ms)."""
    if connection.vendor != "postgresql" or not connection.in_atomic_block:
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT current_setting('enable_bitmapscan'), current_setting('enable_seqscan'), "
            "set_config('enable_bitmapscan', 'off', true), "
            "set_config('enable_seqscan', 'off', true)"
        )
        previous = cursor.fetchone()[:2]
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT set_config('enable_bitmapscan', %s, true), "
                "set_config('enable_seqscan', %s, true)",
                previous,
            )


def _existing(queryset, lock: bool, *extra) -> list[dict]:
    """The guests' values, by id. Sorted here, not by the query: an ``ORDER BY id`` made the
    planner read the whole primary key index in order rather than the lookup's own index."""
    if lock:
        queryset = queryset.select_for_update()
    rows = queryset.order_by().values("pk", *_EXISTING, *extra)
    return sorted(rows, key=itemgetter("pk"))


class Planner:
    """Plans a file's records. The whole file at once (:func:`make_plan`), or part by part
    (the import, which writes the new guests of a part while it plans the next one):
    ``look_up(part)`` then ``match(part)`` for each part in file order, then ``finish()``.
    Either way gives the same plan."""

    def __init__(self, columns: Columns, *, user=None, lock=False):
        self.columns, self.user, self.lock = columns, user, lock
        self.records: list[Record] = []
        self.plan = Plan()
        self.by_pk: dict[int, Target] = {}
        self.by_key: dict[str, Target] = {}
        self.by_phone: dict[tuple, Target] = {}
        self.looked_up: set = set()  # identity keys and (phone, last name) pairs
        self.seq = 0

    def error(self, record: Record, field_name: str, message: str):
        self.plan.errors.append(
            RowError(record.number, self.columns.header_of(field_name), message)
        )

    def finish(self, records: list[Record]) -> Plan:
        """Plan what needs every row (tags, bookings); ``records`` are all of them."""
        self.records = records
        self.plan_tags()
        self.plan_bookings()
        return self.plan

    # Existing guests -------------------------------------------------------------------------

    def _known(self, values) -> Target:
        target = self.by_pk.get(values["pk"])
        if target is None:
            target = self.by_pk[values["pk"]] = Target(**values)
        return target

    def _index_phone(self, target: Target, last_name_key: str):
        pair = (target.phone, last_name_key)
        current = self.by_phone.get(pair)
        if current is None or target.order < current.order:
            self.by_phone[pair] = target

    def look_up(self, records: list[Record]):
        """Load the existing guests that ``records`` may match (locked with ``lock``); each
        key is looked up once, before the first row that has it is matched."""
        keys, pairs = set(), set()
        for record in records:
            identity = record.identity
            if identity.rule == "phone":
                pairs.add((identity.phone, identity.last_name))
            else:
                keys.add(identity.key)
        keys -= self.looked_up
        pairs -= self.looked_up
        self.looked_up |= keys | pairs
        with _plain_index_scans():
            self._load(keys, pairs)

    def written(self, targets: list[Target]):
        """``targets``, new guests, are in the database now (with their ids): a later look-up
        that finds one of them finds that target, not a guest of its own."""
        for target in targets:
            self.by_pk[target.pk] = target

    def _load(self, keys: set, pairs: set):
        for queryset in _guests_with("identity_key", keys):
            for values in _existing(queryset, self.lock, "identity_key"):
                self.by_key[values.pop("identity_key")] = self._known(values)
        phones = {phone for phone, _last in pairs}
        for queryset in _guests_with("phone", phones, anonymised_at__isnull=True):
            for values in _existing(queryset, self.lock, "last_name_key"):
                pair = (values["phone"], values.pop("last_name_key"))
                if pair in pairs:
                    self._index_phone(self._known(values), pair[1])

    # The identity rule, row by row -----------------------------------------------------------

    def match(self, records: list[Record], pump=None) -> tuple[list[Target], dict]:
        """Apply the identity rule to ``records`` (looked up before). Returns the new guests
        they make, and the new guests written already (with an id) that they change, by id.
        ``pump()``, if given, is called every few hundred rows."""
        created, changed = [], {}
        for count, record in enumerate(records, 1):
            if pump is not None and count % 500 == 0:
                pump()
            identity = record.identity
            if identity.rule == "phone":
                target = self.by_phone.get((identity.phone, identity.last_name))
            else:
                target = self.by_key.get(identity.key)
            filled = ()
            if target is None:
                self.seq += 1
                target = Target(seq=self.seq, **record.details)
                target.first_contact, target.identity = record.first_contact, identity
                self.by_key[identity.key] = target
                if target.phone:
                    self._index_phone(target, identity.last_name)
                created.append(target)
            else:
                filled, differences = _merge(target, record.details)
                if target.rows:
                    self.plan.duplicates.append(self._duplicate(record, target, differences))
                self._note_fill(target, filled, differences)
            if not target.rows:
                self.plan.targets.append(target)
            target.rows.append(record.number)
            consent = target.consent
            self._consent(target, record)
            if record.notes and not record.arrival:
                target.add("notes", record.notes)
            if target.created and target.pk is not None and (filled or consent != target.consent):
                changed[target.pk] = target
        return created, changed

    def _duplicate(self, record: Record, target: Target, differences) -> dict:
        return {
            "row": record.number,
            "first_row": target.rows[0],
            "rule": record.identity.rule,
            "differences": [self.columns.header_of(name) for name in differences],
        }

    def _note_fill(self, target: Target, filled, differences):
        target.add("differences", *(d for d in differences if d not in target.differences))
        if not filled:
            return
        if not target.created:
            target.add("filled", *(name for name in filled if name not in target.filled))
        identity = Identity.of_details(target)
        self.by_key.setdefault(identity.key, target)
        if "phone" in filled and identity.phone:
            self._index_phone(target, identity.last_name)

    @staticmethod
    def _consent(target: Target, record: Record):
        """A "yes" counts only for a guest never asked (and not unsubscribed); a "no" always
        counts unless consent is already withdrawn. An import never re-subscribes anyone."""
        if record.consent is True:
            if target.consent == NewsletterConsent.UNKNOWN and not target.unsubscribed:
                target.add("consents", (record.number, True))
                target.consent = NewsletterConsent.GIVEN
        elif record.consent is False and target.consent != NewsletterConsent.WITHDRAWN:
            target.add("consents", (record.number, False))
            target.consent = NewsletterConsent.WITHDRAWN

    # Tags ------------------------------------------------------------------------------------

    def plan_tags(self):
        tagged = [(target, record) for target, record in self._records_by_target() if record.tags]
        if not tagged:
            return
        known = {}
        for tag in Tag.objects.all():
            names = {tag.name, tag.label, PRESET_NAMES_FR.get(tag.preset, "")}
            for language in ("en", "fr"):
                with override(language):
                    names.add(tag.label)
            for name in names - {""}:
                known.setdefault(normalise_header(name), tag)
        existing = [t.pk for t, _r in tagged if not t.created]
        for batch in chunked(set(existing), BATCH):
            links = GuestTag.objects.filter(guest_id__in=batch).values_list("guest_id", "tag_id")
            for guest_id, tag_id in links:
                target = self.by_pk[guest_id]
                target.tag_ids = target.tag_ids | {tag_id}
        limit = guests_settings.MAX_TAGS_PER_GUEST
        keys = {}  # a file repeats a few tag names on thousands of rows
        for target, record in tagged:
            for name in record.tags:
                key = keys.get(name)
                if key is None:
                    key = keys[name] = normalise_header(name)
                tag = known.get(key)
                if tag is None:
                    self.plan.new_tags.setdefault(key, name)
                    tag = key
                if (tag.pk if isinstance(tag, Tag) else None) in target.tag_ids or any(
                    added == tag for _row, added in target.tags
                ):
                    continue
                if len(target.tag_ids) + len(target.tags) >= limit:
                    self.error(record, "tags", self._too_many_tags(limit))
                    break
                target.add("tags", (record.number, tag))
        if self.plan.new_tags and not _may(self.user, tag_permission_policy, "add"):
            self.plan.file_errors.append(
                _("These tags do not exist and you may not create tags: %(tags)s.")
                % {"tags": ", ".join(self.plan.new_tags.values())}
            )

    @staticmethod
    def _too_many_tags(limit):
        return ngettext(
            "This guest would have more than %(limit)d tag, the most a guest can have.",
            "This guest would have more than %(limit)d tags, the most a guest can have.",
            limit,
        ) % {"limit": limit}

    def _records_by_target(self):
        """Yield (target, record) for every record, in file order (a generator: a list of
        100,000 pairs would weigh on the peak memory of a large import)."""
        targets = {number: target for target in self.plan.targets for number in target.rows}
        for record in self.records:
            yield targets[record.number], record

    # Bookings --------------------------------------------------------------------------------

    def plan_bookings(self):
        booked = [(t, r) for t, r in self._records_by_target() if r.arrival]
        if not booked:
            return
        if not _may(self.user, booking_permission_policy, "add"):
            self.plan.file_errors.append(
                _(
                    "This file has arrival dates, which create bookings, and you may not add "
                    "bookings. Remove the arrival and departure columns, or ask an administrator."
                )
            )
            return
        references = {r.reference for _t, r in booked if r.reference}
        used = {}
        for batch in chunked(references, BATCH):
            used.update(
                Booking.objects.filter(reference__in=batch).values_list("reference", "booker_id")
            )
        stays = set()
        for batch in chunked({t.pk for t, _r in booked if not t.created}, BATCH):
            stays.update(
                Booking.objects.filter(booker_id__in=batch).values_list(
                    "booker_id", "arrival_date", "departure_date"
                )
            )
        seen = {}
        for target, record in booked:
            reference = record.reference
            if reference:
                owner = used.get(reference, seen.get(reference))
                known = reference in used or reference in seen
                same = owner is target or (not target.created and owner == target.pk)
                if known and not same:
                    self.error(
                        record,
                        "booking_reference",
                        _("The booking reference %(reference)s is already used for another guest.")
                        % {"reference": reference},
                    )
                    continue
                if known:
                    continue  # imported before, or twice in this file
                seen[reference] = target
            key = (target.pk if not target.created else target, record.arrival, record.departure)
            if key in stays:
                continue
            stays.add(key)
            target.add("bookings", record)


def make_plan(records, columns, *, user=None, lock=False) -> Plan:
    """The plan of a whole file's ``records``."""
    planner = Planner(columns, user=user, lock=lock)
    planner.look_up(records)
    planner.match(records)
    return planner.finish(records)
