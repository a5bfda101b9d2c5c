"""A staff member sends a template email from a guest's profile and sees it sent, then in the
timeline; the guest unsubscribes with the link in the email."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.admin_fixtures import make_booking, make_staff
from tests.browser.test_admin_profile import log_in, screenshot
from tests.email_helpers import ANYMAIL_TEST_BACKEND, make_rule, make_template
from tests.factories import make_guest
from wagtail_guests.models import Guest, OutgoingEmail, OutgoingStatus

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def test_send_a_template_email_from_the_profile(live_server, browser_page, artifacts, settings):
    settings.EMAIL_BACKEND = ANYMAIL_TEST_BACKEND
    settings.WAGTAIL_GUESTS_BASE_URL = live_server.url
    page = browser_page
    make_staff("reception")
    guest = make_guest(
        first_name="Zoé", last_name="Lefèvre", email="zoe@example.com", language="fr"
    )
    booking = make_booking(guest, days=10, room_type="Double room")
    template = make_template(
        "Welcome", subject="Welcome {first_name}", body="See you on {arrival_date}."
    )
    make_template("Welcome", "fr", subject="Bienvenue {first_name}", body="À bientôt !")
    make_rule(template, days=-2, name="Two days before arrival")
    log_in(page, live_server, "reception")

    page.goto(live_server.url + reverse("guests:inspect", args=[guest.pk]))
    emails = page.locator("[data-emails-panel]")
    assert emails.locator("[data-planned-emails]").inner_text().count(booking.reference) == 1

    emails.locator('tr[data-email-template="Welcome"]').get_by_role(
        "button", name="Send", exact=True
    ).click()
    page.wait_for_url("**#emails")
    assert page.get_by_text("The email is on its way").is_visible()

    row = page.locator("[data-sent-emails] tr[data-email]").first
    assert row.locator("[data-email-subject]").inner_text() == "Bienvenue Zoé"
    assert row.get_attribute("data-email-status") == "sent"
    assert "SENT" in row.inner_text().upper()
    assert "Email sent: “Bienvenue Zoé”" in page.locator("[data-timeline]").inner_text()
    assert "Email queued: “Bienvenue Zoé”" in page.locator("[data-timeline]").inner_text()
    screenshot(page, artifacts / "admin-guest-emails.png")

    assert [m.to for m in mail.outbox] == [["zoe@example.com"]]
    assert OutgoingEmail.objects.get().status == OutgoingStatus.SENT

    # The preview, from the profile, shows the email filled in for this guest.
    emails = page.locator("[data-emails-panel]")
    emails.locator('tr[data-email-template="Welcome"]').get_by_role("link", name="Preview").click()
    assert page.locator("[data-preview-subject]").inner_text() == "Bienvenue Zoé"
    screenshot(page, artifacts / "admin-email-preview.png")

    # The outbox lists it too.
    page.goto(live_server.url + reverse("guest_outbox:index"))
    assert "Bienvenue Zoé" in page.locator("table.listing").inner_text()
    screenshot(page, artifacts / "admin-outbox.png")

    # The guest follows the link in the email, and confirms.
    link = re.search(r"(http\S+/guests/unsubscribe/\S+/)", mail.outbox[0].body).group(1)
    page.goto(link)
    page.locator("[data-unsubscribe-confirm]").click()
    assert page.locator("[data-unsubscribe-done]").is_visible()
    screenshot(page, artifacts / "unsubscribe-done.png")
    assert Guest.objects.get(pk=guest.pk).unsubscribed_at is not None
