"""Admin views: anonymise one guest or many. Permissions, CSRF, confirmation pages."""

import pytest
from django.db.models.functions import Mod
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests.admin_fixtures import make_booking, make_staff
from tests.factories import make_guest
from tests.gdpr_helpers import make_household
from wagtail_guests.models import Guest

pytestmark = pytest.mark.django_db


def client_for(user, **kwargs):
    client = Client(**kwargs)
    client.force_login(user)
    return client


@pytest.fixture
def manager(db):
    return make_staff("gdpr-manager")


@pytest.fixture
def guest(db):
    return make_guest(first_name="Zelie", last_name="Anonymable", email="zelie@zz-example.test")


def url(guest):
    return reverse("wagtail_guests_anonymise", args=[guest.pk])


def test_confirmation_page(manager):
    household = make_household()
    response = client_for(manager).get(url(household.target))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anonymising is irreversible." in html
    assert "Zinzolin" not in html  # nothing sent by the guest is shown
    for line in (
        "Name, email, phone number, address, postal code, city and preferred language",
        "The data sent in 1 form submission",
        "The notes of 1 booking they made (the booking itself stays)",
        "Their place on 1 booking made by someone else",
        "1 tag",
    ):
        assert line in html, line
    assert "What is kept" in html
    assert f"Anonymised guest #{household.target.pk}" in html


def test_profile_offers_download_and_anonymise(manager, guest):
    profile = reverse("guests:inspect", args=[guest.pk])
    html = client_for(manager).get(profile).content.decode()
    assert "Anonymise this guest" in html and url(guest) in html
    assert "Download personal data" in html
    assert reverse("wagtail_guests_personal_data_json", args=[guest.pk]) in html
    clerk = make_staff("profile-clerk", group=None, permissions=["view_guest", "change_guest"])
    html = client_for(clerk).get(profile).content.decode()
    assert "data-personal-data-panel" not in html and url(guest) not in html
    exporter = make_staff(
        "profile-exporter", group=None, permissions=["view_guest", "export_guest"]
    )
    html = client_for(exporter).get(profile).content.decode()
    assert "Download personal data" in html and "Anonymise this guest" not in html


def test_anonymise_and_back_to_the_profile(manager, guest):
    response = client_for(manager).post(url(guest))
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.anonymised_at is not None
    assert response["Location"] == reverse("guests:inspect", args=[guest.pk])
    profile = client_for(manager).get(response["Location"])
    assert f"Anonymised guest #{guest.pk}" in profile.content.decode()


def test_page_of_an_anonymised_guest(manager, guest):
    client = client_for(manager)
    client.post(url(guest))
    response = client.get(url(guest))
    assert response.status_code == 200
    assert "data-anonymise-done" in response.content.decode()
    assert client.post(url(guest)).status_code == 302  # harmless


@pytest.mark.parametrize(
    "permissions",
    [(), ("view_guest", "change_guest", "delete_guest", "export_guest")],
)
def test_403_without_the_anonymise_permission(guest, permissions):
    user = make_staff("no-anonymise", group=None, permissions=permissions)
    client = client_for(user)
    assert client.get(url(guest)).status_code == 403
    assert client.post(url(guest)).status_code == 403
    assert client.get(bulk_url(guest.pk)).status_code == 403
    assert client.post(bulk_url(guest.pk)).status_code == 403
    guest.refresh_from_db()
    assert guest.anonymised_at is None


def test_403_for_a_guest_that_does_not_exist_without_permission(db):
    user = make_staff("nobody", group=None)
    assert client_for(user).get("/admin/guests/999999/anonymise/").status_code == 403


def test_csrf_is_enforced(manager, guest):
    client = client_for(manager, enforce_csrf_checks=True)
    assert client.post(url(guest)).status_code == 403
    guest.refresh_from_db()
    assert guest.anonymised_at is None
    client.get(url(guest))  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    assert client.post(url(guest), {"csrfmiddlewaretoken": token}).status_code == 302
    guest.refresh_from_db()
    assert guest.anonymised_at is not None


def test_get_changes_nothing(manager, guest):
    client_for(manager).get(url(guest))
    guest.refresh_from_db()
    assert guest.anonymised_at is None


def test_upcoming_stay_is_refused(manager, guest):
    booking = make_booking(guest, days=3)
    client = client_for(manager)
    page = client.get(url(guest)).content.decode()
    assert "data-anonymise-refused" in page and booking.reference in page
    assert "data-anonymise-submit" not in page
    response = client.post(url(guest))
    assert response.status_code == 409
    assert booking.reference in response.content.decode()
    guest.refresh_from_db()
    assert guest.anonymised_at is None


def test_anonymous_users_go_to_the_login(guest):
    response = Client().get(url(guest))
    assert response.status_code == 302
    assert reverse("wagtailadmin_login") in response["Location"]


# --- Bulk ---------------------------------------------------------------------------------


BULK = "/admin/bulk/wagtail_guests/guest/anonymise/"


def bulk_url(*ids, extra=""):
    return BULK + "?" + "&".join(f"id={pk}" for pk in ids) + extra


@pytest.fixture
def crowd(db):
    guests = [
        make_guest(first_name=f"Crowd{i}", last_name="Member", email=f"crowd{i}@zz-example.test")
        for i in range(5)
    ]
    make_booking(guests[4], days=2)  # upcoming: left alone
    Guest.objects.filter(pk=guests[3].pk).update(anonymised_at="2024-01-01T00:00:00Z")
    return guests


def test_bulk_action_is_in_the_guest_list(manager, crowd):
    html = client_for(manager).get(reverse("guests:index")).content.decode()
    assert "data-bulk-action-button" in html and BULK in html
    clerk = make_staff("clerk", group=None, permissions=["view_guest", "change_guest"])
    assert client_for(clerk).get(bulk_url(crowd[0].pk)).status_code == 403


def test_bulk_confirmation(manager, crowd):
    ids = [g.pk for g in crowd] + [999_999]
    response = client_for(manager).get(bulk_url(*ids, extra="&id=x"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Anonymising is irreversible." in html
    assert "Yes, anonymise 3 guests" in html
    for guest in crowd[:3]:
        assert guest.full_name in html
    assert "What will be erased" in html
    assert "Their name, email, phone number, address, postal code, city" in html
    assert "The address, subject and body of the emails sent to them" in html
    assert "What is kept" in html
    assert "1 guest will not be anonymised until after their stay." in html
    assert crowd[4].full_name in html
    assert "1 selected guest is already anonymised." in html


def test_bulk_anonymise(manager, crowd):
    ids = [g.pk for g in crowd]
    response = client_for(manager).post(bulk_url(*ids, extra="&next=/admin/guests/%3Fq%3Dx"))
    assert response.status_code == 302
    assert response["Location"] == "/admin/guests/?q=x"
    anonymised = Guest.objects.filter(pk__in=ids[:3], anonymised_at__isnull=False)
    assert anonymised.count() == 3
    crowd[4].refresh_from_db()
    assert crowd[4].anonymised_at is None
    entries = ModelLogEntry.objects.filter(action="wagtail_guests.anonymise")
    assert sorted(int(e.object_id) for e in entries) == sorted(ids[:3])
    assert {e.data["reason"] for e in entries} == {"request"}


def test_bulk_all_in_listing_follows_the_search(manager, crowd):
    outsider = make_guest(first_name="Zebulon", last_name="Far", email="zeb@zz-example.test")
    client_for(manager).post(BULK + "?id=all&q=crowd")
    assert Guest.objects.filter(pk__in=[g.pk for g in crowd[:3]], anonymised_at=None).count() == 0
    outsider.refresh_from_db()
    assert outsider.anonymised_at is None


def test_bulk_ignores_unsafe_next(manager, crowd):
    response = client_for(manager).post(bulk_url(crowd[0].pk, extra="&next=https://evil.example/"))
    assert not response["Location"].startswith("https://evil.example")


def test_bulk_needs_csrf(manager, crowd):
    client = client_for(manager, enforce_csrf_checks=True)
    assert client.post(bulk_url(crowd[0].pk)).status_code == 403
    crowd[0].refresh_from_db()
    assert crowd[0].anonymised_at is None


def odd_guests_only(monkeypatch):
    """A site policy: staff may only anonymise guests with an odd id."""
    from wagtail_guests.permissions import guest_permission_policy as policy

    original = policy.instances_user_has_permission_for

    def odd(user, action):
        return original(user, action).annotate(odd=Mod("id", 2)).filter(odd=1)

    monkeypatch.setattr(policy, "instances_user_has_permission_for", odd)


def test_bulk_only_touches_permitted_guests(manager, crowd, monkeypatch):
    odd_guests_only(monkeypatch)
    ids = [g.pk for g in crowd[:3]]
    client_for(manager).post(bulk_url(*ids))
    for pk in ids:
        anonymised = Guest.objects.get(pk=pk).anonymised_at is not None
        assert anonymised == (pk % 2 == 1), pk


def test_profile_anonymise_follows_the_policy(manager, crowd, monkeypatch):
    odd_guests_only(monkeypatch)
    even = next(g for g in crowd[:3] if g.pk % 2 == 0)
    client = client_for(manager)
    assert client.get(url(even)).status_code == 403
    assert client.post(url(even)).status_code == 403
    even.refresh_from_db()
    assert even.anonymised_at is None


def test_bulk_refuses_too_many(manager, monkeypatch):
    from wagtail_guests import bulk_actions

    monkeypatch.setattr(bulk_actions, "MAX_SELECTED", 2)
    guests = [make_guest(email=f"many{i}@zz-example.test", first_name=f"M{i}") for i in range(3)]
    client = client_for(manager)
    assert "Narrow the list" in client.get(bulk_url(*[g.pk for g in guests])).content.decode()
    client.post(bulk_url(*[g.pk for g in guests]))
    assert not Guest.objects.filter(anonymised_at__isnull=False).exists()


# --- Consent on the profile -----------------------------------------------------------------


def test_consent_proof_on_the_profile_and_withdrawal_from_it(manager, guest):
    """What was agreed (wording, language), when and where (page and block); withdrawing from
    the profile appends a record, the first one stays; the access export has both."""
    import json

    from tests.factories import make_page, make_site_root
    from wagtail_guests.actions import record_consent

    page = make_page(make_site_root(), [], title="Réserver une chambre")
    record_consent(
        guest,
        given=True,
        source="form",
        wording="J’accepte de recevoir la lettre d’information.",
        language="fr",
        page=page,
        block_id="b-42",
    )
    client = client_for(manager)
    profile = reverse("guests:inspect", args=[guest.pk])
    html = client.get(profile).content.decode()
    panel = html.split('id="consent-section"')[1].split("</section>", 1)[0]
    for text in ("J’accepte de recevoir la lettre d’information.", "Réserver une chambre"):
        assert text in panel, text
    assert "block b-42" in panel and "<td>fr</td>" in panel
    assert "data-consent-withdraw" in panel

    response = client.post(
        reverse("wagtail_guests_consent", args=[guest.pk]), {"given": "0", "wording": "By phone"}
    )
    assert response["Location"].endswith("#consent")
    guest.refresh_from_db()
    assert guest.newsletter_consent == "withdrawn"
    html = client.get(profile).content.decode()
    assert "Newsletter consent withdrawn." in html
    assert "Withdrawn" in html and "J’accepte de recevoir" in html

    data = client.get(reverse("wagtail_guests_personal_data_json", args=[guest.pk])).content
    records = json.loads(data)["consent_records"]
    assert [(r["given"], r["page"], r["block"], r["language"]) for r in records] == [
        (True, "Réserver une chambre", "b-42", "fr"),
        (False, "", "", "en"),  # the language of the admin, where staff recorded it
    ]
    assert records[1]["wording"] == "By phone" and records[1]["source"] == "staff"
