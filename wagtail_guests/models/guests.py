from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField

from ..identity import Identity, normalise_name, normalise_phone
from .fields import KeyField, TrigramIContains


class GuestSource(models.TextChoices):
    FORM = "form", _("contact form")
    BOOKING = "booking", _("booking form")
    IMPORT = "import", _("import")
    MANUAL = "manual", _("added by staff")


class NewsletterConsent(models.TextChoices):
    UNKNOWN = "unknown", _("not asked")
    GIVEN = "given", _("given")
    WITHDRAWN = "withdrawn", _("withdrawn")


class GuestQuerySet(models.QuerySet):
    def active(self):
        """Guests that are not anonymised."""
        return self.filter(anonymised_at__isnull=True)


class Guest(models.Model):
    """One person the establishment knows, however they arrived (form, booking, import, staff).

    ``str(guest)`` is "Guest #42": Wagtail's audit log stores it, so it never holds personal
    data. Use :attr:`full_name` to show the name.
    """

    first_name = models.CharField(_("first name"), max_length=150)
    last_name = models.CharField(_("last name"), max_length=150)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    phone = models.CharField(
        _("phone"), max_length=32, blank=True, help_text=_("Stored in international format.")
    )
    address = models.TextField(_("address"), blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = CountryField(_("country"), blank=True)
    language = models.CharField(_("preferred language"), max_length=10, blank=True)

    newsletter_consent = models.CharField(
        _("newsletter consent"),
        max_length=10,
        choices=NewsletterConsent.choices,
        default=NewsletterConsent.UNKNOWN,
    )
    newsletter_consent_at = models.DateTimeField(
        _("newsletter consent changed"), null=True, blank=True
    )
    unsubscribed_at = models.DateTimeField(_("unsubscribed from all emails"), null=True, blank=True)
    email_undeliverable_at = models.DateTimeField(
        _("email undeliverable since"),
        null=True,
        blank=True,
        help_text=_("Set by a hard bounce or a spam complaint."),
    )

    source = models.CharField(
        _("source"), max_length=10, choices=GuestSource.choices, default=GuestSource.MANUAL
    )
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    first_contact_at = models.DateTimeField(_("first contact"), default=timezone.now)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    anonymised_at = models.DateTimeField(_("anonymised"), null=True, blank=True, editable=False)

    tags = models.ManyToManyField(
        "wagtail_guests.Tag",
        through="wagtail_guests.GuestTag",
        blank=True,
        related_name="guests",
        verbose_name=_("tags"),
    )

    # Derived from the fields above on every save (see wagtail_guests.identity).
    identity_key = KeyField(max_length=400, null=True, editable=False)  # unique: Meta
    name_key = KeyField(max_length=301, blank=True, editable=False)
    last_name_key = KeyField(max_length=150, blank=True, editable=False)

    objects = GuestQuerySet.as_manager()

    class Meta:
        verbose_name = _("guest")
        verbose_name_plural = _("guests")
        constraints = [
            # A constraint rather than unique=True, which on PostgreSQL adds a second index
            # (for LIKE) that no query uses and every insert pays for.
            models.UniqueConstraint(fields=["identity_key"], name="guests_guest_identity_key_uniq"),
        ]
        indexes = [
            models.Index(fields=["phone", "last_name_key"], name="guests_guest_phone_idx"),
            models.Index(fields=["name_key"], name="guests_guest_name_idx"),
            models.Index(fields=["created_at"], name="guests_guest_created_idx"),
            models.Index(fields=["first_contact_at"], name="guests_guest_contact_idx"),
            models.Index(fields=["updated_at"], name="guests_guest_updated_idx"),
            # "Reachable by email" on the guest list (see wagtail_guests.filters).
            models.Index(
                fields=["id"],
                condition=~Q(email="")
                & Q(
                    anonymised_at__isnull=True,
                    unsubscribed_at__isnull=True,
                    email_undeliverable_at__isnull=True,
                ),
                name="guests_guest_reachable_idx",
            ),
        ]
        permissions = [
            ("export_guest", _("Can export guests")),
            ("import_guest", _("Can import guests")),
            ("anonymise_guest", _("Can anonymise guests")),
        ]

    def __str__(self):
        if self.anonymised_at:
            return _("Anonymised guest #%(id)s") % {"id": self.pk}
        return _("Guest #%(id)s") % {"id": self.pk}

    @property
    def full_name(self) -> str:
        if self.anonymised_at:
            return str(self)
        return f"{self.first_name} {self.last_name}".strip()

    @property
    def identity(self) -> Identity:
        return Identity.of_details(self)

    def refresh_keys(self):
        """Recompute the derived matching keys; called by ``save()``."""
        if self.anonymised_at:
            self.identity_key = None
            self.name_key = ""
            self.last_name_key = ""
            return
        self.identity_key, self.name_key, self.last_name_key = self.derived_keys(self.identity)

    @staticmethod
    def derived_keys(identity: Identity) -> tuple[str, str, str]:
        """``(identity_key, name_key, last_name_key)`` of a guest with this identity (the
        importer writes them without making Guest instances)."""
        return (
            identity.key,
            f"{identity.first_name} {identity.last_name}".strip(),
            identity.last_name,
        )

    def clean(self):
        super().clean()
        if self.phone:
            normalised = normalise_phone(self.phone)
            if not normalised:
                raise ValidationError({"phone": _("Enter a valid phone number.")})
            self.phone = normalised
        self.email = (self.email or "").strip()
        if not self.anonymised_at:
            key = self.identity.key
            clash = Guest.objects.filter(identity_key=key).exclude(pk=self.pk)
            if clash.exists():
                field = {"e": "email", "p": "phone"}.get(key[0], "last_name")
                message = _("Another guest already has these details.")
                raise ValidationError({field: ValidationError(message, code="duplicate_guest")})

    def save(self, *args, **kwargs):
        self.refresh_keys()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {
                *kwargs["update_fields"],
                "identity_key",
                "name_key",
                "last_name_key",
                "updated_at",
            }
        super().save(*args, **kwargs)

    @property
    def warning_tags(self):
        """Tags that should make staff look twice (No-show, Problematic, …)."""
        return [tag for tag in self.tags.all() if tag.is_warning]

    def name_matches(self, first_name: str, last_name: str) -> bool:
        return normalise_name(f"{first_name} {last_name}") == self.name_key


# The guest list's email search (``wagtail_guests.search``) is answered by the trigram index on
# the email column (migration 0008).
Guest._meta.get_field("email").register_lookup(TrigramIContains)
