"""The guest list page: columns, anonymised guests, pagination, sorting, the arrivals chart, and
a number of queries that does not grow with the number of guests."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests import admin_fixtures
from tests.factories import make_guest
from tests.list_helpers import at, day, listed_all, set_fields, stay
from wagtail_guests.models import Guest, GuestTag, Tag
from wagtail_guests.views.charts import arrivals_chart
from wagtail_guests.views.guest_list import CappedCountPaginator

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client


# Columns, anonymised guests, pagination and sorting ------------------------------------------


def test_columns(manager_client, db):
    guest = make_guest(
        first_name="Zoé", last_name="Lefèvre", email="zoe@example.com", phone="06 12 34 56 78"
    )
    set_fields(guest, language="fr", newsletter_consent="given")
    GuestTag.objects.create(guest=guest, tag=Tag.objects.get(preset="no_show"))
    stay(guest, -20)
    stay(guest, 6)
    stay(guest, 9, status="cancelled")
    response = manager_client.get("/admin/guests/", {"all": "1"})
    html = response.content.decode()
    (row,) = response.context["object_list"]
    assert row.booking_summary.stays == 2
    assert row.booking_summary.next_arrival == day(6)
    assert row.booking_summary.last_arrival == day(-20)
    for text in ("Zoé Lefèvre", "zoe@example.com", "+33 6 12 34 56 78", "No-show", "Given"):
        assert text in html
    assert f'href="/admin/guests/inspect/{guest.pk}/"' in html
    assert "guests-list-tag--warning" in html


def test_last_stay_when_nothing_is_coming(manager_client, db):
    guest = make_guest(email="last@example.com")
    stay(guest, -10)
    stay(guest, -30)
    (row,) = manager_client.get("/admin/guests/", {"all": "1"}).context["object_list"]
    assert row.booking_summary.next_arrival is None
    assert row.booking_summary.last_arrival == day(-10)
    assert "Last:" in manager_client.get("/admin/guests/", {"all": "1"}).content.decode()


def test_anonymised_guest_shows_no_personal_data(manager_client, db):
    guest = make_guest(first_name="Secret", last_name="Person", email="secret@example.com")
    set_fields(guest, anonymised_at=timezone.now(), identity_key=None, name_key="")
    html = manager_client.get("/admin/guests/", {"all": "1"}).content.decode()
    assert f"Anonymised guest #{guest.pk}" in html
    assert "Secret Person" not in html


def test_pagination_and_sorting(manager_client, db):
    guests = [
        make_guest(first_name=f"Guest{i:02d}", last_name="Page", email=f"g{i}@example.com")
        for i in range(25)
    ]
    ids = [guest.pk for guest in guests]
    assert listed_all(manager_client) == ids[:20]
    assert listed_all(manager_client, p="2") == ids[20:]
    assert listed_all(manager_client, ordering="-name_key") == ids[::-1][:20]
    for offset, guest in enumerate(guests):
        set_fields(guest, created_at=at(-offset))
    assert listed_all(manager_client, ordering="created_at") == ids[::-1][:20]
    assert listed_all(manager_client, ordering="-created_at", p="2") == ids[20:]
    # Searching or filtering sorts the matches the same way.
    assert listed_all(manager_client, q="page") == ids[:20]
    assert listed_all(manager_client, q="page", ordering="-name_key", p="2") == ids[::-1][20:]
    assert listed_all(manager_client, q="page", ordering="created_at") == ids[::-1][:20]
    response = manager_client.get("/admin/guests/", {"all": "1"})
    assert "25 guests" in response.content.decode()
    assert "Page 1 of 2" in response.content.decode()


def test_count_is_capped(db):
    for i in range(12):
        make_guest(first_name=f"G{i}", last_name="Cap", email=f"cap{i}@example.com")
    queryset = Guest.objects.order_by("pk")

    class Small(CappedCountPaginator):
        count_cap = 5

    paginator = Small(queryset, 2, requested_page="1")
    assert paginator.is_capped and paginator.count == 5
    assert "More than 5 guests" in paginator.items_count_label
    # Far pages still work, and there is always a next page while more rows exist.
    far = Small(queryset, 2, requested_page="4")
    assert far.count == 10 and far.is_capped
    assert far.get_page(4).has_next()
    last = Small(queryset, 2, requested_page="6")
    assert last.count == 12 and not last.is_capped
    assert not last.get_page(6).has_next()


# Arrivals chart ---------------------------------------------------------------------------


def test_arrivals_chart_numbers(manager_client, db):
    guest = make_guest(email="chart@example.com")
    stay(guest, 0)
    stay(guest, 0, kind="table")
    stay(guest, 5)
    stay(guest, 5)
    stay(guest, 5, status="cancelled")
    stay(guest, 29)
    stay(guest, 30)  # Outside the 30 days (today + 0 to today + 29).
    stay(guest, -1)
    chart = arrivals_chart()
    assert len(chart.days) == 30
    assert chart.days[0].date == day(0)
    by_offset = {(d.date - day(0)).days: (d.stays, d.tables) for d in chart.days if d.total}
    assert by_offset == {0: (1, 1), 5: (2, 0), 29: (1, 0)}
    assert chart.total == 5 and chart.maximum == 2 and chart.busiest.date == day(0)

    html = manager_client.get("/admin/guests/").content.decode()
    assert 'role="img"' in html and "<desc" in html and "<table" in html
    assert f'data-date="{day(5).isoformat()}"' in html
    assert "5 arrivals from" in html


def test_chart_is_one_query(db):
    with CaptureQueriesContext(connection) as queries:
        arrivals_chart()
    assert len(queries) == 1


# Queries ------------------------------------------------------------------------------------


def make_population(count, start=0):
    tags = list(Tag.objects.all()[:3])
    for i in range(start, start + count):
        guest = make_guest(first_name=f"Pop{i}", last_name="Ulation", email=f"pop{i}@example.com")
        stay(guest, i % 20)
        stay(guest, -(i % 40) - 1)
        GuestTag.objects.create(guest=guest, tag=tags[i % 3])


def list_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get("/admin/guests/", params)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"all": "1"},
        {"all": "1", "q": "pop1"},
        {"all": "1", "reachable": "true", "tags": "1"},
        {"all": "1", "p": "2"},
    ],
    ids=["default", "all", "search", "filters", "page2"],
)
def test_query_count_does_not_grow_with_guests(manager_client, params):
    make_population(5)
    manager_client.get("/admin/guests/")  # Warm the per-user caches (permissions, profile).
    few = list_queries(manager_client, params)
    make_population(45, start=5)
    many = list_queries(manager_client, params)
    assert few == many
    assert many <= 16
