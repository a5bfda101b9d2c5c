"""A guest's reply arrives by webhook; staff find it first in the inbox, open it, see the photo
and answer."""

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from tests.admin_fixtures import make_staff
from tests.browser.test_admin_profile import log_in, screenshot
from tests.factories import make_guest
from tests.webhook_payloads import (
    PNG,
    make_sent_email,
    post_postmark,
    postmark_attachment,
    postmark_reply,
    webhook_settings,
)
from wagtail_guests.models import Message, OutgoingEmail

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def email_settings(tmp_path):
    with webhook_settings(
        MEDIA_ROOT=str(tmp_path), EMAIL_BACKEND="anymail.backends.test.EmailBackend"
    ):
        mail.outbox = []
        yield


def test_staff_read_and_answer_a_reply(live_server, browser_page, artifacts):
    page = browser_page
    make_staff("reception")
    older = make_guest(first_name="Pedro", last_name="Alves", email="pedro@example.pt")
    Message.objects.create(guest=older, direction="in", body="Obrigado!", read_at=timezone.now())
    guest = make_guest(first_name="Ingrid", last_name="Larsen", email="ingrid@example.no")
    email = make_sent_email(guest, message_id="pm-1", subject="Your stay next week")
    payload = postmark_reply(
        sender="ingrid@example.no",
        name="Ingrid Larsen",
        to=f"replies+{email.reply_token}@hotel.example",
        subject="Re: Your stay next week",
        text="Can we bring our dog? Here is a photo of him.",
        attachments=[postmark_attachment("dog.png", "image/png", PNG)],
    )
    assert post_postmark(Client(), "inbound", payload).status_code == 200

    log_in(page, live_server, "reception")
    page.goto(live_server.url + reverse("guest_inbox:index"))
    rows = page.locator("tr[data-conversation]")
    assert rows.first.get_attribute("data-conversation") == str(guest.pk)  # unread first
    assert page.get_by_text("1 unread message").is_visible()
    screenshot(page, artifacts / "admin-inbox.png")

    rows.first.get_by_role("link", name="Ingrid Larsen").click()
    page.wait_for_url(live_server.url + reverse("guest_inbox:conversation", args=[guest.pk]))
    assert page.get_by_text("Can we bring our dog?").is_visible()
    # The attached photo (a 1x1 PNG) is served and shown: its width once it has loaded (the
    # page's "load" event may come before the image is decoded, so wait for the image itself).
    width = page.locator("[data-photos] img").evaluate(
        """img => img.complete ? img.naturalWidth : new Promise(resolve => {
            img.addEventListener("load", () => resolve(img.naturalWidth));
            img.addEventListener("error", () => resolve(0));
        })"""
    )
    assert width == 1

    page.get_by_label("Message").fill("Of course, dogs are welcome.")
    page.get_by_role("button", name="Send the reply").click()
    page.wait_for_url("**#reply")
    assert page.get_by_text("Your reply is on its way.").is_visible()
    assert page.get_by_text("Of course, dogs are welcome.").is_visible()
    screenshot(page, artifacts / "admin-inbox-conversation.png")

    reply = OutgoingEmail.objects.get(kind="reply")
    assert reply.subject == "Re: Your stay next week"
    assert Message.objects.get(guest=guest, direction="in").read_at is not None
