"""What happens to the demo guests, through the same actions as real ones.

Forms go through ``record_submission``, last year's file through ``guests_import``, staff work
through :mod:`wagtail_guests.actions.staff` and ``change_booking_status``. The actions write
"now": after each step the rows it created are moved to the moment it happened (:meth:`stamp`),
so the history spreads over 18 months. Revenue and rating of past visits, which no action sets
yet, are filled in directly, as staff would type them.
"""

from __future__ import annotations

import csv
import datetime
import io
import os
import tempfile
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone
from wagtail.models import ModelLogEntry

from ...actions import record_submission
from ...actions.booking_status import available_changes, change_booking_status
from ...actions.staff import add_guest, get_or_create_tag, record_staff_consent, tag_guest
from ...identity import Identity, find_guest
from ...models import (
    Activity,
    Booking,
    BookingStatus,
    ConsentRecord,
    Guest,
    GuestTag,
    ImportJob,
    Submission,
    SubmissionKind,
    Tag,
)
from .plans import CONSENT, IMPORT_AGE, IN_FILE, MESSAGES, ROOMS, SHOWN, TABLE_TIMES, People

DAY = datetime.timedelta(days=1)
#: Models whose new rows :meth:`History.stamp` moves in time, and their time fields.
STAMPED = [
    (Guest, ("created_at", "updated_at", "first_contact_at")),
    (Booking, ("created_at", "updated_at")),
    (Submission, ("created_at",)),
    (Activity, ("created_at",)),
    (ConsentRecord, ("created_at",)),  # rows the step just created: no record is rewritten
    (GuestTag, ("added_at",)),
    (ModelLogEntry, ("timestamp",)),
    (ImportJob, ("created_at", "updated_at", "finished_at")),
]


class History:
    """Carries out the plans of :class:`~.plans.People` as ``user`` (the demo's admin)."""

    def __init__(self, *, user, site, pages, seed=None, stderr=None):
        self.user, self.site, self.pages, self.stderr = user, site, pages, stderr
        self.people = People(seed)
        self.rng = self.people.rng
        self.now, self.today = timezone.now(), timezone.localdate()
        self.marks = self.last_pks()
        self.first_booking = self.marks[Booking]

    def fill(self, count: int):
        if count <= 0:
            return
        people = self.people.plans(count)
        self.import_file([(plan, person) for plan, person in people if plan.door == "import"])
        self.tags = {tag.preset: tag for tag in Tag.objects.exclude(preset="")}
        self.tags["vegetarian"] = get_or_create_tag("Vegetarian", user=self.user)
        for plan, person in people:
            self.live(plan, person)
        self.figures()

    # Time --------------------------------------------------------------------------------------

    @staticmethod
    def last_pks() -> dict:
        """The highest primary key of each stamped model, in one query."""
        quote = connection.ops.quote_name
        columns = ", ".join(
            f"(SELECT MAX({quote(model._meta.pk.column)}) FROM {quote(model._meta.db_table)})"  # noqa: S608 - names from model metadata
            for model, _names in STAMPED
        )
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns}")
            row = cursor.fetchone()
        return {model: last or 0 for (model, _names), last in zip(STAMPED, row, strict=True)}

    def stamp(self, when, *, first_contact=True):
        """Move the rows created since the last stamp to ``when`` (never later than now)."""
        when = min(when, self.now - datetime.timedelta(minutes=2))
        lasts = self.last_pks()
        for model, names in STAMPED:
            since, last = self.marks[model], lasts[model]
            if last <= since:
                continue
            values = dict.fromkeys(names, when)
            if not first_contact:
                values.pop("first_contact_at", None)
            rows = model.objects.filter(pk__gt=since, pk__lte=last)
            rows.update(**values)
            if model is ConsentRecord:
                guests = rows.values("guest_id")
                Guest.objects.filter(pk__in=guests).update(newsletter_consent_at=when)
        self.marks = lasts

    def moment(self, day):
        naive = datetime.datetime.combine(
            day, datetime.time(self.rng.randint(8, 21), self.rng.randint(0, 59))
        )
        latest = self.now - datetime.timedelta(minutes=self.rng.randint(5, 300))
        return min(timezone.make_aware(naive), latest)

    # Doors -------------------------------------------------------------------------------------

    def import_file(self, rows):
        """Last year's export of the old booking system, through ``guests_import``."""
        if not rows:
            return
        buffer = io.StringIO()
        writer = csv.writer(buffer, delimiter=";")
        writer.writerow(
            ["Prénom", "Nom", "E-mail", "Téléphone", "Adresse", "Code postal", "Ville", "Pays"]
            + ["Langue", "Newsletter", "Tags", "Arrivée", "Départ", "Premier contact"]
        )
        for plan, person in rows:
            _kind, offset, _outcome, *nights = plan.bookings.pop(0)  # The file brings it.
            arrival = self.today + offset * DAY
            departure = arrival + (nights or [self.rng.randint(1, 4)])[0] * DAY
            first_contact = arrival - self.rng.randint(5, 60) * DAY
            get = person.get
            writer.writerow(
                [get("first_name"), get("last_name"), get("email"), get("phone")]
                + [get("address"), get("postal_code"), get("city"), *IN_FILE[person["country"]]]
                + [self.rng.choice(["oui", "non", ""])]
                + ["Régulier" if self.rng.random() < 0.2 else ""]
                + [f"{day:%d/%m/%Y}" for day in (arrival, departure, first_contact)]
            )
        with tempfile.TemporaryDirectory() as scratch:
            path = os.path.join(scratch, f"clients-{self.today.year - 1}.csv")
            with open(path, "w", encoding="utf-8", newline="") as file:
                file.write(buffer.getvalue())
            out = io.StringIO()
            try:
                call_command("guests_import", path, stdout=out, stderr=io.StringIO())
            except CommandError as error:
                if self.stderr is not None:
                    self.stderr.write(f"The demo import failed: {error}\n{out.getvalue()}")
                return
        # The file's past stays arrive confirmed, as the importer records them.
        self.stamp(self.moment(self.today - IMPORT_AGE * DAY), first_contact=False)

    def live(self, plan, person):
        """Everything that happens to one guest, in order, each step at its own moment."""
        rng, events = self.rng, []
        for number, (kind, offset, outcome, *nights) in enumerate(plan.bookings):
            arrival = self.today + offset * DAY
            lead = rng.randint(2, 60) if kind == "stay" else rng.randint(0, 10)
            nights = nights[0] if nights else rng.choices([1, 2, 3, 4, 6], [4, 5, 3, 1, 1])[0]
            event = (kind, arrival, outcome, nights, number)
            events.append((min(arrival - lead * DAY, self.today), "book", event))
        for _n in range(plan.contacts):
            events.append((self.today - rng.randint(0, 400) * DAY, "contact", None))
        if plan.door == "manual" and not events:
            events.append((self.today - rng.randint(0, 300) * DAY, "manual", None))
        events.sort(key=lambda event: event[0])
        guest = None
        for position, (day, action, event) in enumerate(events):
            when = self.moment(day)
            variant = plan.variant and (position > 0 or plan.door == "import")
            if action == "contact":
                guest = self.contact(person, plan, when, variant)
            elif plan.door == "manual" and guest is None:
                guest = self.manual(person, plan, when, event)
            else:
                guest = self.book(person, plan, when, event, variant)
        if guest is None:  # An imported guest who has not been back.
            keys = ("email", "phone", "first_name", "last_name")
            guest = find_guest(Identity.of(**{key: person.get(key, "") for key in keys}))
        if guest is not None:
            self.finish(guest, plan)

    def where(self, kind, details):
        page, block_id = self.pages.get(kind, (None, ""))
        language = details["language"]
        return {"page": page, "block_id": block_id, "site": self.site, "language": language}

    def contact(self, person, plan, when, variant):
        details = self.people.typed(person, SHOWN["contact"], variant)
        message = self.rng.choice(MESSAGES[details["language"]])
        submission = record_submission(
            kind=SubmissionKind.CONTACT,
            guest_details=details,
            data={**details, "message": message, "consent": plan.consent},
            consent_wording=CONSENT if plan.consent else None,
            **self.where("contact", details),
        )
        self.stamp(when)
        return submission.guest

    def manual(self, person, plan, when, event):
        """Staff add a guest who telephoned, with the stay booked (a table is booked online)."""
        kind, arrival, outcome, nights, _number = event or ("", None, "", 0, 0)
        stay = kind == "stay"
        result = add_guest(
            person,
            user=self.user,
            arrival_date=arrival if stay else None,
            departure_date=arrival + nights * DAY if stay else None,
            site=self.site,
        )
        if plan.consent:
            wording = "Agreed at the front desk to receive the newsletter."
            record_staff_consent(result.guest, given=True, user=self.user, wording=wording)
        self.stamp(when)
        if result.booking is not None:
            self.settle(result.booking, outcome, when)
        elif event is not None:
            self.book(person, plan, when + DAY, event, False)
        return result.guest

    def book(self, person, plan, when, event, variant):
        """A booking form sent (twice, for a "duplicate"), then what staff do with it."""
        kind, arrival, outcome, nights, number = event
        rng = self.rng
        details = self.people.typed(person, SHOWN[kind], variant)
        data = dict(details)
        if kind == "stay":
            room = rng.choice(list(ROOMS))
            party = rng.randint(1, 4 if room == "Garden suite" else 2)
            departure = arrival + nights * DAY
            booking = {"kind": "stay", "arrival_date": arrival, "departure_date": departure}
            booking.update(number_of_guests=party, room_type=room)
            data.update(arrival_date=arrival.isoformat(), departure_date=departure.isoformat())
            data.update(number_of_guests=party, room_type=room)
        else:
            del data["language"]  # The table block has no language field.
            party, at = rng.randint(2, 8), rng.choice(TABLE_TIMES)
            booking = {"kind": "table", "arrival_date": arrival, "time": at}
            booking["number_of_guests"] = party
            data.update(date=arrival.isoformat(), time=at, party_size=party)
        companions = []
        if kind == "stay" and number == 0 and plan.companions:
            booking["number_of_guests"] = data["number_of_guests"] = plan.companions + 1
            companions = [self.people.companion(person) for _n in range(plan.companions)]
            data["additional_guests"] = companions
        if rng.random() < 0.2:
            data["message"] = rng.choice(MESSAGES[details["language"]])
        data["consent"] = plan.consent
        arguments = {
            "kind": SubmissionKind.BOOKING,
            "guest_details": details,
            "data": data,
            "booking_details": booking,
            "additional_guests": companions,
            "consent_wording": CONSENT if plan.consent else None,
            **self.where(kind, details),
        }
        submission = record_submission(**arguments)
        self.stamp(when)
        if outcome == "duplicate":  # The visitor pressed the button twice.
            again = record_submission(**{**arguments, "consent_wording": None})
            # No action marks a duplicate yet: the status staff would set by hand.
            Booking.objects.filter(pk=again.booking_id).update(status=BookingStatus.DUPLICATE)
            self.stamp(when + datetime.timedelta(seconds=40))
            outcome = "confirmed"
        self.settle(submission.booking, outcome, when)
        return submission.guest

    # Staff -------------------------------------------------------------------------------------

    def settle(self, booking, outcome, created=None):
        """Staff confirm, check in, cancel or mark a no-show, each at the time it happens."""
        arrival = datetime.datetime.combine(booking.arrival_date, datetime.time(15))
        arrival = timezone.make_aware(arrival)
        created = created or arrival - 10 * DAY
        steps = {"in": ["confirm", "check_in"], "no_show": ["confirm", "no_show"]}
        steps.update(cancelled=["cancel"], confirmed=["confirm"])
        for step in steps.get(outcome, []):
            if step in ("check_in", "no_show") and arrival > self.now:
                continue  # Not yet.
            if step not in available_changes(booking):
                continue
            if step in ("confirm", "cancel"):
                later = created + datetime.timedelta(hours=self.rng.randint(1, 30))
                when = max(created, min(later, arrival - datetime.timedelta(hours=2)))
            else:
                when = arrival + datetime.timedelta(hours=5 if step == "no_show" else 0)
            change_booking_status(booking, step, user=self.user)
            self.stamp(when)

    def finish(self, guest, plan):
        """Tags and consent changes, the day after the guest's last visit so far."""
        bookings = list(Booking.objects.filter(booker=guest))
        past = [b.arrival_date for b in bookings if b.arrival_date <= self.today]
        wanted = list(plan.tags)
        if sum(b.checked_in for b in bookings) >= 3:
            wanted.append("regular")
        if any(b.status == BookingStatus.NO_SHOW for b in bookings):
            wanted.append("no_show")
        if any(b.kind == "table" for b in bookings) and self.rng.random() < 0.08:
            wanted.append("vegetarian")
        for name in dict.fromkeys(wanted):
            if name in self.tags:
                tag_guest(guest, self.tags[name], user=self.user)
        guest.refresh_from_db(fields=["newsletter_consent"])
        if plan.withdraw and guest.newsletter_consent == "given":
            wording = "Asked by telephone to stop the newsletter."
            record_staff_consent(guest, given=False, user=self.user, wording=wording)
        self.stamp(self.moment(max(past, default=self.today) + DAY))

    def figures(self):
        """Revenue and rating of past visits, as staff type them in."""
        rng, done = self.rng, []
        new = Booking.objects.filter(pk__gt=self.first_booking)
        for booking in new.filter(checked_in=True, arrival_date__lt=self.today):
            if booking.kind == "stay":
                price = ROOMS.get(booking.room_type, 110) * (booking.nights or 1)
            else:
                price = booking.number_of_guests * rng.choice([38, 45, 52, 65])
            booking.revenue = Decimal(price)
            booking.rating = rng.choices([5, 4, 3, 2, None], [40, 30, 8, 2, 20])[0]
            done.append(booking)
        Booking.objects.bulk_update(done, ["revenue", "rating"])
