"""Add, edit and delete a guest in the admin (briefs 000 and 001)."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from wagtail.models import ModelLogEntry

from tests import admin_fixtures
from tests.admin_fixtures import make_booking, make_staff
from tests.factories import make_guest
from wagtail_guests.actions.staff import GuestHasUpcomingStay, delete_guest, upcoming_bookings
from wagtail_guests.models import Activity, Booking, Guest

# Fixtures shared by the admin tests.
manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client

TODAY = timezone.localdate


def days(n):
    return (TODAY() + datetime.timedelta(days=n)).isoformat()


ADD = {
    "first_name": "Zoé",
    "last_name": "Lefèvre",
    "email": "Zoe.Lefevre@Example.com",
    "phone": "06 12 34 56 78",
    "arrival_date": "",
    "departure_date": "",
    "country": "FR",
    "language": "fr",
}


def assert_no_personal_data(entries, *values):
    for entry in entries:
        blob = f"{entry.label} {entry.data}"
        for value in values:
            assert value.lower() not in blob.lower(), (entry.action, value)


# --- Add -----------------------------------------------------------------------------------


def test_add_guest_form_shows_the_fields_of_the_brief(manager_client):
    html = manager_client.get(reverse("guests:add")).content.decode()
    for name in ADD:
        assert f'name="{name}"' in html, name


def test_add_guest_creates_the_guest_and_a_stay(manager_client, manager):
    data = {**ADD, "arrival_date": days(3), "departure_date": days(5)}
    response = manager_client.post(reverse("guests:add"), data)
    guest = Guest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("guests:inspect", args=[guest.pk])
    assert (guest.first_name, guest.phone, guest.source) == ("Zoé", "+33612345678", "manual")
    booking = Booking.objects.get()
    assert (booking.booker, booking.kind, booking.nights) == (guest, "stay", 2)
    kinds = set(Activity.objects.filter(guest=guest).values_list("kind", flat=True))
    assert kinds == {"created", "booked"}
    entry = ModelLogEntry.objects.for_instance(guest).get(action="wagtail.create")
    assert entry.user == manager
    assert_no_personal_data(ModelLogEntry.objects.all(), "Zoé", "Lefèvre", "example.com", "3361")


def test_adding_an_existing_person_updates_instead_of_duplicating(manager_client):
    existing = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe.lefevre@example.com")
    data = {**ADD, "email": "ZOE.LEFEVRE@EXAMPLE.COM", "first_name": "Zoe"}
    response = manager_client.post(reverse("guests:add"), data, follow=True)
    assert Guest.objects.count() == 1
    assert response.redirect_chain[-1][0] == reverse("guests:inspect", args=[existing.pk])
    html = response.content.decode()
    assert "was already in your guest list" in html
    assert "instead of creating a duplicate" in html
    existing.refresh_from_db()
    assert existing.phone == "+33612345678"  # the empty field was filled
    assert existing.first_name == "Zoé"  # what was there is kept
    updated = Activity.objects.get(guest=existing, kind="updated")
    assert set(updated.payload["fields"]) == {"phone", "country", "language"}


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"phone": "12"}, "phone", "Enter a valid phone number"),
        ({"arrival_date": days(5), "departure_date": days(5)}, "departure_date", "after the"),
        ({"arrival_date": days(5), "departure_date": days(2)}, "departure_date", "after the"),
        ({"departure_date": days(2)}, "arrival_date", "arrival date too"),
        ({"first_name": ""}, "first_name", "required"),
        ({"email": "not-an-email"}, "email", "valid email"),
    ],
)
def test_add_guest_validates(manager_client, changes, field, message):
    response = manager_client.post(reverse("guests:add"), {**ADD, **changes})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors and message in " ".join(errors[field])
    assert not Guest.objects.exists()


def test_staff_without_booking_permission_add_guests_without_dates(client, db):
    user = make_staff("clerk", group=None, permissions=["view_guest", "add_guest"])
    client.force_login(user)
    html = client.get(reverse("guests:add")).content.decode()
    assert 'name="arrival_date"' not in html
    client.post(reverse("guests:add"), {**ADD, "arrival_date": days(1), "departure_date": days(2)})
    assert Guest.objects.count() == 1 and not Booking.objects.exists()


# --- Edit ----------------------------------------------------------------------------------


def test_edit_logs_changed_field_names_without_personal_data(manager_client, manager):
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    url = reverse("guests:edit", args=[guest.pk])
    form = manager_client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data.update(
        {
            "city": "Chamonix-Mont-Blanc",
            "phone": "+41 44 668 18 00",
            "first_contact_at": timezone.localtime(guest.first_contact_at).strftime(
                "%Y-%m-%d %H:%M"
            ),
        }
    )
    response = manager_client.post(url, data)
    assert response.status_code == 302, response.context["form"].errors
    assert response["Location"] == reverse("guests:inspect", args=[guest.pk])
    guest.refresh_from_db()
    assert (guest.city, guest.phone) == ("Chamonix-Mont-Blanc", "+41446681800")
    entry = ModelLogEntry.objects.for_instance(guest).get(action="wagtail.edit")
    assert entry.user == manager and entry.label == f"Guest #{guest.pk}"
    assert set(entry.data["fields"]) == {"city", "phone"}
    assert_no_personal_data(
        ModelLogEntry.objects.all(), "Zoé", "Lefèvre", "zoe@", "Chamonix", "4144668"
    )
    activity = Activity.objects.get(guest=guest, kind="updated")
    assert set(activity.payload["fields"]) == {"city", "phone"}
    # The history view (helper-4's viewset) lists the edit.
    history = manager_client.get(reverse("guests:history", args=[guest.pk]))
    assert history.status_code == 200


def test_edit_refuses_a_duplicate_identity(manager_client):
    make_guest(first_name="Ana", last_name="Silva", email="ana@example.com")
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    url = reverse("guests:edit", args=[guest.pk])
    form = manager_client.get(url).context["form"]
    data = {name: form[name].value() or "" for name in form.fields}
    data["email"] = "ANA@example.com"
    data["first_contact_at"] = timezone.localtime(guest.first_contact_at).strftime("%Y-%m-%d %H:%M")
    response = manager_client.post(url, data)
    assert response.status_code == 200
    assert "Another guest already has these details." in response.content.decode()
    guest.refresh_from_db()
    assert guest.email == "zoe@example.com"


def test_update_guest_action_validates_and_logs(manager, db):
    from django.core.exceptions import PermissionDenied, ValidationError

    from wagtail_guests.actions.staff import update_guest

    make_guest(first_name="Ana", last_name="Silva", email="ana@example.com")
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    update_guest(guest, {"city": "Lyon", "first_name": "Zoé"}, user=manager)
    activity = Activity.objects.get(guest=guest, kind="updated")
    assert activity.payload == {"fields": ["city"]} and activity.user == manager
    with pytest.raises(ValidationError):
        update_guest(guest, {"email": "ana@example.com"}, user=manager)
    with pytest.raises(ValueError):
        update_guest(guest, {"newsletter_consent": "given"}, user=manager)
    viewer = make_staff("viewer", group=None, permissions=["view_guest"])
    with pytest.raises(PermissionDenied):
        update_guest(guest, {"city": "Paris"}, user=viewer)
    guest.refresh_from_db()
    assert (guest.city, guest.email) == ("Lyon", "zoe@example.com")


# --- Delete --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "booking_kwargs",
    [
        {"days": 10},  # upcoming stay
        {"days": -2, "nights": 4},  # current stay
        {"days": -2, "nights": 2},  # leaves today
        {"days": 0, "kind": "table"},  # table today
    ],
)
def test_delete_is_refused_with_an_upcoming_or_current_booking(manager_client, booking_kwargs):
    guest = make_guest(email="zoe@example.com")
    booking = make_booking(guest, **booking_kwargs)
    url = reverse("guests:delete", args=[guest.pk])
    html = manager_client.get(url).content.decode()
    assert "cannot be deleted" in html
    assert booking.reference in html
    assert "Yes, delete" not in html
    # A forged POST is refused too.
    assert manager_client.post(url).status_code == 403
    assert Guest.objects.filter(pk=guest.pk).exists()


def test_an_additional_guest_on_an_upcoming_stay_cannot_be_deleted(manager):
    booker = make_guest(email="booker@example.com")
    companion = make_guest(first_name="Lou", last_name="Martin", email="lou@example.com")
    make_booking(booker, companions=[companion])
    with pytest.raises(GuestHasUpcomingStay) as refused:
        delete_guest(companion, user=manager)
    assert len(refused.value.bookings) == 1


def test_cancelled_and_past_bookings_do_not_prevent_deletion(manager):
    guest = make_guest(email="zoe@example.com")
    make_booking(guest, days=5, status="cancelled")
    make_booking(guest, days=5, status="duplicate")
    make_booking(guest, days=-10)
    make_booking(guest, days=-1, kind="table")
    assert not upcoming_bookings(guest).exists()


def test_delete_keeps_past_bookings_without_the_guests_details(manager_client, manager):
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    companion = make_guest(first_name="Lou", last_name="Martin", email="lou@example.com")
    past = make_booking(guest, days=-30, companions=[companion])
    from wagtail_guests.actions import record_consent

    record_consent(guest, given=True, source="staff", user=manager)
    url = reverse("guests:delete", args=[guest.pk])
    html = manager_client.get(url).content.decode()
    assert "permanent" in html and "Yes, delete" in html
    response = manager_client.post(url)
    assert response.status_code == 302
    assert not Guest.objects.filter(pk=guest.pk).exists()
    past.refresh_from_db()
    assert past.booker is None
    # The companion's profile still lists the booking, with *** for the deleted booker.
    profile = manager_client.get(reverse("guests:inspect", args=[companion.pk]))
    row = profile.content.decode().split(f'data-booking="{past.reference}"')[1].split("</tr>")[0]
    assert "***" in row and "Zoé" not in row
    entry = ModelLogEntry.objects.get(action="wagtail.delete")
    assert entry.label == f"Guest #{guest.pk}" and entry.user == manager


# --- Permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize("view", ["add", "edit", "delete"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_403(outsider_client, view, method):
    guest = make_guest(email="zoe@example.com")
    args = [] if view == "add" else [guest.pk]
    response = getattr(outsider_client, method)(reverse(f"guests:{view}", args=args), ADD)
    assert response.status_code == 403
    if view != "add":
        forged = reverse(f"guests:{view}", args=[999999])
        assert getattr(outsider_client, method)(forged).status_code == 403
    assert Guest.objects.count() == 1


def test_view_only_staff_cannot_add_edit_or_delete(client, db):
    user = make_staff("viewer", group=None, permissions=["view_guest"])
    client.force_login(user)
    guest = make_guest(email="zoe@example.com")
    assert client.post(reverse("guests:add"), ADD).status_code == 403
    assert client.post(reverse("guests:edit", args=[guest.pk]), ADD).status_code == 403
    assert client.post(reverse("guests:delete", args=[guest.pk])).status_code == 403
    assert Guest.objects.count() == 1
