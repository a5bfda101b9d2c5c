"""On PostgreSQL, the email's trigram index is on the column itself, not on ``UPPER(email)``:
trigrams ignore case, and the email search asks ``email ILIKE '%…%'``
(``wagtail_guests.models.fields.TrigramIContains``). Every insert computed ``UPPER()`` for it.
Only where migration 0003 could make trigram indexes (the ``pg_trgm`` extension)."""

from django.db import migrations

INDEX = "guests_guest_email_trgm"
TABLE = "wagtail_guests_guest"


def _exists(schema_editor) -> bool:
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_indexes WHERE indexname = %s", [INDEX])
        return cursor.fetchone() is not None


def _replace(schema_editor, expression: str):
    if schema_editor.connection.vendor != "postgresql" or not _exists(schema_editor):
        return
    schema_editor.execute(f"DROP INDEX {INDEX}")
    schema_editor.execute(f"CREATE INDEX {INDEX} ON {TABLE} USING gin ({expression} gin_trgm_ops)")


def on_the_column(apps, schema_editor):
    _replace(schema_editor, "email")


def on_upper(apps, schema_editor):
    _replace(schema_editor, "(UPPER(email::text))")


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_guests", "0007_byte_order_keys"),
    ]

    operations = [
        migrations.RunPython(on_the_column, on_upper, elidable=False),
    ]
