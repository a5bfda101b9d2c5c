"""Tracking webhooks: real Postmark and Mailgun payloads posted to anymail's webhook URLs."""

import datetime
import io

import pytest
from django.utils import timezone

from tests.admin_fixtures import make_booking
from tests.factories import make_guest
from tests.webhook_payloads import (
    load,
    make_sent_email,
    post_mailgun_tracking,
    post_postmark,
    webhooks,  # noqa: F401
)
from wagtail_guests.filters import reachable_condition
from wagtail_guests.models import Activity, ActivityKind, EmailEvent, Guest, ProcessedWebhook

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhooks")]

MESSAGE_ID = "883953f4-6105-42a2-a16a-77a8eac79483"


@pytest.fixture
def guest():
    return make_guest(first_name="John", last_name="Doe", email="john@example.com")


@pytest.fixture
def email(guest):
    return make_sent_email(guest, message_id=MESSAGE_ID)


def timeline_kinds(guest):
    return list(
        Activity.objects.filter(guest=guest)
        .order_by("created_at", "pk")
        .values_list("kind", flat=True)
    )


def test_delivery_open_and_click_land_on_the_timeline(client, guest, email):
    for name in ("postmark_delivery", "postmark_open", "postmark_click"):
        assert post_postmark(client, "tracking", load(name)).status_code == 200

    kinds = set(timeline_kinds(guest))
    assert {
        ActivityKind.EMAIL_DELIVERED,
        ActivityKind.EMAIL_OPENED,
        ActivityKind.EMAIL_CLICKED,
    } <= kinds
    assert EmailEvent.objects.filter(email=email).count() == 3
    opened = Activity.objects.get(guest=guest, kind=ActivityKind.EMAIL_OPENED)
    assert opened.payload["email"] == email.pk
    email.refresh_from_db()
    assert email.delivery_status == "clicked"

    # The profile's timeline says it in words, with the email's subject.
    from tests.admin_fixtures import make_staff

    client.force_login(make_staff("reader"))
    page = client.get(f"/admin/guests/inspect/{guest.pk}/").content.decode()
    assert "Email opened" in page and "Your stay at the Tilleuls" in page


def test_events_out_of_order_do_not_move_the_status_back(client, guest, email):
    post_postmark(client, "tracking", load("postmark_open"))
    post_postmark(client, "tracking", load("postmark_delivery"))
    email.refresh_from_db()
    assert email.delivery_status == "opened"


def test_hard_bounce_marks_the_guest_not_reachable(client, guest, email):
    make_booking(guest, days=20)
    assert Guest.objects.filter(reachable_condition(), pk=guest.pk).exists()

    response = post_postmark(client, "tracking", load("postmark_bounce"))

    assert response.status_code == 200
    guest.refresh_from_db()
    assert guest.email_undeliverable_at is not None
    assert not Guest.objects.filter(reachable_condition(), pk=guest.pk).exists()
    assert ActivityKind.EMAIL_BOUNCED in timeline_kinds(guest)
    event = EmailEvent.objects.get(email=email)
    assert event.event_type == "bounced" and "unable to deliver" in event.description
    email.refresh_from_db()
    assert email.delivery_status == "bounced"


def test_soft_bounce_keeps_the_guest_reachable(client, guest, email):
    payload = load("postmark_bounce")
    payload.update({"Type": "SoftBounce", "TypeCode": 4096, "Name": "Soft bounce"})
    post_postmark(client, "tracking", payload)
    guest.refresh_from_db()
    assert guest.email_undeliverable_at is None


def test_spam_complaint_marks_the_guest_not_reachable(client, guest):
    complaint = load("postmark_spam_complaint")
    make_sent_email(guest, message_id=complaint["MessageID"])

    post_postmark(client, "tracking", complaint)

    guest.refresh_from_db()
    assert guest.email_undeliverable_at is not None
    assert ActivityKind.EMAIL_COMPLAINED in timeline_kinds(guest)


def test_a_repeated_event_is_processed_once(client, guest, email):
    for _attempt in range(3):
        assert post_postmark(client, "tracking", load("postmark_bounce")).status_code == 200
        # Postmark sends no id with deliveries: the same delivery posted again is one event too.
        assert post_postmark(client, "tracking", load("postmark_delivery")).status_code == 200

    assert EmailEvent.objects.filter(email=email, event_type="bounced").count() == 1
    assert EmailEvent.objects.filter(email=email, event_type="delivered").count() == 1
    assert timeline_kinds(guest).count(ActivityKind.EMAIL_BOUNCED) == 1
    assert ProcessedWebhook.objects.filter(key="Postmark:tracking:4323372036854775807").exists()


def test_event_keys_are_forgotten_after_a_week(client, guest, email):
    from django.core.management import call_command

    post_postmark(client, "tracking", load("postmark_delivery"))  # no id: a digest is kept
    old = ProcessedWebhook.objects.get()
    ProcessedWebhook.objects.filter(pk=old.pk).update(
        received_at=timezone.now() - datetime.timedelta(days=8)
    )
    post_postmark(client, "tracking", load("postmark_bounce"))

    call_command("guests_send_emails", stdout=io.StringIO())

    assert list(ProcessedWebhook.objects.values_list("key", flat=True)) == [
        "Postmark:tracking:4323372036854775807"
    ]


def test_an_event_without_a_known_message_is_matched_by_recipient(client, guest):
    payload = load("postmark_open")
    payload["MessageID"] = "not-one-of-ours"

    post_postmark(client, "tracking", payload)

    activity = Activity.objects.get(guest=guest, kind=ActivityKind.EMAIL_OPENED)
    assert "email" not in activity.payload
    assert EmailEvent.objects.get(guest=guest).email is None


def test_an_event_for_nobody_changes_nothing(client):
    make_guest(email="someone.else@example.com")
    payload = load("postmark_bounce")
    payload["MessageID"] = "unknown"

    assert post_postmark(client, "tracking", payload).status_code == 200

    assert not EmailEvent.objects.exists()
    assert not Guest.objects.filter(email_undeliverable_at__isnull=False).exists()


def test_staff_notification_events_are_ignored(client, guest):
    payload = load("postmark_bounce")
    payload.update({"MessageID": "unknown", "Tag": "wagtail-guests-staff-notification"})
    post_postmark(client, "tracking", payload)
    guest.refresh_from_db()
    assert guest.email_undeliverable_at is None
    assert not EmailEvent.objects.exists()


def test_a_bounce_of_an_old_address_keeps_the_new_one_reachable(client, guest, email):
    Guest.objects.filter(pk=guest.pk).update(email="john.new@example.com")
    post_postmark(client, "tracking", load("postmark_bounce"))
    guest.refresh_from_db()
    assert guest.email_undeliverable_at is None
    assert ActivityKind.EMAIL_BOUNCED in timeline_kinds(guest)


def test_anonymised_guests_get_no_timeline_lines(client, guest, email):
    Guest.objects.filter(pk=guest.pk).update(anonymised_at="2024-01-01T00:00:00Z")
    post_postmark(client, "tracking", load("postmark_bounce"))
    assert not Activity.objects.filter(guest=guest, kind=ActivityKind.EMAIL_BOUNCED).exists()


# --- Mailgun: the same rules from another provider's payloads --------------------------------

MAILGUN_ID = "<20130503192659.13651.20287@sandboxd2bff44e72964702a4db1512384d6e9c.mailgun.org>"


@pytest.fixture
def alice():
    guest = make_guest(first_name="Alice", last_name="Martin", email="alice@example.com")
    make_sent_email(guest, message_id=MAILGUN_ID)
    return guest


def test_mailgun_permanent_failure_marks_not_reachable(client, alice):
    response = post_mailgun_tracking(client, load("mailgun_failed_permanent"))
    assert response.status_code == 200
    alice.refresh_from_db()
    assert alice.email_undeliverable_at is not None
    assert ActivityKind.EMAIL_BOUNCED in timeline_kinds(alice)


def test_mailgun_temporary_failure_is_only_recorded(client, alice):
    post_mailgun_tracking(client, load("mailgun_failed_temporary"))
    alice.refresh_from_db()
    assert alice.email_undeliverable_at is None
    assert EmailEvent.objects.get(guest=alice).event_type == "deferred"
    assert ActivityKind.EMAIL_BOUNCED not in timeline_kinds(alice)


def test_mailgun_event_posted_twice_is_processed_once(client, alice):
    for _attempt in range(2):
        post_mailgun_tracking(client, load("mailgun_failed_permanent"))
    assert EmailEvent.objects.filter(guest=alice).count() == 1


def test_mailgun_event_with_a_bad_signature_is_refused(client, alice):
    response = post_mailgun_tracking(client, load("mailgun_failed_permanent"), key="forged")
    assert response.status_code == 400
    alice.refresh_from_db()
    assert alice.email_undeliverable_at is None
    assert not EmailEvent.objects.exists()


def test_a_new_address_makes_the_guest_reachable_again(client, guest, email):
    from tests.admin_fixtures import make_staff
    from wagtail_guests.actions.staff import update_guest

    post_postmark(client, "tracking", load("postmark_bounce"))
    guest.refresh_from_db()
    assert guest.email_undeliverable_at is not None

    update_guest(guest, {"first_name": "Johnny"}, user=make_staff("desk"))
    guest.refresh_from_db()
    assert guest.email_undeliverable_at is not None  # same address: still bouncing

    update_guest(guest, {"email": "john.doe@example.org"}, user=make_staff("desk2"))
    guest.refresh_from_db()
    assert guest.email_undeliverable_at is None
