"""Guests with a copy of their data in every place wagtail-guests keeps it (GDPR tests).

Each person's details are distinctive ASCII strings, so a database dump or an export can be
searched for them (SQLite stores JSON with non-ASCII characters escaped).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

PEOPLE = {
    "target": {
        "first_name": "Quillonne",
        "last_name": "Brasmorthe",
        "email": "quillonne.brasmorthe@zz-example.test",
        "phone": "+33612345678",
        "address": "17 rue des Hortensias Zinzolins",
        "postal_code": "QZ9 1XW",  # a number like 99123 can turn up in random ids of a raw file
        "city": "Vrillac-sur-Moune",
        "country": "FR",
        "language": "fr",
        "message": "Please prepare the Hortensia Zinzolin room for Quillonne",
        "reply": "Could the Mauvecorne balcony face the lake, asks Quillonne",
        "photo": "quillonne-passport-scan.jpg",
    },
    "other": {
        "first_name": "Ophelandra",
        "last_name": "Castelnoyer",
        "email": "ophelandra.castelnoyer@zz-example.test",
        "phone": "+33698765432",
        "address": "4 impasse des Turquoises Fanees",
        "postal_code": "QZ9 4XV",
        "city": "Glorbec-les-Ormes",
        "country": "BE",
        "language": "en",
        "message": "A cot for the Turquoise Suite please, Ophelandra",
        "reply": "Ophelandra will arrive late with the Pistachio dog",
        "photo": "ophelandra-dog-picture.jpg",
    },
}
DETAILS = ("first_name", "last_name", "email", "phone", "address", "postal_code", "city")


def secrets_of(name) -> list[str]:
    """The strings that must disappear when this person is anonymised."""
    person = PEOPLE[name]
    return [person[key] for key in (*DETAILS, "message", "reply")]


@dataclass
class Household:
    target: object
    other: object
    target_booking: object  # booked by target, other as additional guest
    other_booking: object  # booked by other, target as additional guest
    target_submission: object
    other_submission: object
    staff: object
    target_email: object = None  # an email sent to target (OutgoingEmail)
    target_message: object = None  # a reply target sent (inbound Message)


def _submit(person, companion, *, days_ago):
    from wagtail_guests.actions import record_submission

    details = {k: v for k, v in person.items() if k != "message"}
    arrival = timezone.localdate() - datetime.timedelta(days=days_ago)
    return record_submission(
        kind="booking",
        guest_details=details,
        data={
            **details,
            "arrival_date": arrival.isoformat(),
            "number_of_guests": 2,
            "room_type": "Double",
            "message": person["message"],
            "additional_guests": [{k: companion[k] for k in ("first_name", "last_name", "email")}],
        },
        booking_details={
            "kind": "stay",
            "arrival_date": arrival,
            "departure_date": arrival + datetime.timedelta(days=3),
            "number_of_guests": 2,
            "room_type": "Double",
        },
        additional_guests=[{k: companion[k] for k in ("first_name", "last_name", "email")}],
        consent_wording="I would like to receive the newsletter.",
        language="en",
    )


def _correspond(guest, person, *, booking, attachments=False):
    """An email sent to ``guest``, its tracking events, their reply and our answer."""
    from django.core.files.base import ContentFile

    from wagtail_guests.models import (
        Activity,
        ActivityKind,
        EmailEvent,
        Message,
        MessageAttachment,
        OutgoingEmail,
    )

    first, last, address = person["first_name"], person["last_name"], person["email"]
    email = OutgoingEmail.objects.create(
        guest=guest,
        booking=booking,
        kind="message",
        to_email=address,
        from_email="Hotel des Tilleuls <hello@hotel.test>",
        subject=f"Your stay, {first} {last}",
        body=f"Dear {first} {last}, we look forward to your visit. {person['message']}",
        status="sent",
        esp_message_id=f"esp-{address}",
        last_error=f"421 try again later for {address}",
    )
    EmailEvent.objects.create(
        email=email,
        guest=guest,
        event_type="deferred",
        event_id=f"event-{address}",
        esp_name="Test",
        description=f"Mailbox of {address} is full",
    )
    reply = Message.objects.create(
        guest=guest,
        direction="in",
        email=email,
        sender=f"{first} {last} <{address}>",
        subject=f"Re: Your stay, {first} {last}",
        body=person["reply"],
        language=person["language"],
        translation=f"(translated) {person['reply']}",
        translation_language="en",
        refused_attachments=[{"name": f"{last}-contract.pdf", "content_type": "application/pdf"}],
        esp_event_id=f"inbound-{address}",
    )
    if attachments:
        attachment = MessageAttachment(
            message=reply, file_name=person["photo"], content_type="image/jpeg", size=4
        )
        attachment.file.save(person["photo"], ContentFile(b"\xff\xd8\xff\xd9"), save=True)
    answer = OutgoingEmail.objects.create(
        guest=guest,
        kind="reply",
        to_email=address,
        subject=f"Re: Your stay, {first} {last}",
        body=f"Of course, {first}. Quote: {person['reply']}",
        status="queued",
    )
    Message.objects.create(
        guest=guest, direction="out", email=answer, subject=answer.subject, body=answer.body
    )
    # The timeline lines the outbox and the inbound webhook write: they quote the subject.
    Activity.objects.create(
        guest=guest,
        kind=ActivityKind.EMAIL_QUEUED,
        booking=booking,
        payload={"email": email.pk, "kind": email.kind, "subject": email.subject},
    )
    Activity.objects.create(
        guest=guest,
        kind=ActivityKind.MESSAGE_RECEIVED,
        payload={"message": reply.pk, "subject": reply.subject, "refused": 1},
    )
    return email, reply


def make_household(staff=None, *, attachments=False) -> Household:
    """Two guests who stayed together twice (each booked once), with staff history."""
    from tests.admin_fixtures import make_staff
    from wagtail_guests.actions.staff import tag_guest, update_guest
    from wagtail_guests.models import Booking, Tag

    staff = staff or make_staff("gdpr-staff", permissions=())
    target, other = PEOPLE["target"], PEOPLE["other"]
    target_submission = _submit(target, other, days_ago=60)
    other_submission = _submit(other, target, days_ago=30)
    target_booking = target_submission.booking
    other_booking = other_submission.booking
    Booking.objects.filter(pk=target_booking.pk).update(
        notes=(
            f"Quiet room for {target['first_name']} {target['last_name']}, call {target['phone']}"
        ),
        revenue="420.00",
        status="confirmed",
        rating=5,
    )
    Booking.objects.filter(pk=other_booking.pk).update(
        notes=(
            f"{other['first_name']} travels with {target['first_name']} {target['last_name']}"
            f" ({target['email']})"
        ),
        revenue="300.00",
    )
    guest = target_submission.guest
    update_guest(guest, {"city": target["city"]}, user=staff)
    tag_guest(guest, Tag.objects.get(preset="vip"), user=staff)
    tag_guest(other_submission.guest, Tag.objects.get(preset="vip"), user=staff)
    # What an older version or a site's own code might have written in the audit log.
    log(
        guest,
        "wagtail.edit",
        user=staff,
        title=f"{target['first_name']} {target['last_name']}",
        data={"email": target["email"], "phone": target["phone"]},
    )
    log(target_submission, "wagtail.edit", user=staff, title=f"Message from {target['email']}")
    log(other_submission.guest, "wagtail.edit", user=staff, data={"fields": ["city"]})
    target_email, target_message = _correspond(
        guest, target, booking=target_booking, attachments=attachments
    )
    _correspond(other_submission.guest, other, booking=other_booking, attachments=attachments)
    log(target_message, "wagtail.create", user=staff, title=f"Reply from {target['email']}")
    for item in (target_booking, other_booking):
        item.refresh_from_db()
    return Household(
        target=guest,
        other=other_submission.guest,
        target_booking=target_booking,
        other_booking=other_booking,
        target_submission=target_submission,
        other_submission=other_submission,
        staff=staff,
        target_email=target_email,
        target_message=target_message,
    )


def log_entries_text(guest) -> str:
    entries = ModelLogEntry.objects.all().values_list("label", "data")
    return " ".join(f"{label} {data}" for label, data in entries)


def add_copies_elsewhere(household):
    """Copies of both people's data beyond their own rows: the report of a checked import
    (its preview rows, an error quoting a value), a file named after them, and a consent
    recorded by staff whose note names them."""
    from wagtail_guests.actions.staff import record_staff_consent
    from wagtail_guests.models import ImportJob, ImportStatus

    for name, guest in (("target", household.target), ("other", household.other)):
        person = PEOPLE[name]
        first, last = person["first_name"], person["last_name"]
        cells = [
            ["First name", first],
            ["Last name", last],
            ["Email", person["email"]],
            ["Phone", person["phone"]],
            ["City", person["city"]],
        ]
        ImportJob.objects.create(
            file_name=f"{first} {last} contacts.csv",
            status=ImportStatus.READY,
            report={
                "rows": 1,
                "error_rows": 1,
                "errors": [
                    {"row": 2, "column": "email", "message": f"“{person['email']}” is not valid."}
                ],
                "sample": [{"row": 2, "cells": cells}],
            },
        )
        record_staff_consent(
            guest,
            given=True,
            user=household.staff,
            wording=f"{first} {last} agreed at the desk ({person['phone']})",
        )
