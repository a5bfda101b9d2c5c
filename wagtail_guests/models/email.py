"""Email with guests: templates, scheduling rules, the outbox, tracking events and conversations.

Every outgoing email is first a row of :class:`OutgoingEmail` (the outbox), then sent by a task;
tracking webhooks become :class:`EmailEvent` rows; replies from guests become inbound
:class:`Message` rows of the guest's conversation. :class:`ProcessedWebhook` remembers which
webhook event ids were already handled, so a repeated delivery is processed once.
"""

import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def new_reply_token() -> str:
    """A random token for the Reply-To address: it names the email, not the guest."""
    return secrets.token_urlsafe(12)


class EmailTemplate(models.Model):
    """Subject and body of an email, with merge fields such as ``{first_name}``.

    Templates sharing a ``name`` are translations of each other: the one in the guest's language
    is used, else the one with an empty language (the default).
    """

    name = models.CharField(_("name"), max_length=100)
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        choices=settings.LANGUAGES,
        help_text=_(
            "Leave empty for the default used when no template is in the guest's language."
        ),
    )
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("body"))
    is_marketing = models.BooleanField(
        _("marketing email"),
        default=True,
        help_text=_(
            "Marketing emails carry an unsubscribe link and are only sent to guests "
            "who have not unsubscribed."
        ),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("email template")
        verbose_name_plural = _("email templates")
        ordering = ["name", "language"]
        constraints = [
            models.UniqueConstraint(fields=["name", "language"], name="guests_template_name_lang")
        ]

    def __str__(self):
        if self.language:
            return f"{self.name} ({self.language})"
        return self.name


class ScheduleAnchor(models.TextChoices):
    ARRIVAL = "arrival", _("arrival")
    DEPARTURE = "departure", _("departure")


class ScheduledEmailRule(models.Model):
    """ "Send template T, N days before arrival / after departure" for every matching booking."""

    name = models.CharField(_("name"), max_length=100)
    template = models.ForeignKey(
        EmailTemplate,
        verbose_name=_("template"),
        on_delete=models.PROTECT,
        related_name="rules",
    )
    anchor = models.CharField(
        _("relative to"), max_length=10, choices=ScheduleAnchor.choices, default="arrival"
    )
    days = models.SmallIntegerField(
        _("days"),
        default=-2,
        help_text=_("Negative: before the date (-2 = two days before); positive: after it."),
    )
    booking_kind = models.CharField(
        _("bookings"),
        max_length=10,
        blank=True,
        choices=[("stay", _("hotel stays")), ("table", _("restaurant tables"))],
        help_text=_("Leave empty for all bookings."),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("scheduled email")
        verbose_name_plural = _("scheduled emails")
        ordering = ["anchor", "days", "name"]

    def __str__(self):
        return self.name


class OutgoingStatus(models.TextChoices):
    QUEUED = "queued", _("queued")
    SENDING = "sending", _("sending")
    SENT = "sent", _("sent")
    RETRYING = "retrying", _("waiting to retry")
    FAILED = "failed", _("failed")
    CANCELLED = "cancelled", _("not sent")


class OutgoingKind(models.TextChoices):
    TEMPLATE = "template", _("template")
    MESSAGE = "message", _("message")
    SCHEDULED = "scheduled", _("scheduled")
    REPLY = "reply", _("reply")
    TEST = "test", _("test to myself")


class OutgoingEmail(models.Model):
    """One email in the outbox: written before sending, sent exactly once by a task.

    ``dedup_key`` is unique: a scheduled send is queued under ``"rule:<rule>:booking:<booking>"``
    so running the scheduler twice, or on two servers at once, queues it once.
    """

    guest = models.ForeignKey(
        "wagtail_guests.Guest",
        verbose_name=_("guest"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="outgoing_emails",
    )
    booking = models.ForeignKey(
        "wagtail_guests.Booking",
        verbose_name=_("booking"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="outgoing_emails",
    )
    template = models.ForeignKey(
        EmailTemplate,
        verbose_name=_("template"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    rule = models.ForeignKey(
        ScheduledEmailRule,
        verbose_name=_("scheduled email"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="emails",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=OutgoingKind.choices)
    is_marketing = models.BooleanField(_("marketing email"), default=False)
    to_email = models.EmailField(_("to"), max_length=254)
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255)
    body = models.TextField(_("body"))
    reply_token = models.CharField(max_length=32, unique=True, default=new_reply_token)
    dedup_key = models.CharField(max_length=100, null=True, blank=True, unique=True)
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=OutgoingStatus.choices,
        default=OutgoingStatus.QUEUED,
        db_index=True,
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), default=timezone.now)
    last_error = models.TextField(_("last error"), blank=True)
    esp_message_id = models.CharField(max_length=255, blank=True, db_index=True)
    delivery_status = models.CharField(_("delivery"), max_length=20, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("outgoing email")
        verbose_name_plural = _("outgoing emails")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="guests_outbox_due_idx")]

    def __str__(self):
        return _("Email #%(id)s") % {"id": self.pk}


class EmailEvent(models.Model):
    """A tracking event reported by the email provider (delivered, opened, bounced…)."""

    email = models.ForeignKey(
        OutgoingEmail,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="events",
    )
    guest = models.ForeignKey(
        "wagtail_guests.Guest",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="email_events",
    )
    event_type = models.CharField(_("event"), max_length=20)
    event_id = models.CharField(max_length=255, blank=True)
    esp_name = models.CharField(max_length=40, blank=True)
    description = models.TextField(_("description"), blank=True)
    occurred_at = models.DateTimeField(_("time"), default=timezone.now)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("email event")
        verbose_name_plural = _("email events")
        ordering = ["-occurred_at", "-pk"]

    def __str__(self):
        return _("Email event #%(id)s") % {"id": self.pk}


class ProcessedWebhook(models.Model):
    """A webhook event id already handled: a provider's retry of it changes nothing."""

    key = models.CharField(max_length=300, unique=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("processed webhook event")
        verbose_name_plural = _("processed webhook events")

    def __str__(self):
        return self.key


class MessageDirection(models.TextChoices):
    INBOUND = "in", _("from the guest")
    OUTBOUND = "out", _("to the guest")


class Message(models.Model):
    """One message of a guest's conversation: a reply received, or a staff reply sent.

    Outbound messages point at their :class:`OutgoingEmail`; inbound ones at the email they
    answer when the Reply-To token matched.
    """

    guest = models.ForeignKey(
        "wagtail_guests.Guest",
        verbose_name=_("guest"),
        on_delete=models.CASCADE,
        related_name="messages",
    )
    direction = models.CharField(_("direction"), max_length=3, choices=MessageDirection.choices)
    email = models.ForeignKey(
        OutgoingEmail,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="messages",
    )
    sender = models.CharField(_("from"), max_length=254, blank=True)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    body = models.TextField(_("message"), blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    translation = models.TextField(_("translation"), blank=True)
    translation_language = models.CharField(max_length=10, blank=True)
    refused_attachments = models.JSONField(
        _("refused attachments"), default=list, blank=True
    )  # [{"name": ..., "content_type": ...}] of attachments that were not images
    esp_event_id = models.CharField(max_length=255, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("staff user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["created_at", "pk"]
        indexes = [models.Index(fields=["guest", "created_at"], name="guests_message_guest_idx")]

    def __str__(self):
        return _("Message #%(id)s") % {"id": self.pk}


class MessageAttachment(models.Model):
    """An image a guest sent with a message (brief 004: photos only)."""

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to="wagtail_guests/attachments/%Y/%m/")
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size"), default=0)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")

    def __str__(self):
        return _("Attachment #%(id)s") % {"id": self.pk}
