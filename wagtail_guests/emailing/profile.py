"""What the guest profile's "Emails" section shows: planned, queued, sent and failed emails,
the templates that can be sent, and why an email could not be sent to this guest."""

from __future__ import annotations

from django.urls import reverse

from ..conversations.tracking import DELIVERY_LABELS
from ..models import EmailTemplate, OutgoingEmail, OutgoingKind, OutgoingStatus
from ..permissions import guest_permission_policy
from .actions import refusal_text, retryable
from .outbox import refusal
from .scheduling import planned_for
from .templates import template_for

#: Emails listed on the profile (the outbox admin lists them all).
MAX_EMAILS = 100
#: Statuses after which "send again" makes sense.
DONE = (OutgoingStatus.SENT, OutgoingStatus.FAILED, OutgoingStatus.CANCELLED)


def template_choices(guest) -> list[dict]:
    """One entry per template name: the version the guest would receive, and the languages."""
    names: dict[str, list[str]] = {}
    for name, language in EmailTemplate.objects.order_by("name", "language").values_list(
        "name", "language"
    ):
        names.setdefault(name, []).append(language)
    choices = []
    for name, languages in names.items():
        template = template_for(name, guest.language)
        choices.append({"name": name, "template": template, "languages": languages})
    return choices


def emails_context(guest, user) -> dict:
    can_send = (
        guest_permission_policy.user_has_permission(user, "change") and not guest.anonymised_at
    )
    emails = list(
        OutgoingEmail.objects.filter(guest=guest)
        .select_related("template", "rule", "booking", "created_by")
        .order_by("-created_at", "-pk")[:MAX_EMAILS]
    )
    for email in emails:
        email.can_retry = can_send and retryable(email)
        email.can_send_again = can_send and email.status in DONE
        status = email.delivery_status
        email.delivery_label = str(DELIVERY_LABELS.get(status, status)) if status else ""
    marketing_refusal = refusal(guest, is_marketing=True, kind=OutgoingKind.TEMPLATE)
    message_refusal = refusal(guest, is_marketing=False, kind=OutgoingKind.MESSAGE)
    return {
        "emails": emails,
        "planned_emails": planned_for(guest),
        "email_templates": template_choices(guest) if can_send else [],
        "can_send_email": can_send,
        "marketing_refusal": refusal_text(marketing_refusal) if marketing_refusal else "",
        "message_refusal": refusal_text(message_refusal) if message_refusal else "",
        "user_email": getattr(user, "email", "") or "",
        "email_urls": {
            "send_template": reverse("wagtail_guests_email_send_template", args=[guest.pk]),
            "send_message": reverse("wagtail_guests_email_send_message", args=[guest.pk]),
            "unsubscribe": reverse("wagtail_guests_email_unsubscribe", args=[guest.pk]),
        },
    }
