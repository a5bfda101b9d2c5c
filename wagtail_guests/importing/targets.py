"""What an import plan holds: the guests it touches (:class:`Target`) and the plan itself."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..models import NewsletterConsent
from .rows import GUEST_FIELDS

#: One shared empty set (``frozenset()`` makes a new 216-byte object on every call).
_NO_TAGS = frozenset()


class Target:
    """A guest the import touches: an existing one, or one it will create."""

    __slots__ = (
        *GUEST_FIELDS,
        "pk",
        "seq",
        "created",
        "rows",
        "filled",
        "differences",
        "consent",
        "unsubscribed",
        "consents",
        "tag_ids",
        "tags",
        "bookings",
        "notes",
        "first_contact",
        "identity",
    )

    def __init__(self, pk=None, seq=0, **values):
        for name in GUEST_FIELDS:
            setattr(self, name, values.get(name) or "")
        self.pk, self.seq, self.created = pk, seq, pk is None
        self.consent = values.get("newsletter_consent") or NewsletterConsent.UNKNOWN
        self.unsubscribed = bool(values.get("unsubscribed_at"))
        self.rows = []
        # Most guests of a file get none of these: they share empty tuples until add() makes
        # a list (100,000 rows would otherwise hold 600,000 empty lists and sets, ~55 MB).
        self.filled = self.differences = ()
        self.consents = ()  # [(row, given)], each one a consent record to append
        self.tag_ids = _NO_TAGS  # tags the guest has before the import
        self.tags = ()  # [(row, Tag or new tag name)] to add
        self.bookings = ()  # [Record]
        self.notes = ()
        self.first_contact = None
        self.identity = None  # a new guest's identity, from its first row

    def add(self, name: str, *items):
        """Append ``items`` to the list ``name`` (``filled``, ``consents``, ``tags``…)."""
        current = getattr(self, name)
        if isinstance(current, tuple):
            current = list(current)
            setattr(self, name, current)
        current.extend(items)

    @property
    def order(self):
        """``find_guest`` takes the lowest id: existing guests come before new ones."""
        return (1, self.seq) if self.created else (0, self.pk)

    def details(self) -> dict:
        return {name: getattr(self, name) for name in GUEST_FIELDS if getattr(self, name)}

    @property
    def status(self) -> str:
        if self.created:
            return "new"
        if self.filled or self.consents or self.tags or self.bookings:
            return "updated"
        return "unchanged"


@dataclass
class Plan:
    targets: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    file_errors: list = field(default_factory=list)
    duplicates: list = field(default_factory=list)
    new_tags: dict = field(default_factory=dict)  # normalised name -> name as written

    def count(self, status: str) -> int:
        return sum(1 for target in self.targets if target.status == status)
