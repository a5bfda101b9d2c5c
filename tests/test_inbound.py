"""Inbound webhooks: a guest's email, posted by Postmark to anymail's inbound URL, lands in the
guest's conversation; photos are kept, other attachments refused and noted."""

import pytest
from django.contrib.auth import get_user_model
from django.test import override_settings

from tests.factories import make_guest
from tests.webhook_payloads import (
    PDF,
    PNG,
    load,
    make_sent_email,
    post_postmark,
    postmark_attachment,
    postmark_reply,
    webhooks,  # noqa: F401
)
from wagtail_guests.actions.gdpr import anonymise_guest
from wagtail_guests.models import (
    Activity,
    ActivityKind,
    Guest,
    Message,
    MessageAttachment,
    ProcessedWebhook,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("webhooks", "media")]

HOTEL = "bonjour@hotel.example"


@pytest.fixture
def media(tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        yield tmp_path


@pytest.fixture
def guest():
    return make_guest(first_name="Ingrid", last_name="Larsen", email="ingrid@example.no")


def reply_address(email):
    return f"replies+{email.reply_token}@hotel.example"


def test_a_reply_is_threaded_by_its_reply_token(client, guest):
    email = make_sent_email(guest, message_id="abc")
    # Her husband answers from his own address: the token still names her conversation.
    payload = postmark_reply(
        sender="nils@example.no",
        name="Nils Larsen",
        to=reply_address(email),
        text="Can we bring our dog?",
    )

    response = post_postmark(client, "inbound", payload)

    assert response.status_code == 200
    message = Message.objects.get()
    assert message.guest == guest
    assert message.email == email
    assert message.direction == "in"
    assert message.read_at is None
    assert message.sender == "nils@example.no"
    assert message.body == "Can we bring our dog?"
    assert message.subject == "Re: Your stay"
    assert not Guest.objects.filter(email="nils@example.no").exists()
    activity = Activity.objects.get(guest=guest, kind=ActivityKind.MESSAGE_RECEIVED)
    assert activity.payload["message"] == message.pk


def test_the_reply_token_is_found_in_the_original_recipient(client, guest):
    email = make_sent_email(guest, message_id="abc")
    payload = postmark_reply(
        sender="nils@example.no", to="yourhash+x@inbound.postmarkapp.com", text="Hello"
    )
    payload["OriginalRecipient"] = reply_address(email).upper().replace("REPLIES+", "replies+")

    post_postmark(client, "inbound", payload)

    assert Message.objects.get().guest == guest


def test_without_a_token_the_sender_address_finds_the_guest(client, guest):
    payload = postmark_reply(sender="Ingrid@Example.NO", to=HOTEL, text="Is breakfast included?")

    post_postmark(client, "inbound", payload)

    message = Message.objects.get()
    assert message.guest == guest
    assert message.email is None


def test_an_unknown_token_falls_back_to_the_sender(client, guest):
    payload = postmark_reply(
        sender="ingrid@example.no", to="replies+unknownToken123@hotel.example", text="Hi"
    )
    post_postmark(client, "inbound", payload)
    assert Message.objects.get().guest == guest


def test_an_unknown_sender_becomes_a_new_guest(client, guest):
    payload = postmark_reply(
        sender="marta.kowalska@example.pl", name="Marta Kowalska", to=HOTEL, text="Dzień dobry"
    )

    post_postmark(client, "inbound", payload)

    new = Guest.objects.get(email="marta.kowalska@example.pl")
    assert (new.first_name, new.last_name) == ("Marta", "Kowalska")
    assert new.source == "form"
    assert Message.objects.get().guest == new


def test_an_anonymised_guest_is_never_matched(client, guest):
    email = make_sent_email(guest, message_id="abc")
    token_address = reply_address(email)
    admin = get_user_model().objects.create_superuser("admin", "admin@hotel.example", "pw")
    anonymise_guest(guest, user=admin)

    payload = postmark_reply(sender="ingrid@example.no", to=token_address, text="Hello again")
    post_postmark(client, "inbound", payload)

    message = Message.objects.get()
    assert message.guest != guest
    assert message.guest.email == "ingrid@example.no"


def test_spam_from_an_unknown_sender_is_dropped(client):
    payload = postmark_reply(sender="win@prizes.example", to=HOTEL, text="You won!")
    payload["Headers"] = [{"Name": "X-Spam-Status", "Value": "Yes"}]

    assert post_postmark(client, "inbound", payload).status_code == 200

    assert not Message.objects.exists()
    assert not Guest.objects.filter(email="win@prizes.example").exists()


def test_photos_are_kept_and_other_attachments_refused(client, guest, media):
    payload = postmark_reply(
        sender=guest.email,
        to=HOTEL,
        text="Here is the stain on the carpet, and the invoice.",
        attachments=[
            postmark_attachment("carpet.png", "image/png", PNG),
            postmark_attachment("invoice.pdf", "application/pdf", PDF),
            postmark_attachment("fake.png", "image/png", b"<html><script>alert(1)</script>"),
        ],
    )

    post_postmark(client, "inbound", payload)

    message = Message.objects.get()
    photo = MessageAttachment.objects.get(message=message)
    assert photo.content_type == "image/png"
    assert photo.file_name == "carpet.png"
    assert photo.size == len(PNG)
    assert photo.file.name.endswith(".png") and "carpet" not in photo.file.name
    with photo.file.open("rb") as handle:
        assert handle.read() == PNG
    assert message.refused_attachments == [
        {"name": "invoice.pdf", "content_type": "application/pdf", "reason": "type"},
        {"name": "fake.png", "content_type": "image/png", "reason": "type"},
    ]
    assert len(list(media.rglob("*.*"))) == 1  # only the photo reached the disk


def test_the_documented_example_with_a_text_attachment(client):
    """Postmark's own example, unchanged: a text file is refused and noted."""
    post_postmark(client, "inbound", load("postmark_inbound"))

    message = Message.objects.get()
    assert message.body == "This is the reply text"
    assert message.sender == "support@postmarkapp.com"
    assert message.refused_attachments == [
        {"name": "test.txt", "content_type": "text/plain", "reason": "type"}
    ]
    assert not MessageAttachment.objects.exists()


def test_a_photo_over_the_size_limit_is_refused(client, guest):
    payload = postmark_reply(
        sender=guest.email,
        to=HOTEL,
        text="Photo",
        attachments=[postmark_attachment("big.png", "image/png", PNG)],
    )
    with override_settings(WAGTAIL_GUESTS_INBOUND_ATTACHMENT_MAX_BYTES=10):
        post_postmark(client, "inbound", payload)

    message = Message.objects.get()
    assert not message.attachments.exists()
    assert message.refused_attachments[0]["reason"] == "size"


def test_a_repeated_inbound_event_is_stored_once(client, guest):
    payload = postmark_reply(
        sender=guest.email,
        to=HOTEL,
        text="Hello",
        attachments=[postmark_attachment("photo.png", "image/png", PNG)],
    )
    for _attempt in range(3):
        assert post_postmark(client, "inbound", payload).status_code == 200

    assert Message.objects.count() == 1
    assert MessageAttachment.objects.count() == 1
    assert Activity.objects.filter(kind=ActivityKind.MESSAGE_RECEIVED).count() == 1
    key = "Postmark:inbound:73e6d360-66eb-11e1-8e72-a8904824019b"
    assert ProcessedWebhook.objects.filter(key=key).exists()


def test_html_only_email_is_stored_as_text(client, guest):
    payload = postmark_reply(sender=guest.email, to=HOTEL, text="")
    payload["HtmlBody"] = "<p>Hello<br>we arrive <b>late</b> &amp; tired</p><script>x()</script>"
    post_postmark(client, "inbound", payload)
    body = Message.objects.get().body
    assert "<" not in body
    assert "we arrive late & tired" in body


def test_mail_from_our_own_address_is_ignored(client):
    payload = postmark_reply(
        sender="bonjour@hotel-des-tilleuls.example", to=HOTEL, text="Auto-reply loop"
    )
    post_postmark(client, "inbound", payload)
    assert not Message.objects.exists()
