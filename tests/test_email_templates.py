"""Email templates: merge fields filled safely, the guest's translation chosen with fallback."""

import datetime

import pytest

from tests.admin_fixtures import make_booking
from tests.email_helpers import make_template
from tests.factories import make_guest
from wagtail_guests.emailing.forms import EmailTemplateForm
from wagtail_guests.emailing.templates import merge, render, single_line, template_for

pytestmark = pytest.mark.django_db


def test_known_fields_are_replaced_and_unknown_ones_stay_visible():
    text = "Hello {first_name}, {favourite_colour} and {{first_name}}"

    assert merge(text, {"first_name": "Zoé"}) == "Hello Zoé, {favourite_colour} and {first_name}"


@pytest.mark.parametrize(
    "text",
    [
        "{first_name.__class__}",
        "{first_name.__class__.__mro__}",
        "{first_name[0]}",
        "{first_name!r}",
        "{first_name:>999999999}",
        "{0}",
        "{}",
        "{ first_name }",
    ],
)
def test_no_attribute_access_index_conversion_or_format_spec(text):
    """What ``str.format`` would evaluate is left exactly as written."""
    assert merge(text, {"first_name": "Zoé"}) == text


def test_stray_braces_do_not_fail():
    assert merge("{ {first_name} }}{", {"first_name": "Zoé"}) == "{ Zoé }{"


def test_render_fills_guest_booking_and_site_in_the_template_language():
    guest = make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")
    booking = make_booking(guest, days=30, nights=3)
    booking.arrival_date = datetime.date(2030, 3, 12)
    booking.departure_date = datetime.date(2030, 3, 15)
    booking.save()
    body = "{first_name} {last_name}: {arrival_date} → {departure_date}, {nights} nuits, "
    body += "{booking_reference}, {site_name}"
    french = make_template("Arrivée", "fr", subject="Bonjour {first_name}", body=body)
    english = make_template("Arrivée", "", subject="Hello {first_name}", body=body)

    subject, text = render(french, guest, booking=booking)
    assert subject == "Bonjour Zoé"
    assert text == (
        f"Zoé Lefèvre: 12 mars 2030 → 15 mars 2030, 3 nuits, {booking.reference}, "
        "Hôtel des Tilleuls"
    )
    _, text = render(english, guest, booking=booking)
    assert "March 12, 2030 → March 15, 2030" in text


def test_render_without_a_booking_uses_the_next_one_else_blank():
    guest = make_guest(first_name="Zoé", email="zoe@example.com")
    template = make_template(body="Ref: [{booking_reference}]")
    assert render(template, guest)[1] == "Ref: []"

    make_booking(guest, days=-40)
    upcoming = make_booking(guest, days=20)
    make_booking(guest, days=60)
    assert render(template, guest)[1] == f"Ref: [{upcoming.reference}]"


def test_line_breaks_in_a_guest_name_never_reach_the_subject():
    guest = make_guest(first_name="Eve", last_name="Smith", email="eve@example.com")
    guest.first_name = "Eve\r\nBcc: evil@example.com\n"
    template = make_template(subject="Hello {first_name}\r\n{last_name}")

    subject, body = render(template, guest)

    assert subject == "Hello Eve Bcc: evil@example.com Smith"
    assert "\n" not in subject and "\r" not in subject
    assert single_line("a\u2028b\x0bc\x0cd\x85e") == "a b c d e"


class TestLanguageFallback:
    def test_the_guest_language_then_its_base_then_the_default(self):
        default = make_template("Welcome", "")
        french = make_template("Welcome", "fr")

        assert template_for("Welcome", "fr") == french
        assert template_for("Welcome", "FR-ca") == french
        assert template_for("Welcome", "de") == default
        assert template_for("Welcome", "") == default
        assert template_for("Welcome", None) == default

    def test_without_a_default_the_site_language_then_any(self, settings):
        settings.LANGUAGE_CODE = "en"
        french = make_template("Offer", "fr")
        assert template_for("Offer", "de") == french
        english = make_template("Offer", "en")
        assert template_for("Offer", "de") == english
        assert template_for("Offer", "fr") == french

    def test_unknown_name(self):
        make_template("Welcome", "")
        assert template_for("Goodbye", "fr") is None


class TestTemplateForm:
    def data(self, **fields):
        return {
            "name": "Welcome",
            "language": "",
            "subject": "Hello {first_name}",
            "body": "See you on {arrival_date}. {unsubscribe_url}",
            "is_marketing": "on",
            **fields,
        }

    def test_valid(self):
        form = EmailTemplateForm(self.data())
        assert form.is_valid(), form.errors

    def test_unknown_merge_fields_are_refused(self):
        form = EmailTemplateForm(self.data(body="Hi {firstname} {first_name.__class__}"))
        assert not form.is_valid()
        assert "{firstname}" in str(form.errors["body"])
        assert "{first_name.__class__}" in str(form.errors["body"])

    def test_one_template_per_name_and_language(self):
        make_template("Welcome", "fr")
        form = EmailTemplateForm(self.data(language="fr"))
        assert not form.is_valid()
        assert EmailTemplateForm(self.data(language="")).is_valid()
