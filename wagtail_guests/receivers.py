"""Signal receivers wagtail-guests connects in ``AppConfig.ready()``."""

from django.db.models.signals import m2m_changed
from django.dispatch import receiver

from .models import Guest
from .models.tags import check_tag_limit


@receiver(m2m_changed, sender=Guest.tags.through, dispatch_uid="wagtail_guests_tag_limit")
def enforce_tag_limit(sender, instance, action, reverse, pk_set, **kwargs):
    """Keep ``guest.tags.add(...)`` and ``.set(...)`` within the tag limit, not only forms."""
    if action != "pre_add" or not pk_set:
        return
    if not reverse:
        check_tag_limit(instance.pk, adding=len(pk_set), excluding=pk_set)
    else:
        # tag.guests.add(guest, ...): check each guest gaining this tag.
        for guest_id in pk_set:
            check_tag_limit(guest_id, adding=1, excluding=[instance.pk])
