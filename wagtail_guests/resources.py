"""The columns of an import or export file, on django-import-export's resources and widgets.

:class:`GuestImportResource` declares one import-export ``Field`` per column, with a widget
that turns a cell into a clean value or raises ``ValueError`` with a message for the owner.
Headers are matched in English or French, without regard to case, accents, spaces, dashes or
underscores ("Prénom", "first_name", "E-mail", "Téléphone"…): see :data:`COLUMNS`.

Rows are not saved by the resource: :mod:`wagtail_guests.importing` validates every row with
:meth:`GuestImportResource.row_cleaner`, then saves them through the identity rule. Exports use
the same columns (:func:`export_headers`), so an exported file imports back unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _
from import_export import fields, resources

from .actions.guests import DETAIL_FIELDS
from .importing.cells import (
    FORMULA_TRIGGERS,
    ConsentWidget,
    CountryWidget,
    DateWidget,
    EmailWidget,
    LanguageWidget,
    PhoneWidget,
    TagsWidget,
    TextWidget,
    normalise_header,
    unescape_cell,
)

__all__ = [
    "COLUMNS",
    "FORMULA_TRIGGERS",
    "GuestImportResource",
    "export_headers",
    "field_for_header",
    "normalise_header",
    "unescape_cell",
]


@dataclass(frozen=True)
class Column:
    field: str
    en: str
    fr: str
    aliases: tuple[str, ...] = ()

    def header(self, language: str = "en") -> str:
        return self.fr if (language or "").startswith("fr") else self.en


#: Every column, in the order of the sample and export files. ``aliases`` are other headers
#: read as this column (compared with :func:`normalise_header`).
COLUMNS = (
    Column("first_name", "first name", "prénom", ("firstname", "given name", "forename")),
    Column(
        "last_name", "last name", "nom", ("lastname", "surname", "family name", "nom de famille")
    ),
    Column(
        "email",
        "email",
        "e-mail",
        ("email address", "e-mail address", "mail", "courriel", "adresse e-mail", "adresse mail"),
    ),
    Column(
        "phone",
        "phone",
        "téléphone",
        ("phone number", "telephone", "tel", "tél", "mobile", "portable", "numéro de téléphone"),
    ),
    Column("address", "address", "adresse", ("street", "street address", "rue")),
    Column("postal_code", "postal code", "code postal", ("postcode", "zip", "zip code", "cp")),
    Column("city", "city", "ville", ("town", "localité")),
    Column("country", "country", "pays"),
    Column("language", "language", "langue", ("preferred language", "langue préférée", "lang")),
    Column(
        "newsletter_consent",
        "newsletter consent",
        "consentement newsletter",
        ("newsletter", "consent", "consentement", "opt in", "accepte la newsletter"),
    ),
    Column("tags", "tags", "tags", ("tag", "étiquettes", "étiquette")),
    Column("arrival_date", "arrival", "arrivée", ("arrival date", "date d'arrivée", "check in")),
    Column(
        "departure_date", "departure", "départ", ("departure date", "date de départ", "check out")
    ),
    Column(
        "booking_reference",
        "booking reference",
        "référence de réservation",
        ("reference", "référence", "booking ref", "réf"),
    ),
    Column("notes", "notes", "remarques", ("note", "comments", "commentaires", "remarque")),
    Column("first_contact", "first contact", "premier contact", ("date du premier contact",)),
)
COLUMNS_BY_FIELD = {column.field: column for column in COLUMNS}
REQUIRED_FIELDS = ("first_name", "last_name")
#: Columns an export writes: the guest's details (bookings are not exported with guests).
EXPORT_FIELDS = (*DETAIL_FIELDS, "newsletter_consent", "tags", "first_contact")
CONSENT_VALUES = {"en": ("yes", "no"), "fr": ("oui", "non")}


@lru_cache(maxsize=1)
def _header_lookup() -> dict[str, str]:
    lookup = {}
    for column in COLUMNS:
        for name in (column.field, column.en, column.fr, *column.aliases):
            lookup.setdefault(normalise_header(name), column.field)
    return lookup


def field_for_header(header) -> str | None:
    """The field a file's header stands for, or ``None`` for a column we do not read."""
    return _header_lookup().get(normalise_header(header))


def export_headers(language: str = "en", fields_=EXPORT_FIELDS) -> list[str]:
    return [COLUMNS_BY_FIELD[name].header(language) for name in fields_]


def _field(name, widget):
    return fields.Field(attribute=name, column_name=name, widget=widget)


class GuestImportResource(resources.Resource):
    """The columns of an import file and how each cell is read and checked."""

    first_name = _field("first_name", TextWidget(150, required=True))
    last_name = _field("last_name", TextWidget(150, required=True))
    email = _field("email", EmailWidget())
    country = _field("country", CountryWidget())  # before the phone: it is the phone's region
    phone = _field("phone", PhoneWidget())
    address = _field("address", TextWidget(1000, memo=False))
    postal_code = _field("postal_code", TextWidget(20))
    city = _field("city", TextWidget(100))
    language = _field("language", LanguageWidget())
    newsletter_consent = _field("newsletter_consent", ConsentWidget())
    tags = _field("tags", TagsWidget())
    arrival_date = _field("arrival_date", DateWidget())
    departure_date = _field("departure_date", DateWidget())
    booking_reference = _field("booking_reference", TextWidget(24, memo=False))
    notes = _field("notes", TextWidget(5000, memo=False))
    first_contact = _field("first_contact", DateWidget())

    def row_cleaner(self, positions: dict[str, int]):
        """A function that cleans one row of a file whose columns are at ``positions``
        (``{field: index}``): ``cells -> (values, [(field, reason), …])``.

        Each cell goes through its field's widget. A widget whose result depends on the text
        alone (``memo``) is asked once per distinct text: a file repeats the same countries,
        languages, consents, tags and first names on thousands of rows.
        """
        steps = []
        for name, field in self.fields.items():
            if name in positions:
                widget = field.widget
                clean = _memoised(widget.clean) if getattr(widget, "memo", False) else widget.clean
                steps.append((name, positions[name], clean))
        phone = self.fields["phone"].widget.clean

        def clean_row(cells):
            values, errors = {}, []
            for name, position, clean in steps:
                try:
                    if name == "phone":
                        values[name] = phone(cells[position], region=values.get("country"))
                    else:
                        values[name] = clean(cells[position])
                except ValueError as error:
                    errors.append((name, str(error)))
            if "arrival_date" in values or "booking_reference" in values:
                errors.extend(_booking_errors(values))
            return values, errors

        return clean_row


def _booking_errors(values) -> list[tuple[str, str]]:
    arrival, departure = values.get("arrival_date"), values.get("departure_date")
    errors = []
    if departure and not arrival:
        errors.append(("arrival_date", _("A departure needs an arrival date.")))
    elif arrival and departure and departure <= arrival:
        errors.append(("departure_date", _("The departure must be after the arrival.")))
    if values.get("booking_reference") and not arrival:
        errors.append(("arrival_date", _("A booking reference needs an arrival date.")))
    return errors


#: Distinct texts a memoised widget remembers (then it stops remembering new ones).
MEMO_SIZE = 20_000


def _memoised(clean):
    memo = {}

    def cached(value):
        try:
            return memo[value]
        except KeyError:
            result = clean(value)  # a ValueError is not remembered: errors are rare
            if len(memo) < MEMO_SIZE:
                memo[value] = result
            return result
        except TypeError:  # not hashable
            return clean(value)

    return cached
