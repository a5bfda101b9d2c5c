"""Shared helpers of the email tests (tests/test_email_*.py): templates, rules, backends.

The backends are anymail's test backend (``anymail.backends.test.EmailBackend``: messages go to
``django.core.mail.outbox`` with the parameters anymail would send) and subclasses of it that
fail the way a provider does.
"""

from __future__ import annotations

import threading

import pytest
from anymail.backends.test import EmailBackend as AnymailTestBackend
from anymail.exceptions import AnymailAPIError
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

ANYMAIL_TEST_BACKEND = "anymail.backends.test.EmailBackend"
FLAKY_BACKEND = "tests.email_helpers.FlakyBackend"


class FlakyBackend(AnymailTestBackend):
    """Fails the next ``FlakyBackend.failures`` sends, as a provider outage would.

    ``error`` chooses how: an ``AnymailAPIError`` (the provider answered 5xx) by default, or a
    socket timeout.
    """

    failures = 0
    error = "api"
    calls = 0
    _lock = threading.Lock()

    @classmethod
    def reset(cls, failures=0, error="api"):
        cls.failures, cls.error, cls.calls = failures, error, 0

    def post_to_esp(self, payload, message):
        with FlakyBackend._lock:
            FlakyBackend.calls += 1
            failing = FlakyBackend.failures > 0
            if failing:
                FlakyBackend.failures -= 1
        if failing:
            if FlakyBackend.error == "timeout":
                raise TimeoutError("timed out")
            raise AnymailAPIError("Service unavailable (503)")
        return super().post_to_esp(payload, message)


DEFAULT_BODY = "Dear {first_name} {last_name},\nSee you on {arrival_date} ({booking_reference})."


def make_template(name="Welcome", language="", *, subject=None, body=None, is_marketing=True):
    from wagtail_guests.models import EmailTemplate

    return EmailTemplate.objects.create(
        name=name,
        language=language,
        subject=subject or "Welcome {first_name}",
        body=body or DEFAULT_BODY,
        is_marketing=is_marketing,
    )


def make_rule(template, *, anchor="arrival", days=-2, booking_kind="", name="Before arrival"):
    from wagtail_guests.models import ScheduledEmailRule

    return ScheduledEmailRule.objects.create(
        name=name, template=template, anchor=anchor, days=days, booking_kind=booking_kind
    )


# --- Fixtures and helpers of the admin email tests (tests/test_email_admin.py, _profile.py) ---
# A test module uses a fixture by naming it: ``guest = email_helpers.guest``.


@pytest.fixture(autouse=True)
def anymail_backend(settings):
    settings.EMAIL_BACKEND = ANYMAIL_TEST_BACKEND
    settings.WAGTAIL_GUESTS_BASE_URL = "https://hotel.example"
    FlakyBackend.reset()


@pytest.fixture
def guest():
    from tests.factories import make_guest

    return make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com", language="fr")


@pytest.fixture
def templates():
    return [
        make_template("Welcome", "", subject="Welcome {first_name}", body="Hello {first_name}"),
        make_template("Welcome", "fr", subject="Bienvenue {first_name}", body="Bonjour"),
    ]


@pytest.fixture
def viewer_client():
    from tests.admin_fixtures import make_staff

    user = make_staff("viewer", group=None, permissions=["view_guest"])
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_():
    user = get_user_model().objects.create_superuser("boss", "boss@hotel.example", "pw")
    client = Client()
    client.force_login(user)
    return client


def profile(guest):
    return reverse("guests:inspect", args=[guest.pk])


def post(client, url, data, capture):
    """POST, running the on-commit tasks (the immediate task backend then sends at once)."""
    with capture(execute=True):
        return client.post(url, data)


def send_template_url(guest):
    return reverse("wagtail_guests_email_send_template", args=[guest.pk])


def send_message_url(guest):
    return reverse("wagtail_guests_email_send_message", args=[guest.pk])
