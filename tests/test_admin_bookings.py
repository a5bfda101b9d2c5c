"""Booking status changes from the guest profile, and the offer to tag a no-show."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests import admin_fixtures
from tests.admin_fixtures import make_booking, make_staff
from tests.factories import make_guest
from wagtail_guests.actions.booking_status import (
    InvalidStatusChange,
    available_changes,
    change_booking_status,
)
from wagtail_guests.models import Activity, Tag

# Fixtures shared by the admin tests.
manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client


def status_url(guest, booking):
    return reverse("wagtail_guests_booking_status", args=[guest.pk, booking.pk])


def profile(guest):
    return reverse("guests:inspect", args=[guest.pk])


@pytest.fixture
def guest(db):
    return make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")


@pytest.mark.parametrize(
    "start, change, status, checked_in",
    [
        ("requested", "confirm", "confirmed", False),
        ("requested", "cancel", "cancelled", False),
        ("confirmed", "cancel", "cancelled", False),
        ("confirmed", "check_in", "confirmed", True),
        ("requested", "no_show", "no_show", False),
        ("no_show", "check_in", "confirmed", True),
        ("cancelled", "confirm", "confirmed", False),
    ],
)
def test_status_changes(manager_client, guest, start, change, status, checked_in):
    booking = make_booking(guest, status=start)
    response = manager_client.post(status_url(guest, booking), {"change": change})
    assert response.status_code == 302
    booking.refresh_from_db()
    assert (booking.status, booking.checked_in) == (status, checked_in)
    activity = Activity.objects.get(guest=guest, kind="booking_changed")
    assert activity.payload == {
        "change": change,
        "from": start,
        "to": status,
        "reference": booking.reference,
    }
    entry = ModelLogEntry.objects.get(action="wagtail_guests.booking_status")
    assert entry.label == f"Booking {booking.reference}"
    assert entry.data == {"change": change, "from": start, "to": status}


@pytest.mark.parametrize(
    "start, checked_in, change",
    [
        ("cancelled", False, "cancel"),
        ("cancelled", False, "no_show"),
        ("duplicate", False, "confirm"),
        ("confirmed", True, "no_show"),
        ("confirmed", True, "cancel"),
        ("confirmed", True, "check_in"),
    ],
)
def test_impossible_changes_are_refused(manager, manager_client, guest, start, checked_in, change):
    booking = make_booking(guest, status=start, checked_in=checked_in)
    assert change not in available_changes(booking)
    with pytest.raises(InvalidStatusChange):
        change_booking_status(booking, change, user=manager)
    response = manager_client.post(status_url(guest, booking), {"change": change}, follow=True)
    assert "cannot be changed this way" in response.content.decode()
    booking.refresh_from_db()
    assert (booking.status, booking.checked_in) == (start, checked_in)


def test_profile_shows_the_buttons_that_apply(manager_client, guest):
    booking = make_booking(guest, status="confirmed")
    html = manager_client.get(profile(guest)).content.decode()
    row = html.split(f'data-booking="{booking.reference}"')[1].split("</tr>")[0]
    assert 'value="cancel"' in row and 'value="check_in"' in row and 'value="no_show"' in row
    assert 'value="confirm"' not in row


def test_every_guest_on_the_booking_gets_the_timeline_line(manager_client, guest):
    companion = make_guest(first_name="Lou", last_name="Martin", email="lou@example.com")
    booking = make_booking(guest, companions=[companion])
    manager_client.post(status_url(companion, booking), {"change": "confirm"})
    assert Activity.objects.filter(kind="booking_changed").count() == 2
    html = manager_client.get(profile(companion)).content.decode()
    assert f"Booking {booking.reference}: status changed from requested to confirmed" in html


def test_no_show_offers_to_tag_the_guest(manager_client, guest):
    booking = make_booking(guest, days=0)
    response = manager_client.post(status_url(guest, booking), {"change": "no_show"}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0].startswith(profile(guest) + f"?no_show={booking.pk}")
    assert f"Booking {booking.reference} marked as a no-show." in html
    assert "data-no-show-tag" in html
    no_show = Tag.objects.get(preset="no_show")
    response = manager_client.post(
        reverse("wagtail_guests_tags", args=[guest.pk]),
        {"action": "add", "tag": no_show.pk},
        follow=True,
    )
    assert list(guest.tags.all()) == [no_show]
    html = response.content.decode()
    assert "data-guest-warning" in html
    # Once tagged, the offer is not made again.
    html = manager_client.get(profile(guest) + f"?no_show={booking.pk}").content.decode()
    assert "data-no-show-tag" not in html


def test_a_booking_of_another_guest_is_not_found(manager_client, guest):
    other = make_guest(first_name="Ana", last_name="Silva", email="ana@example.com")
    booking = make_booking(other)
    response = manager_client.post(status_url(guest, booking), {"change": "cancel"})
    assert response.status_code == 404
    booking.refresh_from_db()
    assert booking.status == "requested"


def test_changing_a_status_needs_the_change_booking_permission(client, guest):
    booking = make_booking(guest)
    user = make_staff("viewer", group=None, permissions=["view_guest", "change_guest"])
    client.force_login(user)
    html = client.get(profile(guest)).content.decode()
    assert 'name="change"' not in html
    assert client.post(status_url(guest, booking), {"change": "cancel"}).status_code == 403
    with pytest.raises(PermissionDenied):
        change_booking_status(booking, "cancel", user=user)
    booking.refresh_from_db()
    assert booking.status == "requested"


def test_outsiders_get_403_even_with_forged_ids(outsider_client, guest):
    booking = make_booking(guest)
    for url in (status_url(guest, booking), f"/admin/guests/{guest.pk}/bookings/999999/status/"):
        assert outsider_client.post(url, {"change": "cancel"}).status_code == 403
    booking.refresh_from_db()
    assert booking.status == "requested"
