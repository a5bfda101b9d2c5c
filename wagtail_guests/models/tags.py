from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext, gettext_noop, ngettext
from django.utils.translation import gettext_lazy as _

from ..conf import guests_settings
from .indexes import where_set


class TagLimitExceeded(ValidationError):
    """Raised when a guest would carry more than ``WAGTAIL_GUESTS_MAX_TAGS_PER_GUEST`` tags."""

    def __init__(self, limit: int):
        super().__init__(
            ngettext(
                "A guest can have at most %(limit)d tag.",
                "A guest can have at most %(limit)d tags.",
                limit,
            )
            % {"limit": limit},
            code="too_many_tags",
        )


# The presets a data migration creates. Their English names are marked for translation here,
# so a preset keeps showing in the user's language until staff rename it.
PRESETS = {
    "friends_family": gettext_noop("Friends & Family"),
    "business": gettext_noop("Business"),
    "influencer": gettext_noop("Influencer"),
    "local": gettext_noop("Local"),
    "no_show": gettext_noop("No-show"),
    "problematic": gettext_noop("Problematic"),
    "regular": gettext_noop("Regular"),
    "vip": gettext_noop("VIP"),
}
WARNING_PRESETS = {"no_show", "problematic"}


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=50, unique=True)
    preset = models.CharField(
        _("preset"), max_length=20, blank=True, editable=False, help_text=_("Built-in tag key.")
    )
    is_warning = models.BooleanField(
        _("warn staff"),
        default=False,
        help_text=_("Show a warning on the profile and bookings of guests with this tag."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("tag")
        verbose_name_plural = _("tags")
        ordering = ["name"]

    def __str__(self):
        return self.label

    @property
    def label(self) -> str:
        """The name to show: a preset's translation until staff rename it."""
        if self.preset and self.name == PRESETS.get(self.preset):
            return gettext(self.name)
        return self.name


class GuestTag(models.Model):
    # Both looked up through the two-column indexes below, which start with them.
    guest = models.ForeignKey(
        "wagtail_guests.Guest", on_delete=models.CASCADE, related_name="+", db_index=False
    )
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="+", db_index=False)
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # see Meta.indexes
    )

    class Meta:
        verbose_name = _("guest tag")
        verbose_name_plural = _("guest tags")
        constraints = [
            models.UniqueConstraint(fields=["guest", "tag"], name="guests_guesttag_unique"),
        ]
        indexes = [
            # The guest list's tag filter looks guests up by tag.
            models.Index(fields=["tag", "guest"], name="guests_guesttag_tag_idx"),
            *where_set("guests_guesttag", "added_by"),
        ]

    def __str__(self):
        return f"{self.guest_id}:{self.tag_id}"

    def save(self, *args, **kwargs):
        if self._state.adding:
            check_tag_limit(self.guest_id, adding=1, excluding=[self.tag_id])
        super().save(*args, **kwargs)


def check_tag_limit(guest_id, *, adding: int, excluding=()):
    """Raise :class:`TagLimitExceeded` if ``adding`` more tags would pass the limit."""
    limit = guests_settings.MAX_TAGS_PER_GUEST
    current = GuestTag.objects.filter(guest_id=guest_id).exclude(tag_id__in=excluding).count()
    if current + adding > limit:
        raise TagLimitExceeded(limit)
