"""A staff user anonymises a guest from the profile, then sees "Anonymised guest #N"."""

import pytest
from django.urls import reverse

from tests.admin_fixtures import make_booking, make_staff
from tests.browser.test_admin_profile import log_in, screenshot
from tests.factories import submit_contact
from wagtail_guests.models import Guest

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_staff_anonymises_a_guest_from_the_profile(live_server, browser_page, artifacts):
    page = browser_page
    make_staff("privacy")  # a "Guest managers" member: may anonymise
    submission = submit_contact(
        first_name="Gaspard",
        last_name="Oublié",
        email="gaspard.oublie@example.com",
        data={"message": "Please forget me after my stay."},
    )
    guest = submission.guest
    make_booking(guest, days=-40, notes="Gaspard wants a quiet room", revenue="180.00")
    log_in(page, live_server, "privacy")

    page.goto(live_server.url + reverse("guests:inspect", args=[guest.pk]))
    panel = page.locator("[data-personal-data-panel]")

    # The printable page of an access request first: everything about the guest.
    panel.get_by_role("link", name="Download personal data").click()
    page.wait_for_url(f"**/guests/{guest.pk}/personal-data/")
    assert page.get_by_role("heading", name="Personal data held about Gaspard Oublié").is_visible()
    assert page.get_by_text("Please forget me after my stay.").is_visible()
    screenshot(page, artifacts / "admin-gdpr-personal-data.png")
    page.get_by_role("link", name="Back to the profile").click()

    panel.get_by_role("link", name="Anonymise this guest").click()

    # The confirmation page: irreversible, and what will be erased and kept.
    page.wait_for_url(f"**/guests/{guest.pk}/anonymise/")
    assert page.get_by_text("Anonymising is irreversible.").is_visible()
    erased = page.locator("[data-anonymise-erased]").inner_text()
    assert "Name, email, phone number" in erased
    assert "The data sent in 1 form submission" in erased
    assert "The notes of 1 booking they made" in erased
    assert "Please forget me" not in page.content()
    screenshot(page, artifacts / "admin-gdpr-anonymise-confirm.png")

    page.get_by_role("button", name="Yes, anonymise this guest").click()
    page.wait_for_url(f"**/guests/inspect/{guest.pk}/")
    assert page.get_by_text(f"Anonymised guest #{guest.pk}").first.is_visible()
    assert page.get_by_text("The personal data was erased.").is_visible()
    assert "Gaspard" not in page.locator("main").inner_text()
    screenshot(page, artifacts / "admin-gdpr-anonymised-profile.png")

    guest.refresh_from_db()
    assert guest.anonymised_at is not None and guest.email == ""
    assert Guest.objects.get(pk=guest.pk).bookings.get().revenue == 180
