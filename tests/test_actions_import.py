"""The import writes exactly what the identity action would, all or nothing."""

import gc
import random
import threading
from types import SimpleNamespace

import pytest
from django.core.exceptions import PermissionDenied
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from tests.admin_fixtures import make_staff
from tests.factories import make_guest, make_tag
from tests.import_helpers import counts, write
from wagtail_guests.actions import add_tag, match_or_create_guest, record_consent
from wagtail_guests.importing import bulk, lookups
from wagtail_guests.importing import payload as payload_module
from wagtail_guests.importing import plan as plan_module
from wagtail_guests.importing import writer as writer_module
from wagtail_guests.importing.bulk import allocate_ids
from wagtail_guests.importing.engine import ImportAborted, import_file, preview_file
from wagtail_guests.models import (
    Activity,
    Booking,
    ConsentRecord,
    Guest,
    GuestTag,
    Tag,
)
from wagtail_guests.timeline import describe
from wagtail_guests.utils import collector_paused

pytestmark = pytest.mark.django_db
HEADER = "first name,last name,email,phone,city,newsletter consent,tags\n"


def do_import(tmp_path, rows, header=HEADER, **options):
    return import_file(write(tmp_path, header + rows), name="clients.csv", **options)


def test_a_match_fills_empty_fields_and_never_overwrites(tmp_path):
    guest = make_guest(
        email="elodie@example.com", first_name="Élodie", last_name="Dupré", city="Paris"
    )
    report = do_import(tmp_path, "ELODIE,DUPRE,Elodie@Example.com,06 12 34 56 78,Lyon,,\n")
    assert (report["new"], report["updated"]) == (0, 1)
    guest.refresh_from_db()
    assert (guest.first_name, guest.city, guest.phone) == ("Élodie", "Paris", "+33612345678")
    imported = Activity.objects.get(guest=guest, kind="imported")
    assert imported.payload["filled"] == ["phone"]
    assert imported.payload["differences"] == ["city"]
    assert imported.payload["file"] == "clients.csv"


def test_unchanged_guest(tmp_path):
    make_guest(email="jean@example.com", first_name="Jean", last_name="Martin")
    report = do_import(tmp_path, "Jean,Martin,jean@example.com,,,,\n")
    assert (report["new"], report["updated"], report["unchanged"]) == (0, 0, 1)


def test_phone_rule_needs_the_same_last_name(tmp_path):
    known = make_guest(
        first_name="Jean", last_name="Martin", email="jean@example.com", phone="+33611111111"
    )
    report = do_import(
        tmp_path,
        "Jean,Martin,,06 11 11 11 11,Nice,,\n"  # no email: phone + last name -> known
        "Paul,Durand,,06 11 11 11 11,,,\n",  # same phone, another last name -> new guest
    )
    assert (report["new"], report["updated"]) == (1, 1)
    known.refresh_from_db()
    assert known.city == "Nice"
    assert Guest.objects.filter(phone="+33611111111").count() == 2


def test_name_rule_only_matches_guests_without_email_or_phone(tmp_path):
    bare = make_guest(first_name="Anne", last_name="Roy")
    make_guest(first_name="Paul", last_name="Roy", email="paul@example.com")
    report = do_import(tmp_path, "anne,roy,,,Brest,,\nPaul,Roy,,,,,\n")
    assert (report["new"], report["updated"]) == (1, 1)
    bare.refresh_from_db()
    assert bare.city == "Brest"


def test_same_guests_as_the_identity_action_row_by_row(tmp_path):
    """Random rows with shared emails, phones and names: the import and a loop over
    match_or_create_guest() leave the same guests."""
    rng = random.Random(4)
    firsts, lasts = ["Anne", "anne", "Luc", "Zoé"], ["Roy", "ROY", "Noël", "Noel"]
    emails, phones = ["", "", "a@x.fr", "A@X.fr", "b@x.fr"], ["", "", "0611111111", "0622222222"]
    rows = [
        [
            rng.choice(firsts),
            rng.choice(lasts),
            rng.choice(emails),
            rng.choice(phones),
            rng.choice(["", "Paris", "Lyon"]),
        ]
        for _ in range(60)
    ]
    make_guest(first_name="Anne", last_name="Roy", phone="0611111111", city="Caen")
    make_guest(first_name="Luc", last_name="Noel")

    def snapshot():
        return sorted(
            Guest.objects.values_list("identity_key", "first_name", "email", "phone", "city")
        )

    with transaction.atomic():
        for first, last, email, phone, city in rows:
            details = {
                "first_name": first,
                "last_name": last,
                "email": email,
                "phone": phone,
                "city": city,
            }
            match_or_create_guest(details, source="import")
        expected = snapshot()
        transaction.set_rollback(True)
    text = "".join(",".join(row) + ",,\n" for row in rows)
    do_import(tmp_path, text)
    assert snapshot() == expected


def _everything():
    """What the import tables hold, with guests named by their identity (ids differ)."""
    guests = {g.pk: g for g in Guest.objects.all()}
    key = {pk: g.identity_key for pk, g in guests.items()}
    fields = ("identity_key", "first_name", "last_name", "email", "phone", "city", "source")
    fields += ("newsletter_consent", "name_key", "last_name_key")
    return {
        "guests": sorted(
            (*(getattr(g, f) for f in fields), g.newsletter_consent_at is None)
            for g in guests.values()
        ),
        "consents": sorted(
            (key[c.guest_id], c.given, c.source) for c in ConsentRecord.objects.all()
        ),
        "tags": sorted((key[t.guest_id], t.tag.name) for t in GuestTag.objects.all()),
        "timeline": sorted(
            (
                key[a.guest_id],
                a.kind,
                a.payload.get("rows"),
                a.payload.get("new"),
                a.payload.get("filled"),
                [c["given"] for c in a.payload.get("consents", [])],
                [t["name"] for t in a.payload.get("tags", [])],
            )
            for a in Activity.objects.all()
        ),
    }


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_an_import_written_part_by_part_leaves_what_a_whole_import_leaves(
    tmp_path, monkeypatch, seed
):
    """The import writes the new guests of each part of the file while it plans the next
    part; later rows still fill their empty fields, change their consent and add tags, and
    match existing guests, exactly as when the whole file is planned first."""
    from wagtail_guests.importing import engine

    rng = random.Random(seed)
    firsts, lasts = ["Anne", "Luc", "Zoé"], ["Roy", "Noël"]
    emails = ["", "", "a@x.fr", "b@x.fr", "c@x.fr", "known@x.fr"]
    phones = ["", "", "0611111111", "0622222222"]
    rows = [
        [
            rng.choice(firsts),
            rng.choice(lasts),
            rng.choice(emails),
            rng.choice(phones),
            rng.choice(["", "", "Paris", "Lyon"]),
            rng.choice(["", "", "yes", "no"]),
            rng.choice(["", "", "VIP", '"VIP, Famille"']),
        ]
        for _ in range(80)
    ]
    make_guest(first_name="Anne", last_name="Roy", phone="0611111111", city="Caen")
    make_guest(first_name="Kim", last_name="Known", email="known@x.fr")
    text = "".join(",".join(row) + "\n" for row in rows)
    with transaction.atomic():
        do_import(tmp_path, text)  # one part: the whole file is planned, then written
        expected = _everything()
        transaction.set_rollback(True)

    rewritten = []
    update = writer_module.Writer.update_guests

    def watching(self, changed=()):
        rewritten.extend(changed)
        return update(self, changed)

    monkeypatch.setattr(writer_module.Writer, "update_guests", watching)
    monkeypatch.setattr(engine, "FIRST_PART", 2)
    monkeypatch.setattr(engine, "PART", 3)
    do_import(tmp_path, text)
    assert rewritten  # new guests written in a part, changed by a later one
    assert _everything() == expected


def test_a_bad_row_in_a_later_part_leaves_nothing_behind(tmp_path, monkeypatch):
    from wagtail_guests.importing import engine

    monkeypatch.setattr(engine, "FIRST_PART", 2)
    monkeypatch.setattr(engine, "PART", 2)
    before = counts()
    rows = "".join(f"Guest{n},Test,guest{n}@example.com,,,yes,VIP\n" for n in range(7))
    with pytest.raises(ImportAborted) as aborted:
        do_import(tmp_path, rows + "Bad,Row,not-an-email,,,,\n")
    assert aborted.value.report["error_rows"] == 1
    assert aborted.value.report["errors"][0]["row"] == 9
    assert counts() == before


def test_consent_from_the_column_with_source_and_file_name(tmp_path):
    withdrawn = make_guest(email="old@example.com")
    record_consent(withdrawn, given=False, source="staff")
    do_import(
        tmp_path, "Élodie,Dupré,elodie@example.com,,,oui,\nOld,Guest,old@example.com,,,yes,\n"
    )
    record = ConsentRecord.objects.get(guest__email="elodie@example.com")
    assert (record.given, record.source, record.import_filename) == (True, "import", "clients.csv")
    # One timeline entry per imported guest names the consent record it added.
    imported = Activity.objects.get(guest=record.guest, kind="imported")
    assert imported.payload["consents"] == [{"record": record.pk, "given": True}]
    assert "newsletter consent given" in describe(imported)
    assert not Activity.objects.filter(guest=record.guest).exclude(kind="imported").exists()
    assert Guest.objects.get(email="elodie@example.com").newsletter_consent == "given"
    # An import never subscribes again a guest who withdrew.
    withdrawn.refresh_from_db()
    assert withdrawn.newsletter_consent == "withdrawn"
    assert ConsentRecord.objects.filter(guest=withdrawn).count() == 1


def test_each_imported_entry_names_its_own_consent_records(tmp_path):
    do_import(
        tmp_path,
        "Élodie,Dupré,elodie@example.com,,,yes,\n"
        "Jean,Martin,jean@example.com,,,no,\n"
        "Élodie,Dupré,elodie@example.com,,,no,\n",  # the same person again: withdraws
    )
    for email, expected in (("elodie@example.com", [True, False]), ("jean@example.com", [False])):
        guest = Guest.objects.get(email=email)
        records = list(ConsentRecord.objects.filter(guest=guest).order_by("pk"))
        imported = Activity.objects.get(guest=guest, kind="imported")
        assert imported.payload["consents"] == [
            {"record": record.pk, "given": record.given} for record in records
        ]
        assert [record.given for record in records] == expected


def test_a_no_in_the_file_withdraws(tmp_path):
    guest = make_guest(email="elodie@example.com")
    record_consent(guest, given=True, source="form")
    report = do_import(tmp_path, "Élodie,Dupré,elodie@example.com,,,non,\n")
    assert (report["consents_withdrawn"], report["updated"]) == (1, 1)
    guest.refresh_from_db()
    assert guest.newsletter_consent == "withdrawn"


def test_known_guests_get_details_and_consent_in_one_import(tmp_path):
    """One update writes every known guest: one gets a phone and a consent, another only a
    consent (its details and "updated" time stay as they were), a third only a phone."""
    both = make_guest(email="both@example.com", first_name="Anne", last_name="Roy", city="Caen")
    consent_only = make_guest(
        email="consent@example.com", first_name="Luc", last_name="Noël", city="Paris"
    )
    filled_only = make_guest(email="filled@example.com", first_name="Zoé", last_name="Roy")
    before = Guest.objects.in_bulk([both.pk, consent_only.pk, filled_only.pk])
    report = do_import(
        tmp_path,
        "Anne,Roy,both@example.com,06 11 11 11 11,,yes,\n"
        "Luc,Noël,consent@example.com,,,yes,\n"
        "Zoé,Roy,filled@example.com,06 22 22 22 22,Lyon,,\n",
    )
    assert (report["new"], report["updated"], report["consents_given"]) == (0, 3, 2)
    after = Guest.objects.in_bulk([both.pk, consent_only.pk, filled_only.pk])
    assert (after[both.pk].phone, after[both.pk].city) == ("+33611111111", "Caen")
    assert after[both.pk].newsletter_consent == "given"
    assert after[both.pk].newsletter_consent_at is not None
    assert after[both.pk].updated_at > before[both.pk].updated_at
    assert (after[consent_only.pk].city, after[consent_only.pk].phone) == ("Paris", "")
    assert after[consent_only.pk].newsletter_consent == "given"
    assert after[consent_only.pk].updated_at == before[consent_only.pk].updated_at
    assert after[consent_only.pk].identity_key == before[consent_only.pk].identity_key
    assert (after[filled_only.pk].phone, after[filled_only.pk].city) == ("+33622222222", "Lyon")
    assert after[filled_only.pk].newsletter_consent == "unknown"
    assert after[filled_only.pk].newsletter_consent_at is None


def test_tags_existing_new_and_limit(tmp_path, settings):
    guest = make_guest(email="elodie@example.com")
    add_tag(guest, Tag.objects.get(preset="vip"))
    report = do_import(tmp_path, 'Élodie,Dupré,elodie@example.com,,,,"VIP, Sommelier"\n')
    assert (report["tags_added"], report["new_tags"]) == (1, ["Sommelier"])
    assert sorted(guest.tags.values_list("name", flat=True)) == ["Sommelier", "VIP"]
    imported = Activity.objects.get(guest=guest, kind="imported")
    sommelier = Tag.objects.get(name="Sommelier")
    assert imported.payload["tags"] == [{"tag": sommelier.pk, "name": "Sommelier"}]
    assert describe(imported).endswith("; tagged “Sommelier”")

    settings.WAGTAIL_GUESTS_MAX_TAGS_PER_GUEST = 2
    report = preview_file(write(tmp_path, HEADER + "Élodie,Dupré,elodie@example.com,,,,Local\n"))
    assert "more than 2 tags" in report["errors"][0]["message"]


def test_user_without_tag_permission_cannot_create_tags(tmp_path):
    user = make_staff("importer", group=None, permissions=["import_guest"])
    report = preview_file(write(tmp_path, HEADER + "Jean,Martin,,,,,Brand new\n"), user=user)
    assert "you may not create tags" in report["file_errors"][0]


def test_import_needs_the_import_permission(tmp_path):
    user = make_staff("viewer", group=None, permissions=["view_guest", "add_guest"])
    with pytest.raises(PermissionDenied):
        preview_file(write(tmp_path, HEADER), user=user)


def test_booking_reference_of_another_guest_is_an_error(tmp_path):
    other = make_guest(email="other@example.com")
    Booking.objects.create(reference="R-1", kind="table", booker=other, arrival_date="2026-01-02")
    header = "first name,last name,email,arrival,booking reference\n"
    report = preview_file(write(tmp_path, header + "Jean,Martin,jean@example.com,2026-01-02,R-1\n"))
    assert "R-1 is already used for another guest" in report["errors"][0]["message"]


def test_each_guest_of_the_file_gets_an_imported_activity(tmp_path):
    make_guest(email="jean@example.com", first_name="Jean", last_name="Martin")
    do_import(tmp_path, "Jean,Martin,jean@example.com,,,,\nZoé,Roy,,,,,\n")
    assert Activity.objects.filter(kind="imported").count() == 2


def test_a_database_error_at_row_n_leaves_nothing_behind(tmp_path, monkeypatch):
    monkeypatch.setattr(lookups, "BATCH", 2)
    make_tag("Existing")
    before = counts()
    failing_row = 6
    original = payload_module.ImportedPayload.__call__

    def imported(self, target, *args):
        # The timeline entries are written last, streamed after the guests, consent records
        # and tags: the failure comes in the middle of that stream.
        if failing_row in target.rows:
            raise DatabaseError("disk full at row 6")
        return original(self, target, *args)

    monkeypatch.setattr(payload_module.ImportedPayload, "__call__", imported)
    rows = "".join(
        f'Guest{n},Test,guest{n}@example.com,,,yes,"Existing, New{n}"\n' for n in range(2, 9)
    )
    with pytest.raises(DatabaseError):
        do_import(tmp_path, rows)
    assert counts() == before  # no guest, tag, consent, activity or booking
    assert not Tag.objects.filter(name__startswith="New").exists()


def test_a_guest_created_meanwhile_is_matched_not_duplicated(tmp_path, monkeypatch):
    """The plan missed a guest that another request created: the unique identity_key stops
    the insert, and the import is planned again and matches that guest."""
    original, calls = plan_module.Planner.look_up, []
    # Committed by "another request" after the first plan read the database: the first plan
    # does not see it (its lookup of existing guests finds nothing).
    make_guest(email="race@example.com", first_name="Rose", last_name="Race")

    def look_up(self, records):
        calls.append(1)
        if len(calls) == 1:
            return None
        return original(self, records)

    monkeypatch.setattr(plan_module.Planner, "look_up", look_up)
    report = do_import(tmp_path, "Rose,Race,race@example.com,,Lille,,\n")
    assert len(calls) == 2
    assert (report["new"], report["updated"]) == (0, 1)
    assert Guest.objects.get(email="race@example.com").city == "Lille"
    assert Guest.objects.count() == 1


def test_errors_abort_the_whole_import(tmp_path):
    before = counts()
    with pytest.raises(ImportAborted) as aborted:
        do_import(tmp_path, "Jean,Martin,jean@example.com,,,,\nBad,Row,not-an-email,,,,\n")
    assert aborted.value.report["error_rows"] == 1
    assert counts() == before


def test_signals_after_commit(tmp_path, django_capture_on_commit_callbacks):
    from wagtail_guests import signals

    created, tagged = [], []
    signals.guest_created.connect(
        lambda sender, guest, source, **kw: created.append(source), weak=False, dispatch_uid="t1"
    )
    signals.guest_tags_changed.connect(
        lambda sender, guest, added, **kw: tagged.append(added), weak=False, dispatch_uid="t2"
    )
    try:
        with django_capture_on_commit_callbacks(execute=True):
            do_import(tmp_path, "Jean,Martin,jean@example.com,,,,VIP\n")
    finally:
        signals.guest_created.disconnect(dispatch_uid="t1")
        signals.guest_tags_changed.disconnect(dispatch_uid="t2")
    assert created == ["import"]
    assert [[tag.name for tag in added] for added in tagged] == [["VIP"]]
    assert GuestTag.objects.count() == 1


def test_the_garbage_collector_is_paused_during_an_import_and_only_then(tmp_path, monkeypatch):
    """The import pauses Python's cyclic collector (speed) and always turns it back on, even
    when the file has errors, and only once the last of two overlapping imports ends."""
    seen = []
    finish = plan_module.Planner.finish

    def watching(self, records, *pump):
        seen.append(gc.isenabled())
        return finish(self, records, *pump)

    monkeypatch.setattr(plan_module.Planner, "finish", watching)
    assert gc.isenabled()
    do_import(tmp_path, "Anne,Roy,anne@example.com,,,,\n")
    with pytest.raises(ImportAborted):
        do_import(tmp_path, "Anne,Roy,not-an-email,,,,\n")
    assert seen == [False, False] and gc.isenabled()

    inside, release = threading.Event(), threading.Event()

    def other_import():
        with collector_paused():
            inside.set()
            release.wait(5)

    thread = threading.Thread(target=other_import)
    thread.start()
    inside.wait(5)
    do_import(tmp_path, "Luc,Noel,luc@example.com,,,,\n")
    assert not gc.isenabled()  # the other one still runs
    release.set()
    thread.join(5)
    assert gc.isenabled()


def test_values_reach_the_database_exactly_as_read(tmp_path):
    """Backslashes, tabs, line breaks, quotes and accents in a cell, and the import's times
    and timeline entry, come back from the database as they went in (PostgreSQL's COPY is
    binary, SQLite's an INSERT)."""
    header = "first name,last name,email,city,notes,newsletter consent\n"
    city = "C:\\Temp\\N\tord"
    notes = 'Chambre "calme"\nlit bébé \\ allergie'
    row = f'Zoé,Noël,zoe@example.com,"{city}","{notes.replace(chr(34), chr(34) * 2)}",oui\n'
    do_import(tmp_path, row, header=header)
    guest = Guest.objects.get()
    assert (guest.first_name, guest.last_name, guest.city) == ("Zoé", "Noël", city)
    imported = Activity.objects.get(guest=guest, kind="imported")
    assert imported.payload["notes"] == notes
    record = ConsentRecord.objects.get(guest=guest)
    assert imported.payload["consents"] == [{"record": record.pk, "given": True}]
    assert guest.created_at == record.created_at == imported.created_at
    assert guest.newsletter_consent_at == guest.created_at
    assert guest.created_at.tzinfo is not None


def test_json_given_encoded_reaches_other_databases_decoded(monkeypatch):
    """Elsewhere than PostgreSQL and SQLite the rows go through bulk_create(), which encodes
    JSON itself: a value the import encoded already is given to it decoded."""
    monkeypatch.setattr(bulk, "connection", SimpleNamespace(vendor="mysql"))
    adapt = bulk._adapter(Activity._meta.get_field("payload"))
    assert adapt(bulk.EncodedJson('{"rows": [2], "notes": "a\\nb"}')) == {
        "rows": [2],
        "notes": "a\nb",
    }
    assert adapt({"rows": [3]}) == {"rows": [3]}


def test_the_imported_entry_names_everything_the_import_did(tmp_path):
    """The "imported" payload (written as JSON text, not by json.dumps) with every key, free
    text with quotes, backslashes, line breaks and accents."""
    guest = make_guest(email="anne@example.com", first_name="Anne", last_name="Roy", city="Paris")
    known = make_tag('Vin "nature"')
    header = "first name,last name,email,phone,city,notes,newsletter consent,tags\n"
    rows = (
        'Anne,Roy,anne@example.com,06 12 34 56 78,Lyon,"Chambre ""calme""",oui,'
        '"Vin ""nature"", Végé \\ sans gluten"\n'
        'Anne,Roy,anne@example.com,,,"Allergie\nnoix",,\n'
    )
    name = 'l\'été "2026" \\ clients.csv'
    import_file(write(tmp_path, header + rows), name=name)
    imported = Activity.objects.get(guest=guest, kind="imported")
    record = ConsentRecord.objects.get(guest=guest)
    new_tag = Tag.objects.get(name="Végé \\ sans gluten")
    assert imported.payload == {
        "file": name,
        "rows": [2, 3],
        "new": False,
        "filled": ["phone"],
        "differences": ["city"],
        "notes": 'Chambre "calme"\nAllergie\nnoix',
        "consents": [{"record": record.pk, "given": True}],
        "tags": [
            {"tag": known.pk, "name": 'Vin "nature"'},
            {"tag": new_tag.pk, "name": "Végé \\ sans gluten"},
        ],
    }
    assert describe(imported)  # the timeline reads it


postgresql_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's sequences and query plans"
)


@postgresql_only
def test_ids_drawn_for_an_import_are_never_given_again(tmp_path):
    make_guest(email="first@example.com")
    ids = allocate_ids(Guest, 500)
    assert len(ids) == len(set(ids)) == 500 and ids == sorted(ids)
    assert ids[0] > Guest.objects.get().pk
    later = make_guest(email="later@example.com")
    assert later.pk > ids[-1]


@postgresql_only
def test_existing_guests_are_looked_up_through_their_btree_indexes(tmp_path):
    """The import's lookups of a part's keys read the key's own btree index, never the whole
    table (the planner has no statistics for the rows an import just inserted) nor a trigram
    index (whose pending list then holds them)."""
    for n in range(300):
        make_guest(email=f"guest{n}@example.com", phone=f"+336100{n:05d}", last_name="Roy")
    queries = [
        (
            lookups.guests_with("identity_key", ["e:guest7@example.com", "e:x@y.fr"]),
            "guests_guest_identity_key_uniq",
        ),
        (
            lookups.guests_with("phone", ["+33610000007"], anonymised_at__isnull=True),
            "guests_guest_phone_idx",
        ),
    ]
    with transaction.atomic(), lookups.plain_index_scans():
        for querysets, index in queries:
            (queryset,) = querysets
            locked = queryset.select_for_update().order_by().values("pk")
            plan = locked.explain()
            assert f"Index Scan using {index}" in plan, plan
            assert "Seq Scan" not in plan and "Bitmap" not in plan, plan
            assert len(locked) == 1


@postgresql_only
def test_guests_found_are_updated_through_their_primary_key(tmp_path):
    """The update of the guests a file matched joins them by primary key, one index descent
    each, never by hashing the whole guest table (which the planner chose, with no
    statistics for the rows just inserted: on a large table, seconds for a few rows)."""
    for n in range(300):
        make_guest(email=f"guest{n}@example.com", first_name="Ann", last_name="Roy")
    plans = []

    def explain(execute, sql, params, many, context):
        if sql.startswith("UPDATE") and "unnest" in sql:
            context["cursor"].execute("EXPLAIN " + sql, params)
            plans.append("\n".join(row[0] for row in context["cursor"].fetchall()))
        return execute(sql, params, many, context)

    rows = "".join(f"Ann,Roy,guest{n}@example.com,,,oui,\n" for n in range(0, 300, 3))
    with connection.execute_wrapper(explain):
        report = do_import(tmp_path, rows)
    assert report["updated"] == 100
    (plan,) = plans
    assert "Index Scan using wagtail_guests_guest_pkey" in plan, plan
    assert "Seq Scan" not in plan and "Hash" not in plan, plan


@postgresql_only
def test_the_planner_settings_are_restored_after_the_import_s_reads():
    names = ("enable_bitmapscan", "enable_seqscan", "enable_hashjoin", "enable_mergejoin")

    def settings():
        with connection.cursor() as cursor:
            cursor.execute("SELECT " + ", ".join(f"current_setting('{n}')" for n in names))
            return cursor.fetchone()

    with transaction.atomic():
        with lookups.plain_index_scans(joins=True):
            assert settings() == ("off",) * 4
        assert settings() == ("on",) * 4
        with lookups.plain_index_scans():
            assert settings() == ("off", "off", "on", "on")


@postgresql_only
def test_a_guest_whose_consent_alone_changes_is_updated_in_place(tmp_path):
    """The guest table leaves room on its pages (fill factor 90, migration 0009): a known
    guest whose consent alone changes gets a HOT update, with no new entry in any of the
    table's indexes, even on pages that earlier guests filled."""
    for n in range(300):
        make_guest(email=f"guest{n}@example.com", first_name="Ann", last_name="Roy")

    def hot_updates():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_stat_get_xact_tuples_hot_updated('wagtail_guests_guest'::regclass)"
            )
            return cursor.fetchone()[0]

    before = hot_updates()
    rows = "".join(f"Ann,Roy,guest{n}@example.com,,,oui,\n" for n in range(0, 300, 20))
    report = do_import(tmp_path, rows)
    assert (report["updated"], report["consents_given"]) == (15, 15)
    assert hot_updates() - before == 15


def test_tags_and_bookings_are_planned_without_reading_the_database(
    tmp_path, django_assert_num_queries
):
    """An import plans the file's tags and bookings while the database writes its last new
    guests: once ``read_for_finish`` has read what it needs, ``finish`` makes no query, and
    still counts the tags a guest has and the references already used."""
    from tests.import_helpers import open_records

    known = make_guest(email="known@example.com", first_name="Ann", last_name="Roy")
    for n in range(8):
        add_tag(known, make_tag(f"T{n}"))
    other = make_guest(email="other@example.com")
    Booking.objects.create(booker=other, reference="R-1", arrival_date="2026-01-02")
    header = "first name,last name,email,tags,arrival,booking reference\n"
    rows = "Ann,Roy,known@example.com,T0;New1;New2,,\nZoé,Noël,zoe@example.com,,2026-03-01,R-1\n"
    columns, records = open_records(write(tmp_path, header + rows))
    planner = plan_module.Planner(columns)
    planner.look_up(records)
    planner.match(records)
    planner.read_for_finish(records)
    with django_assert_num_queries(0):
        plan = planner.finish(records)
    by_column = {error.column: error.message for error in plan.errors}
    assert len(plan.errors) == 2
    assert "more than 9 tags" in by_column["tags"]
    assert "R-1 is already used for another guest" in by_column["booking reference"]


def test_a_file_is_read_part_by_part_the_first_part_smaller(tmp_path):
    """The database has nothing to write until the first part is planned: it is the smaller
    one. Every row is read once, in file order."""
    from wagtail_guests.importing.reading import open_table
    from wagtail_guests.importing.rows import RecordReader

    rows = "".join(f"Guest{n},Test,guest{n}@example.com,,,,\n" for n in range(11))
    table = open_table(write(tmp_path, HEADER + rows), name="guests.csv")
    try:
        parts = list(RecordReader(table).parts(4, first=2))
    finally:
        table.close()
    assert [len(part) for part in parts] == [2, 4, 4, 1]
    assert [r.details["first_name"] for part in parts for r in part] == [
        f"Guest{n}" for n in range(11)
    ]


def test_an_import_works_without_time_zone_support(tmp_path, settings):
    """A site with ``USE_TZ = False`` keeps naive local times: the import's rows get the
    import's local time, as a save() would give them."""
    settings.USE_TZ = False
    settings.TIME_ZONE = "Europe/Paris"
    before = timezone.now()
    do_import(tmp_path, "Zoé,Noël,zoe@example.com,,,yes,VIP\n")
    guest = Guest.objects.get()
    record = ConsentRecord.objects.get(guest=guest)
    imported = Activity.objects.get(guest=guest, kind="imported")
    assert timezone.is_naive(guest.created_at)
    assert before <= guest.created_at <= timezone.now()
    assert guest.created_at == record.created_at == imported.created_at
