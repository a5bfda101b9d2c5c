"""The contact and booking blocks as a visitor uses them: render, submit, errors, success."""

import re
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone
from wagtail.blocks import CharBlock, ListBlock, StreamBlock, StructBlock
from wagtail.models import PageViewRestriction

from tests.form_helpers import (
    CONSENT,
    CONTACT_ID,
    STAY_ID,
    TABLE_ID,
    booking_block,
    contact_block,
    contact_data,
    future,
    make_form_page,
    stay_data,
    table_block,
    table_data,
)
from wagtail_guests.blocks import BookingFormBlock, ContactFormBlock
from wagtail_guests.forms import GuestFormBuilder
from wagtail_guests.models import Booking, ConsentRecord, Guest, Submission
from wagtail_guests.submit import collect_form_blocks


@pytest.fixture
def page(site_root):
    return make_form_page(site_root, contact_block(), booking_block(), table_block())


def html(response):
    return response.content.decode()


def section(response, block_id):
    """The HTML of one block (its <section>), to check that blocks do not leak into others."""
    match = re.search(
        rf'<section[^>]*id="guests-form-{block_id}".*?</section>', html(response), re.S
    )
    assert match, f"block {block_id} not rendered"
    return re.sub(r"\s+", " ", match[0])


def nothing_stored():
    return not (Guest.objects.exists() or Submission.objects.exists() or Booking.objects.exists())


# Rendering --------------------------------------------------------------------------------------


def test_get_renders_each_form_with_labels(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    contact = section(response, CONTACT_ID)
    assert "Write to us" in contact
    assert f'<label for="id_guests-{CONTACT_ID}-first_name"' in contact
    assert f'name="guests-{CONTACT_ID}-email"' in contact
    assert f'<input type="hidden" name="guests-block" value="{CONTACT_ID}">' in contact
    assert "csrfmiddlewaretoken" in contact
    assert CONSENT in contact
    assert 'type="checkbox"' in contact and "checked" not in contact
    stay = section(response, STAY_ID)
    assert f'name="guests-{STAY_ID}-arrival_date"' in stay
    assert "Garden suite" in stay
    assert f'name="guests-{STAY_ID}-additional_2_last_name"' in stay
    assert f'name="guests-{STAY_ID}-additional_3_last_name"' not in stay
    table = section(response, TABLE_ID)
    assert f'name="guests-{TABLE_ID}-time"' in table
    assert f'name="guests-{TABLE_ID}-room_type"' not in table


def test_optional_fields_follow_the_block_settings(client, site_root):
    page = make_form_page(site_root, contact_block(fields=[], consent_text=""))
    contact = section(client.get(page.url), CONTACT_ID)
    for name in ("phone", "message", "country", "address", "language", "consent"):
        assert f"-{name}" not in contact.replace("-first_name", "").replace("-last_name", "")
    assert f'name="guests-{CONTACT_ID}-first_name"' in contact


def test_language_defaults_to_the_visitors_language(client, page):
    response = client.get(page.url, headers={"accept-language": "fr"})
    assert '<html lang="fr">' in html(response)
    assert '<option value="fr" selected>' in section(response, CONTACT_ID)


def test_preview_renders_the_form_disabled(rf, site_root):
    block = ContactFormBlock()
    value = block.to_python(contact_block()["value"])
    rendered = block.render(value, context={"request": rf.get("/")})
    assert "<fieldset disabled>" in rendered
    assert "published page" in rendered
    assert "guests-block" not in rendered


def test_blocks_nested_in_structs_and_lists_get_ids():
    stream = StreamBlock(
        [
            ("section", StructBlock([("title", CharBlock()), ("form", ContactFormBlock())])),
            ("forms", ListBlock(BookingFormBlock())),
            ("text", CharBlock()),
        ]
    )
    form_value = contact_block()["value"]
    value = stream.to_python(
        [
            {"type": "text", "value": "Hello", "id": "t1"},
            {"type": "section", "value": {"title": "A", "form": form_value}, "id": "s1"},
            {
                "type": "forms",
                "value": [{"type": "item", "value": {"kind": "table"}, "id": "l1"}],
                "id": "f1",
            },
        ]
    )
    found = collect_form_blocks(stream, value)
    assert len(found) == 2 and "l1" in found
    nested_id = next(key for key in found if key != "l1")
    assert len(nested_id) == 36  # a stable UUID derived from the section's id
    assert collect_form_blocks(stream, value).keys() == found.keys()
    block, form_value = found[nested_id]
    assert isinstance(block, ContactFormBlock)
    assert form_value.guests_block_id == nested_id


# A valid submission ------------------------------------------------------------------------------


def test_valid_contact_submission_redirects_and_shows_the_success_message(client, page):
    data = contact_data(phone="06 12 34 56 78", consent="on", message="A quiet room?")
    response = client.post(page.url, data)
    assert response.status_code == 303
    assert response["Location"] == (f"{page.url}?guests-sent={CONTACT_ID}#guests-form-{CONTACT_ID}")
    response = client.get(response["Location"])
    contact = section(response, CONTACT_ID)
    assert "Thank you, we will reply soon." in contact
    assert "<form" not in contact
    assert "<form" in section(response, STAY_ID)

    guest = Guest.objects.get()
    assert (guest.first_name, guest.last_name, guest.email) == ("Zoé", "Lefèvre", "zoe@example.com")
    assert guest.phone == "+33612345678"
    assert guest.source == "form"
    submission = Submission.objects.get()
    assert submission.guest == guest and submission.booking is None
    assert submission.page_id == page.pk and submission.block_id == CONTACT_ID
    assert submission.kind == "contact"
    assert submission.data == {
        "first_name": "Zoé",
        "last_name": "Lefèvre",
        "email": "zoe@example.com",
        "phone": "+33612345678",
        "language": "en",
        "message": "A quiet room?",
        "consent": True,
    }
    consent = ConsentRecord.objects.get()
    assert consent.guest == guest and consent.given
    assert consent.wording == CONSENT
    assert consent.block_id == CONTACT_ID
    assert not Booking.objects.exists()


def test_unticked_consent_records_no_consent(client, page):
    client.post(page.url, contact_data())
    assert Submission.objects.get().data["consent"] is False
    assert not ConsentRecord.objects.exists()
    assert Guest.objects.get().newsletter_consent == "unknown"


def test_second_submission_with_same_email_in_other_case_matches_the_guest(client, page):
    client.post(page.url, contact_data())
    client.post(page.url, contact_data(email="  ZOE@Example.COM ", first_name="Zoe"))
    guest = Guest.objects.get()
    assert guest.submissions.count() == 2
    assert guest.first_name == "Zoé"  # never overwritten


def test_stay_booking_links_additional_guests(client, page):
    data = stay_data(
        room_type="Garden suite",
        number_of_guests="3",
        additional_1_first_name="Jules",
        additional_1_last_name="Lefèvre",
        additional_2_first_name="Anna",
        additional_2_last_name="Berg",
        additional_2_email="anna@example.com",
    )
    response = client.post(page.url, data)
    assert response.status_code == 303
    booking = Booking.objects.get()
    assert booking.kind == "stay"
    assert booking.arrival_date.isoformat() == future(10)
    assert booking.departure_date.isoformat() == future(13)
    assert (booking.number_of_guests, booking.room_type) == (3, "Garden suite")
    assert booking.booker.email == "zoe@example.com"
    companions = sorted(booking.additional_guests.values_list("first_name", "email"))
    assert companions == [("Anna", "anna@example.com"), ("Jules", "")]
    assert Guest.objects.count() == 3
    submission = Submission.objects.get()
    assert submission.booking == booking and submission.kind == "booking"
    assert submission.data["additional_guests"] == [
        {"first_name": "Jules", "last_name": "Lefèvre"},
        {"first_name": "Anna", "last_name": "Berg", "email": "anna@example.com"},
    ]
    assert "Your booking request has been received." in html(client.get(response["Location"]))


def test_table_booking(client, page):
    response = client.post(page.url, table_data())
    assert response.status_code == 303
    booking = Booking.objects.get()
    assert booking.kind == "table"
    assert booking.arrival_date.isoformat() == future(3)
    assert booking.time.strftime("%H:%M") == "19:30"
    assert booking.number_of_guests == 4
    assert Submission.objects.get().data["time"] == "19:30:00"


# Errors --------------------------------------------------------------------------------------


def test_invalid_input_rerenders_in_place_with_input_kept(client, page):
    response = client.post(page.url, contact_data(email="not-an-email", message="Hello there"))
    assert response.status_code == 200
    contact = section(response, CONTACT_ID)
    assert "Please correct the errors below." in contact
    assert "Enter a valid email address." in contact
    assert 'value="not-an-email"' in contact
    assert 'value="Zoé"' in contact
    assert "Hello there" in contact
    assert 'aria-invalid="true"' in contact
    assert nothing_stored()


def test_two_blocks_on_one_page_are_independent(client, page):
    response = client.post(page.url, contact_data(email="bad"))
    stay = section(response, STAY_ID)
    assert "Please correct" not in stay and "is-invalid" not in stay
    assert "Zoé" not in stay
    assert f'name="guests-{STAY_ID}-first_name"' in stay

    # The same field names in another block's prefix are ignored by this one.
    data = {**stay_data(), **{k: v for k, v in contact_data().items() if k != "guests-block"}}
    response = client.post(page.url, data)
    assert response.status_code == 303
    assert Submission.objects.get().kind == "booking"


def test_visitor_input_is_escaped(client, page):
    response = client.post(page.url, contact_data(first_name="<script>x</script>", email="bad"))
    assert "<script>x</script>" not in html(response)
    assert "&lt;script&gt;x&lt;/script&gt;" in html(response)


def test_unknown_block_id_just_renders_the_page(client, page):
    response = client.post(page.url, contact_data(block_id="not-a-block"))
    assert response.status_code == 200
    assert nothing_stored()


@pytest.mark.parametrize(
    ("block_id", "fields", "error"),
    [
        (CONTACT_ID, {"email": "zoe@example.com\r\nBcc: all@example.com"}, "single line"),
        (CONTACT_ID, {"email": "zoe@example.com\n"}, "single line"),
        (CONTACT_ID, {"email": "zoe@example.com, max@example.com"}, "single email address"),
        (CONTACT_ID, {"email": "zoe@example.com;max@example.com"}, "single email address"),
        (CONTACT_ID, {"email": ""}, "This field is required."),
        (CONTACT_ID, {"first_name": "Z" * 151}, "at most 150 characters"),
        (CONTACT_ID, {"last_name": "Lefèvre\r\nX"}, "line breaks"),
        (CONTACT_ID, {"phone": "12"}, "Enter a valid phone number."),
        (STAY_ID, {"arrival_date": (date.today() - timedelta(days=2)).isoformat()}, "past"),
        (STAY_ID, {"departure_date": future(9)}, "departure date must be after"),
        (STAY_ID, {"departure_date": future(10)}, "departure date must be after"),
        (STAY_ID, {"number_of_guests": "5"}, "less than or equal to 4"),
        (STAY_ID, {"number_of_guests": "0"}, "greater than or equal to 1"),
        (STAY_ID, {"room_type": "Presidential"}, "Select a valid choice"),
        (STAY_ID, {"additional_1_first_name": "Jules"}, "Enter this guest"),
        (
            STAY_ID,
            {
                "number_of_guests": "2",
                "additional_1_first_name": "A",
                "additional_1_last_name": "B",
                "additional_2_first_name": "C",
                "additional_2_last_name": "D",
            },
            "must count you and everyone",
        ),
        (TABLE_ID, {"date": (date.today() - timedelta(days=1)).isoformat()}, "past"),
        (TABLE_ID, {"party_size": "1"}, "greater than or equal to 2"),
        (TABLE_ID, {"party_size": "11"}, "less than or equal to 10"),
    ],
)
def test_validation_rules(client, page, block_id, fields, error):
    builders = {CONTACT_ID: contact_data, STAY_ID: stay_data, TABLE_ID: table_data}
    response = client.post(page.url, builders[block_id](**fields))
    assert response.status_code == 200
    assert error in section(response, block_id).replace("&#x27;", "'")
    assert nothing_stored()


def test_table_time_already_passed_today(client, page):
    now = timezone.localtime()
    if now.hour == 0 and now.minute < 5:
        pytest.skip("just after midnight: no earlier time today")
    data = table_data(date=now.date().isoformat(), time="00:00")
    response = client.post(page.url, data)
    assert "This time has already passed." in section(response, TABLE_ID)
    assert nothing_stored()


def test_message_longer_than_the_setting_is_refused(client, page, settings):
    settings.WAGTAIL_GUESTS_MAX_MESSAGE_LENGTH = 20
    response = client.post(page.url, contact_data(message="x" * 21))
    assert "at most 20 characters" in section(response, CONTACT_ID)
    assert nothing_stored()


def test_party_size_capped_by_setting_whatever_the_block_says(client, site_root, settings):
    settings.WAGTAIL_GUESTS_MAX_PARTY_SIZE = 6
    page = make_form_page(site_root, table_block(max_party_size=50))
    response = client.post(page.url, table_data(party_size="7"))
    assert "less than or equal to 6" in section(response, TABLE_ID)
    assert nothing_stored()


# Security ----------------------------------------------------------------------------------


def test_csrf_is_enforced(page):
    client = Client(enforce_csrf_checks=True)
    assert client.post(page.url, contact_data()).status_code == 403
    assert nothing_stored()

    client.get(page.url)
    token = client.cookies["csrftoken"].value
    response = client.post(page.url, {**contact_data(), "csrfmiddlewaretoken": token})
    assert response.status_code == 303
    assert Submission.objects.count() == 1


def test_forms_on_a_private_page_stay_private(client, page):
    PageViewRestriction.objects.create(page=page, restriction_type="login")
    response = client.post(page.url, contact_data())
    assert response.status_code == 302
    assert "login" in response["Location"]
    assert nothing_stored()


# Replaceable builder -----------------------------------------------------------------------


class QuietFormBuilder(GuestFormBuilder):
    def create_message_field(self):
        field = super().create_message_field()
        field.label = "Your wishes"
        return field


def test_form_builder_is_replaceable(client, page, settings):
    settings.WAGTAIL_GUESTS_FORM_BUILDER = "tests.test_blocks.QuietFormBuilder"
    assert "Your wishes" in section(client.get(page.url), CONTACT_ID)
