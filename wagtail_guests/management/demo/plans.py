"""Who the demo guests are and what they will do: people from Faker, and a plan for each.

Nothing here writes to the database. A plan lists a guest's door (booking form, contact form,
import, staff) and bookings; :mod:`.history` carries it out through the actions.
"""

from __future__ import annotations

import random
import string
import unicodedata
from dataclasses import dataclass, field

from ...identity import normalise_phone

SITE_NAME = "Hôtel des Tilleuls"
CONSENT = "Yes, send me news and offers from the Hôtel des Tilleuls (about once a month)."
ROOMS = {"Single room": 85, "Double room": 120, "Twin room": 125, "Garden suite": 190}
TABLE_TIMES = ["12:00", "12:30", "13:00", "19:00", "19:30", "20:00", "20:30", "21:00"]
HISTORY_DAYS, IMPORT_AGE = 540, 365
LOCALES = {"fr": ("fr_FR", "FR"), "en": ("en_GB", "GB"), "de": ("de_DE", "DE")}
PHONES = {"FR": "+336", "GB": "+4479", "DE": "+49151"}
MESSAGES = {
    "fr": [
        "Bonjour, pourrions-nous arriver après 22 h ?",
        "Nous venons avec notre chien, est-ce possible ?",
        "Avez-vous un parking fermé pour deux vélos ?",
        "C'est pour un anniversaire : une bouteille de crémant en chambre serait parfaite.",
    ],
    "en": [
        "Could we have a quiet room away from the street?",
        "We arrive by train around 9 pm. Is a late check-in possible?",
        "Do you have a cot for our baby?",
        "One of us is vegetarian. Thank you!",
    ],
}
# How the old booking system's French export writes countries and languages.
IN_FILE = {
    "FR": ("France", "Français"),
    "GB": ("Royaume-Uni", "Anglais"),
    "DE": ("Allemagne", "Allemand"),
}
# The fields each block shows (see guests_demo's pages).
SHOWN = {
    "contact": ["phone", "country", "language", "address"],
    "stay": ["phone", "country", "language"],
    "table": ["phone"],
}
# The first guests' stories: (door, bookings, other Plan fields). A booking is (kind, arrival
# in days from today, outcome[, nights]); outcomes: "in" (checked in), "no_show",
# "cancelled", "confirmed", "requested", "duplicate" (the form sent twice).
STORIES = [
    # A regular: three visits (tagged Regular).
    ("booking", [("stay", -420, "in"), ("table", -300, "in"), ("stay", -120, "in")], {}),
    # A VIP arriving in 5 days.
    ("booking", [("stay", 5, "confirmed")], {"consent": True, "tags": ["vip"]}),
    # A couple: the booker names an additional guest, who gets a profile of their own.
    ("booking", [("stay", 2, "confirmed")], {"companions": 1}),
    # No email: two contact forms, matched on phone and last name.
    ("contact", [], {"contacts": 2, "no_email": True}),
    # In last year's import; books online with the email in capitals and a new phone.
    ("import", [("stay", -450, "in"), ("stay", 12, "requested")], {"variant": True}),
    # A no-show, booked again in 3 days: a warning on the dashboard.
    ("booking", [("table", -60, "no_show"), ("table", 3, "confirmed")], {}),
    # Tagged Problematic, arriving in 6 days.
    ("booking", [("stay", -200, "in"), ("stay", 6, "confirmed")], {"tags": ["problematic"]}),
    # Staying now.
    ("booking", [("stay", -1, "in", 3)], {"consent": True}),
    # Pressed the button twice: one guest, two submissions, one booking marked duplicate.
    ("booking", [("table", 9, "duplicate")], {}),
    # Added by staff after a phone call, consent given at the desk.
    ("manual", [("stay", 7, "confirmed")], {"consent": True}),
    # Consent given on the form, withdrawn later.
    ("booking", [("stay", -90, "in")], {"consent": True, "withdraw": True}),
    # Cancelled one stay, arrives today for another; came back with the email in capitals.
    ("booking", [("stay", 20, "cancelled"), ("stay", 0, "confirmed", 2)], {"variant": True}),
]


@dataclass
class Plan:
    door: str  # booking, contact, import or manual
    bookings: list = field(default_factory=list)
    contacts: int = 0
    consent: bool = False
    withdraw: bool = False
    companions: int = 0
    variant: bool = False  # later forms: email in capitals, another phone (differences kept)
    no_email: bool = False
    tags: list = field(default_factory=list)


def ascii_word(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text.lower() if c.isalnum())


class People:
    """Random people, their plans, and what they type into a form."""

    def __init__(self, seed=None):
        from faker import Faker

        self.rng = random.Random(seed)
        self.fake = Faker(["fr_FR", "en_GB", "de_DE"])
        self.fake.seed_instance(self.rng.randrange(2**32))

    def plans(self, count: int) -> list[tuple[Plan, dict]]:
        """``count`` (plan, person) pairs: the stories first, then random ones."""
        plans = [Plan(door, list(bookings), **extra) for door, bookings, extra in STORIES]
        plans = plans[:count] + [self.random_plan() for _n in range(count - len(plans))]
        people = []
        for plan in plans:
            email = not plan.no_email and self.rng.random() < 0.9
            people.append((plan, self.person(email=email)))
        return people

    def person(self, language=None, last_name=None, email=True) -> dict:
        rng = self.rng
        language = language or rng.choices(["fr", "en", "de"], [5, 3, 2])[0]
        locale, country = LOCALES[language]
        fake = self.fake[locale]
        first, last = fake.first_name(), last_name or fake.last_name()
        person = {"first_name": first, "last_name": last, "country": country, "language": language}
        if email:
            suffix = str(rng.randint(2, 99)) if rng.random() < 0.3 else ""
            domain = rng.choice(["example.com", "example.org", "example.net"])
            person["email"] = f"{ascii_word(first)}.{ascii_word(last)}{suffix}@{domain}"
        if not email or rng.random() < 0.7:
            person["phone"] = self.phone(country)
        if rng.random() < 0.4:
            person.update(address=fake.street_address(), postal_code=fake.postcode())
            person["city"] = fake.city()
        return person

    def phone(self, country) -> str:
        number = PHONES[country] + "".join(self.rng.choices(string.digits, k=8))
        return normalise_phone(number) or "+33612345678"

    def typed(self, person, fields, variant=False) -> dict:
        """What ``person`` types in a block showing ``fields`` (forms offer English, French)."""
        shown = {"first_name", "last_name", "email", *fields}
        if "address" in fields:
            shown |= {"postal_code", "city"}
        details = {key: value for key, value in person.items() if key in shown}
        details["language"] = person["language"] if person["language"] == "fr" else "en"
        if variant and details.get("email"):
            details["email"] = details["email"].upper()
            if "phone" in details:
                details["phone"] = self.phone(person["country"])
        return details

    def companion(self, person) -> dict:
        """An additional guest named on a booking form: first and last name, maybe an email."""
        rng = self.rng
        same = person["last_name"] if rng.random() < 0.5 else None
        other = self.person(person["language"], same, email=rng.random() < 0.5)
        return {key: other[key] for key in ("first_name", "last_name", "email") if key in other}

    def random_plan(self) -> Plan:
        rng = self.rng
        door = rng.choices(["booking", "contact", "import", "manual"], [55, 15, 18, 12])[0]
        if door == "import":
            bookings = [("stay", -rng.randint(IMPORT_AGE + 5, HISTORY_DAYS), "in")]
            if rng.random() < 0.35:
                bookings.append(self.random_booking(start=-IMPORT_AGE))
        elif door == "contact":
            bookings = [self.random_booking()] if rng.random() < 0.4 else []
        else:
            count = rng.choices([1, 2, 3, 5], [30, 12, 4, 2])[0]
            bookings = [self.random_booking() for _n in range(count)]
        tags = ["business", "local", "friends_family", "influencer", "vip"]
        return Plan(
            door,
            bookings,
            contacts=rng.randint(1, 2) if door == "contact" else int(rng.random() < 0.1),
            consent=rng.random() < 0.45,
            withdraw=rng.random() < 0.05,
            companions=rng.choices([0, 1, 2], [6, 3, 1])[0],
            variant=rng.random() < 0.15,
            tags=rng.sample(tags, 1) if rng.random() < 0.25 else [],
        )

    def random_booking(self, start=-HISTORY_DAYS) -> tuple:
        rng = self.rng
        kind = rng.choices(["stay", "table"], [65, 35])[0]
        when = rng.choices(["past", "current", "soon", "later"], [70, 4, 16, 10])[0]
        if when == "past":
            outcome = rng.choices(["in", "no_show", "cancelled", "confirmed"], [80, 6, 10, 4])[0]
            return (kind, rng.randint(start, -1), outcome)
        if when == "current":
            return (kind, -rng.randint(1, 2) if kind == "stay" else 0, "in", rng.randint(3, 5))
        outcome = rng.choices(["confirmed", "requested", "cancelled", "duplicate"], [60, 30, 7, 3])
        arrival = rng.randint(1, 30) if when == "soon" else rng.randint(31, 90)
        return (kind, arrival, outcome[0])
