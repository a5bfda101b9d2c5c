"""The data of ``benchmarks/admin_list.py`` (also used by ``import_export.py``'s export): a
million realistic guests and their bookings and tags, generated in SQL on PostgreSQL."""

from __future__ import annotations

import time

FIRST_NAMES = (  # noqa: SIM905 (a list of names reads better as text)
    "Élodie Zoé François Hélène Jérôme Camille Léa Chloé Inès Noémie Clément Raphaël Théo "
    "Maël Anaïs Gaëlle Loïc Benoît Agnès Cécile Marie Paul Louis Jules Emma Hugo Lucas "
    "Manon Sarah Julien Nicolas Thomas Pierre Sophie Laura Anna Max Sofia Leon Mia Ben Lena "
    "Oliver Amelia Jack Isla Lucía Mateo Martina Diego"
).split()
LAST_NAMES = (  # noqa: SIM905 (a list of names reads better as text)
    "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
    "Lefèbvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre "
    "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
    "Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez "
    "Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly "
    "Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Pérez Marchand Dufour Blanchard "
    "Marie Barbier Brun Dumas Brunet Schmitt Leroux Colin Fernandez Pierre Renard Arnaud "
    "Rolland Caron Aubert Giraud Leclerc Vidal Bourgeois Renaud Lemoine Picard Gaillard "
    "Philippe Lacroix Dupré Smith Müller Rossi"
).split()
DOMAINS = ["example.com", "example.org", "example.net", "mail.example", "hotel.example"]
LANGUAGES = ["fr", "fr", "fr", "fr", "en", "en", "de", "es", "it", "nl"]
ROOMS = ["Double", "Twin", "Suite", "Single", "Family"]
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


GUEST_SQL = """
INSERT INTO wagtail_guests_guest (
    first_name, last_name, email, phone, address, postal_code, city, country, language,
    newsletter_consent, newsletter_consent_at, unsubscribed_at, email_undeliverable_at,
    source, site_id, first_contact_at, created_at, updated_at, anonymised_at,
    identity_key, name_key, last_name_key)
SELECT
    CASE WHEN anon THEN '' ELSE first END,
    CASE WHEN anon THEN '' ELSE last END,
    CASE WHEN anon OR no_email THEN '' ELSE email END,
    CASE WHEN anon OR NOT has_phone THEN '' ELSE phone END,
    '', '', '', CASE WHEN anon THEN '' ELSE 'FR' END, lang,
    consent, CASE WHEN consent <> 'unknown' THEN created END,
    CASE WHEN g %% 20 = 7 THEN created + interval '30 days' END,
    CASE WHEN g %% 50 = 9 THEN created + interval '10 days' END,
    (ARRAY['form', 'booking', 'import', 'manual'])[1 + g %% 4], %(site)s,
    created - interval '2 days', created, created + interval '1 day',
    CASE WHEN anon THEN created + interval '400 days' END,
    CASE WHEN anon THEN NULL
         WHEN no_email THEN 'p:' || phone || ':' || last_key
         ELSE 'e:' || email END,
    CASE WHEN anon THEN '' ELSE first_key || ' ' || last_key END,
    CASE WHEN anon THEN '' ELSE last_key END
FROM (
    SELECT g, fi, li,
           (%(first)s::text[])[fi] AS first, (%(first_keys)s::text[])[fi] AS first_key,
           (%(last)s::text[])[li] AS last, (%(last_keys)s::text[])[li] AS last_key,
           (%(first_ascii)s::text[])[fi] || '.' || (%(last_ascii)s::text[])[li] || '.' || g
               || '@' || (%(domains)s::text[])[1 + g %% 5] AS email,
           '+336' || lpad(((g * 7919) %% 100000000)::text, 8, '0') AS phone,
           g %% 13 = 0 AS no_email,
           g %% 13 = 0 OR g %% 10 < 7 AS has_phone,
           g %% 200 = 199 AS anon,
           (%(languages)s::text[])[1 + floor(random() * 10)::int] AS lang,
           (ARRAY['unknown', 'unknown', 'given', 'unknown', 'withdrawn', 'given'])
               [1 + floor(random() * 6)::int] AS consent,
           %(now)s::timestamptz - (random() * interval '1095 days') AS created
    FROM (
        SELECT g, 1 + floor(random() * %(n_first)s)::int AS fi,
               1 + floor(random() * %(n_last)s)::int AS li
        FROM generate_series(1, %(n)s::bigint) AS g
    ) AS picks
) AS rows
"""

BOOKING_SQL = """
INSERT INTO wagtail_guests_booking (
    reference, kind, status, booker_id, arrival_date, departure_date, time, number_of_guests,
    room_type, checked_in, rating, revenue, notes, site_id, created_at, updated_at)
SELECT
    %(prefix)s || ref, kind, status, booker, arrival,
    CASE WHEN kind = 'stay' THEN arrival + nights END,
    CASE WHEN kind = 'table' THEN time '19:30' END,
    party, CASE WHEN kind = 'stay' THEN (%(rooms)s::text[])[1 + g %% 5] ELSE '' END,
    arrival < %(today)s AND status = 'confirmed' AND random() < 0.9,
    NULL, round((random() * 600)::numeric, 2), '', %(site)s, %(now)s, %(now)s
FROM (
    SELECT g, kind, arrival, nights, party, booker,
           CASE WHEN g %% 100 = 1 THEN 'confirmed'
                WHEN r < 0.08 THEN 'cancelled'
                WHEN r < 0.10 THEN 'duplicate'
                WHEN r < 0.15 AND arrival < %(today)s THEN 'no_show'
                WHEN r < 0.30 AND arrival >= %(today)s THEN 'requested'
                ELSE 'confirmed' END AS status,
           substr(%(alphabet)s, 1 + (x %% 31)::int, 1)
               || substr(%(alphabet)s, 1 + (x / 31 %% 31)::int, 1)
               || substr(%(alphabet)s, 1 + (x / 961 %% 31)::int, 1)
               || substr(%(alphabet)s, 1 + (x / 29791 %% 31)::int, 1)
               || substr(%(alphabet)s, 1 + (x / 923521 %% 31)::int, 1)
               || substr(%(alphabet)s, 1 + (x / 28629151 %% 31)::int, 1) AS ref
    FROM (
        SELECT g, random() AS r,
               CASE WHEN random() < 0.8 THEN 'stay' ELSE 'table' END AS kind,
               CASE WHEN g %% 100 = 1 THEN %(today)s::date + ((g / 100) %% 30)::int
                    ELSE %(today)s::date + (floor(random() * 1460)::int - 1095) END AS arrival,
               1 + floor(random() * 6)::int AS nights,
               1 + floor(random() * 4)::int AS party,
               CASE WHEN g <= %(n_guests)s THEN %(first_guest)s + g - 1
                    ELSE %(first_guest)s + floor(random() * %(n_guests)s)::bigint END AS booker,
               (g * 7919 + 12345) %% 887503681 AS x
        FROM generate_series(1, %(n)s::bigint) AS g
    ) AS picks
) AS rows
"""

TAG_SQL = """
INSERT INTO wagtail_guests_guesttag (guest_id, tag_id, added_at)
SELECT id, (%(tags)s::bigint[])[1 + (id * 7) %% %(n_tags)s], %(now)s
  FROM wagtail_guests_guest WHERE id %% 10 < 3 AND anonymised_at IS NULL
UNION ALL
SELECT id, (%(tags)s::bigint[])[1 + (id * 7 + 3) %% %(n_tags)s], %(now)s
  FROM wagtail_guests_guest WHERE id %% 10 = 0 AND anonymised_at IS NULL
"""

TABLES = ["wagtail_guests_guest", "wagtail_guests_booking", "wagtail_guests_guesttag"]


def secondary_indexes(cursor):
    """(name, definition) of the indexes of TABLES that do not back a constraint."""
    cursor.execute(
        """
        SELECT i.indexname, i.indexdef FROM pg_indexes i
         WHERE i.tablename = ANY(%s)
           AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                            WHERE c.conindid = (quote_ident(i.indexname))::regclass)
        """,
        [TABLES],
    )
    return cursor.fetchall()


def generate(n_guests: int, n_bookings: int, *, drop_indexes: bool):
    from django.db import connection, transaction
    from django.utils import timezone
    from wagtail.models import Site

    from wagtail_guests.conf import guests_settings
    from wagtail_guests.identity import normalise_name
    from wagtail_guests.models import Tag
    from wagtail_guests.models.tags import PRESETS

    site = Site.objects.filter(is_default_site=True).first()
    tags = list(Tag.objects.filter(preset__in=PRESETS).order_by("pk").values_list("pk", flat=True))
    now, today = timezone.now(), timezone.localdate()
    first_keys = [normalise_name(n) for n in FIRST_NAMES]
    last_keys = [normalise_name(n) for n in LAST_NAMES]
    params = {
        "n": n_guests,
        "site": site.pk if site else None,
        "now": now,
        "today": today,
        "first": FIRST_NAMES,
        "first_keys": first_keys,
        "first_ascii": [k.replace(" ", "") for k in first_keys],
        "last": LAST_NAMES,
        "last_keys": last_keys,
        "last_ascii": [k.replace(" ", "") for k in last_keys],
        "n_first": len(FIRST_NAMES),
        "n_last": len(LAST_NAMES),
        "domains": DOMAINS,
        "languages": LANGUAGES,
    }
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE wagtail_guests_activity, wagtail_guests_submission, "
            "wagtail_guests_consentrecord, wagtail_guests_booking_additional_guests, "
            "wagtail_guests_guesttag, wagtail_guests_booking, wagtail_guests_guest "
            "RESTART IDENTITY CASCADE"  # and every table that points at them (emails…)
        )
        dropped = secondary_indexes(cursor) if drop_indexes else []
        for name, _definition in dropped:
            cursor.execute(f'DROP INDEX "{name}"')
        cursor.execute("SET LOCAL maintenance_work_mem = '1GB'")
        # Check foreign keys as rows go in: an index cannot be built with checks pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(GUEST_SQL, params)
        cursor.execute("SELECT min(id) FROM wagtail_guests_guest")
        first_guest = cursor.fetchone()[0] or 1
        cursor.execute(
            BOOKING_SQL,
            {
                "n": n_bookings,
                "n_guests": n_guests,
                "first_guest": first_guest,
                "today": today,
                "now": now,
                "site": params["site"],
                "rooms": ROOMS,
                "alphabet": REFERENCE_ALPHABET,
                "prefix": guests_settings.BOOKING_REFERENCE_PREFIX,
            },
        )
        cursor.execute(TAG_SQL, {"tags": tags, "n_tags": len(tags), "now": now})
        for _name, definition in dropped:
            cursor.execute(definition)
    print(
        f"Generated {n_guests:,} guests and {n_bookings:,} bookings "
        f"in {time.perf_counter() - started:.1f} s."
    )


def analyze():
    from django.db import connection

    with connection.cursor() as cursor:
        for table in TABLES:
            cursor.execute(f"VACUUM ANALYZE {table}")


def counts():
    from wagtail_guests.models import Booking, Guest

    return Guest.objects.count(), Booking.objects.count()
