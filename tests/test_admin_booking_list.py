"""The bookings list (``/admin/guests/bookings/``) and the tags admin."""

import pytest
from django.urls import reverse

from tests import admin_fixtures
from tests.factories import make_guest
from tests.list_helpers import day, stay
from wagtail_guests.models import Booking, Guest, Tag

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client

URL = "/admin/guests/bookings/"


def references(client, **params):
    response = client.get(URL, params)
    assert response.status_code == 200
    return [booking.reference for booking in response.context["object_list"]]


@pytest.fixture
def bookings(db):
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    return {
        "soon": stay(guest, 3, nights=2, status="confirmed"),
        "table": stay(guest, 5, kind="table", number_of_guests=4),
        "past": stay(guest, -30, checked_in=True, status="confirmed"),
        "cancelled": stay(guest, 10, status="cancelled"),
    }


def test_newest_arrival_first(manager_client, bookings):
    b = bookings
    expected = [b["cancelled"], b["table"], b["soon"], b["past"]]
    assert references(manager_client) == [x.reference for x in expected]


def test_filters(manager_client, bookings):
    b = bookings
    assert references(manager_client, kind="table") == [b["table"].reference]
    assert references(manager_client, status="cancelled") == [b["cancelled"].reference]
    assert set(references(manager_client, status=["cancelled", "confirmed"])) == {
        b["cancelled"].reference,
        b["soon"].reference,
        b["past"].reference,
    }
    assert references(manager_client, checked_in="true") == [b["past"].reference]
    window = {"arrival_from": day(0).isoformat(), "arrival_to": day(5).isoformat()}
    assert references(manager_client, **window) == [b["table"].reference, b["soon"].reference]
    assert references(manager_client, departure_from=day(4).isoformat(), departure_to=day(6)) == [
        b["soon"].reference
    ]


def test_search_by_reference(manager_client, bookings):
    reference = bookings["soon"].reference
    assert references(manager_client, q=reference.lower()) == [reference]
    assert references(manager_client, q=reference.split("-")[1]) == [reference]


def test_columns(manager_client, bookings):
    html = manager_client.get(URL).content.decode()
    guest = bookings["soon"].booker
    assert f'href="{reverse("guests:inspect", args=[guest.pk])}"' in html
    assert "Zoé Lefèvre" in html
    assert "2 nights" in html and "party of 4" in html
    assert "Cancelled" in html


def test_deleted_guest_shows_stars(manager_client, bookings):
    Guest.objects.all().delete()
    assert Booking.objects.count() == 4  # Kept for the records.
    html = manager_client.get(URL).content.decode()
    assert "***" in html and "Zoé" not in html


def test_booking_detail_and_no_edit_urls(manager_client, bookings):
    booking = bookings["soon"]
    response = manager_client.get(reverse("guest_bookings:inspect", args=[booking.pk]))
    assert response.status_code == 200
    assert booking.reference in response.content.decode()
    assert manager_client.get(f"{URL}edit/{booking.pk}/").status_code == 404


def test_built_in_tags_cannot_be_deleted(manager_client):
    vip = Tag.objects.get(preset="vip")
    response = manager_client.post(reverse("guest_tags:delete", args=[vip.pk]))
    assert response.status_code == 302
    assert Tag.objects.filter(pk=vip.pk).exists()
    custom = Tag.objects.create(name="Wine lover")
    manager_client.post(reverse("guest_tags:delete", args=[custom.pk]))
    assert not Tag.objects.filter(pk=custom.pk).exists()
