"""Helpers for the guest list tests: read which guests a list page shows."""

import datetime

from django.urls import reverse
from django.utils import timezone

from tests.admin_fixtures import make_booking
from wagtail_guests.models import Guest

LIST_URL = "/admin/guests/"


def day(offset: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=offset)


def listed(client, params=None, url=None):
    """The guests shown by the list for ``params`` (a dict or a query string), in order."""
    response = client.get(url or reverse("guests:index"), params or {})
    assert response.status_code == 200, response.status_code
    return [guest.pk for guest in response.context["object_list"]]


def listed_all(client, **params):
    """As :func:`listed`, with the default arrival window turned off."""
    return listed(client, {"all": "1", **params})


def stay(guest, days, nights=2, **fields):
    return make_booking(guest, days=days, nights=nights, **fields)


def set_fields(guest, **fields):
    """Write ``fields`` without save() (timestamps, keys) and reload the guest."""
    Guest.objects.filter(pk=guest.pk).update(**fields)
    guest.refresh_from_db()
    return guest


def at(offset_days: int) -> datetime.datetime:
    return timezone.now() + datetime.timedelta(days=offset_days)


def iso(offset: int) -> str:
    return day(offset).isoformat()
