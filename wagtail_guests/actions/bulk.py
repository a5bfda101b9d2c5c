"""Tag many guests at once: the set-based twins of :func:`add_tag` and :func:`remove_tag`.

Same rules (the tag limit, a timeline entry per guest, ``guest_tags_changed`` after commit),
in a few queries per batch instead of several per guest, so "all guests in listing" stays
quick. Anonymised guests are left alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from wagtail.models import ModelLogEntry

from .. import signals
from ..conf import guests_settings
from ..models import Activity, ActivityKind, Guest, GuestTag
from ..permissions import require
from ..utils import chunked

BATCH_SIZE = 500


@dataclass
class BulkTagResult:
    #: Guests that got (or lost) the tag.
    changed: list[int] = field(default_factory=list)
    #: Guests that already had the tag (adding) or did not have it (removing).
    unchanged: list[int] = field(default_factory=list)
    #: Guests skipped because they already carry the most tags allowed (adding only).
    over_limit: list[int] = field(default_factory=list)


def _send_changed(guest_ids, tag, *, added: bool, user):
    def send():
        for guest in Guest.objects.filter(pk__in=guest_ids).order_by("pk").iterator():
            signals.guest_tags_changed.send(
                Guest,
                guest=guest,
                added=[tag] if added else [],
                removed=[] if added else [tag],
                user=user,
            )

    if guest_ids:
        transaction.on_commit(send)


def _log(guest_ids, tag, kind, user):
    """A timeline entry and an audit-log entry per guest, as add_tag() and tag_guest() write.

    The audit-log entries are the same as Wagtail's ``log()`` would write ("Guest #N" labels,
    no personal data), created in one query per batch instead of one per guest.
    """
    Activity.objects.bulk_create(
        [
            Activity(guest_id=pk, kind=kind, user=user, payload={"tag": tag.pk, "name": tag.name})
            for pk in guest_ids
        ]
    )
    if user is None:
        return
    action = "wagtail_guests.tag" if kind == ActivityKind.TAGGED else "wagtail_guests.untag"
    content_type = ContentType.objects.get_for_model(Guest)
    now = timezone.now()
    ModelLogEntry.objects.bulk_create(
        [
            ModelLogEntry(
                content_type=content_type,
                object_id=str(pk),
                label=str(Guest(pk=pk)),
                action=action,
                data={"tag": tag.pk},
                timestamp=now,
                user=user,
            )
            for pk in guest_ids
        ]
    )


def bulk_add_tag(guest_ids, tag, *, user=None) -> BulkTagResult:
    """Add ``tag`` to each guest of ``guest_ids`` that has room for it."""
    require(user, "change")
    limit = guests_settings.MAX_TAGS_PER_GUEST
    result = BulkTagResult()
    with transaction.atomic():
        for batch in chunked(guest_ids, BATCH_SIZE):
            # Lock the guests, as add_tag() does, so a concurrent addition cannot pass the limit.
            locked = list(
                Guest.objects.select_for_update()
                .filter(pk__in=batch, anonymised_at__isnull=True)
                .order_by("pk")
                .values_list("pk", flat=True)
            )
            tagged = set(
                GuestTag.objects.filter(guest_id__in=locked, tag=tag).values_list(
                    "guest_id", flat=True
                )
            )
            counts = dict(
                GuestTag.objects.filter(guest_id__in=locked)
                .order_by()
                .values("guest_id")
                .annotate(n=Count("pk"))
                .values_list("guest_id", "n")
            )
            to_tag = []
            for pk in locked:
                if pk in tagged:
                    result.unchanged.append(pk)
                elif counts.get(pk, 0) >= limit:
                    result.over_limit.append(pk)
                else:
                    to_tag.append(pk)
            GuestTag.objects.bulk_create(
                [GuestTag(guest_id=pk, tag=tag, added_by=user) for pk in to_tag]
            )
            _log(to_tag, tag, ActivityKind.TAGGED, user)
            result.changed.extend(to_tag)
        _send_changed(list(result.changed), tag, added=True, user=user)
    return result


def bulk_remove_tag(guest_ids, tag, *, user=None) -> BulkTagResult:
    """Remove ``tag`` from each guest of ``guest_ids`` that has it."""
    require(user, "change")
    result = BulkTagResult()
    with transaction.atomic():
        for batch in chunked(guest_ids, BATCH_SIZE):
            links = GuestTag.objects.filter(
                guest_id__in=batch, tag=tag, guest__anonymised_at__isnull=True
            )
            removed = sorted(links.values_list("guest_id", flat=True))
            GuestTag.objects.filter(guest_id__in=removed, tag=tag).delete()
            _log(removed, tag, ActivityKind.UNTAGGED, user)
            result.changed.extend(removed)
            result.unchanged.extend(sorted(set(batch) - set(removed)))
        _send_changed(list(result.changed), tag, added=False, user=user)
    return result
