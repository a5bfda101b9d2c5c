"""A provider retrying a webhook while the first delivery is still being processed: real
threads, real connections, real commits; the event is still processed once."""

import threading

import pytest
from django.db import connections
from django.db.models.signals import post_save
from django.test import Client

from tests.factories import make_guest
from tests.webhook_payloads import (
    PNG,
    load,
    make_sent_email,
    post_postmark,
    postmark_attachment,
    postmark_reply,
    webhook_settings,
)
from wagtail_guests.models import Activity, EmailEvent, Guest, Message, MessageAttachment

THREADS = 8

pytestmark = pytest.mark.django_db(transaction=True)


def post_together(kind, payload):
    barrier = threading.Barrier(THREADS)
    statuses, errors = [], []
    lock = threading.Lock()

    def work():
        try:
            barrier.wait(timeout=30)
            response = post_postmark(Client(), kind, payload)
            with lock:
                statuses.append(response.status_code)
        except BaseException as exc:  # every failure counts
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)
    return statuses, errors


@pytest.fixture(autouse=True)
def settings_for_webhooks(tmp_path):
    with webhook_settings(MEDIA_ROOT=str(tmp_path)):
        yield


def test_the_same_reply_posted_at_once_is_stored_once():
    payload = postmark_reply(
        sender="new.guest@example.com",
        name="New Guest",
        to="bonjour@hotel.example",
        text="Do you have a room for tonight?",
        attachments=[postmark_attachment("room.png", "image/png", PNG)],
    )

    statuses, errors = post_together("inbound", payload)

    assert errors == []
    assert statuses == [200] * THREADS
    assert Guest.objects.filter(email="new.guest@example.com").count() == 1
    assert Message.objects.count() == 1
    assert MessageAttachment.objects.count() == 1
    assert Activity.objects.filter(kind="message_received").count() == 1


def test_the_same_bounce_posted_at_once_is_recorded_once():
    guest = make_guest(first_name="John", email="john@example.com")
    bounce = load("postmark_bounce")
    make_sent_email(guest, message_id=bounce["MessageID"])

    statuses, errors = post_together("tracking", bounce)

    assert errors == []
    assert statuses == [200] * THREADS
    assert EmailEvent.objects.count() == 1
    assert Activity.objects.filter(guest=guest, kind="email_bounced").count() == 1


def test_files_of_a_failed_delivery_are_removed(tmp_path):
    """A failure after a photo was saved rolls back, and leaves no file behind: the provider's
    retry stores the message afresh."""

    def fail(sender, **kwargs):
        raise RuntimeError("the database went away")

    payload = postmark_reply(
        sender="new.guest@example.com",
        to="bonjour@hotel.example",
        text="Photo",
        attachments=[postmark_attachment("room.png", "image/png", PNG)],
    )
    post_save.connect(fail, sender=MessageAttachment, dispatch_uid="test-fail")
    try:
        with pytest.raises(RuntimeError):
            post_postmark(Client(), "inbound", payload)
    finally:
        post_save.disconnect(sender=MessageAttachment, dispatch_uid="test-fail")
    assert not Message.objects.exists()
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []

    assert post_postmark(Client(), "inbound", payload).status_code == 200
    assert Message.objects.count() == 1
    assert len([p for p in tmp_path.rglob("*") if p.is_file()]) == 1
