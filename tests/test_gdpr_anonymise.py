"""Anonymisation: what is erased, what is kept, idempotence, permissions, upcoming stays."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import Sum
from django.utils import timezone
from wagtail import hooks
from wagtail.models import ModelLogEntry

from tests.admin_fixtures import make_booking, make_staff
from tests.factories import make_guest, submit_contact
from tests.gdpr_helpers import PEOPLE, make_household, secrets_of
from wagtail_guests.actions.gdpr import (
    GuestHasUpcomingStay,
    anonymise_guest,
    anonymise_guests,
)
from wagtail_guests.gdpr import HOOK_NAME, PersonalData
from wagtail_guests.gdpr.signals import guests_anonymised
from wagtail_guests.models import (
    Activity,
    ActivityKind,
    Booking,
    ConsentRecord,
    Guest,
    GuestTag,
    Submission,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def household():
    return make_household()


@pytest.fixture
def anonymiser(db):
    return make_staff("anonymiser")  # "Guest managers" may anonymise


def _contains_any(text, secrets):
    return [s for s in secrets if s.lower() in str(text).lower()]


def test_guest_details_are_cleared_and_country_kept(household, anonymiser):
    guest = anonymise_guest(household.target, user=anonymiser)
    assert guest.anonymised_at is not None
    for field in ("first_name", "last_name", "email", "phone", "address", "postal_code", "city"):
        assert getattr(guest, field) == "", field
    assert guest.language == ""
    assert guest.identity_key is None and guest.name_key == "" and guest.last_name_key == ""
    assert str(guest.country) == "FR"
    assert str(guest) == f"Anonymised guest #{guest.pk}"
    assert guest.full_name == str(guest)


def test_every_copy_is_erased(household, anonymiser):
    target = household.target
    anonymise_guest(target, user=anonymiser)
    secrets = secrets_of("target")

    for submission in Submission.objects.filter(guest=target):
        assert submission.data == {}
    for activity in Activity.objects.filter(guest=target).exclude(kind=ActivityKind.ANONYMISED):
        assert activity.payload == {}
    assert not GuestTag.objects.filter(guest=target).exists()
    household.target_booking.refresh_from_db()
    assert household.target_booking.notes == ""
    for entry in ModelLogEntry.objects.all():
        assert not _contains_any(f"{entry.label} {entry.data}", secrets), entry.label

    # On the other guest's booking: no link any more, and no trace in its notes or request.
    other_booking = household.other_booking
    other_booking.refresh_from_db()
    assert target not in other_booking.additional_guests.all()
    assert not _contains_any(other_booking.notes, secrets)
    assert "Ophelandra travels with ***" in other_booking.notes
    other_submission = Submission.objects.get(pk=household.other_submission.pk)
    assert other_submission.data["additional_guests"] == []
    assert not _contains_any(other_submission.data, secrets)
    # The timeline lines that pointed at the other guest's booking no longer do.
    assert not Activity.objects.filter(guest=target, booking=other_booking).exists()
    assert not Activity.objects.filter(guest=target, submission=household.other_submission).exists()


def test_other_guest_is_untouched(household, anonymiser):
    other = household.other
    before = {f: getattr(other, f) for f in ("first_name", "last_name", "email", "phone", "city")}
    other_data = dict(Submission.objects.get(pk=household.other_submission.pk).data)
    anonymise_guest(household.target, user=anonymiser)
    other.refresh_from_db()
    assert {f: getattr(other, f) for f in before} == before
    assert other.anonymised_at is None
    data = Submission.objects.get(pk=household.other_submission.pk).data
    assert data["message"] == PEOPLE["other"]["message"]
    assert {k: v for k, v in data.items() if k != "additional_guests"} == {
        k: v for k, v in other_data.items() if k != "additional_guests"
    }
    assert GuestTag.objects.filter(guest=other).exists()
    # The other guest stays on the target's (now anonymous) booking.
    assert other in household.target_booking.additional_guests.all()


def test_booking_statistics_are_kept(household, anonymiser):
    fields = ("arrival_date", "departure_date", "number_of_guests", "room_type", "status", "kind")
    before = list(Booking.objects.order_by("pk").values_list(*fields, "revenue", "rating"))
    revenue = Booking.objects.aggregate(total=Sum("revenue"))["total"]
    anonymise_guest(household.target, user=anonymiser)
    assert list(Booking.objects.order_by("pk").values_list(*fields, "revenue", "rating")) == before
    assert Booking.objects.aggregate(total=Sum("revenue"))["total"] == revenue
    assert Booking.objects.filter(booker=household.target).count() == 1
    assert household.target_booking.nights == 3
    assert Submission.objects.filter(guest=household.target).count() == 1


def test_consent_records_are_kept_unchanged(household, anonymiser):
    before = list(ConsentRecord.objects.filter(guest=household.target).values())
    assert before
    anonymise_guest(household.target, user=anonymiser)
    assert list(ConsentRecord.objects.filter(guest=household.target).values()) == before
    for record in before:
        assert not _contains_any(record, secrets_of("target"))


def test_consent_noted_by_staff_keeps_the_proof_not_the_name(household, anonymiser):
    """Append-only proof stays; only a name, email or phone typed into it by staff goes."""
    from wagtail_guests.actions import record_consent
    from wagtail_guests.actions.staff import record_staff_consent

    person = PEOPLE["target"]
    noted = record_staff_consent(
        household.target,
        given=False,
        user=anonymiser,
        wording=f"{person['first_name']} {person['last_name']} said no by phone, {person['phone']}",
    )
    imported = record_consent(
        household.target,
        given=True,
        source="import",
        wording="Newsletter: yes",
        import_filename=f"{person['last_name']} {person['first_name']}.csv",
    )
    others = list(ConsentRecord.objects.exclude(pk__in=[noted.pk, imported.pk]).values())
    anonymise_guest(household.target, user=anonymiser)
    noted.refresh_from_db()
    assert noted.wording == "*** said no by phone, ***"
    assert (noted.given, noted.source, noted.user) == (False, "staff", anonymiser)
    imported.refresh_from_db()
    assert (imported.import_filename, imported.wording) == ("***.csv", "Newsletter: yes")
    assert list(ConsentRecord.objects.exclude(pk__in=[noted.pk, imported.pk]).values()) == others


def test_anonymised_activity_and_audit_log(household, anonymiser):
    guest = anonymise_guest(household.target, user=anonymiser)
    activity = Activity.objects.get(guest=guest, kind=ActivityKind.ANONYMISED)
    assert activity.payload == {} and activity.user == anonymiser
    entry = ModelLogEntry.objects.get(action="wagtail_guests.anonymise", object_id=str(guest.pk))
    assert entry.label == f"Anonymised guest #{guest.pk}"
    assert entry.data == {"reason": "request"}
    assert entry.user_id == anonymiser.pk
    # Earlier entries about the guest keep their action and time, not their details.
    edits = ModelLogEntry.objects.for_instance(guest).filter(action="wagtail.edit")
    assert edits.count() == 2
    assert {e.label for e in edits} == {f"Anonymised guest #{guest.pk}"}
    assert all(e.data == {} for e in edits)
    submission_entry = ModelLogEntry.objects.for_instance(household.target_submission).get()
    assert submission_entry.label == f"Submission #{household.target_submission.pk}"


def test_a_later_submission_creates_a_new_guest(household, anonymiser):
    old = anonymise_guest(household.target, user=anonymiser)
    person = PEOPLE["target"]
    submission = submit_contact(
        first_name=person["first_name"], last_name=person["last_name"], email=person["email"]
    )
    assert submission.guest.pk != old.pk
    assert submission.guest.email == person["email"]
    old.refresh_from_db()
    assert old.email == "" and old.submissions.count() == 1


def test_anonymising_twice_is_harmless(household, anonymiser):
    guest = anonymise_guest(household.target, user=anonymiser)
    first_time = guest.anonymised_at
    result = anonymise_guests([guest.pk], user=anonymiser)
    assert result.anonymised == [] and result.already == [guest.pk]
    guest.refresh_from_db()
    assert guest.anonymised_at == first_time
    assert Activity.objects.filter(guest=guest, kind=ActivityKind.ANONYMISED).count() == 1
    entry = ModelLogEntry.objects.get(action="wagtail_guests.anonymise")
    assert entry.data == {"reason": "request"}  # our own entries keep their codes


def test_needs_the_anonymise_permission(household):
    clerk = make_staff("clerk", group=None, permissions=["view_guest", "change_guest"])
    with pytest.raises(PermissionDenied):
        anonymise_guest(household.target, user=clerk)
    with pytest.raises(PermissionDenied):
        anonymise_guests([household.target.pk], user=clerk)
    household.target.refresh_from_db()
    assert household.target.anonymised_at is None


def test_an_upcoming_or_current_stay_prevents_it(anonymiser):
    guest = make_guest(first_name="Ulrik", last_name="Soonstay", email="ulrik@zz-example.test")
    make_booking(guest, days=5)
    with pytest.raises(GuestHasUpcomingStay) as refused:
        anonymise_guest(guest, user=anonymiser)
    assert len(refused.value.bookings) == 1
    current = make_guest(first_name="Carla", last_name="Nowstay", email="carla@zz-example.test")
    make_booking(current, days=-1, nights=3, companions=[])
    cancelled = make_guest(first_name="Kim", last_name="Cancel", email="kim@zz-example.test")
    make_booking(cancelled, days=5, status="cancelled")
    result = anonymise_guests([guest.pk, current.pk, cancelled.pk], user=anonymiser)
    assert sorted(result.upcoming) == sorted([guest.pk, current.pk])
    assert result.anonymised == [cancelled.pk]
    guest.refresh_from_db()
    assert guest.email == "ulrik@zz-example.test"


def test_bulk_anonymise_is_set_based(anonymiser, django_assert_max_num_queries):
    guests = [
        make_guest(first_name=f"Bulk{i}", last_name="Person", email=f"bulk{i}@zz-example.test")
        for i in range(60)
    ]
    for guest in guests[:30]:
        submit_contact(first_name=guest.first_name, last_name="Person", email=guest.email)
        make_booking(guest, days=-100, notes=f"Notes about {guest.first_name}")
    ids = [g.pk for g in guests] + [999_999]
    with django_assert_max_num_queries(40):
        result = anonymise_guests(ids, user=anonymiser)
    assert sorted(result.anonymised) == sorted(g.pk for g in guests)
    assert result.skipped == [999_999]
    assert not Guest.objects.filter(pk__in=ids, anonymised_at__isnull=True).exists()
    assert not Booking.objects.exclude(notes="").exists()


def test_signal_after_commit(household, anonymiser, django_capture_on_commit_callbacks):
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    guests_anonymised.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            anonymise_guest(household.target, user=anonymiser)
    finally:
        guests_anonymised.disconnect(receiver)
    assert received == [
        {
            "signal": guests_anonymised,
            "guest_ids": [household.target.pk],
            "user": anonymiser,
            "reason": "request",
        }
    ]


def test_search_index_entries_are_removed_if_guests_are_indexed(monkeypatch, anonymiser):
    from wagtail.search import index

    removed = []
    monkeypatch.setattr(index, "class_is_indexed", lambda cls: cls is Guest)
    monkeypatch.setattr(index, "remove_object", lambda obj: removed.append(obj.pk))
    guest = make_guest(email="indexed@zz-example.test")
    anonymise_guest(guest, user=anonymiser)
    assert removed == [guest.pk]


class NotebookData(PersonalData):
    """A section a later feature (emails) or a site registers through the hook."""

    key = "notebook"
    label = "Notebook"
    erased = []

    def export(self, guest):
        return [{"note": "about this guest"}]

    def erase(self, guests):
        # Runs before the guest's own row is cleared: the details are still readable.
        NotebookData.erased.extend((g.pk, g.email) for g in guests)


def test_registered_sections_are_erased(anonymiser):
    guest = make_guest(email="notebook@zz-example.test")
    NotebookData.erased = []
    with hooks.register_temporarily(HOOK_NAME, lambda: NotebookData()):
        anonymise_guest(guest, user=anonymiser)
    assert NotebookData.erased == [(guest.pk, "notebook@zz-example.test")]


def test_the_retention_purge_may_run_without_a_user():
    guest = make_guest(email="nouser@zz-example.test")
    guest.first_contact_at = timezone.now() - datetime.timedelta(days=10)
    result = anonymise_guests([guest.pk], user=None, reason="retention")
    assert result.anonymised == [guest.pk]
    entry = ModelLogEntry.objects.get(action="wagtail_guests.anonymise")
    assert entry.user is None and entry.data == {"reason": "retention"}
