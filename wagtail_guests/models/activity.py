from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .indexes import where_set


class ActivityKind(models.TextChoices):
    SUBMITTED = "submitted", _("form submitted")
    BOOKED = "booked", _("booking created")
    BOOKING_CHANGED = "booking_changed", _("booking changed")
    IMPORTED = "imported", _("imported")
    CREATED = "created", _("added by staff")
    UPDATED = "updated", _("details changed by staff")
    TAGGED = "tagged", _("tag added")
    UNTAGGED = "untagged", _("tag removed")
    CONSENT_GIVEN = "consent_given", _("consent given")
    CONSENT_WITHDRAWN = "consent_withdrawn", _("consent withdrawn")
    EMAIL_QUEUED = "email_queued", _("email queued")
    EMAIL_SENT = "email_sent", _("email sent")
    EMAIL_FAILED = "email_failed", _("email failed")
    EMAIL_DELIVERED = "email_delivered", _("email delivered")
    EMAIL_OPENED = "email_opened", _("email opened")
    EMAIL_CLICKED = "email_clicked", _("email link clicked")
    EMAIL_BOUNCED = "email_bounced", _("email bounced")
    EMAIL_COMPLAINED = "email_complained", _("marked as spam")
    MESSAGE_RECEIVED = "message_received", _("message received")
    MESSAGE_SENT = "message_sent", _("reply sent")
    UNSUBSCRIBED = "unsubscribed", _("unsubscribed from all emails")
    ANONYMISED = "anonymised", _("anonymised")


class Activity(models.Model):
    """One event on a guest's timeline, with a small structured payload.

    The payload holds identifiers and codes (a tag id, a status, an email id), not prose, so it
    can be rendered in any language and erased on anonymisation.
    """

    guest = models.ForeignKey(
        "wagtail_guests.Guest",
        verbose_name=_("guest"),
        on_delete=models.CASCADE,
        related_name="activities",
        db_index=False,  # guests_activity_guest_idx starts with it
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    created_at = models.DateTimeField(_("time"), default=timezone.now)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )
    submission = models.ForeignKey(
        "wagtail_guests.Submission",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,  # see Meta.indexes
    )
    booking = models.ForeignKey(
        "wagtail_guests.Booking",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="activities",
        db_index=False,  # see Meta.indexes
    )
    payload = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["guest", "-created_at"], name="guests_activity_guest_idx"),
            # Most entries have no staff user, submission or booking.
            *where_set("guests_activity", "user", "submission", "booking"),
        ]

    def __str__(self):
        return _("Activity #%(id)s") % {"id": self.pk}
