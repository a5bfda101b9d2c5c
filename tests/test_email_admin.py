"""The admin pages of email: the outbox (retries visible), templates, scheduled email rules and
the preview with a real guest, and the permissions of each. The profile's Emails section is in
tests/test_email_profile.py."""

import datetime

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format

from tests import admin_fixtures, email_helpers
from tests.admin_fixtures import make_staff
from tests.email_helpers import (
    FLAKY_BACKEND,
    FlakyBackend,
    make_rule,
    post,
    send_message_url,
)
from wagtail_guests.models import EmailTemplate, OutgoingEmail, OutgoingStatus, ScheduledEmailRule

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


class TestOutboxAdmin:
    @pytest.fixture
    def emails(self, guest):
        sent = OutgoingEmail.objects.create(
            guest=guest, kind="message", to_email=guest.email, subject="All good", body="B"
        )
        failed = OutgoingEmail.objects.create(
            guest=guest, kind="message", to_email=guest.email, subject="Went wrong", body="B"
        )
        OutgoingEmail.objects.filter(pk=sent.pk).update(status=OutgoingStatus.SENT)
        OutgoingEmail.objects.filter(pk=failed.pk).update(
            status=OutgoingStatus.FAILED, last_error="AnymailAPIError: 503", attempts=8
        )
        return sent, failed

    def test_list_filter_and_inspect(self, manager_client, emails):
        sent, failed = emails
        content = manager_client.get(reverse("guest_outbox:index")).content.decode()
        assert "All good" in content and "Went wrong" in content

        url = reverse("guest_outbox:index") + "?status=failed"
        content = manager_client.get(url).content.decode()
        assert "Went wrong" in content and "All good" not in content
        assert "AnymailAPIError: 503" in content

        content = manager_client.get(reverse("guest_outbox:inspect", args=[failed.pk])).content
        assert b"data-email-retry" in content
        content = manager_client.get(reverse("guest_outbox:inspect", args=[sent.pk])).content
        assert b"data-email-retry" not in content

    def test_an_outage_shows_as_waiting_to_retry_with_the_next_attempt(
        self, manager_client, guest, settings, django_capture_on_commit_callbacks
    ):
        settings.EMAIL_BACKEND = FLAKY_BACKEND
        settings.WAGTAIL_GUESTS_EMAIL_RETRY_DELAY = 600
        FlakyBackend.reset(failures=1)
        post(
            manager_client,
            send_message_url(guest),
            {"subject": "Your umbrella", "body": "We found it."},
            django_capture_on_commit_callbacks,
        )
        email = OutgoingEmail.objects.get()
        assert email.status == OutgoingStatus.RETRYING

        content = manager_client.get(reverse("guest_outbox:index")).content.decode()
        row = content.split("Your umbrella")[1].split("</tr>")[0]
        assert "Waiting to retry" in row
        assert "AnymailAPIError: Service unavailable (503)" in row
        next_attempt = timezone.localtime(email.next_attempt_at)
        assert next_attempt - email.created_at >= datetime.timedelta(seconds=600)
        assert date_format(next_attempt, "SHORT_DATETIME_FORMAT") in row
        content = manager_client.get(reverse("guest_outbox:index") + "?status=retrying").content
        assert b"Your umbrella" in content

    def test_read_only_and_guest_permissions(self, outsider_client, viewer_client, emails):
        assert outsider_client.get(reverse("guest_outbox:index")).status_code == 403
        assert viewer_client.get(reverse("guest_outbox:index")).status_code == 200
        content = viewer_client.get(reverse("guest_outbox:inspect", args=[emails[1].pk])).content
        assert b"data-email-retry" not in content  # viewing is not changing
        for name in ("add", "edit", "delete"):
            with pytest.raises(Exception):  # noqa: B017 - no such URL
                reverse(f"guest_outbox:{name}", args=[emails[0].pk])


class TestTemplatesAndRulesAdmin:
    def test_every_page_renders_and_search_works(self, admin_client_, templates):
        template = templates[0]
        make_rule(template)
        for url in [
            reverse("guest_email_templates:index"),
            reverse("guest_email_templates:index") + "?q=Wel",
            reverse("guest_email_templates:add"),
            reverse("guest_email_templates:edit", args=[template.pk]),
            reverse("guest_email_templates:copy", args=[template.pk]),
            reverse("guest_email_rules:index"),
            reverse("guest_email_rules:add"),
            reverse("guest_outbox:index") + "?q=zz",
        ]:
            assert admin_client_.get(url).status_code == 200, url
        html = admin_client_.get(
            reverse("guest_email_templates:edit", args=[template.pk])
        ).content.decode()
        assert "Preview with a guest" in html
        assert "{first_name}" in html  # the merge fields are listed for the editor

    def test_create_a_template_and_refuse_unknown_fields(self, admin_client_):
        url = reverse("guest_email_templates:add")
        data = {
            "name": "Welcome",
            "language": "fr",
            "subject": "Bonjour {first_name}",
            "body": "À bientôt {firstname}",
            "is_marketing": "on",
        }
        response = admin_client_.post(url, data)
        assert response.status_code == 200
        assert "Unknown merge field: {firstname}" in response.content.decode()
        data["body"] = "À bientôt {first_name}"
        assert admin_client_.post(url, data).status_code == 302
        assert EmailTemplate.objects.get().language == "fr"

    def test_templates_need_their_own_permission(self, manager_client):
        assert manager_client.get(reverse("guest_email_templates:index")).status_code == 403

    def test_preview_with_a_real_guest(self, admin_client_, guest, templates):
        url = reverse("guest_email_templates:preview", args=[templates[0].pk])
        content = admin_client_.get(url, {"q": "Lefèvre"}).content.decode()
        assert f"?guest={guest.pk}" in content

        content = admin_client_.get(url, {"guest": guest.pk}).content.decode()
        assert "Welcome Zoé" in content  # the template being previewed
        assert "Welcome (fr)" in content  # … and which version the guest would really receive
        assert "https://hotel.example/guests/unsubscribe/" in content

    def test_preview_shows_guest_data_only_to_guest_viewers(self, guest, templates):
        user = make_staff("editor", group=None, permissions=["change_emailtemplate"])
        client = Client()
        client.force_login(user)
        url = reverse("guest_email_templates:preview", args=[templates[0].pk])
        assert client.get(url, {"guest": guest.pk}).status_code == 403

    def test_create_a_rule(self, admin_client_, templates):
        response = admin_client_.post(
            reverse("guest_email_rules:add"),
            {
                "name": "Two days before",
                "template": templates[0].pk,
                "anchor": "arrival",
                "days": "-2",
                "booking_kind": "",
                "active": "on",
            },
        )
        assert response.status_code == 302
        assert ScheduledEmailRule.objects.get().days == -2
        content = admin_client_.get(reverse("guest_email_rules:index")).content.decode()
        assert "2 days before arrival" in content

    def test_the_guests_menu_has_the_email_pages(self, admin_client_):
        content = admin_client_.get(reverse("wagtailadmin_home")).content.decode()
        for label in ("Email templates", "Scheduled emails", "Outbox"):
            assert label in content
