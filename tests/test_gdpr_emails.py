"""Emails, tracking events, messages and attached photos: exported, and erased on anonymisation."""

import datetime
import json

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests.admin_fixtures import make_staff
from tests.factories import make_guest
from tests.gdpr_helpers import PEOPLE, make_household, secrets_of
from wagtail_guests.actions.gdpr import anonymise_guest
from wagtail_guests.gdpr.report import build_report, to_json
from wagtail_guests.gdpr.retention import expired_guests
from wagtail_guests.models import (
    EmailEvent,
    Guest,
    Message,
    MessageAttachment,
    OutgoingEmail,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    return tmp_path


@pytest.fixture
def household(media):
    return make_household(attachments=True)


def test_the_export_holds_emails_events_and_messages(household):
    person = PEOPLE["target"]
    report = json.loads(to_json(build_report(household.target)))
    emails = report["emails"]
    assert [e["to"] for e in emails] == [person["email"], person["email"]]
    assert emails[0]["subject"] == "Your stay, Quillonne Brasmorthe"
    assert emails[0]["booking"] == household.target_booking.reference
    assert [e["event"] for e in report["email_events"]] == ["deferred"]
    assert person["email"] in report["email_events"][0]["description"]
    inbound = next(m for m in report["messages"] if m["direction"] == "from the guest")
    assert inbound["body"] == person["reply"]
    assert inbound["attachments"] == [person["photo"]]
    assert inbound["refused_attachments"] == ["Brasmorthe-contract.pdf"]
    text = json.dumps(report, ensure_ascii=False).lower()
    for secret in [*secrets_of("other"), PEOPLE["other"]["photo"]]:
        assert secret.lower() not in text, secret


def test_anonymising_erases_emails_events_messages_and_photos(
    household, media, django_capture_on_commit_callbacks
):
    target = household.target
    photo = MessageAttachment.objects.get(message__guest=target)
    path = media / photo.file.name
    assert path.exists()
    tokens = dict(OutgoingEmail.objects.filter(guest=target).values_list("pk", "reply_token"))
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_guest(target, user=make_staff("mail-anonymiser"))

    secrets = [s.lower() for s in secrets_of("target")]
    emails = OutgoingEmail.objects.filter(guest=target)
    for email in emails:
        assert (email.to_email, email.subject, email.body) == ("", "", "")
        assert email.last_error == "" and email.esp_message_id == ""
        assert email.reply_token and email.reply_token != tokens[email.pk]
    # Sent stays sent (counts stay true); what had not left yet never will.
    assert sorted(emails.values_list("status", flat=True)) == ["cancelled", "sent"]
    event = EmailEvent.objects.get(guest=target)
    assert (event.event_type, event.description, event.event_id) == ("deferred", "", "")
    for message in Message.objects.filter(guest=target):
        assert (message.sender, message.subject, message.body, message.translation) == (
            ("", "", "", "")
        )
        assert message.refused_attachments == [] and message.language == ""
    assert Message.objects.filter(guest=target).count() == 2  # direction and time stay
    assert not MessageAttachment.objects.filter(message__guest=target).exists()
    assert not path.exists()
    for entry in ModelLogEntry.objects.all():
        assert not any(s in f"{entry.label} {entry.data}".lower() for s in secrets)

    # The other guest's conversation is untouched.
    other = household.other
    assert OutgoingEmail.objects.filter(guest=other, to_email=PEOPLE["other"]["email"]).count() == 2
    assert Message.objects.get(guest=other, direction="in").body == PEOPLE["other"]["reply"]
    other_photo = MessageAttachment.objects.get(message__guest=other)
    assert (media / other_photo.file.name).exists()


def test_photos_stay_if_the_anonymisation_rolls_back(household, media):
    from django.db import transaction

    photo = MessageAttachment.objects.get(message__guest=household.target)
    with pytest.raises(RuntimeError), transaction.atomic():
        anonymise_guest(household.target, user=make_staff("rollback"))
        raise RuntimeError
    assert (media / photo.file.name).exists()
    assert MessageAttachment.objects.filter(pk=photo.pk).exists()


def test_confirmation_lists_the_emails_and_messages(household, client):
    from django.urls import reverse

    client.force_login(make_staff("mail-confirm"))
    html = client.get(reverse("wagtail_guests_anonymise", args=[household.target.pk])).content
    html = html.decode()
    for line in (
        "The addresses, subjects and bodies of 2 emails sent to them",
        "The provider&#x27;s description of 1 email tracking event",
        "The senders, subjects, texts and translations of 2 messages",
        "1 attached photo (deleted)",
    ):
        assert line in html, line
    assert PEOPLE["target"]["reply"] not in html


def test_an_inbound_message_keeps_the_guest_from_the_retention_purge(db):
    guest = make_guest(first_name="Writing", last_name="Back", email="writing@zz-example.test")
    old = timezone.now() - datetime.timedelta(days=400)
    Guest.objects.filter(pk=guest.pk).update(first_contact_at=old)
    assert guest.pk in expired_guests(365).values_list("pk", flat=True)
    outgoing = Message.objects.create(guest=guest, direction="out", body="Hello")
    assert guest.pk in expired_guests(365).values_list("pk", flat=True)  # staff wrote: no
    outgoing.delete()
    Message.objects.create(guest=guest, direction="in", body="Hello back")
    assert guest.pk not in expired_guests(365).values_list("pk", flat=True)
