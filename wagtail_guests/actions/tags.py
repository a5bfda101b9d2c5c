from django.db import transaction

from .. import signals
from ..models import Activity, ActivityKind, Guest, GuestTag
from ..models.tags import check_tag_limit
from ..permissions import require


def add_tag(guest, tag, *, user=None):
    """Tag ``guest``; raises ``TagLimitExceeded`` at the limit. Returns False if already tagged."""
    require(user, "change")
    with transaction.atomic():
        # Lock the guest so two concurrent additions cannot both pass the limit.
        Guest.objects.select_for_update().filter(pk=guest.pk).first()
        if GuestTag.objects.filter(guest=guest, tag=tag).exists():
            return False
        check_tag_limit(guest.pk, adding=1)
        GuestTag.objects.create(guest=guest, tag=tag, added_by=user)
        Activity.objects.create(
            guest=guest,
            kind=ActivityKind.TAGGED,
            user=user,
            payload={"tag": tag.pk, "name": tag.name},
        )
        transaction.on_commit(
            lambda: signals.guest_tags_changed.send(
                Guest, guest=guest, added=[tag], removed=[], user=user
            )
        )
    return True


def remove_tag(guest, tag, *, user=None):
    """Remove ``tag`` from ``guest``. Returns False if the guest did not have it."""
    require(user, "change")
    with transaction.atomic():
        deleted, _ = GuestTag.objects.filter(guest=guest, tag=tag).delete()
        if not deleted:
            return False
        Activity.objects.create(
            guest=guest,
            kind=ActivityKind.UNTAGGED,
            user=user,
            payload={"tag": tag.pk, "name": tag.name},
        )
        transaction.on_commit(
            lambda: signals.guest_tags_changed.send(
                Guest, guest=guest, added=[], removed=[tag], user=user
            )
        )
    return True
