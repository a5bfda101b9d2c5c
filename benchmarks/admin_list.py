"""Benchmark of the admin guest list on PostgreSQL with a million guests (a script, not a test).

    .venv/bin/python benchmarks/admin_list.py                      # 1,000,000 / 1,500,000
    .venv/bin/python benchmarks/admin_list.py --guests 20000 --bookings 30000
    DATABASE_URL=postgres://user@host:5432/db .venv/bin/python benchmarks/admin_list.py

The database (default ``postgres://postgres@127.0.0.1:5432/guests_bench``) is created if
missing and migrated. Guests, bookings and tags are generated in SQL (``INSERT … SELECT
generate_series``, secondary indexes dropped during the load and rebuilt after) with the
derived keys (``identity_key``, ``name_key``, ``last_name_key``) computed as
``wagtail_guests.identity`` does. The data is kept between runs with the same sizes (use
``--regenerate`` to rebuild it).

Each scenario loads the list page through Django's test client as a logged-in superuser,
several times, and prints the median server time and the number of queries. The same
scenarios then run on 10 guests (inside a transaction that is rolled back) to show that the
number of queries does not depend on the number of guests.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# benchmarks/import_export.py has django-import-export's package name: this folder must not
# come first on the path, or "import import_export" would import that script.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/guests_bench"
TARGET_MS = 200

from benchmarks.list_data import analyze, counts, generate  # noqa: E402


def setup_django(url: str):
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_DEBUG", "0")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
    from benchmarks.bench_postgres import ensure_database

    if ensure_database(url):
        print(f"Created database {url.rsplit('/', 1)[1]}.")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


# Scenarios --------------------------------------------------------------------------------


def scenarios():
    """The list pages to time: (label, query parameters), chosen from the data present."""
    from wagtail_guests.identity import normalise_phone
    from wagtail_guests.models import Guest, GuestTag

    guest = Guest.objects.filter(anonymised_at__isnull=True).exclude(email="").order_by("pk")[0]
    with_phone = next(
        g for g in Guest.objects.exclude(phone="").order_by("pk")[:50] if normalise_phone(g.phone)
    )
    national = "0" + with_phone.phone[3:]
    national = " ".join(national[i : i + 2] for i in range(0, 10, 2))  # "06 12 34 56 78"
    tag = GuestTag.objects.filter(guest=guest).values_list("tag_id", flat=True).first()
    return [
        ("default view (arrivals, next 30 days)", {}),
        (f"name search {guest.last_name!r}", {"all": "1", "q": guest.last_name.lower()}),
        (f"phone search {national!r}", {"all": "1", "q": national}),
        ("tag filter + reachable", {"all": "1", "tags": str(tag), "reachable": "true"}),
        ("page 500", {"all": "1", "p": "500"}),
    ]


def shown_label(html: str) -> str:
    """The "20 guests" / "More than 10,000 guests" line under the list (or "no guests")."""
    match = re.search(r'class="pagination__end">\s*(.*?)\s*</div>', html, re.S)
    return match.group(1) if match else "no guests"


def measure(client, params, reps):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    timings, queries, shown = [], None, None
    for _attempt in range(reps + 1):  # The first run warms the caches and is not counted.
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get("/admin/guests/", params)
            elapsed = (time.perf_counter() - started) * 1000
        assert response.status_code == 200, response.status_code
        queries, shown = len(captured), shown_label(response.content.decode())
        timings.append(elapsed)
    return statistics.median(timings[1:]), queries, shown


def run_scenarios(reps):
    from django.contrib.auth import get_user_model
    from django.test import Client

    user, _created = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    return [(label, *measure(client, params, reps)) for label, params in scenarios()]


def small_query_counts(reps=1):
    """The query counts with 10 guests, in a transaction rolled back afterwards."""
    from django.db import transaction

    class Rollback(Exception):
        pass

    results = []
    try:
        with transaction.atomic():
            generate(10, 15, drop_indexes=False)
            results = run_scenarios(reps)
            raise Rollback
    except Rollback:
        pass
    return results


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--guests", type=int, default=1_000_000)
    parser.add_argument("--bookings", type=int, default=1_500_000)
    parser.add_argument("--reps", type=int, default=7, help="timed runs per scenario")
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    args = parser.parse_args(argv)

    setup_django(args.database_url)
    from django.db import connection

    if connection.vendor != "postgresql":
        parser.error("this benchmark needs PostgreSQL")
    print(f"Database: {connection.settings_dict['NAME']}")
    small = small_query_counts()
    if args.regenerate or counts() != (args.guests, args.bookings):
        generate(args.guests, args.bookings, drop_indexes=True)
        analyze()
    n_guests, n_bookings = counts()
    print(f"Timing the list page with {n_guests:,} guests and {n_bookings:,} bookings.\n")
    big = run_scenarios(args.reps)

    width = max(len(row[0]) for row in big)
    print(f"{'scenario':<{width}}  {'median ms':>9}  {'queries':>7}  {'q. (10)':>7}  shown")
    ok = True
    for (label, ms, queries, shown), small_row in zip(big, small, strict=True):
        flag = "" if ms < TARGET_MS and queries == small_row[2] else "  <-- over target"
        ok = ok and not flag
        print(f"{label:<{width}}  {ms:9.1f}  {queries:7d}  {small_row[2]:7d}  {shown}{flag}")
    print(
        f"\nTarget: under {TARGET_MS} ms each, and the same number of queries for 10 guests: "
        + ("met." if ok else "NOT met.")
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
