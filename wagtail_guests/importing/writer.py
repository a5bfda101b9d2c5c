"""Writing an import plan: the set-based twin of ``match_or_create_guest``, ``record_consent``,
``add_tag`` and ``create_booking``, all or nothing.

The same rows and fields as those actions, written set by set (``COPY`` on PostgreSQL, see
:mod:`.bulk`). The new guests go first, part by part while the file is still being planned
(:meth:`Writer.start_guests`, driven by ``engine.import_file``), the rest once the plan is
complete (:meth:`Writer.write`):

- new guests with their derived keys (``identity_key`` stays unique in the database); matched
  guests get only their empty fields filled (and their keys derived again);
- a consent record per "yes"/"no" that counts (source "import", the file's name), and the
  guest's current consent brought in line;
- each tag added (``GuestTag``), each booking (+ "booked" activity);
- one "imported" activity per guest of the file, which names the consent records and tags it
  added (where the actions write a "consent given/withdrawn" and a "tagged" activity each);
- ``guest_created`` and ``guest_tags_changed`` after commit, as the actions send them.

Race safety: the plan is made inside the transaction with the matched guests locked. If
another request creates one of the "new" guests meanwhile, the insert violates the unique
``identity_key``; the transaction is rolled back and the import planned again, so it matches
that guest, as ``match_or_create_guest`` does.
"""

from __future__ import annotations

import datetime
from itertools import chain

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import signals
from ..identity import Identity
from ..models import (
    Activity,
    ActivityKind,
    Booking,
    BookingKind,
    BookingStatus,
    ConsentPurpose,
    ConsentRecord,
    ConsentSource,
    Guest,
    GuestSource,
    GuestTag,
    NewsletterConsent,
    Tag,
)
from ..models.bookings import new_reference
from ..utils import chunked
from .bulk import allocate_ids, insert_rows, start_insert, update_rows
from .lookups import BATCH, plain_index_scans
from .payload import ImportedPayload
from .rows import GUEST_FIELDS
from .targets import Plan, Target


class Writer:
    #: Rows written between two progress reports.
    PROGRESS_EVERY = 10_000

    def __init__(self, plan: Plan, *, file_name: str, user=None, site=None, progress=None):
        self.plan, self.file_name, self.user, self.site = plan, file_name, user, site
        self.user_id = user.pk if user is not None else None
        self.site_id = site.pk if site is not None else None
        self.progress = progress or (lambda done, total: None)
        self.now = timezone.now()
        self.done = 0
        self.total = 1

    def write(self, changed=()):
        """Write the plan, once complete. Its new guests are written already (see
        :meth:`start_guests`); ``changed``: those of them that later rows of the file changed."""
        targets = self.plan.targets
        # Rows to write: known guests to update, timeline entries (one "imported" each),
        # consent records and tags.
        updated = sum(1 for t in targets if self._to_update(t)) + len(changed)
        extra = sum(len(t.consents) + len(t.tags) for t in targets)
        self.total = (len(targets) + updated + extra) or 1
        tags = self.create_tags()
        with plain_index_scans(joins=True):  # the guests to update, by primary key
            self.update_guests(changed)
        consents = self.insert_consents()
        self.insert_tags(tags)
        bookings = self.create_bookings(targets)
        self.insert_activities(consents, tags, bookings)
        self.after_commit(tags)

    def step(self, count):
        self.done += count
        self.progress(min(self.done, self.total), self.total)

    def counted(self, rows):
        """Yield ``rows``, reporting progress every ``PROGRESS_EVERY`` rows."""
        count = 0
        for row in rows:
            yield row
            count += 1
            if count == self.PROGRESS_EVERY:
                self.step(count)
                count = 0
        self.step(count)

    # Guests ----------------------------------------------------------------------------------

    def _first_contact(self, target: Target):
        day = target.first_contact
        if day is None:
            return self.now
        return timezone.make_aware(datetime.datetime.combine(day, datetime.time(0)))

    def start_guests(self, created: list[Target]):
        """Insert new guests, with the keys ``Guest.refresh_keys()`` derives (from the identity
        the plan computed: a new guest's identity never changes, only rows with the same key
        reach it); each gets its id. Returns the insert under way (``bulk.start_insert``)."""
        ids = allocate_ids(Guest, len(created))
        for target, pk in zip(created, ids, strict=True):
            target.pk = pk
        columns = (
            "id",
            *GUEST_FIELDS,
            "newsletter_consent",
            "newsletter_consent_at",
            "source",
            "site_id",
            "first_contact_at",
            "identity_key",
            "name_key",
            "last_name_key",
        )
        unknown = NewsletterConsent.UNKNOWN

        def rows():
            for target in created:
                identity = target.identity
                consent = target.consent if target.consents else unknown
                yield (
                    target.pk,
                    *(getattr(target, name) for name in GUEST_FIELDS),
                    consent,
                    self.now if target.consents else None,
                    GuestSource.IMPORT,
                    self.site_id,
                    self._first_contact(target),
                    *Guest.derived_keys(identity),
                )

        return start_insert(Guest, columns, rows(), now=self.now)

    def update_guests(self, changed=()):
        """Matched guests, in one set-based update: empty fields filled and keys derived again,
        as ``Guest.save()`` does (the other fields are written back as they were read, locked),
        and the current consent brought in line, as ``record_consent`` does. ``None`` leaves a
        column as it is: a guest whose consent alone changes keeps its details and
        ``updated_at``, as with the actions. ``changed``: new guests written before later rows
        of the file filled in or changed them, written again as the plan has them now (their
        keys stay: a new guest's identity never changes)."""
        columns = (
            *GUEST_FIELDS,
            "identity_key",
            "name_key",
            "last_name_key",
            "updated_at",
            "newsletter_consent",
            "newsletter_consent_at",
        )
        unchanged = (None,) * (len(GUEST_FIELDS) + 4)
        keys_kept = (None,) * 4

        def rows():
            for target in chain(filter(self._to_update, self.plan.targets), changed):
                details = unchanged
                if target.created:
                    details = (*(getattr(target, name) for name in GUEST_FIELDS), *keys_kept)
                elif target.filled:
                    details = (
                        *(getattr(target, name) for name in GUEST_FIELDS),
                        *Guest.derived_keys(Identity.of_details(target)),
                        self.now,
                    )
                consent = (target.consent, self.now) if target.consents else (None, None)
                yield (target.pk, *details, *consent)

        update_rows(Guest, columns, self.counted(rows()))

    @staticmethod
    def _to_update(target: Target) -> bool:
        """A known guest the import changes (details filled, or consent)."""
        return not target.created and bool(target.filled or target.consents)

    # Consent ---------------------------------------------------------------------------------

    def insert_consents(self) -> list[tuple]:
        """One record per "yes"/"no" that counts; returns ``(record id, guest id, given)`` in
        the order of the plan's targets."""
        wanted = [(t, given) for t in self.plan.targets for _row, given in t.consents]
        if not wanted:
            return []
        ids = allocate_ids(ConsentRecord, len(wanted))
        file_name = self.file_name[:255]
        columns = (
            "id",
            "guest_id",
            "purpose",
            "given",
            "created_at",
            "source",
            "import_filename",
            "user_id",
            "language",
        )
        records = []

        def rows():
            # The records are listed as their rows are written (not before: the database
            # would wait meanwhile).
            for pk, (target, given) in zip(ids, wanted, strict=True):
                records.append((pk, target.pk, given))
                yield (pk, target.pk, ConsentPurpose.NEWSLETTER, given, self.now,
                       ConsentSource.IMPORT, file_name, self.user_id, target.language)  # fmt: skip

        insert_rows(ConsentRecord, columns, self.counted(rows()), now=self.now)
        return records

    # Tags ------------------------------------------------------------------------------------

    def create_tags(self) -> dict:
        tags = {}
        for key, name in self.plan.new_tags.items():
            tag = Tag.objects.filter(name__iexact=name).first()
            tags[key] = tag or Tag.objects.create(name=name)
        return tags

    def tag_of(self, tag, tags: dict) -> Tag:
        return tag if isinstance(tag, Tag) else tags[tag]

    def insert_tags(self, tags: dict):
        rows = (
            (t.pk, self.tag_of(tag, tags).pk, self.now, self.user_id)
            for t in self.plan.targets
            for _row, tag in t.tags
        )
        columns = ("guest_id", "tag_id", "added_at", "added_by_id")
        if any(t.tags for t in self.plan.targets):
            insert_rows(GuestTag, columns, self.counted(rows), now=self.now)

    # Timeline --------------------------------------------------------------------------------

    def insert_activities(self, consents, tags: dict, bookings):
        """The timeline entries: one "imported" per guest, naming the consent records and the
        tags the import added (a file of thousands of guests would otherwise put three lines
        on each of their timelines), then one "booked" per booking."""
        columns = ("guest_id", "kind", "created_at", "user_id", "booking_id", "payload")
        now, user_id = self.now, self.user_id
        payload = ImportedPayload(self.file_name, lambda tag: self.tag_of(tag, tags))

        def rows():
            # The consent records follow the targets' order (insert_consents): each target's
            # are the next ones, taken as its entry is written.
            records = iter(consents)
            record = next(records, None)
            for target in self.plan.targets:
                mine = []
                while record is not None and record[1] == target.pk:
                    mine.append(record)
                    record = next(records, None)
                yield (target.pk, ActivityKind.IMPORTED, now, user_id, None, payload(target, mine))
            for booking in bookings:
                booked = {
                    "reference": booking.reference,
                    "kind": booking.kind,
                    "companion": False,
                }
                yield (booking.booker_id, ActivityKind.BOOKED, now, user_id, booking.pk, booked)

        insert_rows(Activity, columns, self.counted(rows()), now=now)

    # Bookings --------------------------------------------------------------------------------

    def create_bookings(self, batch: list[Target]) -> list[Booking]:
        bookings = []
        for target in batch:
            for record in target.bookings:
                bookings.append(
                    Booking(
                        reference=record.reference or "",
                        kind=BookingKind.STAY if record.departure else BookingKind.TABLE,
                        status=BookingStatus.CONFIRMED,
                        booker_id=target.pk,
                        arrival_date=record.arrival,
                        departure_date=record.departure,
                        notes=record.notes,
                        site=self.site,
                    )
                )
        if not bookings:
            return []
        generated = [b for b in bookings if not b.reference]
        given = {b.reference for b in bookings if b.reference}
        for _attempt in range(10):
            self._new_references(generated, given)
            try:
                with transaction.atomic():
                    Booking.objects.bulk_create(bookings, batch_size=BATCH)
                return bookings
            except IntegrityError:
                # A reference taken meanwhile: a given one fails the import (it is planned
                # again and reported), a generated one is drawn again.
                if any(
                    Booking.objects.filter(reference__in=batch).exists()
                    for batch in chunked(given, BATCH)
                ):
                    raise
                for booking in bookings:
                    booking.pk = None
        raise IntegrityError("Could not find free booking references.")

    @staticmethod
    def _new_references(bookings: list[Booking], given: set):
        """Draw a fresh reference for each booking, free in the database and in the batch."""
        for booking in bookings:
            booking.reference = new_reference()
        for _attempt in range(10):
            taken = set()
            for batch in chunked([booking.reference for booking in bookings], BATCH):
                references = Booking.objects.filter(reference__in=batch)
                taken.update(references.values_list("reference", flat=True))
            seen, clash = set(given), False
            for booking in bookings:
                if booking.reference in taken or booking.reference in seen:
                    booking.reference, clash = new_reference(), True
                seen.add(booking.reference)
            if not clash:
                return

    # After commit ----------------------------------------------------------------------------

    def after_commit(self, tags: dict):
        """``guest_created`` and ``guest_tags_changed`` once committed, if anyone listens
        (the lists of guests are made then, not while the database waits)."""
        targets, user = self.plan.targets, self.user

        def send():
            if signals.guest_created.has_listeners(Guest):
                created_ids = [t.pk for t in targets if t.created]
                for batch in chunked(created_ids, BATCH):
                    for guest in Guest.objects.filter(pk__in=batch).order_by("pk"):
                        signals.guest_created.send(Guest, guest=guest, source=GuestSource.IMPORT)
            if signals.guest_tags_changed.has_listeners(Guest):
                tagged = {
                    t.pk: [self.tag_of(tag, tags) for _r, tag in t.tags] for t in targets if t.tags
                }
                for batch in chunked(tagged, BATCH):
                    for guest in Guest.objects.filter(pk__in=batch).order_by("pk"):
                        signals.guest_tags_changed.send(
                            Guest, guest=guest, added=tagged[guest.pk], removed=[], user=user
                        )

        transaction.on_commit(send, robust=True)
