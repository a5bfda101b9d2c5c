"""``manage.py guests_demo``: what someone trying the demo sees, pages to admin."""

import io
import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django.utils.html import escape
from wagtail.models import Site

from example_site.home.models import ContentPage
from tests.form_helpers import contact_data
from wagtail_guests.models import (
    Activity,
    Booking,
    ConsentRecord,
    Guest,
    GuestTag,
    ImportJob,
    Submission,
)


def run_demo(**options):
    out = io.StringIO()
    call_command("guests_demo", stdout=out, stderr=io.StringIO(), **options)
    output = out.getvalue()
    return output, re.search(r"^Password: (\S+)$", output, re.MULTILINE)[1]


@pytest.fixture
def demo(db):
    """The demo filled with 20 guests; returns the printed password."""
    output, password = run_demo(guests=20, seed=4)
    assert "Username: admin" in output
    assert "Admin:    http" in output
    return password


def block_ids(page):
    return {child.block_type: child.id for child in page.body}


def test_pages_show_the_forms_and_a_visitor_can_send_one(client, demo):
    home = Site.objects.get(is_default_site=True).root_page.specific
    assert isinstance(home, ContentPage)
    assert home.title == "Hôtel des Tilleuls"
    room = home.get_children().get(slug="book-a-room").specific
    table = home.get_children().get(slug="book-a-table").specific

    page = client.get("/")
    assert page.status_code == 200
    contact_id = block_ids(home)["contact_form"]
    html = page.content.decode()
    assert f'name="guests-{contact_id}-first_name"' in html
    assert "Write to us" in html
    assert "Book a room" in html  # In the menu.
    html = client.get(room.url).content.decode()
    assert f'name="guests-{block_ids(room)["booking_form"]}-arrival_date"' in html
    assert "Garden suite" in html
    html = client.get(table.url).content.decode()
    assert f'name="guests-{block_ids(table)["booking_form"]}-party_size"' in html

    sent = client.post("/", contact_data(contact_id, email="new.visitor@example.com"))
    assert sent.status_code == 303
    assert Guest.objects.filter(email="new.visitor@example.com").exists()


def test_admin_logs_in_with_the_printed_password(client, demo):
    assert client.login(username="admin", password=demo)
    assert client.get("/admin/").status_code == 200
    # The guest list opens on the guests arriving in the next 30 days: there are some.
    today = timezone.localdate()
    arriving = Booking.objects.active().filter(
        arrival_date__range=(today, today + timedelta(days=30)), booker__isnull=False
    )
    guest = arriving.first().booker
    listing = client.get("/admin/guests/")
    assert listing.status_code == 200
    assert escape(guest.full_name) in listing.content.decode()
    profile = client.get(f"/admin/guests/{guest.pk}/", follow=True)
    assert profile.status_code == 200
    assert escape(guest.full_name) in profile.content.decode()
    assert client.get("/admin/guests/bookings/").status_code == 200


def test_guests_are_deduplicated_and_have_a_history(demo):
    guests = list(Guest.objects.all())
    assert len(guests) >= 20
    for guest in guests:  # The identity rule's key, as the actions keep it.
        assert guest.identity_key == guest.identity.key
    emails = [g.identity.email for g in guests if g.identity.email]
    assert len(emails) == len(set(emails))

    # A returning guest typed their email differently: one guest, several submissions.
    returning = [g for g in guests if g.email and g.submissions.count() > 1]
    assert any(
        len({s.data.get("email") for s in guest.submissions.all()}) > 1 for guest in returning
    )
    # A visitor without an email, matched on phone and last name.
    assert any(not g.email and g.phone and g.submissions.count() == 2 for g in guests)
    # Additional guests named on a booking have their own profile.
    assert Booking.objects.filter(additional_guests__isnull=False).exists()

    today = timezone.localdate()
    bookings = Booking.objects.all()
    assert {"stay", "table"} <= set(bookings.values_list("kind", flat=True))
    statuses = set(bookings.values_list("status", flat=True))
    assert {"requested", "confirmed", "cancelled", "no_show", "duplicate"} <= statuses
    assert bookings.filter(departure_date__lt=today, checked_in=True).exists()  # past
    assert bookings.filter(arrival_date__lte=today, departure_date__gt=today).exists()  # current
    assert bookings.filter(arrival_date__gt=today).exists()  # upcoming
    assert bookings.filter(revenue__isnull=False, rating__isnull=False).exists()

    submissions = Submission.objects.exclude(page=None)
    assert submissions.filter(kind="contact").exists()
    assert submissions.filter(kind="booking").exists()
    assert ConsentRecord.objects.filter(given=True).exists()
    assert ConsentRecord.objects.filter(given=False).exists()
    tags = set(GuestTag.objects.values_list("tag__preset", flat=True))
    assert {"regular", "no_show", "problematic", "vip"} <= tags
    kinds = set(Activity.objects.values_list("kind", flat=True))
    assert {"submitted", "booked", "booking_changed", "tagged", "imported", "created"} <= kinds
    assert ImportJob.objects.filter(status="done").exists()

    # The history spreads over months, and nothing happens in the future.
    now = timezone.now()
    assert Guest.objects.filter(created_at__lt=now - timedelta(days=300)).exists()
    for model in (Guest, Submission, Activity, ConsentRecord):
        assert not model.objects.filter(created_at__gt=now).exists()


def test_running_again_adds_guests_and_resets_the_password(client, demo):
    guests = Guest.objects.count()
    pages = ContentPage.objects.count()
    output, password = run_demo(guests=5)
    assert password != demo
    assert Guest.objects.count() > guests
    assert ContentPage.objects.count() == pages
    assert not client.login(username="admin", password=demo)
    assert client.login(username="admin", password=password)

    guests = Guest.objects.count()
    run_demo(only_if_empty=True)  # What example_site/demo.py runs each time.
    assert Guest.objects.count() == guests
    assert Site.objects.filter(is_default_site=True).count() == 1
