"""Indexes for the admin guest list: arrivals, active bookings, reachable guests, the tag
and "updated" filters and, on PostgreSQL, search.

The search (``wagtail_guests.search``) uses ``LIKE '%…%'`` on ``name_key``, ``UPPER(email)``
and ``phone``. On PostgreSQL, trigram GIN indexes (the ``pg_trgm`` extension) make those
lookups use an index; short words are matched at the start of the name, with pattern-ops
indexes. Other databases keep plain scans. If ``pg_trgm`` is not available (or the database
user may not create it), the migration skips those indexes and search still works, slower.
"""

from django.db import migrations, models, transaction

TABLE = "wagtail_guests_guest"
POSTGRES_INDEXES = {
    "guests_guest_name_trgm": f"{TABLE} USING gin (name_key gin_trgm_ops)",
    "guests_guest_email_trgm": f"{TABLE} USING gin ((UPPER(email::text)) gin_trgm_ops)",
    "guests_guest_phone_trgm": f"{TABLE} USING gin (phone gin_trgm_ops)",
    "guests_guest_name_prefix": f"{TABLE} (name_key varchar_pattern_ops)",
    "guests_guest_last_prefix": f"{TABLE} (last_name_key varchar_pattern_ops)",
}
TRIGRAM_INDEXES = {"guests_guest_name_trgm", "guests_guest_email_trgm", "guests_guest_phone_trgm"}


def _has_trigram(cursor, connection) -> bool:
    cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
    if cursor.fetchone():
        return True
    try:
        with transaction.atomic(using=connection.alias):
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    except Exception:  # Not installed on the server, or no privilege: search without it.
        return False
    return True


def add_search_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        trigram = _has_trigram(cursor, connection)
        for name, definition in POSTGRES_INDEXES.items():
            if name in TRIGRAM_INDEXES and not trigram:
                continue
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {definition}")


def remove_search_indexes(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for name in POSTGRES_INDEXES:
            cursor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("wagtail_guests", "0002_presets"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="guest",
            index=models.Index(fields=["updated_at"], name="guests_guest_updated_idx"),
        ),
        migrations.AddIndex(
            model_name="guest",
            index=models.Index(
                condition=models.Q(
                    models.Q(("email", ""), _negated=True),
                    ("anonymised_at__isnull", True),
                    ("email_undeliverable_at__isnull", True),
                    ("unsubscribed_at__isnull", True),
                ),
                fields=["id"],
                name="guests_guest_reachable_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="guesttag",
            index=models.Index(fields=["tag", "guest"], name="guests_guesttag_tag_idx"),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                condition=models.Q(("status__in", ["cancelled", "duplicate"]), _negated=True),
                fields=["booker", "arrival_date"],
                name="guests_booking_active_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="booking",
            index=models.Index(
                fields=["arrival_date", "status", "kind", "booker"],
                name="guests_booking_arrivals_idx",
            ),
        ),
        migrations.RunPython(add_search_indexes, remove_search_indexes, elidable=False),
    ]
