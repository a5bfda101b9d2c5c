"""Readable timeline lines, one per activity kind, newest first."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import override

from tests.admin_fixtures import make_booking, make_staff  # noqa: F401
from tests.factories import make_guest, submit_contact
from wagtail_guests.actions import add_tag, record_consent, remove_tag
from wagtail_guests.models import Activity, ActivityKind, Tag
from wagtail_guests.timeline import describe, entries, guest_timeline


@pytest.fixture
def guest(db):
    return make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")


def test_every_kind_has_a_line(guest):
    for kind in ActivityKind:
        line = describe(Activity(guest=guest, kind=kind, payload={}))
        assert line and "%(" not in line, kind


@pytest.mark.parametrize(
    "kind, payload, expected",
    [
        ("booked", {"reference": "GB-AAA", "kind": "stay"}, "Booking GB-AAA created (hotel stay)"),
        (
            "booked",
            {"reference": "GB-AAA", "kind": "table", "companion": True},
            "Added as an additional guest on booking GB-AAA",
        ),
        (
            "booking_changed",
            {"reference": "GB-AAA", "change": "confirm", "from": "requested", "to": "confirmed"},
            "Booking GB-AAA: status changed from requested to confirmed",
        ),
        (
            "booking_changed",
            {"reference": "GB-AAA", "change": "no_show", "from": "confirmed", "to": "no_show"},
            "Booking GB-AAA marked as a no-show",
        ),
        ("imported", {"file": "old.csv"}, "Imported from the file old.csv"),
        (
            "imported",
            {
                "file": "old.csv",
                "differences": ["city"],
                "consents": [{"record": 1, "given": True}, {"record": 2, "given": False}],
                "tags": [{"tag": None, "name": "Sommelier"}, {"tag": None, "name": "Local"}],
            },
            "Imported from the file old.csv; details that differ from the profile: city; "
            "newsletter consent withdrawn; tagged “Sommelier”, “Local”",
        ),
        ("updated", {"fields": ["city", "phone"]}, "Details changed: city, phone"),
        ("consent_given", {"source": "form"}, "Newsletter consent given (form on the website)"),
        ("consent_withdrawn", {"source": "staff"}, "Newsletter consent withdrawn (staff)"),
        ("email_sent", {"subject": "Welcome"}, "Email sent: “Welcome”"),
        ("submitted", {"kind": "booking"}, "Sent a booking request through the website"),
        (
            "submitted",
            {"kind": "contact", "differences": ["phone"]},
            "Sent the contact form on the website; details that differ from the profile: phone",
        ),
        ("unsubscribed", {}, "Unsubscribed from all emails"),
    ],
)
def test_lines(guest, kind, payload, expected):
    assert describe(Activity(guest=guest, kind=kind, payload=payload)) == expected


def test_lines_are_translated(guest):
    activity = Activity(guest=guest, kind="tagged", payload={"tag": None, "name": "VIP"})
    with override("fr"):
        line = describe(activity)
    # The French catalogue may not be compiled yet; the line must at least be built.
    assert "VIP" in line


def test_tag_lines_name_the_tag_in_the_readers_language(guest, db):
    manager = make_staff("manager")
    no_show = Tag.objects.get(preset="no_show")
    add_tag(guest, no_show, user=manager)
    remove_tag(guest, no_show, user=manager)
    lines = [entry.text for entry in entries(Activity.objects.filter(guest=guest))]
    assert lines[:2] == ["Tag “No-show” removed", "Tagged “No-show”"]
    entry = entries(Activity.objects.filter(guest=guest))[0]
    assert entry.user_name == "Manager"


def test_an_imported_line_names_its_tags_in_the_readers_language(guest, db):
    no_show = Tag.objects.get(preset="no_show")
    payload = {"file": "old.csv", "tags": [{"tag": no_show.pk, "name": "No-show"}]}
    activity = Activity.objects.create(guest=guest, kind="imported", payload=payload)
    assert describe(activity) == "Imported from the file old.csv; tagged “No-show”"
    with override("fr"):
        expected = f"Importé depuis le fichier old.csv ; étiquettes ajoutées : « {no_show.label} »"
        assert describe(activity) == expected
    no_show.name = "Absent"  # renamed since the import: the line says its name now
    no_show.save()
    assert entries([activity])[0].text == "Imported from the file old.csv; tagged “Absent”"


def test_timeline_is_newest_first_with_links_to_submissions(guest, db):
    submission = submit_contact(email="zoe@example.com")
    record_consent(guest, given=True, source="staff")
    old = Activity.objects.create(
        guest=guest,
        kind="email_sent",
        payload={"subject": "Old"},
        created_at=timezone.now() - datetime.timedelta(days=30),
    )
    timeline, more = guest_timeline(guest, limit=20)
    assert not more
    times = [entry.time for entry in timeline]
    assert times == sorted(times, reverse=True)
    assert timeline[-1].activity == old
    texts = [entry.text for entry in timeline]
    assert texts[0].startswith("Newsletter consent given")
    submitted = next(e for e in timeline if e.activity.kind == "submitted")
    assert submitted.url == reverse("wagtail_guests_submission", args=[submission.pk])


def test_timeline_is_capped(guest):
    Activity.objects.bulk_create([Activity(guest=guest, kind="email_opened") for _ in range(25)])
    timeline, more = guest_timeline(guest, limit=20)
    assert len(timeline) == 20 and more


def test_timeline_entries_take_a_constant_number_of_queries(guest, django_assert_max_num_queries):
    for tag in Tag.objects.all()[:5]:
        add_tag(guest, tag)
    make_booking(guest)
    with django_assert_max_num_queries(2):
        guest_timeline(guest, limit=50)
