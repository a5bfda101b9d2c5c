"""The data model: what the database itself guarantees, and what models never reveal."""

import datetime
import re
from unittest import mock

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from tests.factories import make_guest, submit_contact
from wagtail_guests.actions import create_booking, record_consent
from wagtail_guests.models import (
    Activity,
    ActivityKind,
    Booking,
    BookingKind,
    ConsentRecord,
    ConsentSource,
    Guest,
)
from wagtail_guests.models.bookings import REFERENCE_ALPHABET
from wagtail_guests.models.consent import AppendOnlyError

pytestmark = pytest.mark.django_db

PERSONAL = ["Zoé", "Lefèvre", "zoe@", "+336", "Lyon"]


def zoe(**details):
    return make_guest(
        first_name="Zoé",
        last_name="Lefèvre",
        email="zoe@example.com",
        phone="06 12 34 56 78",
        city="Lyon",
        **details,
    )


def assert_no_personal_data(text):
    for value in PERSONAL:
        assert value not in text


# Guest -----------------------------------------------------------------------------------------


def test_str_of_a_guest_and_its_records_has_no_personal_data():
    submission = submit_contact(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    guest = submission.guest
    record = record_consent(guest, given=True, source=ConsentSource.FORM, wording="Oui")
    activity = Activity.objects.filter(guest=guest).first()

    assert str(guest) == f"Guest #{guest.pk}"
    for obj in (guest, submission, record, activity):
        assert_no_personal_data(str(obj))


def test_str_of_an_anonymised_guest_says_so():
    guest = zoe()
    guest.anonymised_at = timezone.now()
    guest.save()

    assert str(guest) == f"Anonymised guest #{guest.pk}"
    assert guest.full_name == str(guest)


def test_full_name_shows_the_name():
    assert zoe().full_name == "Zoé Lefèvre"


@pytest.mark.parametrize(
    "second",
    [
        {"first_name": "Marc", "last_name": "Martin", "email": "zoe@example.com"},
        {"first_name": "Marc", "last_name": "Martin", "email": "ZOE@Example.com"},
        {"first_name": "Zoe", "last_name": "LEFEVRE", "phone": "+33612345678"},
        {"first_name": "ZOE", "last_name": "lefevre"},
    ],
    ids=["same-email", "same-email-other-case", "same-phone-and-last-name", "same-name"],
)
def test_the_database_refuses_a_second_guest_with_the_same_identity(second):
    first = {"first_name": "Zoé", "last_name": "Lefèvre"}
    if "email" in second:
        first["email"] = "zoe@example.com"
    if "phone" in second:
        first["phone"] = "+33612345678"
    Guest.objects.create(**first)

    with pytest.raises(IntegrityError), transaction.atomic():
        Guest.objects.create(**second)

    assert Guest.objects.count() == 1


def test_the_database_keeps_people_with_different_identities_apart():
    Guest.objects.create(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    Guest.objects.create(first_name="Zoé", last_name="Lefèvre", phone="+33612345678")
    Guest.objects.create(first_name="Zoé", last_name="Lefèvre")

    assert Guest.objects.count() == 3


def test_clean_reports_a_duplicate_email_on_the_email_field():
    zoe()
    duplicate = Guest(first_name="Marc", last_name="Martin", email="ZOE@example.com")

    with pytest.raises(ValidationError) as excinfo:
        duplicate.full_clean()

    assert excinfo.value.message_dict["email"] == ["Another guest already has these details."]
    assert excinfo.value.error_dict["email"][0].code == "duplicate_guest"


def test_clean_does_not_report_the_guest_itself():
    guest = zoe()
    guest.city = "Paris"

    guest.full_clean()


def test_clean_normalises_a_valid_phone_and_refuses_an_invalid_one():
    guest = Guest(first_name="Zoé", last_name="Lefèvre", phone="06 12 34 56 78")
    guest.full_clean()
    assert guest.phone == "+33612345678"

    guest.phone = "12"
    with pytest.raises(ValidationError) as excinfo:
        guest.full_clean()
    assert "phone" in excinfo.value.message_dict


def test_a_saved_guest_has_its_keys_updated_when_staff_change_the_email():
    guest = zoe()
    guest.email = "zoe.lefevre@example.org"
    guest.save(update_fields=["email"])

    guest.refresh_from_db()
    assert guest.identity_key == "e:zoe.lefevre@example.org"
    assert make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com").pk != guest.pk


def test_the_guest_managers_group_has_the_guest_permissions():
    group = Group.objects.get(name="Guest managers")

    codenames = set(
        group.permissions.filter(content_type__app_label="wagtail_guests").values_list(
            "codename", flat=True
        )
    )
    assert {
        "view_guest",
        "add_guest",
        "change_guest",
        "delete_guest",
        "export_guest",
        "import_guest",
        "anonymise_guest",
    } <= codenames
    assert group.permissions.filter(codename="access_admin").exists()


# Consent records -------------------------------------------------------------------------------


def test_consent_records_cannot_be_changed_or_deleted():
    record = record_consent(zoe(), given=True, source=ConsentSource.FORM, wording="Oui")

    record.given = False
    with pytest.raises(AppendOnlyError):
        record.save()
    with pytest.raises(AppendOnlyError):
        record.delete()

    record.refresh_from_db()
    assert record.given is True


def test_withdrawing_consent_appends_a_record():
    guest = zoe()
    record_consent(guest, given=True, source=ConsentSource.FORM, wording="Oui")
    record_consent(guest, given=False, source=ConsentSource.UNSUBSCRIBE)

    assert list(ConsentRecord.objects.filter(guest=guest).values_list("given", flat=True)) == [
        False,
        True,
    ]
    assert Activity.objects.filter(guest=guest, kind=ActivityKind.CONSENT_WITHDRAWN).exists()


def test_a_guest_with_consent_records_can_still_be_deleted():
    guest = zoe()
    record_consent(guest, given=True, source=ConsentSource.FORM, wording="Oui")

    guest.delete()

    assert not ConsentRecord.objects.exists()


# Bookings --------------------------------------------------------------------------------------


def stay(guest=None, days=2, **fields):
    arrival = timezone.localdate() + datetime.timedelta(days=10)
    return create_booking(
        booker=guest,
        kind=BookingKind.STAY,
        arrival_date=arrival,
        departure_date=arrival + datetime.timedelta(days=days),
        **fields,
    )


def test_booking_references_are_unique_and_easy_to_read_out():
    references = [stay().reference for _ in range(100)]

    assert len(set(references)) == 100
    pattern = re.compile(rf"^GB-[{REFERENCE_ALPHABET}]{{6}}$")
    assert all(pattern.match(reference) for reference in references)
    assert not set("01OIL") & set(REFERENCE_ALPHABET)


def test_a_reference_clash_gets_a_fresh_reference():
    field = Booking._meta.get_field("reference")
    references = iter(["GB-AAAAAA", "GB-AAAAAA", "GB-BBBBBB"])
    with mock.patch.object(field, "_get_default", lambda: next(references)):
        first = stay()
        second = stay()

    assert (first.reference, second.reference) == ("GB-AAAAAA", "GB-BBBBBB")


def test_the_database_refuses_two_bookings_with_the_same_reference():
    booking = stay()

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            reference=booking.reference, kind=BookingKind.TABLE, arrival_date=booking.arrival_date
        )


@pytest.mark.parametrize("days", [0, -1])
def test_the_database_refuses_a_departure_not_after_arrival(days):
    arrival = timezone.localdate()

    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(
            kind=BookingKind.STAY,
            arrival_date=arrival,
            departure_date=arrival + datetime.timedelta(days=days),
        )

    assert not Booking.objects.exists()


def test_a_table_booking_needs_no_departure():
    booking = Booking.objects.create(
        kind=BookingKind.TABLE,
        arrival_date=timezone.localdate(),
        time=datetime.time(20, 30),
        number_of_guests=4,
    )

    assert booking.nights is None


def test_a_booking_outlives_its_guest():
    guest = zoe()
    booking = stay(guest, days=3)

    guest.delete()

    booking.refresh_from_db()
    assert booking.booker is None
    assert booking.nights == 3
