"""Webhook security: unauthenticated calls are refused and change nothing; a site without a
webhook secret fails its system checks."""

import pytest
from django.core import checks
from django.test import override_settings

from tests.factories import make_guest
from tests.webhook_payloads import (
    load,
    make_sent_email,
    post_postmark,
    postmark_reply,
    webhooks,  # noqa: F401
)
from wagtail_guests.checks import check_webhook_secret
from wagtail_guests.models import Activity, EmailEvent, Guest, Message, ProcessedWebhook

MESSAGE_ID = "883953f4-6105-42a2-a16a-77a8eac79483"


@pytest.fixture
def guest(db):
    guest = make_guest(first_name="John", last_name="Doe", email="john@example.com")
    make_sent_email(guest, message_id=MESSAGE_ID)
    return guest


def nothing_changed(guest):
    guest.refresh_from_db()
    return (
        guest.email_undeliverable_at is None
        and not EmailEvent.objects.exists()
        and not Message.objects.exists()
        and not ProcessedWebhook.objects.exists()
        and not Activity.objects.filter(kind__startswith="email_").exists()
        and not Activity.objects.filter(kind__startswith="message_").exists()
    )


@pytest.mark.usefixtures("webhooks")
@pytest.mark.parametrize("auth", [None, "wagtail-guests:wrong-password", "nobody:nothing"])
def test_tracking_webhook_without_the_secret_is_refused(client, guest, auth):
    response = post_postmark(client, "tracking", load("postmark_bounce"), auth=auth)
    assert 400 <= response.status_code < 500
    assert nothing_changed(guest)


@pytest.mark.usefixtures("webhooks")
@pytest.mark.parametrize("auth", [None, "wagtail-guests:wrong-password"])
def test_inbound_webhook_without_the_secret_is_refused(client, guest, auth):
    payload = postmark_reply(
        sender="stranger@example.net", to="bonjour@hotel.example", text="Fake message"
    )
    response = post_postmark(client, "inbound", payload, auth=auth)
    assert 400 <= response.status_code < 500
    assert nothing_changed(guest)
    assert not Guest.objects.filter(email="stranger@example.net").exists()


@pytest.mark.usefixtures("webhooks")
def test_webhooks_accept_only_post(client, guest):
    assert client.get("/anymail/postmark/tracking/").status_code == 405
    assert nothing_changed(guest)


@pytest.mark.parametrize(
    "anymail_settings",
    [
        {"ANYMAIL": {}, "ANYMAIL_WEBHOOK_SECRET": ""},
        {"ANYMAIL": {"WEBHOOK_SECRET": ""}},
        {"ANYMAIL": {}, "ANYMAIL_WEBHOOK_SECRET": "no-colon"},
    ],
)
def test_system_check_error_without_a_webhook_secret(anymail_settings):
    with override_settings(**anymail_settings):
        errors = check_webhook_secret()
        assert [e.id for e in errors] == ["wagtail_guests.E010"]
        assert errors[0].level == checks.ERROR
        # It is a real system check, run by "manage.py check".
        all_ids = [e.id for e in checks.run_checks(tags=[checks.Tags.security])]
        assert "wagtail_guests.E010" in all_ids


@pytest.mark.parametrize(
    "anymail_settings",
    [
        {"ANYMAIL": {"WEBHOOK_SECRET": "abc:def"}},
        {"ANYMAIL": {}, "ANYMAIL_WEBHOOK_SECRET": "abc:def"},
        {"ANYMAIL": {"WEBHOOK_SECRET": ["old:secret", "new:secret"]}},
    ],
)
def test_system_check_passes_with_a_webhook_secret(anymail_settings):
    with override_settings(**anymail_settings):
        assert check_webhook_secret() == []


def test_the_example_site_has_a_webhook_secret():
    """The demo and the test suite pass the checks: the secret comes from the environment."""
    assert check_webhook_secret() == []
