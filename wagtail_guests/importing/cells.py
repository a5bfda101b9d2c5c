"""Reading one cell of an import file: django-import-export widgets that turn a cell into a
clean value, or raise ``ValueError`` with a message for the owner.

:class:`~wagtail_guests.resources.GuestImportResource` gives each column its widget. They run
once per cell of files of up to 200,000 rows, so the common cases take a short path (a plain
email address, a phone number in its usual national or international form) that gives the
same result as the general one, which handles everything else.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from functools import lru_cache

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import override
from import_export import widgets
from phonenumbers.phonemetadata import PhoneMetadata

from ..conf import guests_settings
from ..identity import normalise_phone

#: First characters a spreadsheet reads as a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def unescape_cell(value: str) -> str:
    """Undo :func:`wagtail_guests.exporting.escape_cell`: drop the apostrophe put in front of a
    cell that begins with a formula character (or with such an apostrophe)."""
    if value[:1] == "'" and value.lstrip("'")[:1] in FORMULA_TRIGGERS:
        return value[1:]
    return value


_HEADER_SEPARATORS = re.compile(r"[\s_\-.’']+")


def normalise_header(value) -> str:
    """ "Prénom ", "first_name", "E-Mail*" -> "prenom", "first name", "e mail"."""
    text = unicodedata.normalize("NFKD", str(value or "")).casefold()
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = _HEADER_SEPARATORS.sub(" ", text)
    return text.strip(" *:").strip()


class TextWidget(widgets.CharWidget):
    #: Whether a reader may remember this widget's result for a cell's text (see
    #: ``GuestImportResource.row_cleaner``): true when the result depends on the text alone
    #: and texts repeat (first names, cities, countries…).
    memo = True

    def __init__(self, max_length: int, required: bool = False, memo: bool | None = None):
        super().__init__(allow_blank=True)
        self.max_length, self.required = max_length, required
        if memo is not None:
            self.memo = memo

    def clean(self, value, row=None, **kwargs):
        if value.__class__ is not str:  # CharWidget's clean, for the values of a workbook
            if isinstance(value, datetime.date):
                value = value.isoformat()
            value = "" if value is None else str(value)
        text = (unescape_cell(value) if value[:1] == "'" else value).strip()
        if not text and self.required:
            raise ValueError(_("This is required."))
        if len(text) > self.max_length:
            raise ValueError(
                _("Too long: at most %(max)d characters (this has %(length)d).")
                % {"max": self.max_length, "length": len(text)}
            )
        return text


#: Addresses Django's ``validate_email`` accepts for sure (dot-atom local part, ASCII domain
#: with a letter-only top-level domain); anything else goes to ``validate_email`` itself.
_PLAIN_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)


class EmailWidget(TextWidget):
    memo = False

    def __init__(self):
        super().__init__(max_length=254)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if text and not _PLAIN_EMAIL.fullmatch(text):
            try:
                validate_email(text)
            except ValidationError:
                raise ValueError(
                    _("“%(value)s” is not a valid email address.") % {"value": text}
                ) from None
        return text


_PHONE_SEPARATORS = re.compile(r"[\s.\-/()]+")


@lru_cache(maxsize=64)
def _national_prefix(region: str) -> tuple[int, str] | None:
    """(country code, national prefix) of a region whose prefix is a plain digit string that is
    simply dropped ("0" in France, Belgium, the UK…), else None."""
    metadata = PhoneMetadata.metadata_for_region(region)
    if metadata is None or metadata.national_prefix_transform_rule:
        return None
    prefix = metadata.national_prefix_for_parsing or ""
    if not prefix.isdigit() or prefix != (metadata.national_prefix or ""):
        return None
    return metadata.country_code, prefix


def quick_e164(text: str, region: str | None) -> str | None:
    """The E.164 form of a number written the usual ways ("06 12 34 56 78" in its region,
    "+33 6 12 34 56 78"), or None to let ``normalise_phone`` decide.

    It asks phonenumbers the same question as ``normalise_phone`` (``is_valid_number`` of the
    same number) without its general parser; tests compare both on many numbers.
    """
    compact = _PHONE_SEPARATORS.sub("", text)
    if compact[:1] == "+":
        digits = compact[1:]
        if not digits.isdigit() or digits[0] == "0":
            return None
        for length in (1, 2, 3):
            regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(int(digits[:length]))
            if regions:
                break
        else:
            return None
        code, national = int(digits[:length]), digits[length:]
    elif compact.isdigit() and region:
        known = _national_prefix(region)
        if known is None or not compact.startswith(known[1]):
            return None
        code, national = known[0], compact[len(known[1]) :]
    else:
        return None
    if not national or national[0] == "0" or len(national) > 17:
        return None  # leading zeros (Italy…) and oddities: the general parser
    valid = _validator(code)
    if valid is None:
        number = phonenumbers.PhoneNumber(country_code=code, national_number=int(national))
        valid = phonenumbers.is_valid_number(number)
    else:
        valid = valid(national)
    return f"+{code}{national}" if valid else None


#: The number types phonenumbers knows; a number is valid if it is of any of them, so the
#: common ones come first.
_TYPES = (
    "mobile",
    "fixed_line",
    "premium_rate",
    "toll_free",
    "shared_cost",
    "voip",
    "personal_number",
    "pager",
    "uan",
    "voicemail",
)


@lru_cache(maxsize=64)
def _validator(code: int):
    """phonenumbers' ``is_valid_number`` for a country code of a single region, with the
    region's patterns compiled once: the number must match the general description and one
    of the types (``_number_type_helper`` is not "unknown"). None for other country codes."""
    regions = phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code)
    if not regions or len(regions) != 1:
        return None
    metadata = PhoneMetadata.metadata_for_region(regions[0])
    if metadata is None:
        return None

    def compiled(desc):
        if desc is None or desc.national_number_pattern is None:
            return None
        return frozenset(desc.possible_length or ()), re.compile(desc.national_number_pattern)

    general = compiled(metadata.general_desc)
    types = [c for c in (compiled(getattr(metadata, name)) for name in _TYPES) if c]
    if general is None:
        return None

    def matches(national, desc):
        lengths, pattern = desc
        return (not lengths or len(national) in lengths) and pattern.fullmatch(national)

    def valid(national: str) -> bool:
        return bool(matches(national, general)) and any(matches(national, d) for d in types)

    return valid


class PhoneWidget(TextWidget):
    """A number in international form (E.164); read in the row's country when it has no prefix."""

    memo = False

    def __init__(self):
        super().__init__(max_length=64)

    def clean(self, value, row=None, region=None, **kwargs):
        if isinstance(value, float) and value.is_integer():
            value = int(value)  # Excel stores a number typed without "+" as a number.
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        region = (region or guests_settings.DEFAULT_PHONE_REGION or "").upper() or None
        phone = quick_e164(text, region) or normalise_phone(text, region)
        if not phone and text.isdigit() and len(text) > 10:
            phone = normalise_phone(f"+{text}")  # "33612345678": the "+" lost by a spreadsheet
        if not phone:
            raise ValueError(_("“%(value)s” is not a valid phone number.") % {"value": text})
        return phone


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    from django_countries import countries

    lookup = {}
    for language in ("en", "fr"):
        with override(language):
            for code, name in countries:
                lookup[normalise_header(name)] = code
    for code, _name in countries:
        lookup[normalise_header(code)] = code
        lookup.setdefault(normalise_header(countries.alpha3(code)), code)
    return lookup


class CountryWidget(TextWidget):
    def __init__(self):
        super().__init__(max_length=100)

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        code = _countries().get(normalise_header(text))
        if code is None:
            raise ValueError(
                _("“%(value)s” is not a country: write its name or its code (FR, BE…).")
                % {"value": text}
            )
        return code


@lru_cache(maxsize=1)
def _languages() -> dict[str, str]:
    from django.conf.locale import LANG_INFO

    lookup = {}
    for code, info in LANG_INFO.items():
        if "name" not in info:
            continue
        names = {code, info["name"], info.get("name_local", "")}
        for language in ("en", "fr"):
            with override(language):
                names.add(_(info["name"]))
        for name in names:
            lookup.setdefault(normalise_header(name), code)
    return lookup


_LANGUAGE_CODE = re.compile(r"[a-zA-Z]{2,3}([-_][a-zA-Z0-9]{2,4})?")


class LanguageWidget(TextWidget):
    def __init__(self):
        super().__init__(max_length=100)  # a name ("Français"); the code kept is shorter

    def clean(self, value, row=None, **kwargs):
        text = super().clean(value, row, **kwargs)
        if not text:
            return ""
        code = _languages().get(normalise_header(text))
        if code is None and _LANGUAGE_CODE.fullmatch(text):
            code = text.replace("_", "-").lower()
        if code is None:
            raise ValueError(
                _("“%(value)s” is not a language: write its code (fr, en…) or its name.")
                % {"value": text}
            )
        return code


class ConsentWidget(widgets.BooleanWidget):
    """Yes / no in English or French; an empty cell records nothing."""

    memo = True
    TRUE_VALUES = {"yes", "y", "oui", "o", "true", "vrai", "1", "x", "given", "donne", "accepte"}
    FALSE_VALUES = {"no", "n", "non", "false", "faux", "0", "withdrawn", "retire", "refuse"}
    NULL_VALUES = {"", "unknown", "inconnu", "not asked", "non demande", "none", "null"}

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, bool):
            return value
        text = normalise_header(unescape_cell(str(value if value is not None else "")))
        if text in self.NULL_VALUES:
            return None
        if text in self.TRUE_VALUES:
            return True
        if text in self.FALSE_VALUES:
            return False
        raise ValueError(
            _("“%(value)s” is not understood: write yes or no (oui or non), or leave it empty.")
            % {"value": value}
        )


_TAG_SEPARATORS = re.compile(r"[,;|]")


class TagsWidget(widgets.Widget):
    """Tag names separated by commas (or semicolons, or |)."""

    memo = True

    def clean(self, value, row=None, **kwargs):
        text = unescape_cell(str(value or "")).strip()
        names = [name.strip() for name in _TAG_SEPARATORS.split(text)]
        names = tuple(dict.fromkeys(name for name in names if name))
        for name in names:
            if len(name) > 50:
                raise ValueError(
                    _("The tag “%(name)s…” is too long: at most 50 characters.")
                    % {"name": name[:50]}
                )
        return names


_ISO = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T][\d:.]+)?")
_DMY = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?: [\d:]+)?")


class DateWidget(widgets.DateWidget):
    """French dates (31/12/2026, 31-12-2026, 31.12.2026) and ISO dates (2026-12-31)."""

    memo = True

    def clean(self, value, row=None, **kwargs):
        if isinstance(value, datetime.datetime):
            return value.date()
        if isinstance(value, datetime.date):
            return value
        text = unescape_cell(str(value or "")).strip()
        if not text:
            return None
        try:
            if match := _ISO.fullmatch(text):
                year, month, day = match.groups()
            elif match := _DMY.fullmatch(text):
                day, month, year = match.groups()
                year = f"20{year}" if len(year) == 2 else year
            else:
                raise ValueError(text)
            return datetime.date(int(year), int(month), int(day))
        except ValueError:
            raise ValueError(
                _("“%(value)s” is not a date: write it as 31/12/2026 or 2026-12-31.")
                % {"value": text}
            ) from None
