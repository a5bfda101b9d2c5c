"""After anonymising, a full dump of the database holds none of the person's data.

PostgreSQL: ``pg_dump`` of the test database (the rows are committed: ``transaction=True``),
run with the client whose major version matches the server's. A missing or too old
``pg_dump`` fails the test, never skips it: CI must run it (``apt-get install
postgresql-client``). SQLite: the ``sqlite3`` command's ``.dump`` when it is installed, and
always Python's ``iterdump()`` (the same SQL); and, after a ``VACUUM``, not even the raw
database file holds the old values.

Each dump is also read table by table: every table that held a copy of the person before
(guest, submissions, bookings, timeline, emails, tracking, messages, photos, consent, import
reports, Wagtail's audit log) holds none after, while the other guest's copies all stay.
"""

import glob
import os
import re
import shutil
import subprocess

import pytest
from django.db import connection

from tests.admin_fixtures import make_staff
from tests.gdpr_helpers import PEOPLE, add_copies_elsewhere, make_household, secrets_of
from wagtail_guests.actions.gdpr import anonymise_guest

pytestmark = pytest.mark.django_db(transaction=True)

INSTALL_PG_DUMP = (
    "install the PostgreSQL client of the server's major version "
    "(Debian/Ubuntu: apt-get install postgresql-client-{major}, or postgresql-client)"
)
#: Every place a copy of the person's data is kept: the test data puts one in each.
TABLES_WITH_COPIES = {
    "wagtail_guests_guest",
    "wagtail_guests_submission",
    "wagtail_guests_booking",
    "wagtail_guests_activity",
    "wagtail_guests_outgoingemail",
    "wagtail_guests_emailevent",
    "wagtail_guests_message",
    "wagtail_guests_messageattachment",
    "wagtail_guests_consentrecord",
    "wagtail_guests_importjob",
    "wagtailcore_modellogentry",
}
#: The other guest's copies (their audit-log entries were written with no personal data).
OTHER_TABLES = TABLES_WITH_COPIES - {"wagtailcore_modellogentry"}


# Dumps ----------------------------------------------------------------------------------------


def _major(text: str) -> int:
    """The first number in ``text``: a major version in "/usr/lib/postgresql/16/bin"."""
    match = re.search(r"\d+", text)
    return int(match.group(0)) if match else 0


def _client_major(executable: str) -> int:
    """15 for "pg_dump (PostgreSQL) 15.20 (Debian 15.20-0+deb12u1)"."""
    output = subprocess.run(  # noqa: S603
        [executable, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"\)\s*(\d+)", output)
    return int(match.group(1)) if match else 0


def _pg_dump_candidates(server_major: int):
    """The server's own version first (Debian installs each under /usr/lib/postgresql/N),
    then the one on PATH, then the newest installed."""
    exact = f"/usr/lib/postgresql/{server_major}/bin/pg_dump"
    candidates = [exact] if os.access(exact, os.X_OK) else []
    if found := shutil.which("pg_dump"):
        candidates.append(found)
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_dump"), key=_major, reverse=True)
    return list(dict.fromkeys(candidates))


def pg_dump() -> str:
    connection.ensure_connection()
    server_major = connection.pg_version // 10000
    candidates = _pg_dump_candidates(server_major)
    if not candidates:
        pytest.fail(f"pg_dump is not installed: {INSTALL_PG_DUMP.format(major=server_major)}")
    # pg_dump refuses a server newer than itself; an older server is fine.
    executable = next((c for c in candidates if _client_major(c) >= server_major), None)
    if executable is None:
        pytest.fail(
            f"pg_dump is older than the PostgreSQL {server_major} server ({candidates}): "
            + INSTALL_PG_DUMP.format(major=server_major)
        )
    params = connection.settings_dict
    command = [executable, "--no-owner", "--dbname", params["NAME"]]
    if params.get("HOST"):
        command += ["--host", params["HOST"]]
    if params.get("PORT"):
        command += ["--port", str(params["PORT"])]
    if params.get("USER"):
        command += ["--username", params["USER"]]
    env = {**os.environ, "PGPASSWORD": params.get("PASSWORD") or ""}
    result = subprocess.run(command, capture_output=True, env=env, timeout=120)  # noqa: S603
    if result.returncode:
        pytest.fail(f"{executable} failed: {result.stderr.decode(errors='replace')}")
    return result.stdout.decode()


def sqlite_dumps() -> list[str]:
    """``sqlite3 <file> .dump`` when the command is installed, and ``iterdump()``."""
    connection.ensure_connection()
    dumps = ["\n".join(connection.connection.iterdump())]
    sqlite3 = shutil.which("sqlite3")
    if sqlite3:
        path = connection.settings_dict["NAME"]
        result = subprocess.run(  # noqa: S603
            [sqlite3, "-readonly", path, ".dump"], capture_output=True, check=True, timeout=120
        )
        dumps.append(result.stdout.decode("utf-8", errors="replace"))
    return dumps


def database_dumps() -> list[str]:
    if connection.vendor == "postgresql":
        return [pg_dump()]
    if connection.vendor == "sqlite":
        return sqlite_dumps()
    pytest.skip(f"no dump for {connection.vendor}")


_INSERT = re.compile(r'^INSERT INTO "?(\w+)"?')
_COPY = re.compile(r"^COPY (?:\w+\.)?\"?(\w+)\"? ")


def rows_by_table(dump: str) -> dict[str, str]:
    """The data of each table in a dump: SQLite's ``INSERT`` lines, pg_dump's ``COPY`` blocks."""
    tables: dict[str, list[str]] = {}
    copying = None
    for line in dump.splitlines():
        if copying:
            if line == "\\.":
                copying = None
            else:
                tables[copying].append(line)
            continue
        if match := _COPY.match(line):
            copying = match.group(1)
            tables.setdefault(copying, [])
        elif match := _INSERT.match(line):
            tables.setdefault(match.group(1), []).append(line)
    return {table: "\n".join(lines) for table, lines in tables.items()}


def found_in(text, secrets):
    lowered = text.lower()
    return [secret for secret in secrets if secret.lower() in lowered]


def tables_holding(dump, secrets) -> set[str]:
    return {table for table, rows in rows_by_table(dump).items() if found_in(rows, secrets)}


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def test_dump_holds_nothing_of_the_anonymised_guest(media):
    """Guest row, submissions, booking notes, timeline payloads, audit log, emails (outbox,
    tracking events), messages with their translation and attached photo, consent noted by
    staff, import reports: all in the dump before, none after; the other guest's copies stay."""
    staff = make_staff("dump-manager")
    household = make_household(staff, attachments=True)
    add_copies_elsewhere(household)
    target = [*secrets_of("target"), PEOPLE["target"]["photo"]]
    other = [*secrets_of("other"), PEOPLE["other"]["photo"]]
    befores = database_dumps()
    for before in befores:
        # The test means something: every string, and a copy in every table, before.
        assert found_in(before, target) == target
        assert found_in(before, other) == other
        assert tables_holding(before, target) >= TABLES_WITH_COPIES
        assert tables_holding(before, other) >= OTHER_TABLES

    anonymise_guest(household.target, user=staff)

    afters = database_dumps()
    assert len(afters) == len(befores)
    for after in afters:
        assert found_in(after, target) == []
        assert tables_holding(after, target) == set()
        # The other guest's data is intact: guest row, submission, emails, messages, photo.
        assert found_in(after, other) == other
        assert tables_holding(after, other) >= OTHER_TABLES
        assert after.count(PEOPLE["other"]["email"]) >= 4
        assert after.count(PEOPLE["other"]["reply"]) >= 2


def test_the_dump_reader_sees_every_table():
    """``rows_by_table`` reads both formats (a reader that finds nothing would pass above)."""
    sqlite = "INSERT INTO \"wagtail_guests_guest\" VALUES(1,'Ann');\nCREATE TABLE x (y int);"
    postgres = (
        "COPY public.wagtail_guests_guest (id, first_name) FROM stdin;\n1\tAnn\n\\.\n"
        "SELECT pg_catalog.setval('x', 1);"
    )
    for dump in (sqlite, postgres):
        assert tables_holding(dump, ["ann"]) == {"wagtail_guests_guest"}


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite file check")
def test_sqlite_file_holds_nothing_after_vacuum(media):
    staff = make_staff("vacuum-manager")
    household = make_household(staff, attachments=True)
    add_copies_elsewhere(household)
    anonymise_guest(household.target, user=staff)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")
        # In WAL mode the rebuilt file first goes to the write-ahead log, next to the frames
        # that still hold the old rows: copy it into the database file and empty the log.
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    path = connection.settings_dict["NAME"]
    with open(path, "rb") as database:
        raw = database.read().decode("latin-1")
    for wal in (f"{path}-wal", f"{path}-journal"):
        if os.path.exists(wal):
            with open(wal, "rb") as extra:
                raw += extra.read().decode("latin-1")
    assert found_in(raw, secrets_of("target")) == []
    assert PEOPLE["other"]["email"] in raw
