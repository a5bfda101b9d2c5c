"""A staff user opens a guest's profile, adds a tag, changes a booking status, sees the timeline."""

import pytest
from django.urls import reverse

from tests.admin_fixtures import make_booking, make_staff
from tests.factories import make_guest
from wagtail_guests.models import Activity, Tag

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def screenshot(page, path):
    # The Wagtail admin scrolls inside its main area: grow the window to capture the whole page.
    height = page.evaluate("document.querySelector('main')?.scrollHeight || 900")
    page.set_viewport_size({"width": 1280, "height": max(900, height + 200)})
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": 1100, "height": 900})


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("wagtailadmin_login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")  # see make_staff()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + reverse("wagtailadmin_home"))


def test_staff_tags_a_guest_and_changes_a_booking(live_server, browser_page, artifacts):
    page = browser_page
    make_staff("reception")
    guest = make_guest(
        first_name="Zoé",
        last_name="Lefèvre",
        email="zoe@example.com",
        phone="06 12 34 56 78",
        city="Annecy",
        country="FR",
        language="fr",
    )
    booking = make_booking(guest, days=3, room_type="Double room", revenue="240.00")
    log_in(page, live_server, "reception")

    page.goto(live_server.url + reverse("guests:inspect", args=[guest.pk]))
    assert page.get_by_role("heading", name="Guest information").is_visible()
    screenshot(page, artifacts / "admin-guest-profile.png")

    # Add the VIP tag in place.
    tag_form = page.locator("form[data-tag-add-form]")
    tag_form.get_by_label("Tag", exact=True).select_option(label="VIP")
    tag_form.get_by_role("button", name="Add tag").click()
    page.wait_for_url("**#tags")
    assert page.get_by_text("Tag “VIP” added.").is_visible()
    assert guest.tags.filter(preset="vip").exists()

    # Mark the booking as a no-show, then accept the offer to tag the guest No-show.
    row = page.locator(f'tr[data-booking="{booking.reference}"]')
    row.get_by_role("button", name="Mark no-show").click()
    page.wait_for_url("**no_show=*")
    assert page.get_by_text(f"Booking {booking.reference} marked as a no-show.").is_visible()
    page.locator("[data-no-show-tag]").click()
    page.wait_for_url("**#tags")
    assert guest.tags.filter(pk=Tag.objects.get(preset="no_show").pk).exists()
    assert page.locator("[data-guest-warning]").is_visible()

    # Confirm is offered again on a no-show; check the guest in.
    row = page.locator(f'tr[data-booking="{booking.reference}"]')
    row.get_by_role("button", name="Mark checked in").click()
    page.wait_for_url("**#bookings")
    assert row.locator("[data-booking-status]").inner_text() == "Confirmed"

    timeline = page.locator("[data-timeline]")
    text = timeline.inner_text()
    assert "Tagged “VIP”" in text
    assert "Tagged “No-show”" in text
    assert f"Booking {booking.reference} marked as a no-show" in text
    assert f"Booking {booking.reference}: guest checked in" in text
    assert "by Reception" in text
    # Newest first.
    assert text.index("checked in") < text.index("marked as a no-show") < text.index("VIP")
    assert Activity.objects.filter(guest=guest, kind="booking_changed").count() == 2
    screenshot(page, artifacts / "admin-guest-profile-after.png")
