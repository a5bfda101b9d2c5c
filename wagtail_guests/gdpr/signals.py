"""Signals of the GDPR features. They are public API.

Sent after the transaction that made the change has committed.
"""

from django.dispatch import Signal

#: Guests were anonymised (by staff, one or in bulk, or by the retention purge).
#: ``sender``: the Guest class; ``guest_ids``: the ids of the guests anonymised now (guests
#: that were already anonymised are not included); ``user``: the staff user, or ``None`` for
#: the retention purge; ``reason``: ``"request"`` or ``"retention"``.
#: A receiver that keeps guest data elsewhere (a mailing service, a CRM) should erase it there.
guests_anonymised = Signal()
