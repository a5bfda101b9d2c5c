"""Replying from the inbox: an outbox email, a message in the conversation, and the guest's
answer threaded back by the Reply-To token."""

import pytest
from django.core import mail
from django.test import override_settings

from tests import admin_fixtures
from tests.factories import make_guest
from tests.webhook_payloads import (
    load,
    post_postmark,
    postmark_reply,
    webhooks,  # noqa: F401
)
from wagtail_guests.models import (
    Activity,
    ActivityKind,
    EmailTemplate,
    Guest,
    Message,
    OutgoingEmail,
)

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhooks", "anymail_backend")]


@pytest.fixture
def anymail_backend():
    with override_settings(EMAIL_BACKEND="anymail.backends.test.EmailBackend"):
        mail.outbox = []
        yield


@pytest.fixture
def guest():
    guest = make_guest(first_name="Sofia", last_name="Rossi", email="sofia@example.it")
    Message.objects.create(guest=guest, direction="in", subject="Parking", body="Is there parking?")
    return guest


def url(guest):
    return f"/admin/guests/inbox/{guest.pk}/"


def test_a_reply_goes_through_the_outbox(
    manager_client, manager, guest, django_capture_on_commit_callbacks
):
    page = manager_client.get(url(guest)).content.decode()
    assert 'value="Re: Parking"' in page  # the subject is suggested

    with django_capture_on_commit_callbacks(execute=True):
        response = manager_client.post(
            url(guest), {"subject": "Re: Parking", "body": "Yes, free, behind the hotel."}
        )

    assert response.status_code == 302
    email = OutgoingEmail.objects.get()
    assert (email.kind, email.guest, email.created_by) == ("reply", guest, manager)
    assert email.to_email == "sofia@example.it"
    assert email.status == "sent"  # the immediate task backend sent it at commit
    reply = Message.objects.get(direction="out")
    assert (reply.email, reply.user, reply.body) == (email, manager, "Yes, free, behind the hotel.")
    assert len(mail.outbox) == 1
    sent = mail.outbox[0]
    assert sent.to == ["sofia@example.it"]
    assert sent.reply_to == [f"replies+{email.reply_token}@hotel.example"]
    # The timeline's lines of the reply lead to the conversation.
    profile = manager_client.get(f"/admin/guests/inspect/{guest.pk}/").content.decode()
    assert "Open the conversation" in profile


def test_the_guests_answer_comes_back_to_the_conversation(
    client, manager_client, guest, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(url(guest), {"subject": "Re: Parking", "body": "Yes."})
    email = OutgoingEmail.objects.get()
    sent = mail.outbox[0]

    # The provider reports the delivery of the reply…
    delivery = load("postmark_delivery")
    delivery.update({"MessageID": email.esp_message_id, "Recipient": "sofia@example.it"})
    assert post_postmark(client, "tracking", delivery).status_code == 200
    # …and the guest answers it from another address, to the Reply-To address.
    answer = postmark_reply(
        sender="sofia.rossi@work.example", to=sent.reply_to[0], text="Perfect, thank you!"
    )
    assert post_postmark(client, "inbound", answer).status_code == 200

    thread = list(Message.objects.filter(guest=guest).order_by("created_at", "pk"))
    assert [m.direction for m in thread] == ["in", "out", "in"]
    assert thread[-1].email == email
    page = manager_client.get(url(guest)).content.decode()
    assert "Perfect, thank you!" in page
    assert "delivered" in page
    assert not Guest.objects.filter(email="sofia.rossi@work.example").exists()


def test_a_reply_from_a_template(manager_client, guest, django_capture_on_commit_callbacks):
    template = EmailTemplate.objects.create(
        name="Directions",
        subject="How to find us, {first_name}",
        body="Dear {first_name}, take the second street on the left.",
        is_marketing=False,
    )

    page = manager_client.get(url(guest), {"template": "Directions"}).content.decode()
    assert "Dear Sofia, take the second street on the left." in page
    assert 'value="How to find us, Sofia"' in page

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(
            url(guest), {"template": "Directions", "subject": "How to find us, Sofia", "body": ""}
        )

    email = OutgoingEmail.objects.get()
    assert email.template == template
    assert email.body == "Dear Sofia, take the second street on the left."
    assert Message.objects.get(direction="out").body == email.body


def test_an_empty_reply_is_refused(manager_client, guest):
    response = manager_client.post(url(guest), {"subject": "Re: Parking", "body": "  "})
    assert response.status_code == 200
    assert "Write a message or choose a template." in response.content.decode()
    assert not OutgoingEmail.objects.exists()
    assert not Message.objects.filter(direction="out").exists()


def test_no_reply_to_an_address_that_bounced(manager_client, guest):
    from django.utils import timezone

    Guest.objects.filter(pk=guest.pk).update(email_undeliverable_at=timezone.now())
    response = manager_client.post(url(guest), {"subject": "Re", "body": "Hello"}, follow=True)
    assert "cannot be emailed" in response.content.decode()
    assert not OutgoingEmail.objects.exists()
    assert not Message.objects.filter(direction="out").exists()
    assert not Activity.objects.filter(kind=ActivityKind.EMAIL_QUEUED).exists()
