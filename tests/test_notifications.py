"""Staff notification emails: sent after commit, warn about tagged guests, never lose data."""

import logging
import smtplib

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend

from tests.factories import make_guest
from tests.form_helpers import (
    booking_block,
    contact_block,
    contact_data,
    ensure_page_tree,
    make_form_page,
    stay_data,
)
from wagtail_guests.actions import add_tag
from wagtail_guests.models import Submission, Tag

STAFF = "reception@hotel-des-tilleuls.example"


@pytest.fixture
def page(site_root):
    return make_form_page(
        site_root,
        contact_block(notification_email=STAFF),
        booking_block(notification_email=STAFF),
    )


def test_email_is_sent_after_commit(client, page, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        response = client.post(page.url, contact_data(message="Do you have a garage?\nThanks"))
    assert response.status_code == 303
    assert mail.outbox == []  # nothing before the transaction commits
    for callback in callbacks:
        callback()

    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    submission = Submission.objects.get()
    assert email.to == [STAFF]
    assert email.reply_to == ["zoe@example.com"]
    assert email.from_email == "Hôtel des Tilleuls <bonjour@hotel-des-tilleuls.example>"
    assert email.subject == "New message from Zoé Lefèvre"
    assert "WARNING" not in email.body
    assert "First name: Zoé" in email.body
    assert "Email: zoe@example.com" in email.body
    assert "Message: Do you have a garage?\nThanks" in email.body
    assert f"/admin/guests/{submission.guest_id}/" in email.body
    assert email.metadata == {"guest_id": submission.guest_id, "submission_id": submission.pk}


def test_booking_email_lists_the_booking(
    client, page, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_GUESTS_NOTIFICATION_FROM_EMAIL = "crm@hotel-des-tilleuls.example"
    data = stay_data(
        room_type="Double room",
        additional_1_first_name="Jules",
        additional_1_last_name="Lefèvre",
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page.url, data)
    email = mail.outbox[0]
    reference = Submission.objects.get().booking.reference
    assert email.subject == f"Booking request {reference} from Zoé Lefèvre"
    assert email.from_email == "crm@hotel-des-tilleuls.example"
    assert "Room type: Double room" in email.body
    assert "Number of guests: 2" in email.body
    assert "- Jules Lefèvre" in email.body


def test_warning_when_the_guest_is_tagged(client, page, django_capture_on_commit_callbacks):
    no_show, _ = Tag.objects.get_or_create(
        name="No-show", defaults={"preset": "no_show", "is_warning": True}
    )
    guest = make_guest(email="zoe@example.com", source="manual")
    add_tag(guest, no_show)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page.url, contact_data(email="Zoe@example.com"))
    email = mail.outbox[0]
    assert email.subject.startswith("WARNING: ")
    assert email.body.splitlines()[0] == "*** WARNING: this guest is tagged No-show. ***"


def test_no_email_without_a_staff_address(client, site_root, django_capture_on_commit_callbacks):
    page = make_form_page(site_root, contact_block(notification_email=""))
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page.url, contact_data())
    assert Submission.objects.count() == 1
    assert mail.outbox == []


def test_no_admin_link_without_base_url(client, page, settings, django_capture_on_commit_callbacks):
    settings.WAGTAILADMIN_BASE_URL = ""
    with django_capture_on_commit_callbacks(execute=True):
        client.post(page.url, contact_data())
    assert "/admin/" not in mail.outbox[0].body


class BrokenSMTPBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.mark.django_db(transaction=True)
def test_mail_failure_keeps_the_submission(client, settings, caplog):
    """A real commit, then an SMTP error in the task: the visitor and the data are fine."""
    from tests.factories import make_site_root

    settings.EMAIL_BACKEND = "tests.test_notifications.BrokenSMTPBackend"
    ensure_page_tree()
    page = make_form_page(make_site_root(), booking_block(notification_email=STAFF))
    caplog.set_level(logging.INFO)
    response = client.post(page.url, stay_data())
    assert response.status_code == 303
    submission = Submission.objects.select_related("guest", "booking").get()
    assert submission.guest.email == "zoe@example.com"
    assert submission.booking is not None
    failures = [
        record
        for record in caplog.records
        if record.name == "django_tasks" and "state=FAILED" in record.getMessage()
    ]
    assert len(failures) == 1
    assert "wagtail_guests.tasks.notify_staff" in failures[0].getMessage()
    assert failures[0].exc_info[0] is smtplib.SMTPServerDisconnected
