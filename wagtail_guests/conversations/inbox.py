"""The admin inbox's queries: one conversation per guest with messages, unread first.

Anonymised guests have no conversation (their messages were erased). Reading is a view
permission matter, checked by the views; these functions only shape the data.
"""

from __future__ import annotations

from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from ..models import Guest, Message, MessageDirection


def unread_messages():
    return Message.objects.filter(direction=MessageDirection.INBOUND, read_at__isnull=True)


def conversations():
    """Guests with messages, annotated for the inbox and ordered unread first, then newest.

    Annotations: ``last_message_at``, ``last_message_id``, ``unread_count``, ``has_unread``.
    """
    messages = Message.objects.filter(guest=OuterRef("pk"))
    latest = messages.order_by("-created_at", "-pk")
    unread = unread_messages().filter(guest=OuterRef("pk"))
    unread_count = unread.order_by().values("guest").annotate(count=Count("pk")).values("count")[:1]
    return (
        Guest.objects.filter(anonymised_at__isnull=True)
        .filter(Exists(messages))
        .annotate(
            last_message_at=Subquery(latest.values("created_at")[:1]),
            last_message_id=Subquery(latest.values("pk")[:1]),
            has_unread=Exists(unread),
            unread_count=Coalesce(Subquery(unread_count, output_field=IntegerField()), Value(0)),
        )
        .order_by("-has_unread", "-last_message_at", "-pk")
    )


def attach_last_messages(guests) -> None:
    """Set ``guest.last_message`` on each of ``guests`` (one query)."""
    ids = [g.last_message_id for g in guests if g.last_message_id]
    found = Message.objects.in_bulk(ids)
    for guest in guests:
        guest.last_message = found.get(guest.last_message_id)


def unread_count() -> int:
    return unread_messages().filter(guest__anonymised_at__isnull=True).count()


def conversation(guest):
    """The guest's messages, oldest first, with their photos."""
    return (
        Message.objects.filter(guest=guest)
        .select_related("user", "email")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )


def mark_read(guest) -> int:
    """Mark the guest's inbound messages read (opening the conversation does)."""
    return unread_messages().filter(guest=guest).update(read_at=timezone.now())
