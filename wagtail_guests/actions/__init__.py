"""Every write to the guest list goes through one of these functions.

Views, blocks, importers, tasks and commands call them; nothing else writes guests.
"""

from .bookings import create_booking
from .consent import record_consent
from .guests import MatchResult, match_or_create_guest
from .submissions import record_submission
from .tags import add_tag, remove_tag

__all__ = [
    "MatchResult",
    "add_tag",
    "create_booking",
    "match_or_create_guest",
    "record_consent",
    "record_submission",
    "remove_tag",
]
