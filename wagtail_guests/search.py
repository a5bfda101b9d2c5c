"""Guest search for the admin: name, email, phone and booking reference, with the ORM.

Guests are not in Wagtail's search index (personal data stays in one table, and a search
index would have to be purged on anonymisation). The search box reads what kind of text it
was given and asks the one indexed column that can answer it:

- text with an "@": the email (case-insensitive, any part);
- digits, spaces, "+", ".", "-", "(", ")": the phone number, stored in E.164. A full number in
  any common format ("06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678") is normalised
  with :func:`~wagtail_guests.identity.normalise_phone` and matched exactly; a part of a
  number ("12 34 56") matches the guests whose number contains those digits;
- something shaped like a booking reference ("GB-7K3QZP", "7k3qzp"): the guest who booked it
  (six letters without the prefix, "kxqzpm", could be a name too: both are searched);
- anything else: every word must appear in the accent- and case-insensitive name
  (``Guest.name_key``), or the whole text in the email.

On PostgreSQL, migrations 0003 and 0008 add trigram (``pg_trgm``) GIN indexes on ``name_key``,
``email`` (searched with ``ILIKE``: ``models.fields.TrigramIContains``) and ``phone``, so these
``LIKE '%…%'`` lookups stay fast on a million guests; the name's btree (collation "C") answers
``LIKE 'abc%'``. Elsewhere the same queries run as plain ``LIKE`` scans.
"""

from __future__ import annotations

import re

from django.db.models import Exists, OuterRef, Q

from .conf import guests_settings
from .identity import normalise_name, normalise_phone
from .models import Booking

_PHONE_CHARS = re.compile(r"^\+?[\d\s().\-/]+$")
_NON_DIGITS = re.compile(r"\D")
_REFERENCE_BODY = re.compile(r"^[0-9A-Z]{6}$")

#: Fewer digits than this is not a phone search (it could be anything).
MIN_PHONE_DIGITS = 4
#: Shorter words are matched at the start of the name only (trigram indexes need three).
MIN_CONTAINS_LENGTH = 3


def reference_candidates(text: str, *, strict: bool = True) -> list[str]:
    """The booking references ``text`` could be, upper-cased, with and without the prefix.

    ``strict``: without the prefix, only six characters with a digit look like a reference
    ("dupont" is a name); the reference filter, which can only be a reference, is not strict.
    """
    value = text.strip().upper()
    prefix = guests_settings.BOOKING_REFERENCE_PREFIX.upper()
    has_prefix = bool(prefix) and value.startswith(prefix)
    body = value[len(prefix) :] if has_prefix else value
    if not _REFERENCE_BODY.match(body):
        return []
    if strict and not has_prefix and not re.search(r"\d", body):
        return []
    return list(dict.fromkeys([f"{prefix}{body}", value]))


def booker_ids(references) -> list[int]:
    return list(
        Booking.objects.filter(reference__in=references, booker__isnull=False).values_list(
            "booker_id", flat=True
        )
    )


def phone_condition(text: str) -> Q | None:
    """A condition on ``Guest.phone`` for ``text``, or None if it is not phone-like."""
    text = text.strip()
    if not _PHONE_CHARS.match(text):
        return None
    digits = _NON_DIGITS.sub("", text)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    full = normalise_phone(text)
    if full:
        return Q(phone=full)
    # A part of a number: drop the trunk or international-call prefix of a national format.
    if not text.startswith("+"):
        if digits.startswith("00"):
            digits = digits[2:]
        elif digits.startswith("0"):
            digits = digits[1:]
    return Q(phone__contains=digits)


def name_condition(text: str) -> Q | None:
    words = normalise_name(text).split()
    if not words:
        return None
    condition = Q()
    for word in words:
        if len(word) < MIN_CONTAINS_LENGTH and len(words) == 1:
            condition &= Q(name_key__startswith=word) | Q(last_name_key__startswith=word)
        else:
            condition &= Q(name_key__contains=word)
    return condition


def search_condition(text: str) -> Q | None:
    """The condition a guest must meet to match the search ``text`` (None: match nothing)."""
    text = (text or "").strip()
    if not text:
        return None
    if "@" in text:
        return Q(email__icontains=text)
    phone = phone_condition(text)
    if phone is not None:
        return phone
    references = reference_candidates(text)
    if references:
        return Q(Exists(Booking.objects.filter(booker=OuterRef("pk"), reference__in=references)))
    condition = name_condition(text)
    if condition is None:
        return None
    if len(text) >= MIN_CONTAINS_LENGTH and " " not in text:
        condition |= Q(email__icontains=text)
    ambiguous = reference_candidates(text, strict=False)
    if ambiguous:
        # Six letters ("KXQZPM") may be a reference without its prefix, or a name: both. The
        # booker is looked up first, so the guest query stays one index-friendly OR.
        condition |= Q(pk__in=booker_ids(ambiguous))
    return condition


def search_guests(queryset, text: str):
    """Filter a Guest queryset by the search box ``text`` (see the module docstring)."""
    condition = search_condition(text)
    if condition is None:
        return queryset.none() if (text or "").strip() else queryset
    return queryset.filter(condition)
