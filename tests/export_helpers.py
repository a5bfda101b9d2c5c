"""Guests, fixtures and readers for the export tests (import the fixtures you use)."""

import csv
import io

import pytest
from django.utils import timezone

from tests.factories import make_guest, make_tag
from tests.list_helpers import stay
from wagtail_guests.actions import add_tag
from wagtail_guests.models import Guest

HEADER = [
    "first name",
    "last name",
    "email",
    "phone",
    "address",
    "postal code",
    "city",
    "country",
    "language",
    "newsletter consent",
    "tags",
    "first contact",
]


def rows_of(response) -> list[list[str]]:
    assert response.status_code == 200, response.status_code
    content = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(content)))


def emails(rows) -> list[str]:
    return [row[2] for row in rows[1:]]


def set_fields(guest, **fields):
    Guest.objects.filter(pk=guest.pk).update(**fields)
    guest.refresh_from_db()
    return guest


@pytest.fixture
def people(db):
    vip = make_tag("Gold")
    ana = make_guest(first_name="Ana", last_name="Arnaud", email="ana@example.com", language="fr")
    ben = make_guest(first_name="Ben", last_name="Berger", email="ben@example.com", language="en")
    cleo = make_guest(first_name="Cléo", last_name="Caron", email="cleo@example.com", language="fr")
    dan = make_guest(first_name="Dan", last_name="Durand", email="dan@example.com", language="fr")
    add_tag(ana, vip)
    add_tag(dan, vip)
    stay(ana, 3)
    stay(ben, 40)
    return {"ana": ana, "ben": ben, "cleo": cleo, "dan": dan, "vip": vip}


def rows_of_bytes(content: bytes):
    return list(csv.reader(io.StringIO(content.decode("utf-8-sig"))))


@pytest.fixture
def audience(db):
    def guest(name, **fields):
        made = make_guest(first_name=name, last_name="Test", email=f"{name.lower()}@example.com")
        return set_fields(made, **fields)

    now = timezone.now()
    ok = guest("Yes", newsletter_consent="given", language="fr")
    add_tag(ok, make_tag("Gold"))
    return {
        "ok": ok,
        "also": guest("Also", newsletter_consent="given", language="en"),
        "unknown": guest("Unknown"),
        "withdrawn": guest("Withdrawn", newsletter_consent="withdrawn"),
        "unsubscribed": guest("Unsub", newsletter_consent="given", unsubscribed_at=now),
        "bouncing": guest("Bounce", newsletter_consent="given", email_undeliverable_at=now),
        "anonymised": guest("Anon", newsletter_consent="given", anonymised_at=now),
    }
