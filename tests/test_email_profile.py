"""The guest profile's Emails section: scheduled and sent emails, sending a template, a message
or a test to oneself, "Send again", "Retry now", and the permissions of each."""

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests import admin_fixtures, email_helpers
from tests.admin_fixtures import make_booking
from tests.email_helpers import (
    FLAKY_BACKEND,
    FlakyBackend,
    make_rule,
    post,
    profile,
    send_message_url,
    send_template_url,
)
from wagtail_guests.models import (
    Activity,
    ActivityKind,
    OutgoingEmail,
    OutgoingKind,
    OutgoingStatus,
)

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client
anymail_backend = email_helpers.anymail_backend
guest = email_helpers.guest
templates = email_helpers.templates
viewer_client = email_helpers.viewer_client
admin_client_ = email_helpers.admin_client_

pytestmark = pytest.mark.django_db


class TestProfileSection:
    def test_lists_planned_and_sent_emails_and_the_templates(
        self, manager_client, guest, templates
    ):
        make_rule(templates[0], days=-2, name="Two days before")
        booking = make_booking(guest, days=10)
        old = OutgoingEmail.objects.create(
            guest=guest, kind="template", to_email=guest.email, subject="Old news", body="…"
        )
        OutgoingEmail.objects.filter(pk=old.pk).update(
            status=OutgoingStatus.SENT, sent_at=timezone.now(), delivery_status="opened"
        )
        waiting = OutgoingEmail.objects.create(
            guest=guest, kind="message", to_email=guest.email, subject="Still queued", body="…"
        )

        response = manager_client.get(profile(guest))

        content = response.content.decode()
        assert 'id="emails"' in content or "data-emails-panel" in content
        assert "data-planned-emails" in content and booking.reference in content
        assert "Two days before" in content
        assert "Old news" in content and "Still queued" in content
        # A sent email can be sent again (a queued one not yet); the provider's report is in
        # words.
        sent_row = content.split(f'data-email="{old.pk}"')[1].split("</tr>")[0]
        assert "data-email-send-again" in sent_row
        assert 'data-email-delivery="opened">Opened<' in sent_row
        queued_row = content.split(f'data-email="{waiting.pk}"')[1].split("</tr>")[0]
        assert "data-email-send-again" not in queued_row
        assert 'data-email-template="Welcome"' in content
        assert "Unsubscribe from all emails" in content

    def test_read_only_staff_see_emails_but_no_forms(self, viewer_client, guest, templates):
        OutgoingEmail.objects.create(
            guest=guest, kind="template", to_email=guest.email, subject="Old news", body="…"
        )
        content = viewer_client.get(profile(guest)).content.decode()
        assert "Old news" in content
        assert "data-email-send" not in content
        assert "data-unsubscribe-all" not in content
        assert "data-email-send-again" not in content


class TestSendFromTheProfile:
    def test_send_a_template_in_the_guest_language(
        self, manager_client, manager, guest, templates, django_capture_on_commit_callbacks
    ):
        response = post(
            manager_client,
            send_template_url(guest),
            {"template": "Welcome", "action": "send"},
            django_capture_on_commit_callbacks,
        )

        assert response.status_code == 302
        assert response["Location"] == profile(guest) + "#emails"
        email = OutgoingEmail.objects.get()
        assert (email.kind, email.template, email.created_by) == ("template", templates[1], manager)
        assert email.status == OutgoingStatus.SENT
        assert [m.subject for m in mail.outbox] == ["Bienvenue Zoé"]
        assert mail.outbox[0].to == ["zoe@example.com"]
        assert "List-Unsubscribe" in mail.outbox[0].extra_headers  # a marketing template
        entry = ModelLogEntry.objects.get(action="wagtail_guests.email_queued")
        assert entry.label == f"Guest #{guest.pk}"
        assert entry.data == {"email": email.pk, "kind": "template"}
        kinds = set(Activity.objects.filter(guest=guest).values_list("kind", flat=True))
        assert {ActivityKind.EMAIL_QUEUED, ActivityKind.EMAIL_SENT} <= kinds

    def test_send_a_test_to_myself(
        self, manager_client, manager, guest, templates, django_capture_on_commit_callbacks
    ):
        manager.email = "reception@hotel.example"
        manager.save()
        post(
            manager_client,
            send_template_url(guest),
            {"template": "Welcome", "action": "test"},
            django_capture_on_commit_callbacks,
        )

        assert [(m.to, m.subject) for m in mail.outbox] == [
            (["reception@hotel.example"], "[Test] Bienvenue Zoé")
        ]
        assert "List-Unsubscribe" not in mail.outbox[0].extra_headers
        assert OutgoingEmail.objects.get().kind == OutgoingKind.TEST
        assert not Activity.objects.filter(guest=guest, kind__startswith="email").exists()

    def test_a_test_needs_my_own_address(self, manager_client, guest, templates):
        response = manager_client.post(
            send_template_url(guest), {"template": "Welcome", "action": "test"}, follow=True
        )
        assert "Your account has no email address" in response.content.decode()
        assert not OutgoingEmail.objects.exists()

    def test_a_free_message_with_merge_fields(
        self, manager_client, guest, django_capture_on_commit_callbacks
    ):
        post(
            manager_client,
            send_message_url(guest),
            {
                "subject": "Your room, {first_name}",
                "body": "Dear {first_name} {x}",
                "action": "send",
            },
            django_capture_on_commit_callbacks,
        )
        message = mail.outbox[0]
        assert (message.subject, message.body) == ("Your room, Zoé", "Dear Zoé {x}")
        assert "List-Unsubscribe" not in message.extra_headers

    def test_an_unsubscribed_guest_gets_no_template_but_a_message(
        self, manager_client, guest, templates, django_capture_on_commit_callbacks
    ):
        guest.unsubscribed_at = timezone.now()
        guest.save()
        response = manager_client.post(
            send_template_url(guest), {"template": "Welcome", "action": "send"}, follow=True
        )
        assert "unsubscribed from all emails" in response.content.decode()
        assert not OutgoingEmail.objects.exists()
        post(
            manager_client,
            send_message_url(guest),
            {"subject": "About your lost umbrella", "body": "We found it.", "action": "send"},
            django_capture_on_commit_callbacks,
        )
        assert len(mail.outbox) == 1

    def test_an_unknown_template(self, manager_client, guest):
        response = manager_client.post(send_template_url(guest), {"template": "Nope"})
        assert response.status_code == 302
        assert not OutgoingEmail.objects.exists()

    def test_send_again_and_retry(
        self, manager_client, guest, templates, settings, django_capture_on_commit_callbacks
    ):
        post(
            manager_client,
            send_template_url(guest),
            {"template": "Welcome"},
            django_capture_on_commit_callbacks,
        )
        first = OutgoingEmail.objects.get()
        post(
            manager_client,
            reverse("wagtail_guests_email_send_again", args=[first.pk]),
            {},
            django_capture_on_commit_callbacks,
        )
        assert OutgoingEmail.objects.count() == 2
        assert len(mail.outbox) == 2

        settings.EMAIL_BACKEND = FLAKY_BACKEND
        FlakyBackend.reset(failures=100)
        settings.WAGTAIL_GUESTS_EMAIL_MAX_ATTEMPTS = 1
        post(
            manager_client,
            send_message_url(guest),
            {"subject": "Hello", "body": "Hi"},
            django_capture_on_commit_callbacks,
        )
        failed = OutgoingEmail.objects.get(subject="Hello")
        assert failed.status == OutgoingStatus.FAILED
        page = manager_client.get(profile(guest)).content.decode()
        assert f'data-email="{failed.pk}" data-email-status="failed"' in page
        assert "data-email-retry" in page

        FlakyBackend.reset()
        retry_url = reverse("wagtail_guests_email_retry", args=[failed.pk])
        response = post(manager_client, retry_url, {}, django_capture_on_commit_callbacks)
        assert response["Location"] == profile(guest) + "#emails"
        failed.refresh_from_db()
        assert failed.status == OutgoingStatus.SENT
        assert len(mail.outbox) == 3
        # A second click finds nothing to retry: still sent once.
        post(manager_client, retry_url, {}, django_capture_on_commit_callbacks)
        assert len(mail.outbox) == 3

    def test_send_again_of_a_test_goes_to_me_not_to_the_guest(
        self, manager_client, manager, guest, templates, django_capture_on_commit_callbacks
    ):
        manager.email = "reception@hotel.example"
        manager.save()
        post(
            manager_client,
            send_message_url(guest),
            {"subject": "Your room", "body": "Hello {first_name}", "action": "test"},
            django_capture_on_commit_callbacks,
        )
        post(
            manager_client,
            send_template_url(guest),
            {"template": "Welcome", "action": "test"},
            django_capture_on_commit_callbacks,
        )
        for test in OutgoingEmail.objects.order_by("pk"):
            post(
                manager_client,
                reverse("wagtail_guests_email_send_again", args=[test.pk]),
                {},
                django_capture_on_commit_callbacks,
            )

        assert [(m.to, m.subject) for m in mail.outbox] == [
            (["reception@hotel.example"], "[Test] Your room"),
            (["reception@hotel.example"], "[Test] Bienvenue Zoé"),
            (["reception@hotel.example"], "[Test] Your room"),
            (["reception@hotel.example"], "[Test] Bienvenue Zoé"),
        ]
        assert set(OutgoingEmail.objects.values_list("kind", flat=True)) == {OutgoingKind.TEST}

    def test_send_again_of_a_reply_shows_in_the_conversation(
        self, manager_client, guest, django_capture_on_commit_callbacks
    ):
        from wagtail_guests.models import Message

        Message.objects.create(guest=guest, direction="in", subject="Parking", body="Parking?")
        inbox_url = reverse("guest_inbox:conversation", args=[guest.pk])
        post(
            manager_client,
            inbox_url,
            {"subject": "Re: Parking", "body": "Yes, behind the hotel."},
            django_capture_on_commit_callbacks,
        )
        reply = OutgoingEmail.objects.get()
        post(
            manager_client,
            reverse("wagtail_guests_email_send_again", args=[reply.pk]),
            {},
            django_capture_on_commit_callbacks,
        )

        assert [m.body for m in mail.outbox] == ["Yes, behind the hotel."] * 2
        again = OutgoingEmail.objects.exclude(pk=reply.pk).get()
        assert again.kind == OutgoingKind.REPLY and again.reply_token != reply.reply_token
        sent = Message.objects.filter(guest=guest, direction="out").order_by("pk")
        assert [m.email for m in sent] == [reply, again]


class TestPermissions:
    @pytest.fixture
    def urls(self, guest):
        email = OutgoingEmail.objects.create(
            guest=guest, kind="message", to_email=guest.email, subject="S", body="B"
        )
        OutgoingEmail.objects.filter(pk=email.pk).update(status=OutgoingStatus.FAILED)
        return [
            send_template_url(guest),
            send_message_url(guest),
            reverse("wagtail_guests_email_unsubscribe", args=[guest.pk]),
            reverse("wagtail_guests_email_send_again", args=[email.pk]),
            reverse("wagtail_guests_email_retry", args=[email.pk]),
        ]

    def test_no_guest_permission_is_403(self, outsider_client, viewer_client, urls, templates):
        data = {"template": "Welcome", "subject": "S", "body": "B"}
        for client in (outsider_client, viewer_client):
            for url in urls:
                assert client.post(url, data).status_code == 403, url
        assert OutgoingEmail.objects.count() == 1
        assert OutgoingEmail.objects.get().status == OutgoingStatus.FAILED
        assert mail.outbox == []

    def test_get_is_refused(self, manager_client, urls):
        for url in urls:
            assert manager_client.get(url).status_code == 405

    def test_unknown_guest_or_email(self, manager_client, outsider_client):
        url = reverse("wagtail_guests_email_send_message", args=[99999])
        assert manager_client.post(url, {}).status_code == 404
        url = reverse("wagtail_guests_email_retry", args=[99999])
        assert manager_client.post(url).status_code == 404
        assert outsider_client.post(url).status_code == 403  # says nothing about existence
