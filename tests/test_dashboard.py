"""The guests panel on the Wagtail dashboard."""

import datetime

from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from tests import admin_fixtures
from tests.admin_fixtures import make_booking
from tests.factories import make_guest
from wagtail_guests.actions import add_tag
from wagtail_guests.dashboard import GuestsPanel
from wagtail_guests.models import Guest, Tag

# Fixtures shared by the admin tests.
manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client


def panel_context(user, today=None):
    request = RequestFactory().get("/admin/")
    request.user = user
    return GuestsPanel(request, today=today).get_context_data({})


def make_arrivals():
    guests = [
        make_guest(first_name=f"G{i}", last_name="Test", email=f"g{i}@example.com")
        for i in range(6)
    ]
    make_booking(guests[0], days=0)  # today
    make_booking(guests[1], days=0, kind="table")  # today
    make_booking(guests[2], days=3)
    make_booking(guests[3], days=7)
    make_booking(guests[4], days=8)  # too late
    make_booking(guests[5], days=2, status="cancelled")  # not counted
    make_booking(guests[5], days=-1)  # past
    return guests


def test_panel_figures(manager):
    guests = make_arrivals()
    add_tag(guests[2], Tag.objects.get(preset="problematic"))
    add_tag(guests[4], Tag.objects.get(preset="no_show"))  # arrives after the window
    add_tag(guests[3], Tag.objects.get(preset="vip"))  # not a warning tag
    # A guest created last month does not count as new this month.
    old = make_guest(first_name="Old", last_name="Guest", email="old@example.com")
    month_start = timezone.localdate().replace(day=1)
    Guest.objects.filter(pk=old.pk).update(
        created_at=timezone.make_aware(datetime.datetime.combine(month_start, datetime.time.min))
        - datetime.timedelta(days=1)
    )
    context = panel_context(manager)
    assert context["arrivals_today"] == 2
    assert context["arrivals_soon"] == 2
    assert context["new_guests"] == 6
    assert [g.pk for g in context["warned_guests"]] == [guests[2].pk]
    assert [t.preset for t in context["warned_guests"][0].warnings] == ["problematic"]
    assert [b.booker for b in context["upcoming"]] == guests[:4]


def test_panel_takes_a_constant_number_of_queries(manager, django_assert_max_num_queries):
    guests = make_arrivals()
    for guest in guests:
        add_tag(guest, Tag.objects.get(preset="no_show"))
    with django_assert_max_num_queries(6):
        panel_context(manager)
    more = [
        make_guest(first_name=f"H{i}", last_name="Test", email=f"h{i}@example.com")
        for i in range(10)
    ]
    for guest in more:
        make_booking(guest, days=1)
        add_tag(guest, Tag.objects.get(preset="problematic"))
    with django_assert_max_num_queries(6):
        panel_context(manager)


def test_dashboard_shows_the_panel_to_guest_staff_only(manager_client, outsider_client):
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    make_booking(guest, days=0)
    add_tag(guest, Tag.objects.get(preset="problematic"))
    html = manager_client.get(reverse("wagtailadmin_home")).content.decode()
    assert 'id="wagtail-guests-dashboard-section"' in html
    assert "Zoé Lefèvre" in html
    assert reverse("guests:inspect", args=[guest.pk]) in html
    assert "Problematic" in html
    html = outsider_client.get(reverse("wagtailadmin_home")).content.decode()
    assert "wagtail-guests-dashboard" not in html
    assert "Zoé" not in html
