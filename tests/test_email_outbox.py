"""The outbox: written first, sent once through Django's mail API, retried after provider errors."""

import datetime
import email as email_lib

import pytest
from django.core import mail
from django.utils import timezone

from tests.email_helpers import ANYMAIL_TEST_BACKEND, FLAKY_BACKEND, FlakyBackend, make_template
from tests.factories import make_guest
from wagtail_guests.emailing.outbox import (
    queue_email,
    release_stale,
    retry,
    send_due_emails,
    send_email,
)
from wagtail_guests.models import Activity, ActivityKind, OutgoingEmail, OutgoingStatus

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anymail_backend(settings):
    settings.EMAIL_BACKEND = ANYMAIL_TEST_BACKEND
    settings.WAGTAIL_GUESTS_REPLY_TO_ADDRESS = "replies+{token}@hotel.example"
    settings.WAGTAIL_GUESTS_BASE_URL = "https://hotel.example"
    settings.WAGTAIL_GUESTS_EMAIL_RETRY_DELAY = 60
    settings.WAGTAIL_GUESTS_EMAIL_MAX_ATTEMPTS = 4
    FlakyBackend.reset()


@pytest.fixture
def guest():
    return make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")


def queue(guest, django_capture_on_commit_callbacks, **fields):
    """queue_email, with its on-commit task run (the immediate task backend sends at once)."""
    fields.setdefault("subject", "Your stay")
    fields.setdefault("body", "Hello Zoé")
    fields.setdefault("kind", "message")
    with django_capture_on_commit_callbacks(execute=True):
        return queue_email(guest, **fields)


def kinds(guest):
    activities = Activity.objects.filter(guest=guest, kind__startswith="email_")
    return list(activities.order_by("pk").values_list("kind", flat=True))


def test_an_email_is_written_then_sent_once_with_safe_headers(
    guest, django_capture_on_commit_callbacks
):
    outgoing = queue(guest, django_capture_on_commit_callbacks)

    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingStatus.SENT
    assert outgoing.sent_at is not None
    assert outgoing.attempts == 1
    assert outgoing.esp_message_id == "0"  # the test backend's message id
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["zoe@example.com"]
    assert message.recipients() == ["zoe@example.com"]
    assert message.cc == [] and message.bcc == []
    assert message.subject == "Your stay"
    assert message.reply_to == [f"replies+{outgoing.reply_token}@hotel.example"]
    assert message.metadata["guest_id"] == str(guest.pk)
    assert message.anymail_test_params["to"][0].addr_spec == "zoe@example.com"
    assert len(message.anymail_test_params["to"]) == 1
    assert "List-Unsubscribe" not in message.extra_headers  # not a marketing email
    assert kinds(guest) == [ActivityKind.EMAIL_QUEUED, ActivityKind.EMAIL_SENT]

    # Nothing is left to send: running the sender again sends nothing.
    assert send_due_emails() == {"stale": 0}
    assert send_email(outgoing.pk) is None
    assert len(mail.outbox) == 1


def test_outage_then_recovery_sends_exactly_once(guest, settings):
    settings.EMAIL_BACKEND = FLAKY_BACKEND
    FlakyBackend.reset(failures=3)
    outgoing = queue_email(guest, subject="Your stay", body="Hello", kind="message")
    start = outgoing.created_at

    assert send_email(outgoing.pk, now=start) == OutgoingStatus.RETRYING
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (OutgoingStatus.RETRYING, 1)
    assert "AnymailAPIError" in outgoing.last_error
    assert outgoing.next_attempt_at == start + datetime.timedelta(seconds=60)

    # Not due yet: nothing happens, the provider is not even called.
    assert send_due_emails(now=start + datetime.timedelta(seconds=30)) == {"stale": 0}
    assert FlakyBackend.calls == 1

    # The delay doubles at each failure: 60 s, 120 s, 240 s.
    now = start + datetime.timedelta(seconds=60)
    assert send_due_emails(now=now) == {"stale": 0, "retrying": 1}
    outgoing.refresh_from_db()
    assert outgoing.next_attempt_at == now + datetime.timedelta(seconds=120)
    now += datetime.timedelta(seconds=120)
    assert send_due_emails(now=now) == {"stale": 0, "retrying": 1}
    outgoing.refresh_from_db()
    assert outgoing.next_attempt_at == now + datetime.timedelta(seconds=240)
    assert mail.outbox == []

    # The provider is back.
    now += datetime.timedelta(seconds=240)
    assert send_due_emails(now=now) == {"stale": 0, "sent": 1}
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (OutgoingStatus.SENT, 4)
    assert len(mail.outbox) == 1
    for _ in range(3):
        send_due_emails(now=now + datetime.timedelta(days=1))
    assert len(mail.outbox) == 1
    assert FlakyBackend.calls == 4
    assert kinds(guest).count(ActivityKind.EMAIL_SENT) == 1


def test_a_timeout_is_retried_too(guest, settings):
    settings.EMAIL_BACKEND = FLAKY_BACKEND
    FlakyBackend.reset(failures=1, error="timeout")
    outgoing = queue_email(guest, subject="Hi", body="Hello", kind="message")

    assert send_email(outgoing.pk) == OutgoingStatus.RETRYING
    assert "TimeoutError" in OutgoingEmail.objects.get().last_error
    later = timezone.now() + datetime.timedelta(hours=1)
    assert send_due_emails(now=later)["sent"] == 1
    assert len(mail.outbox) == 1


def test_failed_after_the_last_attempt_then_retried_by_staff(guest, settings):
    settings.EMAIL_BACKEND = FLAKY_BACKEND
    FlakyBackend.reset(failures=100)
    outgoing = queue_email(guest, subject="Hi", body="Hello", kind="message")
    now = timezone.now()
    for _ in range(10):
        send_due_emails(now=now)
        now += datetime.timedelta(days=1)
    outgoing.refresh_from_db()
    assert (outgoing.status, outgoing.attempts) == (OutgoingStatus.FAILED, 4)
    assert FlakyBackend.calls == 4
    assert kinds(guest) == [ActivityKind.EMAIL_QUEUED, ActivityKind.EMAIL_FAILED]
    # Failed emails stay failed: the sender does not pick them up again.
    send_due_emails(now=now + datetime.timedelta(days=30))
    assert FlakyBackend.calls == 4

    FlakyBackend.reset()
    assert retry(outgoing) is True
    assert OutgoingEmail.objects.get().attempts == 0
    send_due_emails()
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingStatus.SENT
    assert len(mail.outbox) == 1
    assert retry(outgoing) is False  # sent: nothing to retry


def test_a_refused_address_fails_at_once(guest, settings):
    from anymail.exceptions import AnymailRecipientsRefused

    from tests import email_helpers

    class RefusingBackend(email_helpers.AnymailTestBackend):
        def post_to_esp(self, payload, message):
            raise AnymailRecipientsRefused("refused")

    email_helpers.RefusingBackend = RefusingBackend
    settings.EMAIL_BACKEND = "tests.email_helpers.RefusingBackend"
    outgoing = queue_email(guest, subject="Hi", body="Hello", kind="message")

    assert send_email(outgoing.pk) == OutgoingStatus.FAILED
    assert OutgoingEmail.objects.get().attempts == 1


def test_header_injection_through_name_and_subject(django_capture_on_commit_callbacks):
    guest = make_guest(first_name="Eve", last_name="Smith", email="eve@example.com")
    guest.first_name = "Eve\r\nBcc: evil@example.com"
    guest.save()
    template = make_template(subject="Hello {first_name}", body="Hi", is_marketing=False)
    from wagtail_guests.emailing.templates import render

    subject, body = render(template, guest)
    queue(guest, django_capture_on_commit_callbacks, subject=subject, body=body)
    queue(
        guest,
        django_capture_on_commit_callbacks,
        subject="Offer\r\nBcc: evil@example.com\nX-Evil: 1",
        body="Hi",
    )

    assert len(mail.outbox) == 2
    for message in mail.outbox:
        assert message.recipients() == ["eve@example.com"]
        raw = message.message().as_bytes()
        parsed = email_lib.message_from_bytes(raw)
        assert parsed.get_all("Bcc") is None
        assert parsed.get_all("X-Evil") is None
        assert parsed.get_all("To") == ["eve@example.com"]
        assert "\n" not in message.subject and "\r" not in message.subject
    assert mail.outbox[0].subject == "Hello Eve Bcc: evil@example.com"


@pytest.mark.parametrize(
    "address",
    [
        "a@example.com, b@example.com",
        "a@example.com\nBcc: b@example.com",
        "Evil <a@example.com>",
        "a@example.com;b@example.com",
        "not an address",
    ],
)
def test_one_valid_address_only(guest, address):
    assert queue_email(guest, subject="Hi", body="Hi", kind="message", to_email=address) is None
    assert not OutgoingEmail.objects.exists()


class TestWhoIsNeverEmailed:
    def test_no_address(self):
        guest = make_guest(first_name="Zoé", phone="06 12 34 56 78")
        assert queue_email(guest, subject="Hi", body="Hi", kind="message") is None

    def test_anonymised(self, guest):
        guest.anonymised_at = timezone.now()
        guest.save()
        for marketing in (True, False):
            assert (
                queue_email(guest, subject="Hi", body="Hi", kind="test", is_marketing=marketing)
                is None
            )
            assert (
                queue_email(guest, subject="Hi", body="Hi", kind="message", to_email="x@y.example")
                is None
            )

    def test_unsubscribed_get_no_marketing_but_a_direct_message(self, guest):
        guest.unsubscribed_at = timezone.now()
        guest.save()
        assert (
            queue_email(guest, subject="Offer", body="Hi", kind="template", is_marketing=True)
            is None
        )
        assert queue_email(guest, subject="Your question", body="Hi", kind="message") is not None

    def test_undeliverable(self, guest):
        guest.email_undeliverable_at = timezone.now()
        guest.save()
        assert queue_email(guest, subject="Hi", body="Hi", kind="message") is None

    def test_nothing_is_recorded_when_refused(self, guest):
        guest.unsubscribed_at = timezone.now()
        guest.save()
        queue_email(guest, subject="Offer", body="Hi", kind="template", is_marketing=True)
        assert not OutgoingEmail.objects.exists()
        assert not Activity.objects.filter(kind=ActivityKind.EMAIL_QUEUED).exists()

    def test_unsubscribing_after_queueing_cancels_the_send(self, guest):
        outgoing = queue_email(
            guest, subject="Offer", body="Hi", kind="template", is_marketing=True
        )
        guest.unsubscribed_at = timezone.now()
        guest.save()

        assert send_email(outgoing.pk) == OutgoingStatus.CANCELLED
        assert mail.outbox == []
        assert OutgoingEmail.objects.get().last_error == "unsubscribed"


class TestPreSendGuard:
    """The anymail ``pre_send`` receiver stops a message even if it was built already."""

    def build(self, guest, **fields):
        from wagtail_guests.emailing.message import build_message

        outgoing = queue_email(guest, subject="Offer", body="Hi", kind="template", **fields)
        return outgoing, build_message(OutgoingEmail.objects.get(pk=outgoing.pk))

    def test_unsubscribed_at_the_last_moment(self, guest):
        _, message = self.build(guest, is_marketing=True)
        guest.unsubscribed_at = timezone.now()
        guest.save()
        assert message.send() == 0
        assert mail.outbox == []

    def test_anonymised_at_the_last_moment(self, guest):
        _, message = self.build(guest, is_marketing=False)
        guest.anonymised_at = timezone.now()
        guest.save()
        assert message.send() == 0
        assert mail.outbox == []

    def test_a_recipient_added_to_the_message(self, guest):
        _, message = self.build(guest)
        message.bcc = ["someone-else@example.com"]
        assert message.send() == 0
        assert mail.outbox == []

    def test_reaching_the_guest_still_works(self, guest):
        _, message = self.build(guest, is_marketing=True)
        assert message.send() == 1

    def test_a_site_receiver_cancelling_is_recorded(self, guest):
        from anymail.exceptions import AnymailCancelSend
        from anymail.signals import pre_send

        def cancel(sender, message, **kwargs):
            raise AnymailCancelSend("site policy")

        outgoing = queue_email(guest, subject="Offer", body="Hi", kind="message")
        pre_send.connect(cancel, dispatch_uid="test_cancel")
        try:
            assert send_email(outgoing.pk) == OutgoingStatus.CANCELLED
        finally:
            pre_send.disconnect(dispatch_uid="test_cancel")
        assert OutgoingEmail.objects.get().last_error == "cancelled_before_sending"
        assert mail.outbox == []


def test_marketing_emails_carry_the_unsubscribe_link_and_headers(
    guest, django_capture_on_commit_callbacks
):
    outgoing = queue(guest, django_capture_on_commit_callbacks, kind="template", is_marketing=True)

    message = mail.outbox[0]
    url = message.extra_headers["List-Unsubscribe"]
    assert url.startswith("<https://hotel.example/guests/unsubscribe/") and url.endswith("/>")
    assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "https://hotel.example/guests/unsubscribe/" in message.body
    assert "https://hotel.example/guests/unsubscribe/" in outgoing.body  # as stored


def test_a_body_with_the_link_does_not_get_a_second_one(guest):
    from wagtail_guests.emailing.unsubscribe import unsubscribe_url

    body = f"Bye: {unsubscribe_url(guest)}"
    outgoing = queue_email(guest, subject="Hi", body=body, kind="template", is_marketing=True)
    assert outgoing.body == body


def test_a_worker_that_died_mid_send_leaves_a_failed_email_not_a_duplicate(guest):
    outgoing = queue_email(guest, subject="Hi", body="Hi", kind="message")
    OutgoingEmail.objects.filter(pk=outgoing.pk).update(
        status=OutgoingStatus.SENDING, next_attempt_at=timezone.now() - datetime.timedelta(hours=1)
    )

    assert send_due_emails()["stale"] == 1
    outgoing.refresh_from_db()
    assert outgoing.status == OutgoingStatus.FAILED
    assert "interrupted" in outgoing.last_error
    assert release_stale() == 0
    assert mail.outbox == []


def test_the_from_address_setting(guest, settings, django_capture_on_commit_callbacks):
    settings.WAGTAIL_GUESTS_EMAIL_FROM_ADDRESS = "Reception <reception@hotel.example>"
    settings.WAGTAIL_GUESTS_REPLY_TO_ADDRESS = None
    queue(guest, django_capture_on_commit_callbacks)
    assert mail.outbox[0].from_email == "Reception <reception@hotel.example>"
    assert mail.outbox[0].reply_to == []


@pytest.mark.django_db(transaction=True)
def test_workers_sending_at_once_send_each_email_once():
    """Four workers run the sender at the same moment over the same due emails."""
    import threading

    from django.db import connections

    guests = [make_guest(first_name=f"G{i}", email=f"g{i}@example.com") for i in range(8)]
    for guest in guests:
        OutgoingEmail.objects.create(
            guest=guest, kind="message", to_email=guest.email, subject="Hi", body="Hello"
        )
    barrier = threading.Barrier(4)
    errors, results = [], []

    def work():
        try:
            barrier.wait(timeout=30)
            results.append(send_due_emails())
        except BaseException as error:  # every failure counts
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    assert sum(result.get("sent", 0) for result in results) == 8
    assert sorted(to for m in mail.outbox for to in m.to) == sorted(g.email for g in guests)
    assert OutgoingEmail.objects.filter(status=OutgoingStatus.SENT, attempts=1).count() == 8
