from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .indexes import where_set


class ConsentPurpose(models.TextChoices):
    NEWSLETTER = "newsletter", _("newsletter")


class ConsentSource(models.TextChoices):
    FORM = "form", _("form on the website")
    IMPORT = "import", _("import")
    STAFF = "staff", _("staff")
    UNSUBSCRIBE = "unsubscribe", _("unsubscribe link")


class AppendOnlyError(Exception):
    """Raised on an attempt to change or delete a consent record: the history is proof."""


class ConsentRecord(models.Model):
    """One consent given or withdrawn: what was agreed, when, where and in which words.

    Records are append-only: a withdrawal is a new record, never an edit of the old one.
    """

    guest = models.ForeignKey(
        "wagtail_guests.Guest",
        verbose_name=_("guest"),
        on_delete=models.CASCADE,
        related_name="consent_records",
    )
    purpose = models.CharField(
        _("purpose"),
        max_length=20,
        choices=ConsentPurpose.choices,
        default=ConsentPurpose.NEWSLETTER,
    )
    given = models.BooleanField(_("given"), help_text=_("False records a withdrawal."))
    created_at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    source = models.CharField(_("source"), max_length=20, choices=ConsentSource.choices)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    block_id = models.CharField(_("block"), max_length=64, blank=True)
    import_filename = models.CharField(_("import file"), max_length=255, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    wording = models.TextField(_("wording shown"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering = ["-created_at", "-pk"]
        # Most records come from a form (no staff user) or an import (no page).
        indexes = where_set("guests_consent", "page", "user")

    def __str__(self):
        return _("Consent record #%(id)s") % {"id": self.pk}

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise AppendOnlyError("Consent records are append-only; record a new one instead.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("Consent records are append-only.")
