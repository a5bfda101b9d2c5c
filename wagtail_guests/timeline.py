"""Readable, translated lines for a guest's timeline, one per :class:`Activity`.

An activity stores codes and ids (see ``Activity.payload``); the sentence is written here, in
the reader's language, when the timeline is shown. :func:`describe` covers every
:class:`ActivityKind`, and falls back to the kind's label for any kind added later.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import FieldDoesNotExist
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext as _

from .models import (
    Activity,
    ActivityKind,
    BookingKind,
    BookingStatus,
    ConsentSource,
    Guest,
    SubmissionKind,
    Tag,
)


@dataclass
class TimelineEntry:
    activity: Activity
    text: str
    url: str = ""
    url_label: str = ""

    @property
    def time(self):
        return self.activity.created_at

    @property
    def user(self):
        return self.activity.user

    @property
    def user_name(self) -> str:
        user = self.activity.user
        if user is None:
            return ""
        return user.get_full_name() or user.get_username()


def _choice_label(choices, value) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value or "")


def _field_labels(names) -> str:
    labels = []
    for name in names or []:
        try:
            labels.append(str(Guest._meta.get_field(name).verbose_name))
        except FieldDoesNotExist:  # a field removed since: show its name
            labels.append(str(name))
    return ", ".join(labels)


def _tag_label(activity, tags) -> str:
    return _tag_label_of(activity.payload or {}, tags)


def _tag_label_of(reference: dict, tags) -> str:
    """A tag named by ``{"tag": id, "name": name}``: its label now, or its name then."""
    tag = tags.get(reference.get("tag"))
    return tag.label if tag is not None else str(reference.get("name", "?"))


def _with_differences(text: str, payload: dict) -> str:
    """``text`` naming the details that differed from the profile (not taken), if any."""
    differences = payload.get("differences") or []
    if not differences:
        return text
    return _("%(line)s; details that differ from the profile: %(fields)s") % {
        "line": text,
        "fields": _field_labels(differences),
    }


def _submitted(activity, tags):
    payload = activity.payload or {}
    if payload.get("kind") == SubmissionKind.BOOKING:
        text = _("Sent a booking request through the website")
    else:
        text = _("Sent the contact form on the website")
    return _with_differences(text, payload)


def _booked(activity, tags):
    payload = activity.payload or {}
    reference = payload.get("reference") or getattr(activity.booking, "reference", "?")
    if payload.get("companion"):
        return _("Added as an additional guest on booking %(reference)s") % {"reference": reference}
    return _("Booking %(reference)s created (%(kind)s)") % {
        "reference": reference,
        "kind": _choice_label(BookingKind, payload.get("kind")),
    }


def _booking_changed(activity, tags):
    payload = activity.payload or {}
    values = {
        "reference": payload.get("reference") or getattr(activity.booking, "reference", "?"),
        "status": _choice_label(BookingStatus, payload.get("to")),
        "previous": _choice_label(BookingStatus, payload.get("from")),
    }
    change = payload.get("change")
    if change == "check_in":
        return _("Booking %(reference)s: guest checked in") % values
    if change == "no_show":
        return _("Booking %(reference)s marked as a no-show") % values
    if payload.get("to") and payload.get("from"):
        return _("Booking %(reference)s: status changed from %(previous)s to %(status)s") % values
    return _("Booking %(reference)s changed") % values


def _imported(activity, tags):
    payload = activity.payload or {}
    filename = payload.get("file") or payload.get("filename")
    if filename:
        text = _("Imported from the file %(file)s") % {"file": filename}
    else:
        text = _("Imported from a file")
    text = _with_differences(text, payload)
    # What the import brought (consent records and tags), named on this one line.
    consents = payload.get("consents") or []
    if consents and consents[-1].get("given"):
        text = _("%(line)s; newsletter consent given") % {"line": text}
    elif consents:
        text = _("%(line)s; newsletter consent withdrawn") % {"line": text}
    added = payload.get("tags") or []
    if added:
        names = ", ".join(_("“%(tag)s”") % {"tag": _tag_label_of(tag, tags)} for tag in added)
        text = _("%(line)s; tagged %(tags)s") % {"line": text, "tags": names}
    return text


def _updated(activity, tags):
    fields = (activity.payload or {}).get("fields")
    if fields:
        return _("Details changed: %(fields)s") % {"fields": _field_labels(fields)}
    return _("Details changed")


def _consent(activity, tags):
    source = _choice_label(ConsentSource, (activity.payload or {}).get("source"))
    if activity.kind == ActivityKind.CONSENT_GIVEN:
        return _("Newsletter consent given (%(source)s)") % {"source": source}
    return _("Newsletter consent withdrawn (%(source)s)") % {"source": source}


def _email(activity, tags):
    payload = activity.payload or {}
    label = capfirst(activity.get_kind_display())
    subject = payload.get("subject") or payload.get("template_name") or ""
    if subject:
        return _("%(event)s: “%(subject)s”") % {"event": label, "subject": subject}
    return label


def _outbox_email(activity, tags):
    """Lines of the outbox (``wagtail_guests.emailing``): payload ``subject`` and ``kind``."""
    payload = activity.payload or {}
    subject = payload.get("subject") or ""
    if not subject:
        return _email(activity, tags)
    values = {"subject": subject}
    if activity.kind == ActivityKind.EMAIL_FAILED:
        return _("Email could not be sent: “%(subject)s”") % values
    if activity.kind == ActivityKind.EMAIL_SENT:
        return _("Email sent: “%(subject)s”") % values
    if payload.get("kind") == "scheduled":
        return _("Scheduled email queued: “%(subject)s”") % values
    return _("Email queued: “%(subject)s”") % values


def _unsubscribed(activity, tags):
    if (activity.payload or {}).get("source") == ConsentSource.STAFF:
        return _("Unsubscribed from all emails by staff")
    if (activity.payload or {}).get("source") == ConsentSource.UNSUBSCRIBE:
        return _("Unsubscribed from all emails with the link in an email")
    return _("Unsubscribed from all emails")


LINES = {
    ActivityKind.SUBMITTED: _submitted,
    ActivityKind.BOOKED: _booked,
    ActivityKind.BOOKING_CHANGED: _booking_changed,
    ActivityKind.IMPORTED: _imported,
    ActivityKind.CREATED: lambda a, t: _("Added to the guest list by staff"),
    ActivityKind.UPDATED: _updated,
    ActivityKind.TAGGED: lambda a, t: _("Tagged “%(tag)s”") % {"tag": _tag_label(a, t)},
    ActivityKind.UNTAGGED: lambda a, t: _("Tag “%(tag)s” removed") % {"tag": _tag_label(a, t)},
    ActivityKind.CONSENT_GIVEN: _consent,
    ActivityKind.CONSENT_WITHDRAWN: _consent,
    ActivityKind.EMAIL_QUEUED: _outbox_email,
    ActivityKind.EMAIL_SENT: _outbox_email,
    ActivityKind.EMAIL_FAILED: _outbox_email,
    ActivityKind.EMAIL_DELIVERED: _email,
    ActivityKind.EMAIL_OPENED: _email,
    ActivityKind.EMAIL_CLICKED: _email,
    ActivityKind.EMAIL_BOUNCED: _email,
    ActivityKind.EMAIL_COMPLAINED: _email,
    ActivityKind.MESSAGE_RECEIVED: _email,
    ActivityKind.MESSAGE_SENT: _email,
    ActivityKind.UNSUBSCRIBED: _unsubscribed,
    ActivityKind.ANONYMISED: lambda a, t: _("Personal data anonymised"),
}


def _tag_ids(activity) -> set:
    """The ids of the tags ``activity``'s line names."""
    payload = activity.payload or {}
    if activity.kind in (ActivityKind.TAGGED, ActivityKind.UNTAGGED):
        references = [payload]
    elif activity.kind == ActivityKind.IMPORTED:
        references = payload.get("tags") or []
    else:
        return set()
    return {reference["tag"] for reference in references if reference.get("tag")}


def describe(activity, tags=None) -> str:
    """The readable line for one activity. ``tags``: ``{id: Tag}`` to name tags in bulk."""
    if tags is None:
        tag_ids = _tag_ids(activity)
        tags = Tag.objects.in_bulk(list(tag_ids)) if tag_ids else {}
    line = LINES.get(activity.kind)
    if line is None:
        return capfirst(activity.get_kind_display())
    return str(line(activity, tags))


#: Timeline lines that link to the guest's conversation in the inbox (with the outbox's lines
#: of staff replies: payload ``kind`` "reply").
_CONVERSATION_KINDS = (ActivityKind.MESSAGE_RECEIVED, ActivityKind.MESSAGE_SENT)


def _in_conversation(activity) -> bool:
    return activity.kind in _CONVERSATION_KINDS or (activity.payload or {}).get("kind") == "reply"


def entries(activities) -> list[TimelineEntry]:
    """Timeline entries for ``activities`` (a list), with one query for the tags named."""
    activities = list(activities)
    tag_ids = set().union(*(_tag_ids(a) for a in activities))
    tags = Tag.objects.in_bulk(list(tag_ids)) if tag_ids else {}
    result = []
    for activity in activities:
        entry = TimelineEntry(activity, describe(activity, tags))
        if activity.submission_id:
            entry.url = reverse("wagtail_guests_submission", args=[activity.submission_id])
            entry.url_label = _("View the submitted data")
        elif _in_conversation(activity):
            entry.url = reverse("guest_inbox:conversation", args=[activity.guest_id])
            entry.url_label = _("Open the conversation")
        result.append(entry)
    return result


def guest_timeline(guest, *, limit: int):
    """The newest ``limit`` entries of ``guest``'s timeline and whether there are more."""
    activities = list(
        Activity.objects.filter(guest=guest)
        .select_related("user")
        .order_by("-created_at", "-pk")[: limit + 1]
    )
    return entries(activities[:limit]), len(activities) > limit
