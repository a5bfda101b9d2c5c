import secrets

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from ..conf import guests_settings

# No 0/O, 1/I/L: a reference is read out on the phone.
REFERENCE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"


def new_reference() -> str:
    body = "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))
    return f"{guests_settings.BOOKING_REFERENCE_PREFIX}{body}"


class BookingKind(models.TextChoices):
    STAY = "stay", _("hotel stay")
    TABLE = "table", _("restaurant table")


class BookingStatus(models.TextChoices):
    REQUESTED = "requested", _("requested")
    CONFIRMED = "confirmed", _("confirmed")
    CANCELLED = "cancelled", _("cancelled")
    DUPLICATE = "duplicate", _("duplicate")
    NO_SHOW = "no_show", _("no-show")


# Bookings in these states do not count as a real stay or visit.
INACTIVE_STATUSES = (BookingStatus.CANCELLED, BookingStatus.DUPLICATE)


class BookingQuerySet(models.QuerySet):
    def active(self):
        return self.exclude(status__in=INACTIVE_STATUSES)


class Booking(models.Model):
    """A hotel stay or a restaurant table, booked by one guest, possibly with others.

    Dates, nights, party size, room type, status and revenue are not personal data: they are
    kept when a guest is deleted or anonymised so reports stay true.
    """

    reference = models.CharField(
        _("reference"), max_length=24, unique=True, default=new_reference, editable=False
    )
    kind = models.CharField(_("kind"), max_length=10, choices=BookingKind.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=BookingStatus.choices, default=BookingStatus.REQUESTED
    )
    booker = models.ForeignKey(
        "wagtail_guests.Guest",
        verbose_name=_("booked by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="bookings",
    )
    additional_guests = models.ManyToManyField(
        "wagtail_guests.Guest",
        verbose_name=_("additional guests"),
        blank=True,
        related_name="companion_bookings",
    )
    arrival_date = models.DateField(_("arrival date"), help_text=_("The date, for a table."))
    departure_date = models.DateField(_("departure date"), null=True, blank=True)
    time = models.TimeField(_("time"), null=True, blank=True)
    number_of_guests = models.PositiveSmallIntegerField(
        _("number of guests"), default=1, validators=[MinValueValidator(1)]
    )
    room_type = models.CharField(_("room type"), max_length=100, blank=True)
    checked_in = models.BooleanField(_("checked in"), default=False)
    rating = models.PositiveSmallIntegerField(
        _("rating"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(5)],
    )
    revenue = models.DecimalField(
        _("revenue"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
    site = models.ForeignKey(
        "wagtailcore.Site",
        verbose_name=_("site"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    objects = BookingQuerySet.as_manager()

    class Meta:
        verbose_name = _("booking")
        verbose_name_plural = _("bookings")
        indexes = [
            models.Index(fields=["arrival_date", "booker"], name="guests_booking_arrival_idx"),
            models.Index(fields=["departure_date"], name="guests_booking_departure_idx"),
            models.Index(fields=["booker", "arrival_date"], name="guests_booking_booker_idx"),
            # "Has an active booking (arriving …)" on the guest list, from the index alone.
            models.Index(
                fields=["booker", "arrival_date"],
                condition=~Q(status__in=["cancelled", "duplicate"]),
                name="guests_booking_active_idx",
            ),
            # Arrivals per day and "arriving between" on the guest list, from the index alone.
            models.Index(
                fields=["arrival_date", "status", "kind", "booker"],
                name="guests_booking_arrivals_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(departure_date__isnull=True) | Q(departure_date__gt=F("arrival_date")),
                name="guests_booking_departure_after_arrival",
            ),
        ]

    def __str__(self):
        return _("Booking %(reference)s") % {"reference": self.reference}

    @property
    def nights(self) -> int | None:
        if self.kind == BookingKind.STAY and self.departure_date:
            return (self.departure_date - self.arrival_date).days
        return None

    @property
    def is_active(self) -> bool:
        return self.status not in INACTIVE_STATUSES
