"""The guest list: the default arrival window and every filter (columns, pagination, the chart
and query counts are in test_admin_list_page.py)."""

import pytest
from django.utils import timezone
from wagtail.models import Site

from tests import admin_fixtures
from tests.factories import make_guest, make_tag
from tests.list_helpers import at, iso, listed, listed_all, set_fields, stay
from wagtail_guests.models import Guest, GuestTag

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client


# Default view ------------------------------------------------------------------------------


@pytest.fixture
def arrivals(db):
    today = make_guest(first_name="Ana", last_name="Today", email="ana@example.com")
    stay(today, 0)
    soon = make_guest(first_name="Ben", last_name="Soon", email="ben@example.com")
    stay(soon, 12)
    edge = make_guest(first_name="Cleo", last_name="Edge", email="cleo@example.com")
    stay(edge, 30)
    later = make_guest(first_name="Dan", last_name="Later", email="dan@example.com")
    stay(later, 31)
    past = make_guest(first_name="Eve", last_name="Past", email="eve@example.com")
    stay(past, -3, nights=1)
    cancelled = make_guest(first_name="Fay", last_name="Cancelled", email="fay@example.com")
    stay(cancelled, 5, status="cancelled")
    nobody = make_guest(first_name="Gus", last_name="Nobooking", email="gus@example.com")
    return {
        "today": today,
        "soon": soon,
        "edge": edge,
        "later": later,
        "past": past,
        "cancelled": cancelled,
        "nobody": nobody,
    }


def test_default_view_shows_arrivals_from_today_to_today_plus_30(manager_client, arrivals):
    a = arrivals
    assert listed(manager_client) == [a["today"].pk, a["soon"].pk, a["edge"].pk]


def test_default_window_is_visible_and_one_click_clears_it(manager_client, arrivals):
    response = manager_client.get("/admin/guests/")
    html = response.content.decode()
    assert response.context["is_default_window"] is True
    (active,) = response.context["view"].active_filters
    assert active.auto_id == "id_arrival"
    assert "all=1" in active.removed_filter_url  # Clearing it does not bring it back.
    assert 'href="/admin/guests/?all=1"' in html
    assert "Show all guests" in html
    assert listed(manager_client, {"all": "1"}) == sorted(
        (guest.pk for guest in arrivals.values()),
        key=lambda pk: Guest.objects.get(pk=pk).name_key,
    )


def test_any_filter_or_search_parameter_replaces_the_default(manager_client, arrivals):
    a = arrivals
    # The filter form sends empty values: the user cleared the dates.
    everyone = listed(manager_client, {"arrival_from": "", "arrival_to": ""})
    assert len(everyone) == len(a)
    assert listed(manager_client, {"name": "later"}) == [a["later"].pk]
    assert listed(manager_client, {"q": "past"}) == [a["past"].pk]
    # Sorting and paging keep the default.
    assert set(listed(manager_client, {"ordering": "-name_key"})) == {
        a["today"].pk,
        a["soon"].pk,
        a["edge"].pk,
    }


def test_default_window_state_is_bookmarkable(manager_client, arrivals):
    a = arrivals
    params = {"all": "1", "arrival_from": iso(31), "arrival_to": iso(40)}
    assert listed(manager_client, params) == [a["later"].pk]
    response = manager_client.get("/admin/guests/", params)
    assert response.context["is_default_window"] is False


# Filters ------------------------------------------------------------------------------------


def test_arrival_and_departure_ranges(manager_client, db):
    short = make_guest(first_name="Short", last_name="Stay", email="short@example.com")
    stay(short, 10, nights=1)
    long = make_guest(first_name="Long", last_name="Stay", email="long@example.com")
    stay(long, 8, nights=10)
    old = make_guest(first_name="Old", last_name="Stay", email="old@example.com")
    stay(old, -100, nights=2)
    assert listed_all(manager_client, arrival_from=iso(9), arrival_to=iso(11)) == [short.pk]
    assert listed_all(manager_client, arrival_to=iso(0)) == [old.pk]
    assert listed_all(manager_client, arrival_from=iso(8)) == [long.pk, short.pk]
    assert listed_all(manager_client, departure_from=iso(15)) == [long.pk]
    assert listed_all(manager_client, departure_from=iso(11), departure_to=iso(11)) == [short.pk]


def test_booking_filters_describe_one_booking(manager_client, db):
    """Arriving this week *and* checked in: the same booking, not any two."""
    returning = make_guest(first_name="Ret", last_name="Urning", email="ret@example.com")
    stay(returning, -50, checked_in=True)
    stay(returning, 2)
    arrived = make_guest(first_name="Arr", last_name="Ived", email="arr@example.com")
    stay(arrived, 0, checked_in=True)
    week = {"arrival_from": iso(0), "arrival_to": iso(7)}
    assert listed_all(manager_client, checked_in="true", **week) == [arrived.pk]
    assert listed_all(manager_client, checked_in="false", **week) == [returning.pk]
    assert listed_all(manager_client, checked_in="true") == [arrived.pk, returning.pk]


def test_reference_filter(manager_client, db):
    guest = make_guest(first_name="Ref", last_name="Holder", email="ref@example.com")
    booking = stay(guest, 3)
    other = make_guest(first_name="Other", last_name="Holder", email="other@example.com")
    stay(other, 3)
    body = booking.reference.split("-", 1)[1]
    for value in (booking.reference, booking.reference.lower(), body):
        assert listed_all(manager_client, reference=value) == [guest.pk]
    assert listed_all(manager_client, reference="GB-NOPE99") == []


def test_name_filter_is_accent_and_case_insensitive(manager_client, db):
    elodie = make_guest(first_name="Élodie", last_name="Dupré", email="e@example.com")
    make_guest(first_name="Paul", last_name="Durand", email="p@example.com")
    assert listed_all(manager_client, name="ELODIE dupre") == [elodie.pk]
    assert listed_all(manager_client, name="dupré") == [elodie.pk]


def test_reachable_filter(manager_client, db):
    def guest(name, email="x@example.com", booking_status="confirmed", **fields):
        g = make_guest(first_name=name, last_name="Test", email=email.replace("x", name.lower()))
        if booking_status:
            stay(g, 5, status=booking_status)
        return set_fields(g, **fields) if fields else g

    reachable = guest("Reachable")
    cases = [
        guest("Noemail", email=""),
        guest("Unsub", unsubscribed_at=timezone.now()),
        guest("Bounced", email_undeliverable_at=timezone.now()),
        guest("Cancelled", booking_status="cancelled"),
        guest("Duplicate", booking_status="duplicate"),
        guest("Nobooking", booking_status=None),
        guest("Anon", anonymised_at=timezone.now()),
    ]
    assert listed_all(manager_client, reachable="true") == [reachable.pk]
    assert set(listed_all(manager_client, reachable="false")) == {g.pk for g in cases}


def test_language_consent_source_and_site_filters(manager_client, db):
    site = Site.objects.get(is_default_site=True)
    french = make_guest(first_name="Fr", last_name="Ench", email="fr@example.com", language="fr")
    english = make_guest(first_name="En", last_name="Glish", email="en@example.com", language="en")
    set_fields(english, language="en-GB", newsletter_consent="given", site=site)
    imported = make_guest(first_name="Im", last_name="Ported", email="im@example.com")
    set_fields(imported, source="import", newsletter_consent="withdrawn")
    assert listed_all(manager_client, language="fr") == [french.pk]
    assert listed_all(manager_client, language="en") == [english.pk]
    assert listed_all(manager_client, newsletter_consent="given") == [english.pk]
    assert listed_all(manager_client, newsletter_consent="withdrawn") == [imported.pk]
    assert listed_all(manager_client, newsletter_consent="unknown") == [french.pk]
    assert listed_all(manager_client, source="import") == [imported.pk]
    assert listed_all(manager_client, source="manual") == [english.pk, french.pk]
    assert listed_all(manager_client, site=site.pk) == [english.pk]


def test_tags_filter_matches_any_of_the_tags(manager_client, db):
    vip, local, business = make_tag("VIP+"), make_tag("Local+"), make_tag("Business+")
    a = make_guest(first_name="A", last_name="Vip", email="a@example.com")
    b = make_guest(first_name="B", last_name="Local", email="b@example.com")
    c = make_guest(first_name="C", last_name="Both", email="c@example.com")
    make_guest(first_name="D", last_name="None", email="d@example.com")
    for guest, tags in ((a, [vip]), (b, [local]), (c, [vip, local, business])):
        for tag in tags:
            GuestTag.objects.create(guest=guest, tag=tag)
    assert listed_all(manager_client, tags=[vip.pk]) == [a.pk, c.pk]
    assert listed_all(manager_client, tags=[vip.pk, local.pk]) == [a.pk, b.pk, c.pk]
    assert listed_all(manager_client, tags=[business.pk]) == [c.pk]


def test_created_updated_and_first_contact_ranges(manager_client, db):
    old = set_fields(
        make_guest(first_name="Old", last_name="One", email="old@example.com"),
        created_at=at(-400),
        updated_at=at(-300),
        first_contact_at=at(-500),
    )
    new = make_guest(first_name="New", last_name="One", email="new@example.com")
    assert listed_all(manager_client, created_to=iso(-399)) == [old.pk]
    assert listed_all(manager_client, created_from=iso(-1)) == [new.pk]
    assert listed_all(manager_client, updated_from=iso(-301), updated_to=iso(-299)) == [old.pk]
    assert listed_all(manager_client, first_contact_to=iso(-499)) == [old.pk]
    assert listed_all(manager_client, first_contact_from=iso(0)) == [new.pk]


def test_filters_combine(manager_client, db):
    vip = make_tag("VIP+")
    match = make_guest(first_name="Mat", last_name="Ch", email="m@example.com", language="fr")
    stay(match, 4)
    GuestTag.objects.create(guest=match, tag=vip)
    wrong_language = make_guest(first_name="Wro", last_name="Ng", email="w@example.com")
    stay(wrong_language, 4)
    GuestTag.objects.create(guest=wrong_language, tag=vip)
    params = {"tags": vip.pk, "language": "fr", "reachable": "true", "arrival_from": iso(0)}
    assert listed_all(manager_client, **params) == [match.pk]


def test_invalid_filter_values_do_not_break_the_page(manager_client, db):
    make_guest(email="a@example.com")
    response = manager_client.get("/admin/guests/", {"arrival_from": "not a date", "tags": "x"})
    assert response.status_code == 200
