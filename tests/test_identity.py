"""The identity rule: when are two sets of details the same guest?

Normalisation first (pure functions), then the three rules and their order, exercised through
``match_or_create_guest`` — the action every door (form block, import, admin) calls.
"""

import pytest
from django.test import override_settings

from tests.factories import make_guest
from wagtail_guests.actions import match_or_create_guest
from wagtail_guests.identity import (
    Identity,
    find_guest,
    normalise_email,
    normalise_name,
    normalise_phone,
)
from wagtail_guests.models import Guest

# Normalisation ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        "élodie@example.com",
        "ÉLODIE@Example.COM ",
        "  Élodie@EXAMPLE.com\n",
        "E\u0301LODIE@example.com",  # "É" typed as E + combining acute accent
    ],
)
def test_email_is_trimmed_case_folded_and_unicode_normalised(raw):
    assert normalise_email(raw) == "élodie@example.com"


def test_email_case_folding_is_unicode_aware():
    assert normalise_email("STRASSE@example.de") == normalise_email("straße@example.de")


@pytest.mark.parametrize("raw", ["", "   ", None])
def test_missing_email_normalises_to_empty(raw):
    assert normalise_email(raw) == ""


@pytest.mark.parametrize(
    "raw",
    ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "+33612345678", "06.12.34.56.78"],
)
def test_french_phone_formats_give_the_same_e164_number(raw):
    assert normalise_phone(raw) == "+33612345678"


def test_phone_without_prefix_is_read_in_the_given_region():
    assert normalise_phone("020 7946 0018", "GB") == "+442079460018"


@override_settings(WAGTAIL_GUESTS_DEFAULT_PHONE_REGION="BE")
def test_phone_without_prefix_is_read_in_the_default_region_setting():
    assert normalise_phone("0470 12 34 56") == "+32470123456"


@pytest.mark.parametrize("raw", ["12", "06 12", "not a number", "+33 1", "", "   ", None])
def test_invalid_phone_normalises_to_empty(raw):
    assert normalise_phone(raw) == ""


@pytest.mark.parametrize(
    "raw",
    [
        "Élodie  DUPRÉ",
        "elodie dupre",
        " Elodie Dupre ",
        "ÉLODIE\tdupré",
        "E\u0301lodie Dupre\u0301",
    ],
)
def test_names_compare_without_accents_case_or_extra_spaces(raw):
    assert normalise_name(raw) == "elodie dupre"


def test_different_names_stay_different():
    assert normalise_name("Élodie Dupré") != normalise_name("Élodie Duprez")


# Which rule applies ----------------------------------------------------------------------------


def test_email_rule_applies_whenever_there_is_an_email():
    identity = Identity.of(email="A@example.com", phone="0612345678", last_name="Dupré")
    assert identity.rule == "email"
    assert identity.key == "e:a@example.com"


def test_phone_rule_applies_without_email():
    identity = Identity.of(phone="06 12 34 56 78", first_name="Élodie", last_name="DUPRÉ")
    assert identity.rule == "phone"
    assert identity.key == "p:+33612345678:dupre"


def test_name_rule_applies_without_email_or_valid_phone():
    identity = Identity.of(phone="12", first_name="Élodie", last_name="DUPRÉ")
    assert identity.rule == "name"
    assert identity.key == "n:elodie|dupre"


# The rules through the action ------------------------------------------------------------------


def match(**details):
    details.setdefault("first_name", "Élodie")
    details.setdefault("last_name", "Dupré")
    return match_or_create_guest(details, source="form")


@pytest.mark.django_db
class TestEmailRule:
    def test_same_email_in_any_case_or_spacing_is_the_same_guest(self):
        first = match(email="elodie@example.com")
        second = match(email="  ELODIE@Example.COM ")

        assert first.created and not second.created
        assert second.guest.pk == first.guest.pk
        assert Guest.objects.count() == 1

    def test_same_email_matches_even_with_another_name_and_phone(self):
        guest = match(email="elodie@example.com", phone="06 12 34 56 78").guest

        result = match(
            email="elodie@example.com", first_name="Lodie", last_name="Martin", phone="0699999999"
        )

        assert result.guest.pk == guest.pk

    def test_email_beats_phone(self):
        by_email = match(email="elodie@example.com", last_name="Dupré").guest
        by_phone = match(phone="06 12 34 56 78", last_name="Dupré").guest
        assert by_email.pk != by_phone.pk

        result = match(email="ELODIE@example.com", phone="+33 6 12 34 56 78", last_name="Dupré")

        assert result.guest.pk == by_email.pk

    def test_different_emails_are_different_guests_even_with_the_same_name_and_phone(self):
        one = match(email="elodie@example.com", phone="0612345678").guest
        other = match(email="elodie.dupre@example.org", phone="0612345678").guest

        assert one.pk != other.pk


@pytest.mark.django_db
class TestPhoneRule:
    @pytest.mark.parametrize("phone", ["+33 6 12 34 56 78", "0033612345678", "+33612345678"])
    def test_same_phone_and_last_name_without_email_is_the_same_guest(self, phone):
        guest = match(phone="06 12 34 56 78", first_name="Élodie", last_name="Dupré").guest

        result = match(phone=phone, first_name="Marie", last_name="DUPRE")

        assert not result.created
        assert result.guest.pk == guest.pk
        assert Guest.objects.count() == 1

    def test_phone_matches_a_guest_who_also_has_an_email(self):
        guest = make_guest(
            first_name="Élodie", last_name="Dupré", email="elodie@example.com", phone="0612345678"
        )

        result = match(phone="+33 6 12 34 56 78", last_name="dupré")

        assert result.guest.pk == guest.pk

    def test_same_phone_with_another_last_name_is_another_guest(self):
        guest = match(phone="06 12 34 56 78", last_name="Dupré").guest

        result = match(phone="06 12 34 56 78", last_name="Martin")

        assert result.created
        assert result.guest.pk != guest.pk

    def test_phone_and_last_name_do_not_match_a_guest_with_another_phone(self):
        guest = match(phone="06 12 34 56 78").guest

        result = match(phone="06 12 34 56 79")

        assert result.guest.pk != guest.pk

    def test_phone_is_stored_in_e164(self):
        guest = match(phone="06 12 34 56 78").guest
        guest.refresh_from_db()
        assert guest.phone == "+33612345678"

    def test_phone_is_read_in_the_guests_country(self):
        guest = match(phone="020 7946 0018", country="GB").guest
        guest.refresh_from_db()
        assert guest.phone == "+442079460018"


@pytest.mark.django_db
class TestNameRule:
    def test_same_name_without_contact_details_is_the_same_guest(self):
        guest = match(first_name="Élodie", last_name="DUPRÉ").guest

        result = match(first_name="elodie", last_name="  dupre ")

        assert not result.created
        assert result.guest.pk == guest.pk

    def test_name_alone_never_matches_a_guest_with_an_email(self):
        guest = match(first_name="Élodie", last_name="Dupré", email="elodie@example.com").guest

        result = match(first_name="Élodie", last_name="Dupré")

        assert result.created
        assert result.guest.pk != guest.pk

    def test_name_alone_never_matches_a_guest_with_a_phone(self):
        guest = match(first_name="Élodie", last_name="Dupré", phone="0612345678").guest

        result = match(first_name="Élodie", last_name="Dupré")

        assert result.created
        assert result.guest.pk != guest.pk

    def test_a_new_email_does_not_match_a_guest_known_by_name_only(self):
        guest = match(first_name="Élodie", last_name="Dupré").guest

        result = match(first_name="Élodie", last_name="Dupré", email="elodie@example.com")

        assert result.created
        assert result.guest.pk != guest.pk

    def test_different_first_names_are_different_guests(self):
        one = match(first_name="Élodie", last_name="Dupré").guest
        other = match(first_name="Émilie", last_name="Dupré").guest

        assert one.pk != other.pk

    def test_an_invalid_phone_falls_back_to_the_name_rule(self):
        guest = match(first_name="Élodie", last_name="Dupré").guest

        assert find_guest(Identity.of(phone="12", first_name="ELODIE", last_name="dupré")) == guest


@pytest.mark.django_db
def test_find_guest_returns_none_for_an_unknown_person():
    match(email="elodie@example.com")

    assert find_guest(Identity.of(email="someone.else@example.com")) is None
