"""Benchmark of bulk anonymisation (GDPR, issue 5) on PostgreSQL and SQLite (a script, not a test).

    .venv/bin/python benchmarks/anonymise.py                    # 10,000 guests, both databases
    .venv/bin/python benchmarks/anonymise.py --only postgresql --guests 2000
    .venv/bin/python benchmarks/anonymise.py --database-url postgres://user@host:5432/db

Each database is created fresh (PostgreSQL: ``guests_bench_anonymise`` on the server of
``--database-url``, dropped and recreated; SQLite: a new file in the temporary directory) and
migrated. It then holds ``--guests`` guests, each with a past booking (with notes), a booking
form submission (raw JSON with the message and an additional guest), a consent record, a tag,
four timeline entries with payloads, three Wagtail audit-log entries (one with personal data in
its label and data, as an older version might have written), and for every other guest an
email sent (with a tracking event) and a reply received; one guest in ten is also an additional
guest on someone else's booking.

All of them are then anonymised in one call of
:func:`wagtail_guests.actions.gdpr.anonymise_guests` by a staff user of the "Guest managers"
group (what the guest list's "Anonymise" bulk action does), and the script prints the time,
the time per guest and the number of SQL queries. For comparison, ``--baseline`` guests of a
second set are anonymised one call per guest (what a loop over the profile's button would do).
Each database runs in its own process.
"""

from __future__ import annotations

import argparse
import datetime
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/import_export.py is django-import-export's package name: this folder must not come
# first on the path when a script of it runs, or "import import_export" would import that file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/guests_bench_anonymise"
BATCH = 1000


# Setup ----------------------------------------------------------------------------------------


def setup_django(vendor: str, url: str):
    if vendor == "postgresql":
        from benchmarks.bench_postgres import pg_recreate

        pg_recreate(url, url.rsplit("/", 1)[1])
        os.environ["DATABASE_URL"] = url
    else:
        os.environ.pop("DATABASE_URL", None)
        handle, path = tempfile.mkstemp(prefix="guests-bench-anonymise-", suffix=".sqlite3")
        os.close(handle)
        os.environ["SQLITE_PATH"] = path
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_site.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# Data -----------------------------------------------------------------------------------------


def make_guests(prefix: str, count: int, staff) -> list[int]:
    """``count`` guests with a copy of their data in every place the app keeps it."""
    from django.contrib.contenttypes.models import ContentType
    from django.utils import timezone
    from wagtail.models import ModelLogEntry

    from wagtail_guests.models import (
        Activity,
        Booking,
        ConsentRecord,
        EmailEvent,
        Guest,
        GuestTag,
        Message,
        OutgoingEmail,
        Submission,
        Tag,
    )

    now = timezone.now()
    old = now - datetime.timedelta(days=700)
    today = timezone.localdate()
    tag = Tag.objects.get(preset="regular")
    guest_type = ContentType.objects.get_for_model(Guest)
    ids = []
    for start in range(0, count, BATCH):
        numbers = range(start, min(start + BATCH, count))
        guests = []
        for n in numbers:
            guest = Guest(
                first_name=f"Firstname{prefix}{n}",
                last_name=f"Lastname{prefix}{n}",
                email=f"{prefix}.guest{n}@bench.example",
                phone=f"+3361{n:07d}" if n % 3 else "",
                address=f"{n} rue des Benchmarks",
                postal_code="75001",
                city="Paris",
                country="FR",
                language="fr",
                source="booking",
                first_contact_at=old,
            )
            guest.refresh_keys()
            guests.append(guest)
        guests = Guest.objects.bulk_create(guests)
        batch_ids = [g.pk for g in guests]
        ids.extend(batch_ids)
        bookings = Booking.objects.bulk_create(
            Booking(
                kind="stay",
                status="confirmed",
                booker=g,
                arrival_date=today - datetime.timedelta(days=200 + i % 300),
                departure_date=today - datetime.timedelta(days=197 + i % 300),
                number_of_guests=2,
                room_type="Double",
                revenue="300.00",
                notes=f"{g.first_name} {g.last_name} asks for a quiet room; call {g.phone}",
            )
            for i, g in enumerate(guests)
        )
        companions = Booking.additional_guests.through
        companions.objects.bulk_create(
            companions(booking_id=bookings[i - 1].pk, guest_id=g.pk)
            for i, g in enumerate(guests)
            if i % 10 == 5
        )
        submissions = Submission.objects.bulk_create(
            Submission(
                kind="booking",
                guest=g,
                booking=b,
                language="fr",
                data={
                    "first_name": g.first_name,
                    "last_name": g.last_name,
                    "email": g.email,
                    "phone": g.phone,
                    "message": f"Hello, this is {g.first_name}, we arrive late.",
                    "additional_guests": [{"first_name": "Friend", "last_name": g.last_name}],
                },
            )
            for g, b in zip(guests, bookings, strict=True)
        )
        ConsentRecord.objects.bulk_create(
            ConsentRecord(
                guest=g, given=True, source="form", wording="Yes, the newsletter.", language="fr"
            )
            for g in guests
        )
        GuestTag.objects.bulk_create(GuestTag(guest=g, tag=tag, added_by=staff) for g in guests)
        Activity.objects.bulk_create(
            activity
            for g, b, s in zip(guests, bookings, submissions, strict=True)
            for activity in (
                Activity(guest=g, kind="submitted", submission=s, payload={"kind": "booking"}),
                Activity(guest=g, kind="booked", booking=b, payload={"reference": b.reference}),
                Activity(guest=g, kind="tagged", user=staff, payload={"tag": tag.pk}),
                Activity(guest=g, kind="imported", payload={"file": f"{g.last_name}.csv"}),
            )
        )
        ModelLogEntry.objects.bulk_create(
            entry
            for g in guests
            for entry in (
                ModelLogEntry(
                    content_type=guest_type,
                    object_id=str(g.pk),
                    label=str(g),
                    action="wagtail.create",
                    timestamp=now,
                    user=staff,
                ),
                ModelLogEntry(
                    content_type=guest_type,
                    object_id=str(g.pk),
                    label=str(g),
                    action="wagtail_guests.tag",
                    data={"tag": tag.pk},
                    timestamp=now,
                    user=staff,
                ),
                ModelLogEntry(
                    content_type=guest_type,
                    object_id=str(g.pk),
                    label=f"{g.first_name} {g.last_name}",
                    action="wagtail.edit",
                    data={"email": g.email},
                    timestamp=now,
                    user=staff,
                ),
            )
        )
        writers = [g for g in guests if g.pk % 2]
        emails = OutgoingEmail.objects.bulk_create(
            OutgoingEmail(
                guest=g,
                kind="message",
                to_email=g.email,
                subject=f"Your stay, {g.first_name}",
                body=f"Dear {g.first_name} {g.last_name}, thank you for your visit.",
                status="sent",
                sent_at=now,
            )
            for g in writers
        )
        EmailEvent.objects.bulk_create(
            EmailEvent(email=e, guest_id=e.guest_id, event_type="delivered", description="ok")
            for e in emails
        )
        Message.objects.bulk_create(
            Message(
                guest_id=e.guest_id,
                direction="in",
                email=e,
                sender=e.to_email,
                subject=f"Re: {e.subject}",
                body="Thank you, see you next year!",
            )
            for e in emails
        )
    return ids


def row_counts() -> dict:
    from wagtail.models import ModelLogEntry

    from wagtail_guests import models

    names = ["Guest", "Booking", "Submission", "Activity", "OutgoingEmail", "Message"]
    counts = {name: getattr(models, name).objects.count() for name in names}
    counts["ModelLogEntry"] = ModelLogEntry.objects.count()
    return counts


# Measurements -----------------------------------------------------------------------------------


def timed(function):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        seconds = time.perf_counter() - start
    return result, seconds, len(queries.captured_queries)


def run(vendor: str, url: str, guests: int, baseline: int):
    setup_django(vendor, url)
    from django.db import connection

    from tests.admin_fixtures import make_staff
    from wagtail_guests.actions.gdpr import anonymise_guests
    from wagtail_guests.models import Guest

    staff = make_staff("bench-anonymiser")  # "Guest managers": may anonymise, not a superuser
    start = time.perf_counter()
    ids = make_guests("b", guests, staff)
    extra = make_guests("x", baseline, staff) if baseline else []
    print(f"[{vendor}] generated {row_counts()} in {time.perf_counter() - start:.1f} s")

    result, seconds, queries = timed(lambda: anonymise_guests(ids, user=staff))
    assert len(result.anonymised) == guests, result
    left = Guest.objects.filter(pk__in=ids).exclude(email="").count()
    assert left == 0, left
    print(
        f"[{vendor}] bulk anonymise of {guests:,} guests: {seconds:.2f} s, "
        f"{seconds / guests * 1000:.2f} ms per guest, {queries:,} queries "
        f"({queries / guests:.2f} per guest)"
    )
    if extra:

        def one_by_one():
            for pk in extra:
                anonymise_guests([pk], user=staff)

        _none, seconds_each, queries_each = timed(one_by_one)
        print(
            f"[{vendor}] one call per guest, {baseline:,} guests: {seconds_each:.2f} s, "
            f"{seconds_each / baseline * 1000:.2f} ms per guest, {queries_each:,} queries "
            f"({queries_each / baseline:.1f} per guest)"
        )
    connection.close()
    if vendor == "sqlite":
        os.unlink(os.environ["SQLITE_PATH"])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=10_000)
    parser.add_argument("--baseline", type=int, default=200, help="guests anonymised one by one")
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--child", choices=["postgresql", "sqlite"], help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        run(args.child, args.database_url, args.guests, args.baseline)
        return
    for vendor in [args.only] if args.only else ["postgresql", "sqlite"]:
        command = [
            sys.executable,
            __file__,
            "--child",
            vendor,
            "--guests",
            str(args.guests),
            "--baseline",
            str(args.baseline),
            "--database-url",
            args.database_url,
        ]
        subprocess.run(command, check=True)  # noqa: S603 (this script, with our own arguments)


if __name__ == "__main__":
    main()
