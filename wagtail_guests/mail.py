"""Rendering and sending email through Django's mail API (anymail in production)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .conf import guests_settings

#: Labels of the submitted fields, in the order the notification lists them.
FIELD_LABELS = {
    "first_name": _("First name"),
    "last_name": _("Last name"),
    "email": _("Email"),
    "phone": _("Phone"),
    "address": _("Street address"),
    "postal_code": _("Postal code"),
    "city": _("City"),
    "country": _("Country"),
    "language": _("Preferred language"),
    "arrival_date": _("Arrival"),
    "departure_date": _("Departure"),
    "number_of_guests": _("Number of guests"),
    "room_type": _("Room type"),
    "date": _("Date"),
    "time": _("Time"),
    "party_size": _("Number of people"),
    "message": _("Message"),
    "consent": _("Newsletter consent"),
}


def guest_admin_url(guest) -> str:
    """Absolute link to the guest in the admin, or "" without ``WAGTAILADMIN_BASE_URL``."""
    base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or ""
    if not base:
        return ""
    try:
        admin_root = reverse("wagtailadmin_home")
    except NoReverseMatch:
        admin_root = "/admin/"
    return f"{base.rstrip('/')}{admin_root}guests/{guest.pk}/"


def _display(name, value):
    if name == "country":
        return countries.name(value) or value
    if name == "language":
        return dict(settings.LANGUAGES).get(value, value)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    return value


def submitted_fields(data: dict) -> list[tuple[str, object]]:
    """(label, value) pairs of a submission's data, known fields first."""
    rows = [
        (FIELD_LABELS[name], _display(name, data[name]))
        for name in FIELD_LABELS
        if name in data and data[name] not in ("", None)
    ]
    rows += [
        (name, value)
        for name, value in data.items()
        if name not in FIELD_LABELS and name != "additional_guests" and value not in ("", None)
    ]
    return rows


def staff_notification_context(submission) -> dict:
    guest = submission.guest
    return {
        "submission": submission,
        "guest": guest,
        "booking": submission.booking,
        "page": submission.page,
        "warning_tags": [tag.label for tag in guest.warning_tags],
        "fields": submitted_fields(submission.data),
        "additional_guests": submission.data.get("additional_guests") or [],
        "admin_url": guest_admin_url(guest),
        "site_name": getattr(settings, "WAGTAIL_SITE_NAME", ""),
    }


def send_staff_notification(submission, recipient: str) -> None:
    """Email ``recipient`` (staff) about ``submission``, in the site's default language.

    Starts with a warning line when the guest carries a warning tag (No-show, Problematic…).
    Raises what the mail backend raises: the task runner records the failure, and the
    submission, already committed, is never affected.
    """
    with translation.override(settings.LANGUAGE_CODE):
        context = staff_notification_context(submission)
        subject = render_to_string("wagtail_guests/emails/staff_notification_subject.txt", context)
        body = render_to_string("wagtail_guests/emails/staff_notification.txt", context)
    guest = submission.guest
    message = EmailMessage(
        subject=" ".join(subject.split()),
        body=body,
        from_email=guests_settings.NOTIFICATION_FROM_EMAIL or settings.DEFAULT_FROM_EMAIL,
        to=[recipient],
        reply_to=[guest.email] if guest.email else None,
    )
    # Read by anymail's backends (ESP tags and metadata), ignored by Django's own.
    message.tags = ["wagtail-guests-staff-notification"]
    message.metadata = {"guest_id": guest.pk, "submission_id": submission.pk}
    message.send()
