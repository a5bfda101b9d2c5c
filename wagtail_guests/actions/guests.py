from __future__ import annotations

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from .. import signals
from ..identity import Identity, find_guest, normalise_email, normalise_name, normalise_phone
from ..models import Activity, ActivityKind, Guest, GuestSource
from ..permissions import require

#: The guest fields a door may supply. Everything else is managed by actions.
DETAIL_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "address",
    "postal_code",
    "city",
    "country",
    "language",
)
_COMPARE = {"email": normalise_email, "first_name": normalise_name, "last_name": normalise_name}


@dataclass
class MatchResult:
    guest: Guest
    created: bool
    #: Fields that were empty on the existing guest and were filled from the details.
    filled: list[str] = field(default_factory=list)
    #: Fields whose sent value differs from what the guest already had (kept unchanged).
    differences: list[str] = field(default_factory=list)


def clean_details(details: dict) -> dict:
    """Keep the known fields, trim strings and store the phone number in E.164."""
    cleaned = {}
    for name in DETAIL_FIELDS:
        value = details.get(name)
        if value is None:
            continue
        value = str(value).strip()
        if name == "phone" and value:
            value = normalise_phone(value, details.get("country") or None) or value
        if value:
            cleaned[name] = value
    return cleaned


def _merge(guest: Guest, details: dict) -> tuple[list[str], list[str]]:
    filled, differences = [], []
    for name, value in details.items():
        current = getattr(guest, name)
        current = str(current) if current else ""
        if not current:
            setattr(guest, name, value)
            filled.append(name)
        else:
            compare = _COMPARE.get(name, lambda v: v)
            if compare(current) != compare(value):
                differences.append(name)
    return filled, differences


def match_or_create_guest(
    details: dict,
    *,
    source: str,
    site=None,
    user=None,
    first_contact_at=None,
) -> MatchResult:
    """Return the guest these details belong to, creating one if no guest matches.

    A match only fills the guest's empty fields: what staff entered is never overwritten, and
    the names of fields that differ are returned so the caller can record them. Safe under
    concurrency: the database keeps ``Guest.identity_key`` unique, and a losing insert matches
    the winner's guest instead of failing.
    """
    require(user, "add")
    details = clean_details(details)
    identity = Identity.of(
        email=details.get("email", ""),
        phone=details.get("phone", ""),
        first_name=details.get("first_name", ""),
        last_name=details.get("last_name", ""),
    )
    # No savepoint of its own inside a caller's transaction (a form submission runs three
    # actions in one): an error here fails the whole of it anyway.
    with transaction.atomic(savepoint=False):
        for _attempt in range(5):
            guest = find_guest(identity, Guest.objects.select_for_update())
            if guest is not None:
                filled, differences = _merge(guest, details)
                if filled:
                    guest.save(update_fields=filled)
                return MatchResult(guest, False, filled, differences)
            guest = Guest(
                **details,
                source=source,
                site=site,
                first_contact_at=first_contact_at or timezone.now(),
            )
            try:
                with transaction.atomic():
                    guest.save()
            except IntegrityError:
                # Another transaction created this person meanwhile: match that guest.
                continue
            if source == GuestSource.MANUAL:
                Activity.objects.create(guest=guest, kind=ActivityKind.CREATED, user=user)
            transaction.on_commit(
                lambda g=guest: signals.guest_created.send(Guest, guest=g, source=source)
            )
            return MatchResult(guest, True, list(details))
    raise IntegrityError("Could not match or create the guest after several attempts.")
