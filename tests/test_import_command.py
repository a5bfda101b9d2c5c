"""``manage.py guests_import``: the preview (``--dry-run``), the import, its options, progress,
errors and the audit log."""

import pytest
from django.core.management import CommandError, call_command
from wagtail.models import ModelLogEntry

from tests.import_helpers import FILES
from wagtail_guests.models import Guest


def test_command_dry_run_writes_nothing_and_prints_progress(db, capsys):
    call_command("guests_import", str(FILES / "utf8.csv"), "--dry-run")
    out, err = capsys.readouterr()
    assert "new guests: 3" in out and "Dry run: nothing was written." in out
    assert "100%" in err or "90%" in err
    assert Guest.objects.count() == 0


def test_command_imports_and_logs(db, capsys):
    call_command("guests_import", str(FILES / "windows1252_semicolon.csv"))
    out, err = capsys.readouterr()
    assert "Import done." in out and "%" in err
    assert Guest.objects.count() == 3
    assert ModelLogEntry.objects.filter(action="wagtail_guests.import").count() == 1


def test_command_encoding_and_delimiter_options(db, capsys):
    mac = str(FILES / "mac_roman_cr.csv")
    with pytest.raises(CommandError, match="nothing would be imported"):
        call_command("guests_import", mac, "--dry-run", "--delimiter", "comma")
    assert "A required column is missing" in capsys.readouterr().out
    call_command("guests_import", mac, "--encoding", "mac-roman", "--delimiter", "semicolon")
    assert Guest.objects.filter(first_name="Œdipe").exists()
    with pytest.raises(CommandError, match="--delimiter must be comma, semicolon or tab"):
        call_command("guests_import", mac, "--delimiter", "pipe")
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command(
            "guests_import", str(FILES / "windows1252_semicolon.csv"), "--encoding", "utf-8"
        )
    assert "File error: This file is not written in UTF-8" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No such file"):
        call_command("guests_import", str(FILES / "missing.csv"))


def test_command_with_errors_imports_nothing(db, capsys):
    with pytest.raises(CommandError, match="nothing was imported"):
        call_command("guests_import", str(FILES / "ragged.csv"))
    out, _err = capsys.readouterr()
    assert "Row 5: This row has 10 cells" in out
    assert Guest.objects.count() == 0
    assert not ModelLogEntry.objects.filter(action="wagtail_guests.import").exists()
