"""A visitor fills the contact and booking forms in Chromium, fixes errors, and is recorded."""

import pytest

from tests.factories import make_site_root
from tests.form_helpers import (
    CONSENT,
    booking_block,
    contact_block,
    ensure_page_tree,
    future,
    make_form_page,
)
from wagtail_guests.models import Booking, ConsentRecord, Guest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def pages(settings, demo_static):
    settings.WAGTAIL_GUESTS_MIN_FILL_SECONDS = 0
    ensure_page_tree()
    root = make_site_root()
    return {
        "contact": make_form_page(root, contact_block(), title="Contact"),
        "booking": make_form_page(root, booking_block(), title="Book a room", slug="book"),
    }


def your_details(form, first_name, last_name, email):
    details = form.get_by_role("group", name="Your details")
    details.get_by_label("First name").fill(first_name)
    details.get_by_label("Last name").fill(last_name)
    details.get_by_label("Email").fill(email)


def test_contact_form(live_server, browser_page, pages, artifacts):
    page = browser_page
    page.goto(live_server.url + pages["contact"].url)
    form = page.locator("form", has=page.get_by_role("button", name="Send"))
    page.screenshot(path=artifacts / "contact-form.png", full_page=True)

    your_details(form, "Zoé", "Lefèvre", "zoe@example.com")
    form.get_by_label("Phone").fill("12")
    form.get_by_label("Message").fill("Do you have a garage for bicycles?")
    form.get_by_role("button", name="Send").click()

    alert = page.get_by_role("alert")
    assert "Please correct the errors below." in alert.inner_text()
    assert page.get_by_text("Enter a valid phone number.").is_visible()
    assert form.get_by_label("Last name").input_value() == "Lefèvre"
    assert form.get_by_label("Message").input_value() == "Do you have a garage for bicycles?"
    assert not Guest.objects.exists()
    page.screenshot(path=artifacts / "contact-form-errors.png", full_page=True)

    form.get_by_label("Phone").fill("06 12 34 56 78")
    form.get_by_label(CONSENT).check()
    form.get_by_role("button", name="Send").click()

    assert page.get_by_role("status").inner_text() == "Thank you, we will reply soon."
    assert "guests-sent=" in page.url
    guest = Guest.objects.get(email="zoe@example.com")
    assert (guest.first_name, guest.last_name, guest.phone) == ("Zoé", "Lefèvre", "+33612345678")
    assert ConsentRecord.objects.get(guest=guest).wording == CONSENT


def test_booking_form(live_server, browser_page, pages, artifacts):
    page = browser_page
    page.goto(live_server.url + pages["booking"].url)
    form = page.locator("form", has=page.get_by_role("button", name="Request a booking"))

    your_details(form, "Anna", "Berg", "anna@example.com")
    stay = form.get_by_role("group", name="Your stay")
    stay.get_by_label("Arrival").fill(future(10))
    stay.get_by_label("Departure").fill(future(8))
    stay.get_by_label("Number of guests").fill("2")
    stay.get_by_label("Room type").select_option("Garden suite")
    companion = form.get_by_role("group", name="Additional guest 1")
    companion.get_by_label("First name").fill("Jules")
    companion.get_by_label("Last name").fill("Berg")
    page.screenshot(path=artifacts / "booking-form.png", full_page=True)
    form.get_by_role("button", name="Request a booking").click()

    assert page.get_by_text("The departure date must be after the arrival date.").is_visible()
    assert (
        form.get_by_role("group", name="Additional guest 1")
        .get_by_label("First name")
        .input_value()
        == "Jules"
    )
    assert not Booking.objects.exists()

    form.get_by_role("group", name="Your stay").get_by_label("Departure").fill(future(13))
    form.get_by_role("button", name="Request a booking").click()

    assert page.get_by_role("status").inner_text() == "Your booking request has been received."
    booking = Booking.objects.get()
    assert booking.booker.email == "anna@example.com"
    assert booking.room_type == "Garden suite"
    assert (booking.departure_date - booking.arrival_date).days == 3
    assert [g.first_name for g in booking.additional_guests.all()] == ["Jules"]
