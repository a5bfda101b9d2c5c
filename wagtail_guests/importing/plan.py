"""What an import will do, decided row by row exactly as ``match_or_create_guest`` would.

The rows are taken in file order, as if each went through the identity action in turn:

1. A row with an email matches the guest with that email (``identity_key``); a row with a
   phone and no email matches the guest with that phone and last name (the lowest id first,
   as ``identity.find_guest``); a row with neither matches on first and last name.
2. An earlier row of the same file counts: a second row for the same person is a *duplicate*,
   reported with the row it repeats and the columns where they disagree.
3. A match only fills the guest's empty fields (``actions.guests._merge``), never overwrites.

Nothing is written here. With ``lock=True`` (the confirmation, inside its transaction) the
matched guests are locked (``SELECT … FOR UPDATE``), as the action locks them. What the plan
reads from the database is in :mod:`.lookups`.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from ..actions.guests import _merge
from ..conf import guests_settings
from ..identity import Identity
from ..models import NewsletterConsent, Tag
from ..permissions import booking_permission_policy, tag_permission_policy
from ..resources import normalise_header
from .lookups import LookUp, ReadForFinish, existing, guests_with, plain_index_scans
from .rows import Columns, Record, RowError
from .targets import Plan, Target

#: The French names of the preset tags (brief 002), read even without a French translation.
PRESET_NAMES_FR = {
    "friends_family": "Amis & Famille",
    "influencer": "Influenceur",
    "problematic": "Problématique",
    "regular": "Régulier",
}


def _may(user, policy, action) -> bool:
    """``user=None`` is a command or a task, authorised by other means (as in ``require``)."""
    return user is None or policy.user_has_permission(user, action)


class Planner:
    """Plans a file's records. The whole file at once (:func:`make_plan`), or part by part
    (the import, which writes the new guests of a part while it plans the next one):
    ``look_up(part)`` then ``match(part)`` for each part in file order, then ``finish()``.
    Either way gives the same plan."""

    def __init__(self, columns: Columns, *, user=None, lock=False):
        self.columns, self.user, self.lock = columns, user, lock
        self.plan = Plan()
        self.by_pk: dict[int, Target] = {}
        self.by_key: dict[str, Target] = {}
        self.by_phone: dict[tuple, Target] = {}
        self.looked_up: set = set()  # identity keys and (phone, last name) pairs
        self.seq = 0
        self.read: ReadForFinish | None = None

    def error(self, record: Record, field_name: str, message: str):
        self.plan.errors.append(
            RowError(record.number, self.columns.header_of(field_name), message)
        )

    def read_for_finish(self, records: list[Record]):
        """Read what :meth:`finish` needs from the database: the tags, the tags and bookings
        of the guests found, the booking references of the file. ``finish()`` itself is then
        Python only, and an import runs it while the database writes its last new guests."""
        found = [pk for pk, target in self.by_pk.items() if not target.created]
        may_book = _may(self.user, booking_permission_policy, "add")
        self.read = ReadForFinish(records, found, bookings=may_book)

    def finish(self, records: list[Record], pump=None) -> Plan:
        """Plan what needs every row (tags, bookings); ``records`` are all of them. Reads the
        database first unless :meth:`read_for_finish` did; ``pump()``, if given, is called
        every few hundred rows."""
        if self.read is None:
            self.read_for_finish(records)
        tagged, booked = self._tagged_and_booked(records, pump)
        self.plan_tags(tagged)
        self.plan_bookings(booked)
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
        self.run_look_up(self.prepare_look_up(records))

    def prepare_look_up(self, records: list[Record]) -> LookUp:
        """The queries of :meth:`look_up`, built but not run (Python only: an import builds
        them while the database writes the previous part)."""
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
        phones = {phone for phone, _last in pairs}
        return LookUp(
            by_key=guests_with("identity_key", keys),
            by_phone=guests_with("phone", phones, anonymised_at__isnull=True),
            pairs=pairs,
        )

    def run_look_up(self, look_up: LookUp):
        with plain_index_scans():
            for queryset in look_up.by_key:
                for values in existing(queryset, self.lock, "identity_key"):
                    self.by_key[values.pop("identity_key")] = self._known(values)
            for queryset in look_up.by_phone:
                for values in existing(queryset, self.lock, "last_name_key"):
                    pair = (values["phone"], values.pop("last_name_key"))
                    if pair in look_up.pairs:
                        self._index_phone(self._known(values), pair[1])

    def written(self, targets: list[Target]):
        """``targets``, new guests, are in the database now (with their ids): a later look-up
        that finds one of them finds that target, not a guest of its own."""
        for target in targets:
            self.by_pk[target.pk] = target

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

    def plan_tags(self, tagged: list[tuple[Target, Record]]):
        if not tagged:
            return
        known = {}
        for tag in self.read.tags:
            names = {tag.name, tag.label, PRESET_NAMES_FR.get(tag.preset, "")}
            for language in ("en", "fr"):
                with override(language):
                    names.add(tag.label)
            for name in names - {""}:
                known.setdefault(normalise_header(name), tag)
        for guest_id, tag_ids in self.read.tag_ids.items():
            self.by_pk[guest_id].tag_ids = frozenset(tag_ids)
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

    def _tagged_and_booked(self, records: list[Record], pump=None) -> tuple[list, list]:
        """The (target, record) pairs of the rows with tags, and of those with an arrival, in
        file order: one pass over the records (a list of all 100,000 pairs would weigh on the
        peak memory of a large import)."""
        targets = {number: target for target in self.plan.targets for number in target.rows}
        tagged, booked = [], []
        for count, record in enumerate(records, 1):
            if pump is not None and count % 500 == 0:
                pump()
            if record.tags:
                tagged.append((targets[record.number], record))
            if record.arrival:
                booked.append((targets[record.number], record))
        return tagged, booked

    # Bookings --------------------------------------------------------------------------------

    def plan_bookings(self, booked: list[tuple[Target, Record]]):
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
        used, stays = self.read.references, set(self.read.stays)
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
