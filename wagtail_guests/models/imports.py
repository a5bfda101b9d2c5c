from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    CHECKING = "checking", _("checking the file")
    READY = "ready", _("checked")
    IMPORTING = "importing", _("importing")
    DONE = "done", _("imported")
    FAILED = "failed", _("not imported")
    CANCELLED = "cancelled", _("cancelled")


class ImportJob(models.Model):
    """One file uploaded for import: its check (preview), its import, and the report of each.

    The uploaded file waits in ``WAGTAIL_GUESTS_IMPORT_TEMP_DIR`` under a random name
    (``stored_name``) between the preview and the confirmation; it is deleted when the import
    is done or cancelled, and abandoned files are removed after ``IMPORT_TEMP_MAX_AGE``.
    ``str(job)`` is "Import #12": Wagtail's audit log stores it, so it holds no file name.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    file_name = models.CharField(_("file name"), max_length=255)
    stored_name = models.CharField(max_length=64, blank=True, editable=False)
    encoding = models.CharField(_("encoding"), max_length=20, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=2, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ImportStatus.choices, default=ImportStatus.CHECKING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    report = models.JSONField(_("report"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)

    class Meta:
        verbose_name = _("guest import")
        verbose_name_plural = _("guest imports")
        ordering = ["-created_at", "-pk"]
        default_permissions = ()

    def __str__(self):
        return _("Import #%(id)s") % {"id": self.pk}

    @property
    def has_errors(self) -> bool:
        report = self.report or {}
        return bool(report.get("file_errors") or report.get("error_rows"))

    @property
    def is_running(self) -> bool:
        return self.status in (ImportStatus.CHECKING, ImportStatus.IMPORTING)

    @property
    def can_confirm(self) -> bool:
        return self.status == ImportStatus.READY and not self.has_errors and bool(self.stored_name)
