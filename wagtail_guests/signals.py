"""Signals sent by wagtail-guests. They are public API.

Each is sent after the database transaction that made the change has committed, so a
receiver can safely enqueue background work or call an external service.
"""

from django.dispatch import Signal

#: A guest was created by any door (form, import, staff).
#: ``sender``: the Guest class; ``guest``: the new guest; ``source``: a ``GuestSource`` value.
guest_created = Signal()

#: A public form submission was recorded.
#: ``sender``: the Submission class; ``submission``: the new submission, with ``guest`` and
#: ``booking`` set; ``created_guest``: whether the guest is new.
submission_recorded = Signal()

#: Tags were added to or removed from a guest.
#: ``sender``: the Guest class; ``guest``; ``added``: list of tags; ``removed``: list of tags;
#: ``user``: the staff user or ``None``.
guest_tags_changed = Signal()
