"""Signal receivers, connected when this module is imported (``AppConfig.ready()``).

anymail's webhook views (``include("anymail.urls")``) check the request's authentication,
turn the provider's payload into normalised events and send them as signals; an exception
here answers HTTP 500, and the provider retries later.
"""

from anymail.signals import inbound, tracking
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from ..identity import normalise_email
from ..models import Guest
from .inbound import record_inbound_event
from .tracking import record_tracking_event


@receiver(tracking, dispatch_uid="wagtail_guests_tracking")
def on_tracking(sender, event, esp_name, **kwargs):
    record_tracking_event(event, esp_name)


@receiver(inbound, dispatch_uid="wagtail_guests_inbound")
def on_inbound(sender, event, esp_name, **kwargs):
    record_inbound_event(event, esp_name)


@receiver(pre_save, sender=Guest, dispatch_uid="wagtail_guests_new_address_reachable")
def new_address_is_reachable(sender, instance, raw=False, **kwargs):
    """A bounce marked the *address* undeliverable: a new address starts reachable again.

    Only guests already marked cost a query, so imports and forms are not slowed down.
    """
    if raw or instance.pk is None or instance.email_undeliverable_at is None:
        return
    old = Guest.objects.filter(pk=instance.pk).values_list("email", flat=True).first()
    if old is not None and normalise_email(old) != normalise_email(instance.email):
        instance.email_undeliverable_at = None
        instance._guests_address_changed = True


@receiver(post_save, sender=Guest, dispatch_uid="wagtail_guests_new_address_reachable_saved")
def _new_address_saved(sender, instance, update_fields=None, **kwargs):
    # save(update_fields=[...]) without the flag's field: clear it in the database too.
    if getattr(instance, "_guests_address_changed", False):
        del instance._guests_address_changed
        Guest.objects.filter(pk=instance.pk).update(email_undeliverable_at=None)
