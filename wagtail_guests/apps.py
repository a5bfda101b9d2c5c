from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WagtailGuestsAppConfig(AppConfig):
    name = "wagtail_guests"
    label = "wagtail_guests"
    verbose_name = _("Guests")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import checks, receivers  # noqa: F401
        from .conversations import receivers as conversation_receivers  # noqa: F401
        from .emailing import receivers as email_receivers  # noqa: F401
