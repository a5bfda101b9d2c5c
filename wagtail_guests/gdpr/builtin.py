"""The personal data wagtail-guests itself holds, section by section (see :mod:`.registry`).

What anonymisation does with each (``docs/gdpr.md`` explains why):

- details: names, email, phone, address, postal code, city and preferred language are
  cleared; country, source, site, dates and newsletter state are kept for reports;
- consent records: kept, as proof (the wording shown, its language, the source, the page and
  block, the staff user, the import file name); should staff have typed the guest's name,
  email or phone number in the wording, or an import file be named after them, those are
  replaced by "***" (append-only: this is the one change ever made to them);
- submissions: the submitted data becomes ``{}``; kind, page, site, language and time stay;
- tags: removed (they describe the person: "VIP", "Problematic");
- timeline: every payload becomes ``{}``; kind and time stay; links to another guest's
  booking or submission are removed;
- history: Wagtail audit-log entries about the guest and their rows get a neutral label and
  empty ``data``;
- bookings: see :mod:`.bookings`;
- emails, tracking events, messages and attached photos: see :mod:`.emails`;
- import files waiting for confirmation and import reports: see :mod:`.imports`.
"""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.log_actions import registry as log_registry

from ..models import Activity, ActivityKind, ConsentRecord, Guest, GuestTag, Submission
from . import auditlog
from .bookings import ANOTHER_GUEST, BookingsData, redact
from .emails import EmailEventsData, EmailsData, MessagesData
from .imports import ImportsData
from .registry import PersonalData


def _choice(instance, name):
    return str(getattr(instance, f"get_{name}_display")())


class DetailsData(PersonalData):
    """The guest's own row."""

    key = "guest"
    label = _("Details")
    models = [Guest]
    order = 0
    single = True
    erased_description = _(
        "their name, email, phone number, address, postal code, city and preferred language"
    )
    #: Cleared by anonymisation (country is kept: see docs/gdpr.md).
    ERASED = {
        "first_name": "",
        "last_name": "",
        "email": "",
        "phone": "",
        "address": "",
        "postal_code": "",
        "city": "",
        "language": "",
        "identity_key": None,
        "name_key": "",
        "last_name_key": "",
    }
    fields = {
        "id": _("Guest number"),
        "first_name": _("First name"),
        "last_name": _("Last name"),
        "email": _("Email"),
        "phone": _("Phone"),
        "address": _("Address"),
        "postal_code": _("Postal code"),
        "city": _("City"),
        "country": _("Country"),
        "language": _("Preferred language"),
        "newsletter_consent": _("Newsletter consent"),
        "newsletter_consent_at": _("Newsletter consent changed"),
        "unsubscribed_at": _("Unsubscribed from all emails"),
        "email_undeliverable_at": _("Email undeliverable since"),
        "source": _("Source"),
        "site": _("Site"),
        "first_contact_at": _("First contact"),
        "created_at": _("Created"),
        "updated_at": _("Updated"),
        "anonymised_at": _("Anonymised"),
    }

    def export(self, guest):
        site = guest.site
        return [
            {
                "id": guest.pk,
                "first_name": guest.first_name,
                "last_name": guest.last_name,
                "email": guest.email,
                "phone": guest.phone,
                "address": guest.address,
                "postal_code": guest.postal_code,
                "city": guest.city,
                "country": str(guest.country.name) if guest.country else "",
                "language": guest.language,
                "newsletter_consent": _choice(guest, "newsletter_consent"),
                "newsletter_consent_at": guest.newsletter_consent_at,
                "unsubscribed_at": guest.unsubscribed_at,
                "email_undeliverable_at": guest.email_undeliverable_at,
                "source": _choice(guest, "source"),
                "site": (site.site_name or site.hostname) if site else "",
                "first_contact_at": guest.first_contact_at,
                "created_at": guest.created_at,
                "updated_at": guest.updated_at,
                "anonymised_at": guest.anonymised_at,
            }
        ]

    def summary(self, guest):
        return [
            str(_("Name, email, phone number, address, postal code, city and preferred language"))
        ]

    def erase(self, guests):
        # Done by the anonymise action itself, last, with the anonymisation time.
        pass

    def owned(self, guest_ids):
        return []  # the guest's own log entries are relabelled by HistoryData

    def active_since(self, since):
        return Q(first_contact_at__gte=since)


class ConsentData(PersonalData):
    key = "consent_records"
    label = _("Consent records")
    models = [ConsentRecord]
    order = 20
    fields = {
        "time": _("When"),
        "purpose": _("Purpose"),
        "given": _("Given"),
        "source": _("Source"),
        "page": _("Page"),
        "block": _("Block"),
        "import_file": _("Import file"),
        "wording": _("Wording shown"),
        "language": _("Language"),
    }

    def export(self, guest):
        records = ConsentRecord.objects.filter(guest=guest).select_related("page")
        return [
            {
                "time": record.created_at,
                "purpose": _choice(record, "purpose"),
                "given": record.given,
                "source": _choice(record, "source"),
                "page": record.page.title if record.page else "",
                "block": record.block_id,
                "import_file": record.import_filename,
                "wording": record.wording,
                "language": record.language,
            }
            for record in records.order_by("created_at", "pk")
        ]

    def summary(self, guest):
        return []

    def erase(self, guests):
        """Consent records are append-only proof and are kept. Only the free text in them may
        name the person (staff typing "Jean Dupont agreed on the phone", a file named after
        them): their full name, email and phone number are replaced by "***" there."""
        by_id = {g.pk: g for g in guests}
        records = ConsentRecord.objects.filter(guest__in=list(by_id)).only(
            "pk", "guest_id", "wording", "import_filename"
        )
        changed = []
        for record in records.exclude(wording="", import_filename=""):
            person = [by_id[record.guest_id]]
            wording = redact(record.wording, person)
            file_name = redact(record.import_filename, person)
            if (wording, file_name) != (record.wording, record.import_filename):
                record.wording, record.import_filename = wording, file_name
                changed.append(record)
        # A queryset UPDATE: Model.save() refuses to change a consent record, on purpose.
        ConsentRecord.objects.bulk_update(changed, ["wording", "import_filename"], batch_size=500)


def _public_data(data):
    """Submitted data with other people (the additional guests) replaced by "another guest"."""
    if not isinstance(data, dict):
        return data
    data = dict(data)
    if isinstance(data.get("additional_guests"), list):
        data["additional_guests"] = [str(ANOTHER_GUEST)] * len(data["additional_guests"])
    return data


class SubmissionsData(PersonalData):
    key = "submissions"
    label = _("Form submissions")
    models = [Submission]
    order = 40
    erased_description = _("the data sent in their form submissions")
    fields = {
        "time": _("Submitted"),
        "kind": _("Kind"),
        "page": _("Page"),
        "language": _("Language"),
        "booking": _("Booking"),
        "data": _("Data sent"),
    }

    def export(self, guest):
        submissions = Submission.objects.filter(guest=guest).select_related("page", "booking")
        return [
            {
                "time": submission.created_at,
                "kind": _choice(submission, "kind"),
                "page": submission.page.title if submission.page else "",
                "language": submission.language,
                "booking": submission.booking.reference if submission.booking else "",
                "data": _public_data(submission.data),
            }
            for submission in submissions.order_by("created_at", "pk")
        ]

    def summary(self, guest):
        count = Submission.objects.filter(guest=guest).count()
        if not count:
            return []
        text = ngettext(
            "The data sent in %(count)d form submission",
            "The data sent in %(count)d form submissions",
            count,
        )
        return [text % {"count": count}]

    def erase(self, guests):
        Submission.objects.filter(guest__in=[g.pk for g in guests]).exclude(data={}).update(data={})

    def active_since(self, since):
        return Q(Exists(Submission.objects.filter(guest=OuterRef("pk"), created_at__gte=since)))


class TagsData(PersonalData):
    key = "tags"
    label = _("Tags")
    models = [GuestTag]
    order = 50
    erased_description = _("their tags")
    fields = {"tag": _("Tag"), "added_at": _("Added")}

    def export(self, guest):
        links = GuestTag.objects.filter(guest=guest).select_related("tag").order_by("added_at")
        return [{"tag": link.tag.label, "added_at": link.added_at} for link in links]

    def summary(self, guest):
        count = GuestTag.objects.filter(guest=guest).count()
        if not count:
            return []
        return [ngettext("%(count)d tag", "%(count)d tags", count) % {"count": count}]

    def erase(self, guests):
        GuestTag.objects.filter(guest__in=[g.pk for g in guests]).delete()


class TimelineData(PersonalData):
    key = "timeline"
    label = _("Timeline")
    models = [Activity]
    order = 60
    erased_description = _("the details of their timeline")
    fields = {"time": _("Time"), "event": _("Event")}

    def export(self, guest):
        from ..timeline import entries

        activities = Activity.objects.filter(guest=guest).order_by("created_at", "pk")
        return [{"time": e.time, "event": e.text} for e in entries(activities)]

    def summary(self, guest):
        count = Activity.objects.filter(guest=guest).count()
        if not count:
            return []
        text = ngettext(
            "The details of %(count)d timeline entry (its kind and time stay)",
            "The details of %(count)d timeline entries (their kinds and times stay)",
            count,
        )
        return [text % {"count": count}]

    def erase(self, guests):
        ids = [g.pk for g in guests]
        mine = Activity.objects.filter(guest__in=ids)
        mine.exclude(payload={}).update(payload={})
        # A line about another guest's booking or submission would link the two people.
        mine.filter(booking__isnull=False).exclude(booking__booker=F("guest")).update(booking=None)
        mine.filter(submission__isnull=False).exclude(submission__guest=F("guest")).update(
            submission=None
        )

    def active_since(self, since):
        # Messages the guest sent, until the email issue registers its own section.
        received = Activity.objects.filter(
            guest=OuterRef("pk"), kind=ActivityKind.MESSAGE_RECEIVED, created_at__gte=since
        )
        return Q(Exists(received))


class HistoryData(PersonalData):
    """Wagtail's audit log: what staff did to the guest's record (no personal data in it)."""

    key = "history"
    label = _("History of changes by staff")
    models = []
    order = 70
    erased_description = _("the labels and details of the history of changes about them")
    fields = {"time": _("Time"), "action": _("Action")}

    def export(self, guest):
        entries = auditlog.entries_for(Guest, [guest.pk]).order_by("timestamp", "pk")
        return [
            {"time": entry.timestamp, "action": str(log_registry.get_action_label(entry.action))}
            for entry in entries
        ]

    def summary(self, guest):
        count = auditlog.entries_for(Guest, [guest.pk]).count()
        if not count:
            return []
        text = ngettext(
            "The label and details of %(count)d entry in the history of changes",
            "The labels and details of %(count)d entries in the history of changes",
            count,
        )
        return [text % {"count": count}]

    def erase(self, guests):
        from .registry import get_personal_data

        ids = [g.pk for g in guests]
        auditlog.scrub(Guest, ids, _("Anonymised guest #%(id)s"))
        for section in get_personal_data():
            for queryset in section.owned(ids):
                model = queryset.model
                auditlog.scrub(model, queryset, f"{capfirst(model._meta.verbose_name)} #%(id)s")


BUILTIN = [
    DetailsData,
    ConsentData,
    BookingsData,
    SubmissionsData,
    TagsData,
    EmailsData,
    EmailEventsData,
    MessagesData,
    TimelineData,
    HistoryData,
    ImportsData,
]
