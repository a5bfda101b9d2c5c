"""Unsubscribe: the signed link (GET confirms, POST unsubscribes, one-click without CSRF),
tampered and expired links, and the profile's "Unsubscribe from all emails" button."""

import pytest
from django.core import mail, signing
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.admin_fixtures import manager, manager_client, outsider, outsider_client  # noqa: F401
from tests.email_helpers import ANYMAIL_TEST_BACKEND
from tests.factories import make_guest
from wagtail_guests.actions.consent import record_consent
from wagtail_guests.emailing.outbox import queue_email
from wagtail_guests.emailing.unsubscribe import SALT, make_token, unsubscribe_url
from wagtail_guests.models import (
    Activity,
    ActivityKind,
    ConsentRecord,
    Guest,
    NewsletterConsent,
    OutgoingEmail,
    OutgoingStatus,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def anymail_backend(settings):
    settings.EMAIL_BACKEND = ANYMAIL_TEST_BACKEND


@pytest.fixture
def guest():
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    record_consent(guest, given=True, source="form")
    return guest


@pytest.fixture
def csrf_client():
    """A client that enforces CSRF, as a mail provider's one-click request would meet it."""
    return Client(enforce_csrf_checks=True)


def link(guest):
    return reverse("wagtail_guests_unsubscribe", args=[make_token(guest)])


def test_the_link_is_absolute_and_names_no_one(guest, settings):
    settings.WAGTAIL_GUESTS_BASE_URL = "https://hotel.example/"
    url = unsubscribe_url(guest)
    assert url.startswith("https://hotel.example/guests/unsubscribe/")
    assert "zoe" not in url.lower() and "Lef" not in url


def test_without_base_url_the_site_root_is_used(guest):
    assert unsubscribe_url(guest).startswith("http://localhost/guests/unsubscribe/")


def test_get_asks_for_confirmation_and_changes_nothing(client, guest):
    response = client.get(link(guest))

    assert response.status_code == 200
    content = response.content.decode()
    assert "data-unsubscribe-confirm" in content
    assert "Zoé" not in content and "zoe@example.com" not in content
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert response["Referrer-Policy"] == "no-referrer"
    guest.refresh_from_db()
    assert guest.unsubscribed_at is None


def test_post_unsubscribes_without_a_csrf_token(csrf_client, guest):
    offer = queue_email(guest, subject="Offer", body="Hi", kind="template", is_marketing=True)
    answer = queue_email(guest, subject="Your question", body="Hi", kind="message")

    response = csrf_client.post(link(guest))

    assert response.status_code == 200
    assert "data-unsubscribe-done" in response.content.decode()
    guest.refresh_from_db()
    assert guest.unsubscribed_at is not None
    assert guest.newsletter_consent == NewsletterConsent.WITHDRAWN
    withdrawal = ConsentRecord.objects.filter(guest=guest).latest("pk")
    assert (withdrawal.given, withdrawal.source) == (False, "unsubscribe")
    assert Activity.objects.filter(guest=guest, kind=ActivityKind.UNSUBSCRIBED).count() == 1
    # Marketing still waiting is cancelled; the answer to the guest's question still goes.
    assert OutgoingEmail.objects.get(pk=offer.pk).status == OutgoingStatus.CANCELLED
    assert OutgoingEmail.objects.get(pk=answer.pk).status == OutgoingStatus.QUEUED
    # Nothing marketing can be queued any more.
    assert (
        queue_email(guest, subject="Offer", body="Hi", kind="template", is_marketing=True) is None
    )


def test_rfc_8058_one_click_post(csrf_client, guest):
    response = csrf_client.post(
        link(guest),
        data="List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 200
    assert Guest.objects.get(pk=guest.pk).unsubscribed_at is not None


def test_posting_twice_records_once(client, guest):
    client.post(link(guest))
    response = client.post(link(guest))
    assert response.status_code == 200
    assert Activity.objects.filter(guest=guest, kind=ActivityKind.UNSUBSCRIBED).count() == 1
    assert "already" in client.get(link(guest)).content.decode()


@pytest.mark.parametrize(
    "make_bad_token",
    [
        lambda guest: make_token(guest)[:-1] + ("A" if make_token(guest)[-1] != "A" else "B"),
        lambda guest: signing.dumps(guest.pk + 1, salt="another.salt"),
        lambda guest: signing.dumps(guest.pk, salt=SALT, key="not-the-secret-key"),
        lambda guest: signing.dumps("1 OR 1=1", salt=SALT),
        lambda guest: "nonsense",
    ],
)
def test_a_tampered_link_gets_an_error_page(client, guest, make_bad_token):
    url = reverse("wagtail_guests_unsubscribe", args=[make_bad_token(guest)])

    assert client.get(url).status_code == 400
    response = client.post(url)
    assert response.status_code == 400
    assert "data-unsubscribe-invalid" in response.content.decode()
    assert Guest.objects.get(pk=guest.pk).unsubscribed_at is None


def test_an_expired_link_says_so(client, guest, settings):
    class OldSigner(signing.TimestampSigner):
        def timestamp(self):
            return signing.b62_encode(1_000_000)  # 1970

    token = OldSigner(salt=SALT).sign_object(guest.pk)
    url = reverse("wagtail_guests_unsubscribe", args=[token])

    response = client.post(url)
    assert response.status_code == 400
    assert "expired" in response.content.decode()
    assert Guest.objects.get(pk=guest.pk).unsubscribed_at is None
    settings.WAGTAIL_GUESTS_UNSUBSCRIBE_MAX_AGE = None  # links that never expire
    assert client.post(url).status_code == 200


def test_an_anonymised_guest_changes_nothing(client, guest):
    from wagtail_guests.actions.gdpr import anonymise_guest

    url = link(guest)
    anonymise_guest(guest, user=None)
    response = client.post(url)
    assert response.status_code == 200
    assert not Activity.objects.filter(kind=ActivityKind.UNSUBSCRIBED).exists()


def test_the_page_speaks_the_guest_language(client, settings):
    settings.LANGUAGE_CODE = "en"
    guest = make_guest(first_name="Amélie", email="amelie@example.com", language="fr")
    response = client.get(link(guest), HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


class TestProfileButton:
    def url(self, guest):
        return reverse("wagtail_guests_email_unsubscribe", args=[guest.pk])

    def test_staff_unsubscribe_a_guest(self, manager_client, manager, guest):  # noqa: F811
        response = manager_client.post(self.url(guest))

        assert response.status_code == 302
        assert response["Location"].endswith("#emails")
        guest.refresh_from_db()
        assert guest.unsubscribed_at is not None
        activity = Activity.objects.get(guest=guest, kind=ActivityKind.UNSUBSCRIBED)
        assert activity.user == manager
        assert ConsentRecord.objects.filter(guest=guest).latest("pk").source == "staff"
        entry = ModelLogEntry.objects.get(action="wagtail_guests.unsubscribe")
        assert entry.label == f"Guest #{guest.pk}"
        assert entry.user == manager

    def test_needs_the_change_permission(self, outsider_client, guest):  # noqa: F811
        assert outsider_client.post(self.url(guest)).status_code == 403
        assert Guest.objects.get(pk=guest.pk).unsubscribed_at is None

    def test_post_only(self, manager_client, guest):  # noqa: F811
        assert manager_client.get(self.url(guest)).status_code == 405

    def test_the_unsubscribed_guest_gets_no_marketing_email(self, manager_client, guest):  # noqa: F811
        manager_client.post(self.url(guest))
        assert (
            queue_email(
                Guest.objects.get(pk=guest.pk),
                subject="Offer",
                body="Hi",
                kind="template",
                is_marketing=True,
            )
            is None
        )
        assert mail.outbox == []
