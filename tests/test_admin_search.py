"""The guest list's search box: names, emails, phone numbers in any format, references."""

import pytest
from django.db import connection
from django.db.models import Q

from tests import admin_fixtures
from tests.factories import make_guest
from tests.list_helpers import day, listed, listed_all, stay
from wagtail_guests.models import Booking, Guest
from wagtail_guests.search import reference_candidates, search_condition, search_guests

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client


@pytest.fixture
def people(db):
    elodie = make_guest(
        first_name="Élodie", last_name="Dupré", email="Elodie.Dupre@Example.com", phone="0612345678"
    )
    paul = make_guest(
        first_name="Paul", last_name="Durand", email="paul@example.org", phone="+33 7 98 76 54 32"
    )
    zoe = make_guest(first_name="Zoé", last_name="Lefèvre", phone="+44 20 7946 0958")
    return {"elodie": elodie, "paul": paul, "zoe": zoe}


def search(client, text):
    return listed_all(client, q=text)


@pytest.mark.parametrize(
    "text", ["elodie", "Élodie", "ÉLODIE", "élodie dupré", "DUPRE", "lodie", "dupre elodie"]
)
def test_name_is_accent_and_case_insensitive(manager_client, people, text):
    assert search(manager_client, text) == [people["elodie"].pk]


def test_short_text_matches_the_start_of_a_name(manager_client, people):
    assert search(manager_client, "zo") == [people["zoe"].pk]
    assert search(manager_client, "le") == [people["zoe"].pk]  # Lefèvre


@pytest.mark.parametrize(
    "text",
    ["elodie.dupre@example.com", "ELODIE.DUPRE@EXAMPLE.COM", "Dupre@example", "@example.com"],
)
def test_email_is_case_insensitive(manager_client, people, text):
    assert search(manager_client, text) == [people["elodie"].pk]


def test_a_word_found_in_the_email_only(manager_client, people):
    assert search(manager_client, "example.org") == [people["paul"].pk]


@pytest.mark.parametrize(
    "text",
    [
        "06 12 34 56 78",
        "0612345678",
        "06.12.34.56.78",
        "06-12-34-56-78",
        "+33612345678",
        "+33 6 12 34 56 78",
        "0033 6 12 34 56 78",
        "(0)6 12 34 56 78",
    ],
)
def test_phone_in_any_common_format(manager_client, people, text):
    assert search(manager_client, text) == [people["elodie"].pk]


def test_phone_partial_digits(manager_client, people):
    assert search(manager_client, "12 34 56") == [people["elodie"].pk]
    assert search(manager_client, "0612") == [people["elodie"].pk]
    assert search(manager_client, "98 76") == [people["paul"].pk]
    assert search(manager_client, "+44 20 7946") == [people["zoe"].pk]
    assert search(manager_client, "07 98 76 54 32") == [people["paul"].pk]


def test_booking_reference(manager_client, people):
    booking = stay(people["paul"], 4)
    stay(people["elodie"], 4)
    body = booking.reference.split("-", 1)[1]
    for text in (booking.reference, booking.reference.lower(), body, body.lower()):
        assert search(manager_client, text) == [people["paul"].pk], text


def test_letters_only_reference_is_also_tried_as_a_name(manager_client, people):
    booking = stay(people["zoe"], 4)
    Booking.objects.filter(pk=booking.pk).update(reference="GB-KXQZPM")
    assert search(manager_client, "kxqzpm") == [people["zoe"].pk]
    assert search(manager_client, "durand") == [people["paul"].pk]


def test_no_match(manager_client, people):
    response = manager_client.get("/admin/guests/", {"all": "1", "q": "nobody-here"})
    assert list(response.context["object_list"]) == []
    assert "No guests match your query" in response.content.decode()


def test_search_alone_searches_every_guest(manager_client, people):
    """A search link (``?q=…``) is not limited to the default arrival window."""
    assert listed(manager_client, {"q": "paul"}) == [people["paul"].pk]


def test_search_combines_with_filters(manager_client, people):
    stay(people["elodie"], 3)
    stay(people["paul"], 60)
    params = {"all": "1", "q": "du", "arrival_from": "", "arrival_to": ""}
    assert set(listed(manager_client, params)) == {people["elodie"].pk, people["paul"].pk}
    params.update(arrival_from=day(0).isoformat(), arrival_to=day(30).isoformat())
    assert listed(manager_client, params) == [people["elodie"].pk]


def test_search_placeholder(manager_client, db):
    html = manager_client.get("/admin/guests/").content.decode()
    assert "Name, email, phone or booking reference" in html


# Units -----------------------------------------------------------------------------------


def test_what_the_text_is_read_as():
    assert search_condition("a@b") == Q(email__icontains="a@b")
    assert search_condition("06 12 34 56 78") == Q(phone="+33612345678")
    assert search_condition("12 34") == Q(phone__contains="1234")
    assert search_condition("   ") is None
    assert reference_candidates("gb-7k3qzp") == ["GB-7K3QZP"]
    assert reference_candidates("7k3qzp") == ["GB-7K3QZP", "7K3QZP"]
    assert reference_candidates("dupont") == []
    assert reference_candidates("dupont", strict=False) == ["GB-DUPONT", "DUPONT"]


def test_blank_search_changes_nothing(db):
    make_guest(email="x@example.com")
    assert search_guests(Guest.objects.all(), "").count() == 1
    assert search_guests(Guest.objects.all(), "!!!").count() == 0


postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL only")


def plan_without_table_scans(queryset) -> str:
    """The query plan of ``queryset`` with table scans made a last resort: one still in it
    means no index can answer (a million guests read for one search)."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
    return queryset.explain()


@postgresql_only
@pytest.mark.parametrize(
    "text",
    [
        "du",
        "Dupré",
        "élodie dupré",
        "elodie.dupre@example",
        "06 12 34 56 78",
        "12 34 56",
        "GB-7K3QZP",
    ],
)
def test_every_kind_of_search_is_answered_by_an_index(people, text):
    queryset = search_guests(Guest.objects.all(), text)
    assert people["elodie"] in queryset or text == "GB-7K3QZP"
    assert "Seq Scan" not in plan_without_table_scans(queryset)


@postgresql_only
def test_the_list_sorted_by_name_reads_the_name_index(people):
    plan = plan_without_table_scans(Guest.objects.order_by("name_key")[:50])
    assert "Index Scan using guests_guest_name_idx" in plan


@postgresql_only
def test_name_and_identity_keys_compare_byte_by_byte(people):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT column_name, collation_name FROM information_schema.columns "
            "WHERE table_name = 'wagtail_guests_guest' AND column_name LIKE '%%_key'"
        )
        collations = dict(cursor.fetchall())
    assert collations == {"identity_key": "C", "name_key": "C", "last_name_key": "C"}
