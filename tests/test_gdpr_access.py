"""Right of access (Art. 15): the JSON file and printable page hold everything about the guest,
and nothing about anyone else."""

import json

import pytest
from django.test import Client
from django.urls import reverse
from wagtail import hooks
from wagtail.models import ModelLogEntry

from tests.admin_fixtures import make_staff
from tests.gdpr_helpers import PEOPLE, make_household, secrets_of
from wagtail_guests.actions.gdpr import anonymise_guest, export_personal_data
from wagtail_guests.gdpr import HOOK_NAME, PersonalData, get_personal_data
from wagtail_guests.gdpr.registry import covered_models
from wagtail_guests.gdpr.report import build_report, to_json
from wagtail_guests.models import Guest

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


def models_linked_to_guest():
    """Every model (of any installed app) with a link to Guest: foreign keys and one-to-ones
    pointing to it, many-to-many fields to it and their through tables (the additional guests
    of a booking), and the through tables of Guest's own many-to-many fields (tags)."""
    linked = set()
    for relation in Guest._meta.related_objects:
        linked.add(relation.related_model)
        if relation.many_to_many:
            linked.add(relation.through)
    for field in Guest._meta.many_to_many:
        linked.add(field.remote_field.through)
    return linked


def test_every_model_linked_to_guest_is_exported_and_erased(media):
    linked = models_linked_to_guest()
    names = {m.__name__ for m in linked}
    assert names >= {"Submission", "Booking", "Booking_additional_guests", "Activity", "GuestTag"}
    assert names >= {"ConsentRecord", "OutgoingEmail", "EmailEvent", "Message"}
    missing = linked - covered_models()
    assert not missing, (
        f"{sorted(m.__name__ for m in missing)} link to Guest but no PersonalData section "
        "covers them: register one (wagtail_guests.gdpr.registry) so they are exported and "
        "erased."
    )
    # And each appears in the export of a guest who has rows there.
    household = make_household(attachments=True)
    report = build_report(household.target)
    for model in linked:
        [section] = [s for s in get_personal_data() if model in s.model_classes()]
        assert section.in_report, model
        assert report[section.key], f"{model.__name__}: {section.key} is empty in the export"


def test_rows_hanging_off_a_guests_rows_are_covered_too():
    """A model of wagtail-guests linked to one of the guest's rows (an attached photo to a
    message, a tracking event to an email) is covered too: a model added later that holds a
    copy of a submission or a message cannot be forgotten. Bookings are shared by several
    guests and hold no personal data of their own beyond the notes (BookingsData)."""
    from django.apps import apps

    covered = covered_models()
    owned = (models_linked_to_guest() & covered) - {Guest}
    app_models = apps.get_app_config("wagtail_guests").get_models(include_auto_created=True)
    hanging = {
        model
        for model in app_models
        for field in model._meta.get_fields()
        if field.is_relation and field.concrete and field.related_model in owned
    }
    assert {m.__name__ for m in hanging} >= {"MessageAttachment", "EmailEvent", "Activity"}
    missing = sorted(model.__name__ for model in hanging - covered)
    assert not missing, f"{missing} hold rows of a guest but no PersonalData section covers them"


def test_every_section_appears_in_the_export():
    household = make_household()
    report = build_report(household.target)
    for section in get_personal_data():
        if not section.in_report:
            assert section.key not in report
            continue
        assert section.key in report
        if section.models:
            assert report[section.key], f"{section.key} is empty for a guest who has data there"


@pytest.fixture
def household():
    return make_household()


@pytest.fixture
def report(household):
    return json.loads(to_json(build_report(household.target)))


def test_export_holds_the_guests_data(household, report):
    person = PEOPLE["target"]
    details = report["guest"]
    for key in ("first_name", "last_name", "email", "phone", "address", "postal_code", "city"):
        assert details[key] == person[key]
    assert details["country"] == "France"
    assert {b["reference"] for b in report["bookings"]} == {
        household.target_booking.reference,
        household.other_booking.reference,
    }
    roles = {b["reference"]: b["role"] for b in report["bookings"]}
    assert roles[household.target_booking.reference] == "booker"
    assert roles[household.other_booking.reference] == "additional guest"
    own = next(b for b in report["bookings"] if b["role"] == "booker")
    assert own["notes"].startswith("Quiet room for Quillonne")
    assert own["revenue"] == "420.00" and own["nights"] == 3
    [submission] = report["submissions"]
    assert submission["data"]["message"] == person["message"]
    assert submission["data"]["additional_guests"] == ["another guest"]
    assert [r["given"] for r in report["consent_records"]] == [True]
    assert report["consent_records"][0]["wording"] == "I would like to receive the newsletter."
    assert report["consent_records"][0]["source"] == "form on the website"
    assert "block" in report["consent_records"][0]
    assert [t["tag"] for t in report["tags"]] == ["VIP"]
    assert any("booking request" in line["event"] for line in report["timeline"])
    assert {entry["action"] for entry in report["history"]} >= {"Edit", "Tag guest"}


def test_export_says_nothing_about_the_other_guest(household, report):
    text = json.dumps(report, ensure_ascii=False).lower()
    for secret in secrets_of("other"):
        assert secret.lower() not in text, secret
    shared = next(b for b in report["bookings"] if b["role"] == "additional guest")
    assert shared["notes"] == ""  # the other guest's notes, about their booking
    assert shared["booked_by"] == "another guest"
    own = next(b for b in report["bookings"] if b["role"] == "booker")
    assert own["other_guests"] == ["another guest"]


def test_export_of_an_anonymised_guest_holds_nothing_personal(household):
    manager = make_staff("access-manager")
    anonymise_guest(household.target, user=manager)
    text = to_json(build_report(Guest.objects.get(pk=household.target.pk))).lower()
    for secret in secrets_of("target"):
        assert secret.lower() not in text


def test_export_is_logged_without_personal_data(household):
    manager = make_staff("access-logger")
    export_personal_data(household.target, user=manager, file_format="json")
    entry = ModelLogEntry.objects.get(action="wagtail_guests.personal_data_export")
    assert entry.data == {"format": "json"}
    assert entry.label == f"Guest #{household.target.pk}"
    assert entry.user == manager


def test_json_download(household):
    client = Client()
    client.force_login(make_staff("json-manager"))
    url = reverse("wagtail_guests_personal_data_json", args=[household.target.pk])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"] == (
        f'attachment; filename="guest-{household.target.pk}-personal-data.json"'
    )
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert data["format"] == "wagtail-guests/personal-data"
    assert data["guest"]["email"] == PEOPLE["target"]["email"]


def test_printable_page(household):
    from wagtail_guests.models import Submission

    Submission.objects.filter(pk=household.target_submission.pk).update(
        data={"message": "<script>alert('x')</script>\nsecond line"}
    )
    client = Client()
    client.force_login(make_staff("html-manager"))
    response = client.get(reverse("wagtail_guests_personal_data", args=[household.target.pk]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Personal data held about Quillonne Brasmorthe" in html
    for section in get_personal_data():
        if section.in_report:
            assert f'data-personal-data-section="{section.key}"' in html
    assert PEOPLE["target"]["email"] in html
    assert household.other_booking.reference in html
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;<br>second line" in html
    for secret in secrets_of("other"):
        assert secret not in html
    assert ModelLogEntry.objects.get(action="wagtail_guests.personal_data_export").data == {
        "format": "html"
    }


@pytest.mark.parametrize(
    "url_name", ["wagtail_guests_personal_data", "wagtail_guests_personal_data_json"]
)
def test_needs_view_and_export_permissions(household, url_name):
    url = reverse(url_name, args=[household.target.pk])
    viewer = make_staff("viewer", group=None, permissions=["view_guest"])
    outsider = make_staff("outsider", group=None)
    for user in (viewer, outsider):
        client = Client()
        client.force_login(user)
        assert client.get(url).status_code == 403
    assert not ModelLogEntry.objects.filter(action="wagtail_guests.personal_data_export").exists()
    exporter = make_staff("exporter", group=None, permissions=["view_guest", "export_guest"])
    client = Client()
    client.force_login(exporter)
    assert client.get(url).status_code == 200
    anonymous = Client().get(url)
    assert anonymous.status_code == 302  # to the admin login


class LettersData(PersonalData):
    key = "letters"
    label = "Letters"

    def export(self, guest):
        return [{"subject": f"Letter to guest {guest.pk}"}]


def test_a_registered_section_is_exported(household):
    with hooks.register_temporarily(HOOK_NAME, lambda: [LettersData()]):
        report = build_report(household.target)
        client = Client()
        client.force_login(make_staff("letters-manager"))
        url = reverse("wagtail_guests_personal_data", args=[household.target.pk])
        html = client.get(url).content.decode()
    assert report["letters"] == [{"subject": f"Letter to guest {household.target.pk}"}]
    assert f"Letter to guest {household.target.pk}" in html
