from django.db import models
from django.utils.translation import gettext_lazy as _


class SubmissionKind(models.TextChoices):
    CONTACT = "contact", _("contact form")
    BOOKING = "booking", _("booking form")


class Submission(models.Model):
    """The validated data of one form submission, exactly as the visitor sent it.

    When the identity rule matched an existing guest whose details differ, the differences
    stay visible here: the guest keeps what staff entered, the submission keeps what was sent.
    """

    kind = models.CharField(_("kind"), max_length=10, choices=SubmissionKind.choices)
    guest = models.ForeignKey(
        "wagtail_guests.Guest",
        verbose_name=_("guest"),
        on_delete=models.CASCADE,
        related_name="submissions",
    )
    booking = models.ForeignKey(
        "wagtail_guests.Booking",
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="submissions",
    )
    data = models.JSONField(_("data"), default=dict)
    page = models.ForeignKey(
        "wagtailcore.Page",
        verbose_name=_("page"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    block_id = models.CharField(_("block"), max_length=64, blank=True)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    language = models.CharField(_("language"), max_length=10, blank=True)
    created_at = models.DateTimeField(_("submitted"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("submission")
        verbose_name_plural = _("submissions")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["guest", "-created_at"], name="guests_submission_guest_idx")
        ]

    def __str__(self):
        return _("Submission #%(id)s") % {"id": self.pk}
