"""Benchmark of the guest import and export, on PostgreSQL and SQLite in one run (a script, not
a test).

    .venv/bin/python benchmarks/import_export.py
    .venv/bin/python benchmarks/import_export.py --rows 20000 --export-rows 100000   # quicker
    .venv/bin/python benchmarks/import_export.py --only postgresql

Import: a 100,000-row CSV file of realistic guests (names with accents, national and
international phone numbers, countries and languages written in several ways, newsletter
consent, tags), of which 10% match guests already in the database (by email, or by phone and
last name) and 1% repeat an earlier row of the file, is imported into a database holding
50,000 guests, by

(a) our importer (``wagtail_guests.importing.engine.import_file``: read, check every row,
    plan, write the guests, consent records, tags and timeline entries, all or nothing);
(b) a plain django-import-export ``ModelResource`` with default settings on the same model,
    given the same rows with the model's field names as headers and only the guest columns
    (``import_data`` on a tablib ``Dataset`` read from the file). It saves row by row, so it
    is timed on the first ``--plain-rows`` rows (10,000 by default) and its rows/s is
    extrapolated to the whole file; its errors on rows matching an existing guest (unique
    identity key) are counted, as it reports them;
(c) PostgreSQL ``COPY`` of that same plain file into an empty copy of the guest table (``CREATE
    TABLE … (LIKE … INCLUDING ALL)``: same columns, indexes and constraints);
(d) on PostgreSQL, what (a) leaves to the database alone: the rows (a) wrote (guests, consent
    records, tags, timeline entries) saved and loaded again by ``COPY`` into a fresh copy of the
    database in one transaction, with its commit (foreign key checks). It does not count the
    updates of known guests.

Export: 1,000,000 guests (30% with tags) as CSV through the guest list's "Export" (the admin
view, streamed), consumed chunk by chunk as a browser would.

(a) and (c) are each measured ``--repeat`` times (3 by default), in turn (a, c, a, c…), so
that both meet the same moments of a shared machine: the figures printed are the median run
of each, with every run's time, and the ratio is of the medians (each pair's too).

Each measurement runs in its own process, on a fresh copy of the prepared database (a
PostgreSQL template database, a copy of the SQLite file), and reports its time and the peak
resident memory of the process (``getrusage`` ``ru_maxrss``, which includes Python and Django
themselves: about 60-90 MB before any work). Databases (``guests_bench_io_*`` on the server of
``--database-url``; SQLite files in ``--work-dir``) are created if missing and kept between runs
(migrated to the code's schema before each run).

For (a) and (c) the CPU time is printed too: of the benchmark's process and, on PostgreSQL, of
the server process serving its connection (read from ``/proc``, so only when the server runs on
the same machine). Their sum divided by the machine's CPUs is the least time the work could
take, were it spread perfectly over every CPU; and since PostgreSQL runs one transaction in one
server process, (a) can never take less than that process's CPU time alone.

Targets on PostgreSQL (issue 4): import (a) at least 10x (b) and within 3x of (c), with a peak
under 300 MB; export at least 50,000 rows/s with a peak under 150 MB.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
# This file's name is django-import-export's package name: when it runs as a script, its folder
# must not come first on the path, or "import import_export" would import this file.
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
sys.path.insert(0, str(ROOT))
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/guests_bench_io"
DEFAULT_WORK_DIR = Path("/tmp/guests-bench-io")  # noqa: S108 (generated test data only)
TARGETS = {
    "vs_plain": 10,
    "vs_copy": 3,
    "import_mb": 300,
    "export_rows_s": 50_000,
    "export_mb": 150,
}

from benchmarks.io_data import PLAIN_COLUMNS, generate_sqlite, write_files  # noqa: E402
from benchmarks.io_databases import Backend  # noqa: E402

# Child processes: one measurement each ------------------------------------------------------


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child_setup(migrate=False):
    import django

    django.setup()
    if migrate:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)


def timed(function):
    """Run ``function()``; return its result, the seconds, the RSS before and the peak after."""
    import gc

    gc.collect()
    before = rss_mb()
    started = time.perf_counter()
    result = function()
    return result, time.perf_counter() - started, before, peak_mb()


class CpuClock:
    """CPU seconds spent since it was made by this process and, when the PostgreSQL server
    runs on this machine, by the server process of Django's connection."""

    def __init__(self):
        from django.db import connection

        self.stat = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                pid = cursor.fetchone()[0]
            try:
                with open(f"/proc/{pid}/comm") as handle:
                    if handle.read().strip() == "postgres":
                        self.stat = f"/proc/{pid}/stat"
            except OSError:
                pass  # another machine's server
        self.start = self.now()

    def now(self) -> tuple:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        database = None
        if self.stat:
            with open(self.stat) as handle:
                fields = handle.read().rsplit(")", 1)[1].split()
            database = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return usage.ru_utime + usage.ru_stime, database

    def spent(self) -> dict:
        (python, database), (python_0, database_0) = self.now(), self.start
        return {
            "python": python - python_0,
            "database": None if database is None else database - database_0,
        }


def child_migrate():
    """Bring a kept database to the code's schema (a no-op when it is)."""
    child_setup(migrate=True)
    return {}


def child_prepare_seed(path):
    child_setup(migrate=True)
    from wagtail_guests.importing.engine import import_file

    report = import_file(path, name="seed.csv")
    return {"guests": report["new"]}


def child_ours(path):
    child_setup()
    from wagtail_guests.importing.engine import import_file
    from wagtail_guests.models import Guest

    before = Guest.objects.count()
    clock = CpuClock()
    report, seconds, base, peak = timed(lambda: import_file(path, name=os.path.basename(path)))
    return {
        "cpu": clock.spent(),
        "seconds": seconds,
        "rows": report["rows"],
        "base_mb": base,
        "peak_mb": peak,
        "new": report["new"],
        "updated": report["updated"],
        "unchanged": report["unchanged"],
        "duplicates": report["duplicates_total"],
        "guests_added": Guest.objects.count() - before,
    }


def child_plain(path):
    child_setup()
    import tablib
    from import_export import resources

    from wagtail_guests.models import Guest

    class PlainGuestResource(resources.ModelResource):
        class Meta:
            model = Guest

    def run():
        with open(path, encoding="utf-8") as handle:
            dataset = tablib.Dataset().load(handle.read(), format="csv")
        return PlainGuestResource().import_data(dataset, dry_run=False)

    before = Guest.objects.count()
    result, seconds, base, peak = timed(run)
    return {
        "seconds": seconds,
        "rows": result.total_rows,
        "base_mb": base,
        "peak_mb": peak,
        "errors": len(result.row_errors()),
        "guests_added": Guest.objects.count() - before,
    }


def child_copy(path):
    child_setup()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_guest_copy")
        cursor.execute("CREATE TABLE bench_guest_copy (LIKE wagtail_guests_guest INCLUDING ALL)")
        # Django sets defaults in Python, not in the table: give the columns the file does not
        # have what a save() would give them.
        for column, default in (
            ("address", "''"),
            ("postal_code", "''"),
            ("newsletter_consent", "'unknown'"),
            ("source", "'import'"),
            ("first_contact_at", "now()"),
            ("created_at", "now()"),
            ("updated_at", "now()"),
            ("name_key", "''"),
            ("last_name_key", "''"),
        ):
            cursor.execute(f"ALTER TABLE bench_guest_copy ALTER {column} SET DEFAULT {default}")
    raw = connection.connection

    def run():
        with raw.cursor() as cursor:
            columns = ", ".join(PLAIN_COLUMNS)
            with (
                cursor.copy(
                    f"COPY bench_guest_copy ({columns}) FROM STDIN "
                    f"(FORMAT csv, HEADER, FORCE_NOT_NULL ({columns}))"
                ) as copy,
                open(path, "rb") as handle,
            ):
                while chunk := handle.read(1 << 16):
                    copy.write(chunk)
        raw.commit()
        with raw.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM bench_guest_copy")
            return cursor.fetchone()[0]

    clock = CpuClock()
    rows, seconds, base, peak = timed(run)
    cpu = clock.spent()
    return {"seconds": seconds, "rows": rows, "base_mb": base, "peak_mb": peak, "cpu": cpu}


#: The tables an import writes rows into, and the column holding the import's one timestamp.
WRITTEN = (
    ("wagtail_guests_guest", "created_at"),
    ("wagtail_guests_consentrecord", "created_at"),
    ("wagtail_guests_guesttag", "added_at"),
    ("wagtail_guests_activity", "created_at"),
)


def child_dump_written(work_dir):
    """Save the rows the import (a) wrote (all stamped with the import's time) and the tags it
    created, for (d)."""
    child_setup()
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    counts = {}
    with raw.cursor() as cursor:
        for table, column in (*WRITTEN, ("wagtail_guests_tag", None)):
            if column:
                query = (
                    f"SELECT * FROM {table} WHERE {column} = (SELECT max({column}) FROM {table})"  # noqa: S608
                )
            else:  # tags: the import's new ones (the others are in the seed too)
                query = f"SELECT * FROM {table}"  # noqa: S608
            path = Path(work_dir) / f"written-{table}.copy"
            with cursor.copy(f"COPY ({query}) TO STDOUT") as copy, open(path, "wb") as handle:
                for chunk in copy:
                    handle.write(chunk)
            counts[table] = path.read_bytes().count(b"\n")
    return counts


def child_load_written(work_dir):
    """(d): the database's own work for what the import wrote: the same rows loaded by COPY in
    one transaction (the tags first), and the commit with its foreign key checks."""
    child_setup()
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    tags = Path(work_dir) / "written-wagtail_guests_tag.copy"

    def run():
        seconds = {}
        raw.autocommit = False  # one transaction: the foreign keys are checked at the commit
        with raw.cursor() as cursor:
            cursor.execute("CREATE TEMPORARY TABLE written_tag (LIKE wagtail_guests_tag)")
            with cursor.copy("COPY written_tag FROM STDIN") as copy:
                copy.write(tags.read_bytes())
            cursor.execute(
                "INSERT INTO wagtail_guests_tag SELECT * FROM written_tag ON CONFLICT DO NOTHING"
            )
            for table, _column in WRITTEN:
                started = time.perf_counter()
                path = Path(work_dir) / f"written-{table}.copy"
                with cursor.copy(f"COPY {table} FROM STDIN") as copy, open(path, "rb") as handle:
                    while chunk := handle.read(1 << 16):
                        copy.write(chunk)
                seconds[table] = time.perf_counter() - started
        started = time.perf_counter()
        raw.commit()
        seconds["commit"] = time.perf_counter() - started
        return seconds

    seconds, total, base, peak = timed(run)
    return {"seconds": total, "parts": seconds}


def child_generate_export(count):
    """Fill an empty database with ``count`` guests (30% tagged), fast (in SQL or executemany)."""
    child_setup(migrate=True)
    from django.db import connection

    count = int(count)
    if connection.vendor == "postgresql":
        # The same realistic guests as the list benchmark, generated in SQL.
        from benchmarks.list_data import analyze, generate

        generate(count, 0, drop_indexes=True)
        analyze()
    else:
        generate_sqlite(count)
    from wagtail_guests.models import Guest

    return {"guests": Guest.objects.count()}


def child_export():
    child_setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from wagtail_guests.models import Guest

    user, _created = get_user_model().objects.get_or_create(
        username="bench", defaults={"is_superuser": True, "is_staff": True}
    )
    client = Client()
    client.force_login(user)
    total = Guest.objects.filter(anonymised_at__isnull=True).count()

    def run():
        response = client.get("/admin/guests/", {"all": "1", "export": "csv"})
        assert response.status_code == 200, response.status_code
        lines = size = 0
        for chunk in response.streaming_content:  # as a browser receives it, chunk by chunk
            lines += chunk.count(b"\n")
            size += len(chunk)
        return lines - 1, size

    (rows, size), seconds, base, peak = timed(run)
    assert rows == total, (rows, total)
    return {"seconds": seconds, "rows": rows, "bytes": size, "base_mb": base, "peak_mb": peak}


CHILDREN = {
    "migrate": child_migrate,
    "prepare-seed": child_prepare_seed,
    "ours": child_ours,
    "plain": child_plain,
    "copy": child_copy,
    "dump-written": child_dump_written,
    "load-written": child_load_written,
    "generate-export": child_generate_export,
    "export": child_export,
}


# The run -------------------------------------------------------------------------------------


def rate(result) -> float:
    return result["rows"] / result["seconds"]


def memory(result) -> str:
    return f"peak {result['peak_mb']:.0f} MB (process before: {result['base_mb']:.0f} MB)"


def cpu(result) -> str:
    spent = result["cpu"]
    if spent["database"] is None:
        return f"CPU: this process {spent['python']:.2f} s"
    return (
        f"CPU: this process {spent['python']:.2f} s, the server's {spent['database']:.2f} s "
        f"= {spent['python'] + spent['database']:.2f} s"
    )


def cpu_floor(result) -> float | None:
    """The least time the work of ``result`` could take on this machine's CPUs."""
    spent = result["cpu"]
    if spent["database"] is None:
        return None
    return (spent["python"] + spent["database"]) / (os.cpu_count() or 1)


def run_backend(vendor: str, files: dict, args) -> dict:
    backend = Backend(vendor, args)
    seed = f"seed{args.existing}"
    print(f"\n=== {vendor} ===", flush=True)
    if args.regenerate or not backend.exists(seed):
        made = backend.prepare(seed, "prepare-seed", files["seed"])
        print(f"Prepared {made['guests']:,} existing guests.", flush=True)
    else:
        backend.child(seed, "migrate")
    results = {}
    runs, copies = [], []
    for _run in range(args.repeat):  # (a) and (c) in turn: the same moments of the machine
        backend.copy(seed, "run")
        runs.append(backend.child("run", "ours", files["import"]))
        if vendor == "postgresql":
            backend.copy(seed, "run")
            copies.append(backend.child("run", "copy", files["plain"]))
    results["ours"] = ours = median_run(runs)
    print(
        f"(a) our importer: {ours['rows']:,} rows in {ours['seconds']:.2f} s = "
        f"{rate(ours):,.0f} rows/s; {memory(ours)}{each_run(runs)}\n"
        f"    {ours['new']:,} new, {ours['updated']:,} updated, {ours['unchanged']:,} unchanged, "
        f"{ours['duplicates']:,} in-file duplicates merged\n"
        f"    {cpu(ours)}",
        flush=True,
    )
    backend.copy(seed, "run")
    results["plain"] = plain = backend.child("run", "plain", files["plain_subset"])
    print(
        f"(b) plain ModelResource: {plain['rows']:,} rows in {plain['seconds']:.2f} s = "
        f"{rate(plain):,.0f} rows/s (extrapolated: {args.rows / rate(plain):,.0f} s for "
        f"{args.rows:,} rows); {memory(plain)}\n"
        f"    {plain['errors']:,} row errors (rows of existing guests: unique identity key)",
        flush=True,
    )
    if vendor == "postgresql":
        results["copy"] = copy = median_run(copies)
        print(
            f"(c) COPY into an empty copy of the table: {copy['rows']:,} rows in "
            f"{copy['seconds']:.2f} s = {rate(copy):,.0f} rows/s; {memory(copy)}"
            f"{each_run(copies)}\n"
            f"    {cpu(copy)}",
            flush=True,
        )
    if vendor == "postgresql":
        backend.copy(seed, "run")
        backend.child("run", "ours", files["import"])
        written = backend.child("run", "dump-written", args.work_dir)
        backend.copy(seed, "run")
        results["floor"] = floor = backend.child("run", "load-written", args.work_dir)
        parts = ", ".join(
            f"{table.removeprefix('wagtail_guests_')} {seconds:.2f} s"
            for table, seconds in floor["parts"].items()
        )
        print(
            f"(d) the rows (a) wrote ({sum(written.values()) - written['wagtail_guests_tag']:,}), "
            f"loaded by COPY in one transaction: {floor['seconds']:.2f} s ({parts})\n"
            f"    the database's own work, without reading or checking: "
            f"{floor['seconds'] / copy['seconds']:.2f}x the time of (c)",
            flush=True,
        )
    print(f"    ours / plain: {rate(ours) / rate(plain):.1f}x faster", flush=True)
    if "copy" in results:
        pairs = ", ".join(
            f"{a['seconds'] / c['seconds']:.2f}" for a, c in zip(runs, copies, strict=True)
        )
        print(
            f"    ours / COPY: {ours['seconds'] / results['copy']['seconds']:.2f}x the time"
            + (f" (the medians; run by run: {pairs})" if len(runs) > 1 else "")
        )
        floor = cpu_floor(ours)
        if floor is not None:
            print(
                f"    (a)'s CPU time spread over this machine's {os.cpu_count()} CPUs: at least "
                f"{floor:.2f} s = {floor / results['copy']['seconds']:.2f}x the time of (c)",
                flush=True,
            )
            server = ours["cpu"]["database"]
            print(
                f"    (a)'s CPU time in its one server process: {server:.2f} s = "
                f"{server / results['copy']['seconds']:.2f}x the time of (c) (one transaction "
                f"runs in one server process: (a) cannot take less)",
                flush=True,
            )
    if args.export_rows:
        name = f"export{args.export_rows}"
        if args.regenerate or not backend.exists(name):
            started = time.perf_counter()
            made = backend.prepare(name, "generate-export", args.export_rows)
            print(
                f"Prepared {made['guests']:,} guests to export "
                f"({time.perf_counter() - started:.0f} s).",
                flush=True,
            )
        else:
            backend.child(name, "migrate")
        results["export"] = export = backend.child(name, "export")
        print(
            f"Export (CSV, streamed): {export['rows']:,} guests, {export['bytes'] / 1e6:.0f} MB "
            f"in {export['seconds']:.2f} s = {rate(export):,.0f} rows/s; {memory(export)}",
            flush=True,
        )
    return results


def median_run(runs: list[dict]) -> dict:
    """The run of median time, with the highest peak memory of all."""
    middle = dict(sorted(runs, key=lambda run: run["seconds"])[(len(runs) - 1) // 2])
    middle["peak_mb"] = max(run["peak_mb"] for run in runs)
    return middle


def each_run(runs: list[dict]) -> str:
    if len(runs) < 2:
        return ""
    times = ", ".join(f"{run['seconds']:.2f}" for run in runs)
    return f"\n    median of {len(runs)} runs ({times} s; peak: the highest)"


def verdict(results: dict) -> list[str]:
    ours, plain, copy = results["ours"], results["plain"], results.get("copy")
    lines = [
        check(
            "import >= 10x plain ModelResource",
            rate(ours) / rate(plain) >= TARGETS["vs_plain"],
            f"{rate(ours) / rate(plain):.1f}x",
        ),
        check(
            "import peak < 300 MB",
            ours["peak_mb"] < TARGETS["import_mb"],
            f"{ours['peak_mb']:.0f} MB",
        ),
    ]
    if copy:
        ratio = ours["seconds"] / copy["seconds"]
        lines.append(
            check("import within 3x of COPY", ratio <= TARGETS["vs_copy"], f"{ratio:.2f}x")
        )
    if "export" in results:
        export = results["export"]
        lines.append(
            check(
                "export >= 50,000 rows/s",
                rate(export) >= TARGETS["export_rows_s"],
                f"{rate(export):,.0f} rows/s",
            )
        )
        lines.append(
            check(
                "export peak < 150 MB",
                export["peak_mb"] < TARGETS["export_mb"],
                f"{export['peak_mb']:.0f} MB",
            )
        )
    return lines


def check(label: str, ok: bool, figure: str) -> str:
    return f"  {'met' if ok else 'NOT met':>7}: {label} ({figure})"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=100_000, help="rows of the import file")
    parser.add_argument("--existing", type=int, default=50_000, help="guests already there")
    parser.add_argument("--plain-rows", type=int, default=10_000, help="rows timed for (b)")
    parser.add_argument("--export-rows", type=int, default=1_000_000, help="0: no export")
    parser.add_argument("--repeat", type=int, default=3, help="runs of (a) and of (c)")
    parser.add_argument("--only", choices=["postgresql", "sqlite"])
    parser.add_argument("--regenerate", action="store_true", help="rebuild files and databases")
    parser.add_argument("--database-url", default=os.environ.get("PG_URL", DEFAULT_URL))
    parser.add_argument("--work-dir", default=str(DEFAULT_WORK_DIR))
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args, extra = parser.parse_known_args(argv)
    if args.child:
        print(json.dumps(CHILDREN[args.child](*extra)))
        return 0

    work = Path(args.work_dir)
    if args.regenerate and work.exists():
        for path in work.glob("*.csv"):
            path.unlink()
    files = write_files(work, args.rows, args.existing, min(args.plain_rows, args.rows))
    print(f"Import file: {files['import']} ({args.rows:,} rows, {args.existing:,} guests there)")
    vendors = [args.only] if args.only else ["postgresql", "sqlite"]
    summary = {vendor: run_backend(vendor, files, args) for vendor in vendors}
    print("\nTargets (PostgreSQL):" if "postgresql" in summary else "\nTargets:")
    for vendor, results in summary.items():
        print(f" {vendor}:")
        for line in verdict(results):
            print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
