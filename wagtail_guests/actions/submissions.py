from __future__ import annotations

from django.db import transaction

from .. import signals
from ..identity import Identity
from ..models import (
    Activity,
    ActivityKind,
    ConsentSource,
    GuestSource,
    Submission,
    SubmissionKind,
)
from .bookings import create_booking
from .consent import record_consent
from .guests import match_or_create_guest


def _match_in_lock_order(people: list[dict], **options) -> list:
    """Match or create each person, locking guests in one global order (their identity key).

    Two bookings naming the same two people in opposite roles would otherwise lock the two
    guest rows in opposite orders and deadlock on PostgreSQL. Returns results in input order.
    """

    def key(index):
        details = people[index]
        return Identity.of(
            email=details.get("email", ""),
            phone=details.get("phone", ""),
            first_name=details.get("first_name", ""),
            last_name=details.get("last_name", ""),
        ).key

    results = {}
    for index in sorted(range(len(people)), key=key):
        results[index] = match_or_create_guest(people[index], **options)
    return [results[index] for index in range(len(people))]


def record_submission(
    *,
    kind: str,
    guest_details: dict,
    data: dict,
    booking_details: dict | None = None,
    additional_guests=(),
    consent_wording: str | None = None,
    page=None,
    block_id: str = "",
    site=None,
    language: str = "",
    notify: str = "",
) -> Submission:
    """Record one valid public form submission, all or nothing.

    Matches or creates the guest (the identity rule), creates the booking and matches or
    creates each additional guest, stores the submitted ``data``, appends a consent record when
    ``consent_wording`` is given (the visitor ticked the box), and writes the timeline. After
    commit, ``notify`` (an email address) gets a staff notification through a background task;
    a mail failure never loses the submission.
    """
    source = GuestSource.BOOKING if kind == SubmissionKind.BOOKING else GuestSource.FORM
    people = [guest_details, *(additional_guests if booking_details is not None else ())]
    with transaction.atomic():
        matches = _match_in_lock_order(people, source=source, site=site)
        match = matches[0]
        guest = match.guest
        booking = None
        if booking_details is not None:
            companions = [m.guest for m in matches[1:]]
            companions = [c for c in dict.fromkeys(companions) if c.pk != guest.pk]
            booking = create_booking(
                booker=guest, additional_guests=companions, site=site, **booking_details
            )
        submission = Submission.objects.create(
            kind=kind,
            guest=guest,
            booking=booking,
            data=data,
            page=page,
            block_id=block_id,
            site=site,
            language=language,
        )
        if booking is not None:
            Activity.objects.filter(booking=booking).update(submission=submission)
        Activity.objects.create(
            guest=guest,
            kind=ActivityKind.SUBMITTED,
            submission=submission,
            booking=booking,
            payload={
                "kind": kind,
                "page": page.pk if page is not None else None,
                "block": block_id,
                "new_guest": match.created,
                "differences": match.differences,
            },
        )
        if consent_wording is not None:
            record_consent(
                guest,
                given=True,
                source=ConsentSource.FORM,
                wording=consent_wording,
                language=language,
                page=page,
                block_id=block_id,
                submission=submission,
            )

        def after_commit():
            signals.submission_recorded.send(
                Submission, submission=submission, created_guest=match.created
            )
            if notify:
                from ..tasks import notify_staff

                notify_staff.enqueue(submission.pk, notify)

        transaction.on_commit(after_commit, robust=True)
    return submission
