"""Staff users and bookings for the admin tests (import the fixtures you use).

``manager`` is in the "Guest managers" group that migration 0002 creates; ``outsider`` may use
the Wagtail admin but has no guest permission.
"""

import datetime

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client
from django.utils import timezone


def make_staff(username="manager", *, group="Guest managers", permissions=()):
    user = get_user_model().objects.create_user(
        username=username, password="pw", first_name=username.capitalize(), is_staff=True
    )
    if group:
        user.groups.add(Group.objects.get(name=group))
    access = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    user.user_permissions.add(access)
    for codename in permissions:
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label="wagtail_guests", codename=codename)
        )
    return user


def make_booking(guest, *, days=10, nights=2, kind="stay", companions=(), **fields):
    """A booking ``days`` from today (negative: in the past)."""
    from wagtail_guests.actions import create_booking

    arrival = timezone.localdate() + datetime.timedelta(days=days)
    departure = arrival + datetime.timedelta(days=nights) if kind == "stay" else None
    return create_booking(
        booker=guest,
        additional_guests=companions,
        kind=kind,
        arrival_date=arrival,
        departure_date=departure,
        **fields,
    )


@pytest.fixture
def manager(db):
    return make_staff("manager")


@pytest.fixture
def outsider(db):
    return make_staff("outsider", group=None)


@pytest.fixture
def manager_client(client, manager):
    client.force_login(manager)
    return client


@pytest.fixture
def outsider_client(outsider):
    # Its own client, so a test can use it next to ``manager_client``.
    client = Client()
    client.force_login(outsider)
    return client
