"""Benchmark: a public booking submission against a plain Wagtail form page (not a test).

    .venv/bin/python benchmarks/submission.py                       # 100,000 guests, 300 posts
    .venv/bin/python benchmarks/submission.py --guests 1000 --submissions 200
    .venv/bin/python benchmarks/submission.py --database sqlite     # a file in the temp folder

On the same database and in one run, it posts M submissions through Django's test client to
(a) a page with our booking block (identity rule, guest, booking, submission, consent record,
timeline) and (b) a ``wagtail.contrib.forms`` form page with the same fields, alternating the
two so both see the same machine. It prints the median and 90th-percentile time per
submission, the number of queries of each, and the ratio (target: ours <= 1.5x Wagtail's, and
the same number of queries whatever the number of guests).

The database (default ``postgres://postgres@127.0.0.1:5432/guests_bench_submission``) is
created if missing and migrated; the N existing guests are kept between runs of the same size.
One in ten of our submissions comes from an existing guest (a match), the others are new people.
The spam checks stay on but cannot trip: the rate limit is raised and the minimum fill time
set to zero for the run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The repository, not this folder: benchmarks/import_export.py would shadow django-import-export.
sys.path[0] = str(ROOT)
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/guests_bench_submission"
BLOCK_ID = "bbbbbbbb-0000-4000-8000-00000000beef"
TARGET_RATIO = 1.5
FIELDS = [  # (label, Wagtail field type) of the baseline form: the booking block's fields
    ("First name", "singleline"),
    ("Last name", "singleline"),
    ("Email", "email"),
    ("Phone", "singleline"),
    ("Arrival date", "date"),
    ("Departure date", "date"),
    ("Number of guests", "number"),
    ("Room type", "dropdown"),
    ("Message", "multiline"),
    ("Newsletter", "checkbox"),
]


def setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ["DJANGO_SETTINGS_MODULE"] = "example_site.settings"
    os.environ.setdefault("DJANGO_DEBUG", "0")
    if url.startswith("postgres"):
        from benchmarks.bench_postgres import ensure_database

        ensure_database(url)
    import django
    from django.conf import settings

    django.setup()
    settings.ALLOWED_HOSTS = ["*"]
    settings.WAGTAIL_GUESTS_RATE_LIMIT = (10**9, 1)
    settings.WAGTAIL_GUESTS_MIN_FILL_SECONDS = 0
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def existing_email(number: int) -> str:
    return f"guest{number}@bench.example"


def load_guests(count: int):
    """Make exactly ``count`` guests named benchmark-style (kept between runs of one size)."""
    from django.db import transaction

    from wagtail_guests.models import Guest

    present = Guest.objects.filter(email__endswith="@bench.example").count()
    if present == count:
        print(f"{count:,} existing guests kept from an earlier run.")
        return
    started = time.perf_counter()
    with transaction.atomic():
        Guest.objects.filter(email__endswith="@bench.example").delete()
        batch = []
        for number in range(count):
            guest = Guest(
                first_name=f"Prénom{number}",
                last_name=f"Nom{number % 5000}",
                email=existing_email(number),
                phone=f"+3361{number:07d}"[:12],
                language="fr",
                source="import",
            )
            guest.refresh_keys()
            batch.append(guest)
            if len(batch) == 5000:
                Guest.objects.bulk_create(batch)
                batch = []
        Guest.objects.bulk_create(batch)
    print(f"Created {count:,} existing guests in {time.perf_counter() - started:.1f} s.")


def make_pages():
    """A page with our booking block and a Wagtail form page with the same fields."""
    from wagtail.models import Page, Site

    from example_site.home.models import ContentPage, FormField, FormPage

    root = Site.objects.get(is_default_site=True).root_page
    for page in Page.objects.filter(slug__in=["bench-block", "bench-form"]):
        page.delete()
    block = {
        "type": "booking_form",
        "id": BLOCK_ID,
        "value": {
            "heading": "Book a room",
            "kind": "stay",
            "fields": ["phone", "message", "room_type"],
            "room_types": ["Double room", "Garden suite"],
            "consent_text": "Yes, send me the newsletter.",
            "success_message": "Thank you.",
            "notification_email": "",
            "min_party_size": 1,
            "max_party_size": 6,
        },
    }
    ours = ContentPage(title="Bench block", slug="bench-block", body=[block])
    root.add_child(instance=ours)
    ours.save_revision().publish()
    theirs = FormPage(title="Bench form", slug="bench-form")
    for order, (label, field_type) in enumerate(FIELDS):
        theirs.form_fields.add(
            FormField(
                sort_order=order,
                label=label,
                field_type=field_type,
                required=label != "Message" and label != "Newsletter" and label != "Phone",
                choices="Double room\nGarden suite" if field_type == "dropdown" else "",
            )
        )
    root.add_child(instance=theirs)
    theirs.save_revision().publish()
    return ours.specific, theirs.specific


def person(number: int, guests: int) -> dict:
    if guests and number % 10 == 0:  # one in ten is a guest we already know
        known = (number * 7919) % guests
        return {
            "first_name": f"Prénom{known}",
            "last_name": f"Nom{known % 5000}",
            "email": existing_email(known),
        }
    token = uuid.uuid4().hex[:10]
    return {"first_name": "Zoé", "last_name": f"Lefèvre-{token}", "email": f"{token}@new.example"}


def our_data(details: dict, arrival: str, departure: str) -> dict:
    from wagtail_guests.blocks import MARKER_FIELD, form_prefix
    from wagtail_guests.spam import make_timestamp

    prefix = form_prefix(BLOCK_ID)
    fields = {
        **details,
        "phone": "06 12 34 56 78",
        "arrival_date": arrival,
        "departure_date": departure,
        "number_of_guests": "2",
        "room_type": "Double room",
        "message": "We arrive late, around 23:00.",
        "consent": "on",
        "started": make_timestamp(BLOCK_ID, time.time() - 60),
    }
    data = {f"{prefix}-{name}": value for name, value in fields.items()}
    data[MARKER_FIELD] = BLOCK_ID
    return data


def their_data(details: dict, arrival: str, departure: str) -> dict:
    return {
        "first_name": details["first_name"],
        "last_name": details["last_name"],
        "email": details["email"],
        "phone": "06 12 34 56 78",
        "arrival_date": arrival,
        "departure_date": departure,
        "number_of_guests": "2",
        "room_type": "Double room",
        "message": "We arrive late, around 23:00.",
        "newsletter": "on",
    }


def timed_post(client, url: str, data: dict, expect: int):
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    reset_queries()  # the query log keeps 9,000 queries: counting past that would give 0
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        response = client.post(url, data)
        elapsed = time.perf_counter() - started
    if response.status_code != expect:
        raise SystemExit(f"POST {url} answered {response.status_code}, expected {expect}")
    return elapsed * 1000, len(queries)


def run(guests: int, submissions: int):
    import datetime

    from django.test import Client
    from django.utils import timezone

    from wagtail_guests.models import Guest, Submission

    load_guests(guests)
    ours, theirs = make_pages()
    client = Client()
    arrival = timezone.localdate() + datetime.timedelta(days=20)
    departure = (arrival + datetime.timedelta(days=3)).isoformat()
    arrival = arrival.isoformat()
    our_url, their_url = ours.url, theirs.url
    for number in range(5):  # warm up caches, templates and connections
        timed_post(client, our_url, our_data(person(number, 0), arrival, departure), 303)
        timed_post(client, their_url, their_data(person(number, 0), arrival, departure), 200)

    submissions_before = Submission.objects.count()
    guests_before = Guest.objects.count()
    results = {"ours": [], "theirs": []}
    queries = {"ours": set(), "theirs": set()}
    for number in range(submissions):
        details = person(number, guests)
        ms, count = timed_post(client, our_url, our_data(details, arrival, departure), 303)
        results["ours"].append(ms)
        queries["ours"].add(count)
        ms, count = timed_post(client, their_url, their_data(details, arrival, departure), 200)
        results["theirs"].append(ms)
        queries["theirs"].add(count)

    created = Submission.objects.count() - submissions_before
    new_guests = Guest.objects.count() - guests_before
    if created != submissions:
        raise SystemExit(f"{created} submissions recorded for {submissions} posts")

    def p90(values):
        return statistics.quantiles(values, n=10)[-1]

    print()
    print(
        f"{submissions} submissions each, {guests:,} existing guests, "
        f"{new_guests} new guests created by ours (1 in 10 matched an existing guest)"
    )
    print(f"{'':32} {'median ms':>10} {'p90 ms':>8} {'queries':>10}")
    for key, label in (
        ("ours", "(a) wagtail-guests booking block"),
        ("theirs", "(b) wagtail.contrib.forms page"),
    ):
        counts = sorted(queries[key])
        shown = str(counts[0]) if len(counts) == 1 else f"{counts[0]}-{counts[-1]}"
        print(
            f"{label:32} {statistics.median(results[key]):10.2f} {p90(results[key]):8.2f} "
            f"{shown:>10}"
        )
    ratio = statistics.median(results["ours"]) / statistics.median(results["theirs"])
    verdict = "meets" if ratio <= TARGET_RATIO else "misses"
    print(f"ratio (a)/(b), medians: {ratio:.2f}x ({verdict} the {TARGET_RATIO}x target)")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--guests", type=int, default=100_000)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--database", choices=["postgres", "sqlite"], default="postgres")
    args = parser.parse_args()
    if args.database == "sqlite":
        path = Path(tempfile.gettempdir()) / "wagtail_guests_bench_submission.sqlite3"
        url = os.environ.get("DATABASE_URL", f"sqlite:///{path}")
    else:
        url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    setup_django(url)
    from django.db import connection

    print(f"Database: {connection.vendor} ({connection.settings_dict['NAME']})")
    run(args.guests, args.submissions)


if __name__ == "__main__":
    main()
