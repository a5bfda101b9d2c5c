"""The data of ``benchmarks/import_export.py``: realistic guests written as other tools do.

``write_files`` writes the import file (English headers, names with accents, phones and
countries in several shapes, consent, tags; 10% of rows matching the guests already there,
1% repeating an earlier row) and the plain files for django-import-export and ``COPY``;
``generate_sqlite`` fills a SQLite database with guests to export.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

FIRST_NAMES = (  # noqa: SIM905 (a list of names reads better as text)
    "Élodie Zoé François Hélène Jérôme Camille Léa Chloé Inès Noémie Clément Raphaël Théo "
    "Maël Anaïs Gaëlle Loïc Benoît Agnès Cécile Marie Paul Louis Jules Emma Hugo Lucas "
    "Manon Sarah Julien Nicolas Thomas Pierre Sophie Laura Anna Max Sofia Leon Mia Ben Lena "
    "Oliver Amelia Jack Isla Lucía Mateo Martina Diego Jean-Pierre Marie-Claire"
).split()
LAST_NAMES = (
    (  # noqa: SIM905 (a list of names reads better as text)
        "Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau Simon Laurent "
        "Lefèbvre Michel Garcia David Bertrand Roux Vincent Fournier Morel Girard André Lefèvre "
        "Mercier Dupont Lambert Bonnet François Martinez Legrand Garnier Faure Rousseau Blanc "
        "Guérin Muller Henry Roussel Nicolas Perrin Morin Mathieu Clément Gauthier Dumont Lopez "
        "Fontaine Chevalier Robin Masson Sanchez Gérard Nguyen Boyer Denis Lemaire Duval Joly "
        "Gautier Roger Roche Roy Noël Meyer Lucas Meunier Jean Pérez Marchand Dufour Blanchard "
        "Philippe Lacroix Dupré Smith Müller Rossi O'Brien Le_Gall De_la_Tour"
    )
    .replace("_", " ")
    .split()
)
CITIES = ["Paris", "Lyon", "Marseille", "Nantes", "Bruxelles", "Genève", "London", "Lille", ""]
DOMAINS = ["example.com", "example.org", "example.net", "mail.example", "hotel.example"]
# A country and a language, as other tools write them.
PLACES = [
    ("France", "fr"),
    ("FR", "français"),
    ("france", "French"),
    ("Belgique", "fr"),
    ("Belgium", "nl"),
    ("Suisse", "de"),
    ("United Kingdom", "en"),
    ("GB", "English"),
    ("Allemagne", "de"),
    ("Spain", "es"),
    ("", ""),
]
#: The plain file (b, c) has the values the model stores: no reading of names there.
COUNTRY_CODES = {
    "France": "FR",
    "FR": "FR",
    "france": "FR",
    "Belgique": "BE",
    "Belgium": "BE",
    "Suisse": "CH",
    "United Kingdom": "GB",
    "GB": "GB",
    "Allemagne": "DE",
    "Spain": "ES",
    "": "",
}
LANGUAGE_CODES = {"français": "fr", "French": "fr", "English": "en"}
TAG_CHOICES = ["", "", "", "", "VIP", "Regular", "VIP, Regular", "Local", "Sommelier, VIP"]
CONSENTS = ["", "", "yes", "no", "oui", "non", "yes"]
HEADERS = [
    "first name",
    "last name",
    "email",
    "phone",
    "city",
    "country",
    "language",
    "newsletter consent",
    "tags",
]
PLAIN_COLUMNS = ["first_name", "last_name", "email", "phone", "city", "country", "language"]


# Files ---------------------------------------------------------------------------------------


def _ascii(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if c.isalnum() and c.isascii()).lower()


def person(rng: random.Random, n: int) -> list[str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    roll = rng.random()
    email = "" if roll < 0.12 else f"{_ascii(first)}.{_ascii(last)}.{n}@{rng.choice(DOMAINS)}"
    if roll < 0.12 or rng.random() < 0.6:
        digits = f"1{(n * 7919) % 10_000_000:07d}"  # 06 1x xx xx xx: valid French mobiles
        if rng.random() < 0.8:
            phone = "06 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
        else:
            phone = "+33 6 " + " ".join(digits[i : i + 2] for i in range(0, 8, 2))
    else:
        phone = ""
    country, language = rng.choice(PLACES)
    if country in ("Belgique", "Belgium", "Suisse", "United Kingdom", "GB", "Allemagne", "Spain"):
        phone = phone.replace("06 ", "+33 6 ", 1) if phone.startswith("06") else phone
    return [first, last, email, phone, rng.choice(CITIES), country, language]


def plain_row(row: list[str]) -> list[str]:
    first, last, email, phone, city, country, language = row[:7]
    language = LANGUAGE_CODES.get(language, language)
    return [first, last, email, phone, city, COUNTRY_CODES[country], language]


def write_files(work: Path, rows: int, existing: int, plain_rows: int, seed: int = 4):
    """The seed file (existing guests), the import file and its plain twin; kept if present."""
    names = {
        "seed": work / f"seed-{existing}.csv",
        "import": work / f"import-{rows}-{existing}.csv",
        "plain": work / f"plain-{rows}-{existing}.csv",
        "plain_subset": work / f"plain-{rows}-{existing}-first-{plain_rows}.csv",
    }
    if all(path.exists() for path in names.values()):
        return names
    work.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    seed_people = [person(rng, n) for n in range(existing)]
    with open(names["seed"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS[:7])
        writer.writerows(seed_people)
    matchable = [p for p in seed_people if p[2] or p[3]]
    rows_out = []
    for n in range(rows):
        roll = rng.random()
        if roll < 0.10:  # a guest already in the database: same email, or same phone + name
            known = list(rng.choice(matchable))
            if known[2] and rng.random() < 0.5:
                known[2] = known[2].upper()
            known[4] = rng.choice(CITIES)  # another city: filled only where empty
            row = known
        elif roll < 0.11 and rows_out:  # the same person twice in the file
            row = list(rng.choice(rows_out[-500:])[:7])
        else:
            row = person(rng, existing + n)
        rows_out.append([*row, rng.choice(CONSENTS), rng.choice(TAG_CHOICES)])
    with open(names["import"], "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS)
        writer.writerows(rows_out)
    for key, count in (("plain", rows), ("plain_subset", plain_rows)):
        with open(names[key], "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(PLAIN_COLUMNS)
            writer.writerows(plain_row(row) for row in rows_out[:count])
    return names


def generate_sqlite(count: int):
    from django.db import connection, transaction
    from django.utils import timezone

    from wagtail_guests.identity import normalise_name
    from wagtail_guests.models import Tag

    rng = random.Random(7)
    now = timezone.now()
    tags = list(Tag.objects.values_list("pk", flat=True))
    columns = (
        "first_name, last_name, email, phone, address, postal_code, city, country, language, "
        "newsletter_consent, source, first_contact_at, created_at, updated_at, identity_key, "
        "name_key, last_name_key"
    )
    values = ", ".join(["%s"] * 17)
    insert = f"INSERT INTO wagtail_guests_guest ({columns}) VALUES ({values})"  # noqa: S608
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, count, 20_000):
            batch = []
            for n in range(start, min(start + 20_000, count)):
                first, last, email, phone, city, country, language = person(rng, n)
                first_key, last_key = normalise_name(first), normalise_name(last)
                phone = "+336" + phone.replace(" ", "")[-8:] if phone else ""
                key = f"e:{email}" if email else (f"p:{phone}:{last_key}" if phone else None)
                consent = rng.choice(["unknown", "given", "withdrawn"])
                batch.append(
                    (
                        first,
                        last,
                        email,
                        phone,
                        "",
                        "",
                        city,
                        "FR",
                        "fr",
                        consent,
                        "import",
                        now,
                        now,
                        now,
                        key,
                        f"{first_key} {last_key}",
                        last_key,
                    )
                )
            cursor.executemany(insert, batch)
        cursor.execute(
            "INSERT INTO wagtail_guests_guesttag (guest_id, tag_id, added_at) "
            "SELECT id, %s, %s FROM wagtail_guests_guest WHERE id %% 10 < 3",
            [tags[0], now],
        )
