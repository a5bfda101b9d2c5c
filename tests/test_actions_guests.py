"""The guest-writing actions every door calls: ``match_or_create_guest`` and ``record_submission``.

What a match does to an existing guest (fill, never overwrite, report differences), anonymised
guests, permissions, and a submission recorded all or nothing.
"""

import datetime
from unittest import mock

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import make_guest, submit_contact
from wagtail_guests.actions import match_or_create_guest, record_submission
from wagtail_guests.models import (
    Activity,
    ActivityKind,
    Booking,
    BookingKind,
    ConsentRecord,
    Guest,
    GuestSource,
    NewsletterConsent,
    Submission,
    SubmissionKind,
)

pytestmark = pytest.mark.django_db


def staff_guest(**details):
    """A guest as staff typed it in the admin."""
    details = {
        "first_name": "Élodie",
        "last_name": "Dupré",
        "email": "elodie@example.com",
        "city": "Lyon",
        **details,
    }
    return make_guest(source=GuestSource.MANUAL, **details)


# Filling and differences -----------------------------------------------------------------------


def test_a_match_fills_empty_fields():
    guest = staff_guest()

    result = match_or_create_guest(
        {
            "first_name": "Élodie",
            "last_name": "Dupré",
            "email": "ELODIE@example.com",
            "phone": "06 12 34 56 78",
            "postal_code": "69001",
        },
        source=GuestSource.FORM,
    )

    assert result.guest.pk == guest.pk
    assert not result.created
    assert sorted(result.filled) == ["phone", "postal_code"]
    guest.refresh_from_db()
    assert guest.phone == "+33612345678"
    assert guest.postal_code == "69001"


def test_a_match_never_overwrites_what_staff_entered_and_reports_differences():
    guest = staff_guest()

    result = match_or_create_guest(
        {
            "first_name": "Lodie",
            "last_name": "Dupont",
            "email": "elodie@example.com",
            "city": "Paris",
        },
        source=GuestSource.FORM,
    )

    assert result.guest.pk == guest.pk
    assert result.filled == []
    assert sorted(result.differences) == ["city", "first_name", "last_name"]
    guest.refresh_from_db()
    assert (guest.first_name, guest.last_name, guest.city) == ("Élodie", "Dupré", "Lyon")
    assert guest.email == "elodie@example.com"
    assert guest.source == GuestSource.MANUAL


def test_the_same_value_written_differently_is_not_a_difference():
    staff_guest(phone="+33612345678")

    result = match_or_create_guest(
        {
            "first_name": "ELODIE",
            "last_name": "dupre",
            "email": " Elodie@Example.com ",
            "phone": "06 12 34 56 78",
            "city": "Lyon ",
        },
        source=GuestSource.FORM,
    )

    assert result.differences == []
    assert result.filled == []


def test_differences_stay_visible_in_the_submission():
    guest = staff_guest()

    submission = submit_contact(
        first_name="Élodie", last_name="Dupré", email="elodie@example.com", city="Paris"
    )

    assert submission.guest.pk == guest.pk
    assert submission.data["city"] == "Paris"
    guest.refresh_from_db()
    assert guest.city == "Lyon"
    activity = Activity.objects.get(submission=submission, kind=ActivityKind.SUBMITTED)
    assert activity.payload["differences"] == ["city"]
    assert activity.payload["new_guest"] is False


def test_unknown_fields_are_ignored():
    result = match_or_create_guest(
        {"first_name": "Élodie", "last_name": "Dupré", "identity_key": "e:x", "anonymised_at": "x"},
        source=GuestSource.FORM,
    )

    result.guest.refresh_from_db()
    assert result.guest.identity_key == "n:elodie|dupre"
    assert result.guest.anonymised_at is None


def test_a_new_guest_records_its_source_and_first_contact():
    when = timezone.now() - datetime.timedelta(days=400)

    guest = match_or_create_guest(
        {"first_name": "Élodie", "last_name": "Dupré"},
        source=GuestSource.IMPORT,
        first_contact_at=when,
    ).guest

    guest.refresh_from_db()
    assert guest.source == GuestSource.IMPORT
    assert guest.first_contact_at == when


# Anonymised guests -----------------------------------------------------------------------------


def test_anonymising_clears_the_identity_key():
    guest = staff_guest()

    guest.anonymised_at = timezone.now()
    guest.save()

    guest.refresh_from_db()
    assert guest.identity_key is None


def test_anonymised_guests_are_never_matched():
    old = staff_guest(phone="0612345678")
    old.anonymised_at = timezone.now()
    old.save()

    by_email = match_or_create_guest(
        {"first_name": "Élodie", "last_name": "Dupré", "email": "elodie@example.com"},
        source=GuestSource.FORM,
    )
    by_phone = match_or_create_guest(
        {"first_name": "Élodie", "last_name": "Dupré", "phone": "0612345678"},
        source=GuestSource.FORM,
    )

    assert by_email.created and by_email.guest.pk != old.pk
    assert by_phone.created and by_phone.guest.pk != old.pk


def test_two_anonymised_guests_with_the_same_details_can_coexist():
    for _ in range(2):
        guest = staff_guest()
        guest.anonymised_at = timezone.now()
        guest.save()

    assert Guest.objects.filter(anonymised_at__isnull=False).count() == 2


# Permissions -----------------------------------------------------------------------------------


def test_staff_without_add_permission_cannot_create_guests(django_user_model):
    user = django_user_model.objects.create_user("reception", password="x")

    with pytest.raises(PermissionDenied):
        match_or_create_guest(
            {"first_name": "Élodie", "last_name": "Dupré"}, source=GuestSource.MANUAL, user=user
        )
    assert not Guest.objects.exists()


def test_staff_with_add_permission_creates_a_guest_with_a_timeline_entry(django_user_model):
    user = django_user_model.objects.create_user("reception", password="x")
    user.user_permissions.add(Permission.objects.get(codename="add_guest"))

    guest = match_or_create_guest(
        {"first_name": "Élodie", "last_name": "Dupré"}, source=GuestSource.MANUAL, user=user
    ).guest

    assert Activity.objects.filter(guest=guest, kind=ActivityKind.CREATED, user=user).exists()


# record_submission -----------------------------------------------------------------------------


def book_a_stay(**kwargs):
    arrival = timezone.localdate() + datetime.timedelta(days=30)
    params = {
        "kind": SubmissionKind.BOOKING,
        "guest_details": {
            "first_name": "Élodie",
            "last_name": "Dupré",
            "email": "elodie@example.com",
        },
        "data": {"first_name": "Élodie", "arrival_date": arrival.isoformat()},
        "booking_details": {
            "kind": BookingKind.STAY,
            "arrival_date": arrival,
            "departure_date": arrival + datetime.timedelta(days=3),
            "number_of_guests": 2,
        },
        "consent_wording": "I would like to receive news and offers by email.",
        "language": "fr",
        **kwargs,
    }
    return record_submission(**params)


def test_record_submission_creates_guest_booking_consent_and_timeline():
    submission = book_a_stay(
        additional_guests=[
            {"first_name": "Marc", "last_name": "Dupré", "email": "marc@example.com"}
        ]
    )

    guest = submission.guest
    assert Guest.objects.count() == 2
    assert submission.kind == SubmissionKind.BOOKING
    assert submission.data["first_name"] == "Élodie"
    booking = submission.booking
    assert booking.booker == guest
    assert booking.nights == 3
    assert [g.email for g in booking.additional_guests.all()] == ["marc@example.com"]

    record = ConsentRecord.objects.get(guest=guest)
    assert record.given
    assert record.wording == "I would like to receive news and offers by email."
    assert record.language == "fr"
    guest.refresh_from_db()
    assert guest.newsletter_consent == NewsletterConsent.GIVEN

    kinds = set(Activity.objects.filter(guest=guest).values_list("kind", flat=True))
    assert kinds == {ActivityKind.SUBMITTED, ActivityKind.BOOKED, ActivityKind.CONSENT_GIVEN}
    assert Activity.objects.filter(
        guest__email="marc@example.com", kind=ActivityKind.BOOKED
    ).exists()
    assert set(Activity.objects.filter(guest=guest).values_list("submission", flat=True)) == {
        submission.pk
    }


def test_without_the_consent_box_ticked_no_consent_is_recorded():
    submission = book_a_stay(consent_wording=None)

    assert not ConsentRecord.objects.exists()
    submission.guest.refresh_from_db()
    assert submission.guest.newsletter_consent == NewsletterConsent.UNKNOWN


def test_the_booker_named_again_as_additional_guest_is_not_a_companion():
    submission = book_a_stay(
        additional_guests=[
            {"first_name": "Élodie", "last_name": "Dupré", "email": "ELODIE@example.com"}
        ]
    )

    assert Guest.objects.count() == 1
    assert not submission.booking.additional_guests.exists()


def test_each_submission_keeps_its_own_timeline_entry():
    first = submit_contact(email="elodie@example.com")
    second = submit_contact(first_name="Marc", email="marc@example.com")

    def submitted(submission):
        return Activity.objects.get(guest=submission.guest, kind=ActivityKind.SUBMITTED)

    assert submitted(first).submission_id == first.pk
    assert submitted(second).submission_id == second.pk


@pytest.mark.parametrize(
    "target",
    [
        "wagtail_guests.actions.submissions.record_consent",
        "wagtail_guests.actions.submissions.create_booking",
        "wagtail_guests.actions.submissions.Submission.objects.create",
    ],
)
def test_a_failure_midway_leaves_nothing_behind(target):
    with mock.patch(target, side_effect=RuntimeError("boom")), pytest.raises(RuntimeError):
        book_a_stay(
            additional_guests=[
                {"first_name": "Marc", "last_name": "Dupré", "email": "marc@example.com"}
            ]
        )

    assert not Guest.objects.exists()
    assert not Booking.objects.exists()
    assert not Submission.objects.exists()
    assert not ConsentRecord.objects.exists()
    assert not Activity.objects.exists()


def test_a_failure_midway_does_not_touch_an_existing_guest():
    guest = staff_guest(phone="")

    with (
        mock.patch(
            "wagtail_guests.actions.submissions.record_consent", side_effect=RuntimeError("boom")
        ),
        pytest.raises(RuntimeError),
    ):
        book_a_stay(
            guest_details={
                "first_name": "Élodie",
                "last_name": "Dupré",
                "email": "elodie@example.com",
                "phone": "0612345678",
            }
        )

    guest.refresh_from_db()
    assert guest.phone == ""
    assert not Submission.objects.exists()


def test_a_booking_with_departure_before_arrival_records_nothing():
    arrival = timezone.localdate() + datetime.timedelta(days=30)

    with pytest.raises(IntegrityError), transaction.atomic():
        book_a_stay(
            booking_details={
                "kind": BookingKind.STAY,
                "arrival_date": arrival,
                "departure_date": arrival - datetime.timedelta(days=1),
            }
        )

    assert not Guest.objects.exists()
    assert not Submission.objects.exists()
