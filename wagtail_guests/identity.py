"""The one place that decides whether two sets of details are the same guest.

Rules, in order:

1. Same normalised email (trimmed, Unicode NFKC, case-folded) -> same guest.
2. No email, but the same normalised phone number (E.164) and last name -> same guest.
3. Neither: the same first and last name (accent- and case-insensitive) on a guest that
   also has no email and no phone -> same guest.

Otherwise the details are a new guest. Every guest that is not anonymised carries an
``identity_key`` derived from these rules, and the database keeps that key unique, so two
concurrent requests for the same person cannot both create a guest.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers

from .conf import guests_settings

_SPACES = re.compile(r"\s+")


def normalise_email(email: str | None) -> str:
    """Trim, NFKC-normalise and case-fold an email address ("" when there is none)."""
    if not email:
        return ""
    return unicodedata.normalize("NFKC", email.strip()).casefold()


def normalise_name(name: str | None) -> str:
    """Accent- and case-insensitive form of a name, with single spaces."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub(" ", stripped.casefold()).strip()


def normalise_phone(phone: str | None, region: str | None = None) -> str:
    """Return the number in E.164 ("+33612345678"), or "" if it is not a valid number.

    Numbers without an international prefix are read in ``region``, else in
    ``WAGTAIL_GUESTS_DEFAULT_PHONE_REGION``.
    """
    if not phone or not phone.strip():
        return ""
    region = (region or guests_settings.DEFAULT_PHONE_REGION or "").upper() or None
    try:
        parsed = phonenumbers.parse(phone, region)
    except phonenumbers.NumberParseException:
        return ""
    if not phonenumbers.is_possible_number(parsed) or not phonenumbers.is_valid_number(parsed):
        return ""
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def is_valid_phone(phone: str | None, region: str | None = None) -> bool:
    return bool(normalise_phone(phone, region))


@dataclass(frozen=True)
class Identity:
    """The normalised parts of a person's details that the rules compare."""

    email: str = ""
    phone: str = ""
    first_name: str = ""
    last_name: str = ""

    @classmethod
    def of(cls, *, email="", phone="", first_name="", last_name="", region=None):
        return cls(
            email=normalise_email(email),
            phone=normalise_phone(phone, region),
            first_name=normalise_name(first_name),
            last_name=normalise_name(last_name),
        )

    @classmethod
    def of_details(cls, details):
        """The identity of anything with ``email``, ``phone``, ``first_name`` and
        ``last_name`` attributes (a guest, an import's planned guest)."""
        return cls.of(
            email=details.email,
            phone=details.phone,
            first_name=details.first_name,
            last_name=details.last_name,
        )

    @property
    def key(self) -> str:
        """The unique key a guest with these details carries (see the module docstring)."""
        if self.email:
            return f"e:{self.email}"
        if self.phone:
            return f"p:{self.phone}:{self.last_name}"
        return f"n:{self.first_name}|{self.last_name}"

    @property
    def rule(self) -> str:
        """Which rule applies: "email", "phone" or "name"."""
        if self.email:
            return "email"
        if self.phone:
            return "phone"
        return "name"


def find_guest(identity: Identity, queryset=None):
    """Return the existing guest these details belong to, or ``None``.

    Anonymised guests are never matched: their ``identity_key`` is cleared.
    """
    from .models import Guest

    qs = queryset if queryset is not None else Guest.objects.all()
    qs = qs.filter(anonymised_at__isnull=True)
    if identity.rule == "phone":
        # A guest with this number and last name, whether or not that guest has an email.
        return (
            qs.filter(phone=identity.phone, last_name_key=identity.last_name).order_by("pk").first()
        )
    return qs.filter(identity_key=identity.key).first()
