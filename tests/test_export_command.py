"""``manage.py guests_export``: the list's filters, formats, the newsletter file, refusals."""

import csv
import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import load_workbook
from wagtail.models import ModelLogEntry

from tests import export_helpers
from tests.export_helpers import HEADER, emails, rows_of_bytes, set_fields
from tests.list_helpers import day
from wagtail_guests import exporting
from wagtail_guests.actions import add_tag
from wagtail_guests.models import Tag

people = export_helpers.people
audience = export_helpers.audience


def test_command_exports_with_filters(people, tmp_path, capsys):
    target = tmp_path / "fr.csv"
    call_command("guests_export", "-o", str(target), "--language", "fr", "--tag", "Gold")
    rows = rows_of_bytes(target.read_bytes())
    assert rows[0] == HEADER
    assert sorted(emails(rows)) == ["ana@example.com", "dan@example.com"]
    entry = ModelLogEntry.objects.get(action="wagtail_guests.export")
    assert entry.data["filters"] == ["language", "tags"] and entry.user is None

    call_command("guests_export", "--search", "ben")
    out = capsys.readouterr().out
    assert emails(list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))) == ["ben@example.com"]

    workbook = tmp_path / "all.xlsx"
    call_command("guests_export", "--format", "xlsx", "-o", str(workbook))
    sheet = load_workbook(workbook).active
    assert sheet.max_row == 5


def test_command_newsletter_export(audience, tmp_path, capsys):
    target = tmp_path / "newsletter.csv"
    call_command("guests_export", "--newsletter", "-o", str(target))
    rows = rows_of_bytes(target.read_bytes())
    assert [row[0] for row in rows[1:]] == ["yes@example.com", "also@example.com"]
    assert "5 guest(s) left out" in capsys.readouterr().err


def test_command_date_consent_and_format_options(people, tmp_path):
    set_fields(people["cleo"], newsletter_consent="given")
    set_fields(people["ana"], newsletter_consent="given")
    add_tag(people["ana"], Tag.objects.get(preset="regular"))
    target = tmp_path / "soon.csv"
    call_command(
        "guests_export",
        "-o",
        str(target),
        "--arrival-from",
        day(0).isoformat(),
        "--arrival-to",
        day(10).isoformat(),
        "--headers",
        "fr",
        "--delimiter",
        "semicolon",
    )
    text = target.read_bytes().decode("utf-8-sig")
    assert text.startswith("prénom;nom;e-mail;")
    assert ";oui;Gold, Habitué;" in text  # values and built-in tag names in French too
    assert [row[2] for row in csv.reader(io.StringIO(text), delimiter=";")][1:] == [
        "ana@example.com"  # arriving in 3 days; Ben arrives in 40
    ]
    call_command("guests_export", "-o", str(target), "--consent", "given")
    assert sorted(emails(rows_of_bytes(target.read_bytes()))) == [
        "ana@example.com",
        "cleo@example.com",
    ]
    entry = ModelLogEntry.objects.filter(action="wagtail_guests.export").first()
    assert entry.data["filters"] == ["newsletter_consent"]


def test_command_refusals(people, tmp_path, monkeypatch):
    with pytest.raises(CommandError, match="No tag named 'Platinum'"):
        call_command("guests_export", "--tag", "Platinum")
    with pytest.raises(CommandError, match="needs --output"):
        call_command("guests_export", "--format", "xlsx")
    monkeypatch.setattr(exporting, "XLSX_MAX_ROWS", 3)
    target = tmp_path / "big.xlsx"
    with pytest.raises(CommandError, match="An Excel file holds at most 3 rows"):
        call_command("guests_export", "--format", "xlsx", "-o", str(target))
    assert not target.exists()
    assert not ModelLogEntry.objects.filter(action="wagtail_guests.export").exists()
