"""Exports: the guest list's "Export" menu (exactly the filtered/searched list), the bulk
actions "Export" and "Transfer to subscriber list", the newsletter file, formula-injection
escaping with a round trip through the importer, XLSX text cells, permissions and the audit log.
The command is tested in ``test_export_command.py``."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from tests import admin_fixtures, export_helpers
from tests.admin_fixtures import make_staff
from tests.export_helpers import HEADER, emails, rows_of, rows_of_bytes, set_fields
from tests.factories import make_guest, make_tag
from tests.import_helpers import guest_values
from tests.list_helpers import LIST_URL, listed, listed_all
from wagtail_guests import exporting
from wagtail_guests.actions import add_tag
from wagtail_guests.importing.engine import import_file
from wagtail_guests.models import Guest, Tag

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
people = export_helpers.people
audience = export_helpers.audience

BULK = "/admin/bulk/wagtail_guests/guest/"


# The list's "Export" menu --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params",
    [
        {"all": "1"},
        {"all": "1", "language": "fr"},
        {"all": "1", "tags": "TAG"},
        {"all": "1", "q": "ben"},
        {"all": "1", "language": "fr", "q": "an"},
        {"all": "1", "ordering": "-name_key"},
        {},  # the default view: guests arriving in the next 30 days
    ],
)
def test_export_is_exactly_the_listed_guests(manager_client, people, params):
    params = {k: str(people["vip"].pk) if v == "TAG" else v for k, v in params.items()}
    shown = [Guest.objects.get(pk=pk).email for pk in listed(manager_client, params)]
    response = manager_client.get(LIST_URL, {**params, "export": "csv"})
    assert response.streaming  # streamed, not built in memory
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'attachment; filename="guests-' in response["Content-Disposition"]
    rows = rows_of(response)
    assert rows[0] == HEADER
    assert emails(rows) == shown  # the same guests, in the same order


def test_export_has_every_page_not_just_the_first(manager_client, db):
    for n in range(25):  # the list shows 20 per page
        make_guest(first_name=f"Page{n:02d}", last_name="Guest", email=f"p{n}@example.com")
    assert len(listed_all(manager_client)) == 20
    assert len(rows_of(manager_client.get(LIST_URL, {"all": "1", "export": "csv"}))) == 26


def test_export_row_values(manager_client, people):
    ana = set_fields(people["ana"], phone="+33612345678", city="Paris", country="FR")
    set_fields(ana, newsletter_consent="given")
    set_fields(people["ben"], newsletter_consent="withdrawn")
    rows = rows_of(manager_client.get(LIST_URL, {"all": "1", "export": "csv"}))
    by_email = {row[2]: dict(zip(rows[0], row, strict=True)) for row in rows[1:]}
    assert by_email["ana@example.com"] == {
        "first name": "Ana",
        "last name": "Arnaud",
        "email": "ana@example.com",
        "phone": "'+33612345678",  # spreadsheet-safe: "+" starts a formula
        "address": "",
        "postal code": "",
        "city": "Paris",
        "country": "FR",
        "language": "fr",
        "newsletter consent": "yes",
        "tags": "Gold",
        "first contact": timezone.localdate().isoformat(),
    }
    assert by_email["ben@example.com"]["newsletter consent"] == "no"
    assert by_email["cleo@example.com"]["newsletter consent"] == ""


def test_anonymised_guests_are_never_exported(manager_client, people):
    set_fields(people["cleo"], anonymised_at=timezone.now())
    rows = rows_of(manager_client.get(LIST_URL, {"all": "1", "export": "csv"}))
    assert "cleo@example.com" not in emails(rows) and len(rows) == 4


def test_french_users_get_french_headers_and_semicolons(manager_client, people):
    response = manager_client.get(
        LIST_URL, {"all": "1", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert text.startswith("prénom;nom;e-mail;téléphone;adresse;code postal;ville;pays;langue;")


def test_the_csv_is_streamed_in_chunks(manager_client, people, monkeypatch):
    monkeypatch.setattr(exporting, "CHUNK_SIZE", 2)
    response = manager_client.get(LIST_URL, {"all": "1", "export": "csv"})
    chunks = list(response.streaming_content)
    assert len(chunks) == 3  # the header, then two chunks of two guests


def test_xlsx_export_cells_are_text(manager_client, people, tmp_path):
    set_fields(people["ana"], first_name="=1+1", phone="+33612345678", postal_code="01000")
    response = manager_client.get(LIST_URL, {"all": "1", "export": "xlsx"})
    assert response.status_code == 200
    path = tmp_path / "guests.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    sheet = load_workbook(path).active
    cells = [cell for row in sheet.iter_rows() for cell in row if cell.value is not None]
    assert cells and {cell.data_type for cell in cells} == {"s"}  # no formula, number or date
    values = {cell.value for cell in cells}
    assert {"=1+1", "+33612345678", "01000"} <= values


def test_xlsx_has_a_row_limit(manager_client, people, monkeypatch):
    monkeypatch.setattr(exporting, "XLSX_MAX_ROWS", 2)
    response = manager_client.get(LIST_URL, {"all": "1", "language": "fr", "export": "xlsx"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/guests/?all=1&language=fr"
    [message] = get_messages(response.wsgi_request)
    assert "An Excel file holds at most 2 rows" in str(message)


# Formula injection: escaped on the way out, restored on the way back in ----------------------

DANGEROUS = {
    "first_name": '=HYPERLINK("http://evil.example","Click")',
    "last_name": "@SUM(A1:A9)",
    "city": "-2+3",
    "address": "+1 rue du Calc",
    "postal_code": "'=already quoted",
}


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_formula_injection_round_trip(manager_client, tmp_path, file_format):
    guest = make_guest(email="evil@example.com", phone="+33612345678", **DANGEROUS)
    add_tag(guest, make_tag("=cmd' /C calc'!A0"))
    before = guest_values(email="evil@example.com")
    response = manager_client.get(LIST_URL, {"all": "1", "export": file_format})
    content = b"".join(response.streaming_content)
    if file_format == "csv":
        row = dict(zip(HEADER, rows_of_bytes(content)[1], strict=True))
        assert row["first name"] == "'" + DANGEROUS["first_name"]
        assert row["last name"] == "'@SUM(A1:A9)"
        assert row["city"] == "'-2+3"
        assert row["address"] == "'+1 rue du Calc"
        assert row["postal code"] == "''=already quoted"
        assert row["tags"] == "'=cmd' /C calc'!A0"
        assert row["phone"] == "'+33612345678"
    path = tmp_path / f"export.{file_format}"
    path.write_bytes(content)

    Guest.objects.all().delete()
    import_file(str(path), name=path.name)
    assert guest_values(email="evil@example.com") == before
    again = Guest.objects.get(email="evil@example.com")
    for field, value in DANGEROUS.items():
        assert getattr(again, field) == value


def test_french_export_round_trip(manager_client, people, tmp_path):
    """A French user's export (semicolons, French headers, "oui"/"non", French tag names)
    imports back to the same guests."""
    set_fields(people["ana"], newsletter_consent="given", phone="+33612345678", country="FR")
    set_fields(people["ben"], newsletter_consent="withdrawn")
    add_tag(people["ben"], Tag.objects.get(preset="regular"))  # "Habitué" in French
    before = {g.email: guest_values(pk=g.pk) for g in Guest.objects.all()}
    response = manager_client.get(
        LIST_URL, {"all": "1", "export": "csv"}, HTTP_ACCEPT_LANGUAGE="fr"
    )
    content = b"".join(response.streaming_content)
    assert "Habitué".encode() in content and b";oui;" in content
    path = tmp_path / "export-fr.csv"
    path.write_bytes(content)
    Guest.objects.all().delete()
    import_file(str(path), name=path.name)
    assert {g.email: guest_values(pk=g.pk) for g in Guest.objects.all()} == before


def test_escape_cell():
    for value in ("=1", "+1", "-1", "@x", "\tx", "\rx", "\nx"):
        assert exporting.escape_cell(value) == "'" + value
    for value in ("Élodie", "", "1+1", "a=b", "'quoted"):
        assert exporting.escape_cell(value) == value
    assert exporting.escape_cell("'=x") == "''=x"


# Newsletter ------------------------------------------------------------------------------------


def test_newsletter_export_of_the_list(manager_client, audience):
    response = manager_client.get(LIST_URL, {"all": "1", "export": "newsletter"})
    content = b"".join(response.streaming_content)
    assert not content.startswith(b"\xef\xbb\xbf")  # plain UTF-8, as Mailchimp expects
    rows = rows_of_bytes(content)
    assert rows == [
        ["Email Address", "First Name", "Last Name", "Language", "Tags"],
        ["yes@example.com", "Yes", "Test", "fr", "Gold"],
        ["also@example.com", "Also", "Test", "en", ""],
    ]
    [message] = get_messages(response.wsgi_request)
    assert "5 guests were left out" in str(message)
    entry = ModelLogEntry.objects.get(action="wagtail_guests.export")
    assert entry.data["newsletter"] is True and entry.data["rows"] == 2
    assert entry.data["refused"] == 5


def test_transfer_to_subscriber_list_refuses_guests_without_consent(manager_client, audience):
    ids = "&".join(f"id={guest.pk}" for guest in audience.values())
    url = f"{BULK}transfer_subscribers/?{ids}&next=/admin/guests/"
    page = manager_client.get(url)
    html = page.content.decode()
    assert "7 guests selected." in html
    assert "2 accept the newsletter and will be in the file." in html
    assert "5 guests are refused: no newsletter consent" in html

    response = manager_client.post(url, {})
    rows = rows_of(response)
    assert [row[0] for row in rows[1:]] == ["yes@example.com", "also@example.com"]
    [message] = get_messages(response.wsgi_request)
    assert "5 guests were left out" in str(message)


def test_transfer_with_nobody_consenting(manager_client, audience):
    url = f"{BULK}transfer_subscribers/?id={audience['unknown'].pk}"
    html = manager_client.get(url).content.decode()
    assert "1 guest is refused" in html and "No guest to export." in html


# Bulk "Export" ---------------------------------------------------------------------------------


def test_bulk_export_of_a_selection(manager_client, people):
    url = f"{BULK}export/?id={people['ben'].pk}&id={people['dan'].pk}"
    html = manager_client.get(url).content.decode()
    assert "2 guests will be exported" in html and "Ben Berger" in html
    rows = rows_of(manager_client.post(url, {"format": "csv"}))
    assert emails(rows) == ["ben@example.com", "dan@example.com"]
    response = manager_client.post(url, {"format": "xlsx"})
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    entry = ModelLogEntry.objects.filter(action="wagtail_guests.export").first()
    assert entry.data["filters"] == ["selection"]


def test_bulk_export_of_all_in_listing_with_filters(manager_client, people):
    url = f"{BULK}export/?id=all&all=1&language=fr&q=a"
    expected = [
        Guest.objects.get(pk=pk).email
        for pk in listed(manager_client, {"all": "1", "language": "fr", "q": "a"})
    ]
    rows = rows_of(manager_client.post(url, {"format": "csv"}))
    assert sorted(emails(rows)) == sorted(expected)


# Permissions and audit log ---------------------------------------------------------------------


def test_export_needs_the_export_permission(people):
    client = Client()
    client.force_login(make_staff("clerk", group=None, permissions=["view_guest", "change_guest"]))
    html = client.get(LIST_URL, {"all": "1"}).content.decode()
    assert "data-guests-export" not in html
    for kind in ("csv", "xlsx", "newsletter"):
        assert client.get(LIST_URL, {"all": "1", "export": kind}).status_code == 403
    selection = f"?id={people['ana'].pk}"
    for action in ("export", "transfer_subscribers"):
        assert client.get(f"{BULK}{action}/{selection}").status_code == 403
        assert client.post(f"{BULK}{action}/{selection}", {"format": "csv"}).status_code == 403
    assert not ModelLogEntry.objects.filter(action="wagtail_guests.export").exists()


def test_the_audit_log_has_who_how_many_and_which_filters_without_personal_data(
    manager_client, manager, people
):
    response = manager_client.get(
        LIST_URL, {"all": "1", "language": "fr", "q": "Arnaud", "export": "csv"}
    )
    rows_of(response)
    entry = ModelLogEntry.objects.get(action="wagtail_guests.export")
    assert entry.user == manager
    assert entry.data == {"rows": 1, "format": "csv", "filters": ["language", "search"]}
    text = f"{entry.label} {entry.data} {entry.message}"
    assert "Arnaud" not in text and "ana@example.com" not in text
    assert entry.message == "Exported 1 guest (CSV); filters: language, search"
