"""Helpers for the import and export tests: fixture files, and what the database holds."""

from pathlib import Path

from wagtail_guests.importing.engine import import_file, preview_file

FILES = Path(__file__).resolve().parent / "files"


def path(name) -> str:
    return str(FILES / name)


def preview(name, **options):
    return preview_file(path(name), name=name, **options)


def run(name, **options):
    return import_file(path(name), name=name, **options)


def write(tmp_path, text, name="guests.csv", encoding="utf-8") -> str:
    target = tmp_path / name
    target.write_bytes(text.encode(encoding))
    return str(target)


def counts():
    """How many rows each table the import writes holds."""
    from wagtail_guests.models import (
        Activity,
        Booking,
        ConsentRecord,
        Guest,
        GuestTag,
        Tag,
    )

    return {
        "guests": Guest.objects.count(),
        "tags": Tag.objects.count(),
        "guest_tags": GuestTag.objects.count(),
        "consents": ConsentRecord.objects.count(),
        "activities": Activity.objects.count(),
        "bookings": Booking.objects.count(),
    }


def guest_values(**lookup):
    from wagtail_guests.models import Guest

    guest = Guest.objects.get(**lookup)
    return {
        "first_name": guest.first_name,
        "last_name": guest.last_name,
        "email": guest.email,
        "phone": guest.phone,
        "language": guest.language,
        "country": str(guest.country),
        "newsletter_consent": guest.newsletter_consent,
        "tags": sorted(tag.name for tag in guest.tags.all()),
    }


def open_records(file_path):
    """``(columns, records)`` of a file, read and checked as an import reads them."""
    from wagtail_guests.importing.reading import open_table
    from wagtail_guests.importing.rows import read_records

    table = open_table(file_path, name="guests.csv")
    try:
        columns, records, errors, _rows = read_records(table)
    finally:
        table.close()
    assert not errors, errors
    return columns, records
