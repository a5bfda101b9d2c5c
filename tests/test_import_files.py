"""Every file shape the import reads, and every file or row error, with nothing written."""

import datetime

import pytest

from tests.import_helpers import counts, guest_values, path, preview, run, write
from wagtail_guests.importing.engine import ImportAborted, has_errors, import_file
from wagtail_guests.importing.reading import (
    MEGABYTE,
    ImportFileError,
    check_size,
    count_lines,
    detect_encoding,
    sniff_delimiter,
)
from wagtail_guests.models import Activity, Booking, ConsentRecord, Guest

pytestmark = pytest.mark.django_db

ELODIE = {
    "first_name": "Élodie",
    "last_name": "Dupré",
    "email": "elodie.dupre@example.com",
    "phone": "+33612345678",
    "language": "fr",
    "country": "FR",
    "newsletter_consent": "given",
    "tags": ["VIP"],
}


@pytest.mark.parametrize("name", ["utf8.csv", "utf8_bom.csv", "tab.csv"])
def test_english_files_in_any_encoding_and_delimiter(name):
    before = counts()
    report = preview(name)
    assert not has_errors(report), report
    assert (report["rows"], report["new"], report["updated"], report["unchanged"]) == (3, 3, 0, 0)
    assert counts() == before  # the preview writes nothing

    report = run(name)
    assert report["imported"]
    assert guest_values(email="elodie.dupre@example.com") == ELODIE
    zoe = guest_values(email="zoe@example.org")
    assert (zoe["first_name"], zoe["last_name"], zoe["newsletter_consent"]) == (
        "Zoë",
        "Lefèvre",
        "withdrawn",
    )
    francois = Guest.objects.get(first_name="François")
    assert (francois.phone, francois.email, francois.newsletter_consent) == (
        "+33698765432",
        "",
        "unknown",
    )
    assert francois.identity_key == "p:+33698765432:noel"


def test_utf8_bom_is_not_part_of_the_first_header():
    assert detect_encoding(path("utf8_bom.csv")) == "utf-8-sig"
    report = preview("utf8_bom.csv")
    assert report["columns"][0] == ["first name", "first_name"]


@pytest.mark.parametrize("name", ["windows1252_semicolon.csv", "french_headers.csv"])
def test_french_headers_and_windows_1252(name):
    report = run(name)
    assert report["encoding"] == ("cp1252" if name.startswith("windows") else "utf-8")
    assert report["delimiter"] == ";"
    elodie = guest_values(email="elodie.dupre@example.com")
    assert elodie["language"] == "fr"  # "français"
    assert elodie["tags"] == ["Regular", "VIP"]  # "Régulier" is the preset "Regular"
    oedipe = Guest.objects.get(email="oedipe@example.fr")
    assert (oedipe.first_name, oedipe.last_name, str(oedipe.country)) == (
        "Œdipe",
        "Cœurdelion",
        "BE",
    )
    assert oedipe.newsletter_consent == "withdrawn"
    imported = Activity.objects.get(guest=oedipe, kind="imported")
    assert imported.payload["notes"] == "l’été dernier : 20 €"
    assert imported.payload["file"] == name


def test_latin1_file_detected_or_chosen():
    for encoding in ("", "latin-1"):
        report = preview("latin1_semicolon.csv", encoding=encoding)
        assert not has_errors(report), report
        assert report["delimiter"] == ";" and report["new"] == 2
        first = dict(report["sample"][0]["cells"])
        assert (first["Prénom"], first["Nom"]) == ("Hélène", "Brûlé")
    run("latin1_semicolon.csv")
    assert str(Guest.objects.get(first_name="François").country) == "CH"  # "Suisse"


def test_latin1_bytes_windows_1252_does_not_define(tmp_path):
    # 0x81 is unassigned in Windows-1252: such a file is read as Latin-1.
    file = write(tmp_path, "prénom;nom\r\nJosé;Núñez\x81\r\n", encoding="latin-1")
    assert detect_encoding(file) == "latin-1"
    report = preview_file_at(file)
    assert report["encoding"] == "latin-1" and report["new"] == 1, report


def test_excel_unicode_text_utf16_tab():
    report = run("excel_unicode_text.txt")
    assert (report["encoding"], report["delimiter"], report["new"]) == ("utf-16", "\t", 3)
    assert guest_values(email="elodie.dupre@example.com") == ELODIE


def test_old_mac_file_mac_roman_with_carriage_returns(settings):
    assert count_lines(path("mac_roman_cr.csv")) == 4  # rows counted before reading
    report = run("mac_roman_cr.csv", encoding="mac-roman")
    assert report["new"] == 3
    assert Guest.objects.filter(first_name="Œdipe", last_name="Cœurdelion").exists()
    settings.WAGTAIL_GUESTS_IMPORT_MAX_ROWS = 2
    assert "more than 2 rows" in preview("mac_roman_cr.csv")["file_errors"][0]


def test_encoding_detection_and_delimiter_sniffing():
    assert detect_encoding(path("windows1252_semicolon.csv")) == "cp1252"
    assert detect_encoding(path("utf8.csv")) == "utf-8"
    assert detect_encoding(path("excel_unicode_text.txt")) == "utf-16"
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter('"a;b",c,d') == ","
    assert sniff_delimiter("single") == ","
    assert count_lines(path("utf8.csv")) == 4


def test_quoted_newlines_and_quotes():
    report = run("quoted_newlines.csv")
    assert report["rows"] == 2 and report["bookings"] == 2
    stay = Booking.objects.get(booker__email="elodie.dupre@example.com")
    assert stay.notes == "Allergic to nuts,\r\nprefers the garden room"
    assert (stay.kind, stay.arrival_date, stay.departure_date) == (
        "stay",
        datetime.date(2026, 7, 14),
        datetime.date(2026, 7, 17),
    )
    table = Booking.objects.get(booker__email="jean@example.com")
    assert (table.kind, table.notes, table.departure_date) == ("table", 'He said "hello"', None)


def test_french_and_iso_dates_and_booking_reference():
    report = run("french_dates.csv")
    assert report["bookings"] == 2
    stay = Booking.objects.get(reference="OLD-123")
    assert (stay.arrival_date, stay.departure_date) == (
        datetime.date(2026, 7, 14),
        datetime.date(2026, 7, 17),
    )
    assert stay.booker.email == "elodie.dupre@example.com"
    assert Booking.objects.get(booker__email="jean@example.com").arrival_date == datetime.date(
        2026, 8, 1
    )
    assert Activity.objects.filter(kind="booked").count() == 2
    # Importing the same file again adds no booking (same reference, same dates).
    again = run("french_dates.csv")
    assert (again["bookings"], again["unchanged"]) == (0, 2)
    assert Booking.objects.count() == 2


def test_excel_workbook():
    report = run("excel_export.xlsx")
    assert report["format"] == "xlsx"
    assert (report["rows"], report["new"]) == (3, 3), report
    elodie = Guest.objects.get(email="elodie.dupre@example.com")
    assert elodie.phone == "+33612345678"  # a number in the sheet, without its "+"
    assert elodie.newsletter_consent == "given"
    assert Booking.objects.get(booker=elodie).departure_date == datetime.date(2026, 7, 17)
    assert Guest.objects.get(email="jean@example.com").newsletter_consent == "withdrawn"
    assert str(Guest.objects.get(last_name="Silva").country) == "PT"


def test_in_file_duplicates_are_reported_and_merged_first_row_first():
    report = preview("duplicates.csv")
    assert (report["rows"], report["new"], report["duplicates_total"]) == (5, 2, 3)
    by_row = {d["row"]: d for d in report["duplicates"]}
    assert by_row[3]["first_row"] == 2 and by_row[3]["rule"] == "email"
    # Row 4 has no email: the phone rule (phone + last name) finds row 2's guest.
    assert by_row[4]["first_row"] == 2 and by_row[4]["rule"] == "phone"
    assert by_row[4]["differences"] == ["city"]  # Lyon, while row 3 gave Paris
    assert by_row[6]["first_row"] == 5 and by_row[6]["rule"] == "name"
    run("duplicates.csv")
    elodie = Guest.objects.get(email="elodie.dupre@example.com")
    assert (elodie.city, elodie.phone) == ("Paris", "+33612345678")  # never "last row wins"
    assert Guest.objects.get(first_name="Jean").city == "Nice"  # filled, as it was empty
    assert Activity.objects.get(guest=elodie, kind="imported").payload["rows"] == [2, 3, 4]


def _assert_error(report, row, column, text):
    assert has_errors(report)
    messages = [e for e in report["errors"] if e["row"] == row and e["column"] == column]
    assert messages and text in messages[0]["message"], report["errors"]


def _assert_nothing_imported(name, **options):
    before = counts()
    with pytest.raises(ImportAborted) as aborted:
        run(name, **options)
    assert counts() == before
    return aborted.value.report


def test_missing_required_column():
    report = preview("missing_column.csv")
    assert "A required column is missing" in report["file_errors"][0]
    assert "last name" in report["file_errors"][0] and "nom" in report["file_errors"][0]
    _assert_nothing_imported("missing_column.csv")


def test_ragged_row():
    report = preview("ragged.csv")
    _assert_error(report, 5, "", "has 10 cells but the first row names 8 columns")
    assert report["error_rows"] == 1 and report["new"] == 3  # the other rows are fine
    _assert_nothing_imported("ragged.csv")


def test_bad_date():
    _assert_error(preview("bad_date.csv"), 2, "arrival", "“31/02/2026” is not a date")
    _assert_nothing_imported("bad_date.csv")


def test_dates_in_other_usual_shapes(tmp_path):
    file = write(
        tmp_path,
        "first name,last name,arrival,departure\n"
        "Ana,Silva,31.12.2026,2027-01-02\n"
        "Jean,Martin,1/2/26,03-02-2026\n",
    )
    run_at(file)
    stays = Booking.objects.order_by("arrival_date")
    assert [(b.arrival_date, b.departure_date) for b in stays] == [
        (datetime.date(2026, 2, 1), datetime.date(2026, 2, 3)),
        (datetime.date(2026, 12, 31), datetime.date(2027, 1, 2)),
    ]


def test_departure_before_arrival(tmp_path):
    file = write(
        tmp_path, "first name,last name,arrival,departure\nAna,Silva,2026-07-14,13/07/2026\n"
    )
    _assert_error(preview_file_at(file), 2, "departure", "The departure must be after the arrival.")


def run_at(file, **options):
    return import_file(file, name="guests.csv", **options)


def test_bad_email():
    _assert_error(preview("bad_email.csv"), 2, "email", "is not a valid email address")
    _assert_nothing_imported("bad_email.csv")


def test_bad_phone_language_country_and_consent(tmp_path):
    file = write(
        tmp_path,
        "first name,last name,phone,language,country,newsletter consent\n"
        "Jean,Martin,12,klingon!,Atlantis,maybe\n",
    )
    report = preview_file_at(file)
    columns = {e["column"] for e in report["errors"]}
    assert columns == {"phone", "language", "country", "newsletter consent"}
    assert report["error_rows"] == 1


def preview_file_at(file, **options):
    from wagtail_guests.importing.engine import preview_file

    return preview_file(file, name="guests.csv", **options)


def test_file_too_big(settings):
    settings.WAGTAIL_GUESTS_IMPORT_MAX_BYTES = 100
    report = preview("utf8.csv")
    assert "This file is too big" in report["file_errors"][0]
    _assert_nothing_imported("utf8.csv")


def test_the_size_message_rounds_up(settings):
    settings.WAGTAIL_GUESTS_IMPORT_MAX_BYTES = 20 * MEGABYTE
    check_size(20 * MEGABYTE)  # the limit itself is accepted
    with pytest.raises(ImportFileError) as error:
        check_size(20 * MEGABYTE + 1)
    assert "This file is too big (20.1 MB). The limit is 20.0 MB" in error.value.messages[0]


def test_too_many_rows(settings):
    settings.WAGTAIL_GUESTS_IMPORT_MAX_ROWS = 2
    report = preview("utf8.csv")
    assert "more than 2 rows" in report["file_errors"][0]
    _assert_nothing_imported("utf8.csv")


def test_too_many_rows_in_a_workbook(settings, monkeypatch):
    settings.WAGTAIL_GUESTS_IMPORT_MAX_ROWS = 2
    assert "more than 2 rows" in preview("excel_export.xlsx")["file_errors"][0]
    # A workbook whose recorded dimension is wrong: the rows are counted again while reading.
    from wagtail_guests.importing import reading

    monkeypatch.setattr(reading, "_xlsx_dimension_rows", lambda path: 0)
    assert "more than 2 rows" in preview("excel_export.xlsx")["file_errors"][0]
    _assert_nothing_imported("excel_export.xlsx")


def test_wrong_encoding_chosen():
    report = preview("windows1252_semicolon.csv", encoding="utf-8")
    assert "not written in UTF-8" in report["file_errors"][0]
    _assert_nothing_imported("windows1252_semicolon.csv", encoding="utf-8")
    # The right choice reads it.
    assert not has_errors(preview("windows1252_semicolon.csv", encoding="cp1252"))


def test_not_a_spreadsheet(tmp_path):
    binary = tmp_path / "photo.csv"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    report = preview_file_at(str(binary))
    assert "neither a CSV file nor an Excel workbook" in report["file_errors"][0]
    old_excel = tmp_path / "old.xls"
    old_excel.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1")
    assert "old Excel file (.xls)" in preview_file_at(str(old_excel))["file_errors"][0]


def test_unclosed_quote(tmp_path, settings):
    file = write(tmp_path, 'first name,last name\nJean,"Martin\n' + "x" * 20 + "\n")
    settings.WAGTAIL_GUESTS_IMPORT_MAX_ROWS = 10
    import csv

    limit = csv.field_size_limit(10)
    try:
        report = preview_file_at(file)
    finally:
        csv.field_size_limit(limit)
    assert 'a quote (") is probably not closed' in report["file_errors"][0]


def test_empty_rows_are_skipped_and_unknown_columns_listed(tmp_path):
    file = write(tmp_path, "first name,last name,favourite colour\n\nJean,Martin,blue\n,,\n")
    report = preview_file_at(file)
    assert (report["rows"], report["new"], report["ignored_columns"]) == (
        1,
        1,
        ["favourite colour"],
    )


def test_consent_only_from_an_explicit_column():
    run("quoted_newlines.csv")  # no consent column
    assert not ConsentRecord.objects.exists()
    assert set(Guest.objects.values_list("newsletter_consent", flat=True)) == {"unknown"}
