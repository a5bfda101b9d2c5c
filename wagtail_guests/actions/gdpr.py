"""GDPR actions: anonymise guests (one, many, or by the retention rule) and export a guest's data.

Anonymisation is irreversible and keeps no hash or mapping back to the person. It walks every
:class:`~wagtail_guests.gdpr.PersonalData` section (the guest's details, submissions, bookings,
tags, timeline, audit log, and any section registered with the ``register_guest_personal_data``
hook), set-based: a few queries per batch of guests, all batches in one transaction. What each
section erases and keeps is described in ``docs/gdpr.md``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from wagtail.log_actions import log

from ..gdpr import auditlog, get_personal_data, signals
from ..gdpr.bookings import upcoming_guest_ids
from ..gdpr.builtin import DetailsData
from ..gdpr.report import build_report
from ..models import Activity, ActivityKind, Guest
from ..permissions import guest_permission_policy
from ..utils import chunked

ANONYMISE_PERMISSION = "wagtail_guests.anonymise_guest"
VIEW_PERMISSION = "wagtail_guests.view_guest"
EXPORT_PERMISSION = "wagtail_guests.export_guest"
BATCH_SIZE = 500

#: Why guests were anonymised (kept in the audit log's ``data``; a code, not prose).
REQUEST = "request"
RETENTION = "retention"


class GuestHasUpcomingStay(PermissionDenied):
    """Raised on an attempt to anonymise a guest with an upcoming or current booking.

    The data is still needed to honour the booking. ``bookings`` lists those bookings.
    """

    def __init__(self, bookings):
        self.bookings = list(bookings)
        super().__init__(
            _("This guest has an upcoming or current booking and cannot be anonymised yet.")
        )


@dataclass
class AnonymiseResult:
    #: Guests anonymised now.
    anonymised: list[int] = field(default_factory=list)
    #: Guests that were already anonymised (erased again, harmlessly; not logged again).
    already: list[int] = field(default_factory=list)
    #: Guests left alone because of an upcoming or current booking.
    upcoming: list[int] = field(default_factory=list)
    #: Ids that do not exist or that the user may not anonymise.
    skipped: list[int] = field(default_factory=list)


def can_anonymise(user) -> bool:
    return bool(user and user.is_active and user.has_perm(ANONYMISE_PERMISSION))


def can_access_personal_data(user) -> bool:
    """Downloading everything held about a guest needs both "view" and "export" on guests."""
    return bool(
        user
        and user.is_active
        and user.has_perm(VIEW_PERMISSION)
        and user.has_perm(EXPORT_PERMISSION)
    )


def require_anonymise(user):
    """``user=None``: the retention purge (a command or task), authorised by configuration."""
    if user is not None and not can_anonymise(user):
        raise PermissionDenied


def anonymisable(user, queryset=None):
    """The guests ``user`` may anonymise (all of them for ``user=None``)."""
    queryset = Guest.objects.all() if queryset is None else queryset
    if user is None:
        return queryset
    if not can_anonymise(user):
        return queryset.none()
    policy = guest_permission_policy
    allowed = policy.instances_user_has_permission_for(user, "anonymise")
    return queryset.filter(pk__in=allowed.values("pk"))


def _remove_from_search_index(guests):
    """Guests are not in Wagtail's search index; should a site index them, drop the entries."""
    from wagtail.search import index

    if index.class_is_indexed(Guest):
        for guest in guests:
            index.remove_object(guest)


def _erase_details(ids, now):
    Guest.objects.filter(pk__in=ids).update(
        **DetailsData.ERASED, anonymised_at=Coalesce("anonymised_at", now), updated_at=now
    )


def _record(guests, *, user, reason, now, log_uuid):
    Activity.objects.bulk_create(
        [Activity(guest_id=g.pk, kind=ActivityKind.ANONYMISED, user=user) for g in guests]
    )
    log_model = auditlog.log_model_for(Guest)
    if log_model is None:
        return
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(Guest, for_concrete_model=False)
    label = gettext("Anonymised guest #%(id)s")
    log_model.objects.bulk_create(
        [
            log_model(
                content_type=content_type,
                object_id=str(g.pk),
                label=label % {"id": g.pk},
                action="wagtail_guests.anonymise",
                data={"reason": reason},
                timestamp=now,
                uuid=log_uuid,
                user=user,
                content_changed=True,
            )
            for g in guests
        ],
        batch_size=BATCH_SIZE,
    )


def _anonymise_batch(batch, *, user, reason, skip_upcoming, sections, now, log_uuid, result):
    guests = list(
        anonymisable(user, Guest.objects.filter(pk__in=batch))
        .select_for_update()
        .order_by("pk")
        .only("pk", "first_name", "last_name", "email", "phone", "anonymised_at")
    )
    found = {g.pk for g in guests}
    result.skipped.extend(pk for pk in batch if pk not in found)
    if skip_upcoming:
        fresh = [g.pk for g in guests if g.anonymised_at is None]
        blocked = upcoming_guest_ids(fresh) if fresh else set()
        result.upcoming.extend(sorted(blocked))
        guests = [g for g in guests if g.pk not in blocked]
    if not guests:
        return
    ids = [g.pk for g in guests]
    # Sections registered by others first, the guest's own row last: erasers may still read
    # the details they need to find copies (an email address in a file, a name in notes).
    for section in reversed(sections):
        section.erase(guests)
    _erase_details(ids, now)
    _remove_from_search_index(guests)
    new = [g for g in guests if g.anonymised_at is None]
    _record(new, user=user, reason=reason, now=now, log_uuid=log_uuid)
    result.anonymised.extend(g.pk for g in new)
    result.already.extend(g.pk for g in guests if g.anonymised_at is not None)


def anonymise_guests(
    guest_ids, *, user, reason: str = REQUEST, skip_upcoming: bool = True
) -> AnonymiseResult:
    """Anonymise the guests of ``guest_ids`` that ``user`` may anonymise, irreversibly.

    Guests with an upcoming or current booking are left alone (``result.upcoming``) unless
    ``skip_upcoming`` is False. Guests already anonymised are erased again (harmless) but not
    logged twice. One transaction; the ``guests_anonymised`` signal is sent after commit.
    """
    require_anonymise(user)
    ids = sorted({int(pk) for pk in guest_ids})
    result = AnonymiseResult()
    sections = get_personal_data()
    now = timezone.now()
    log_uuid = uuid.uuid4()
    with transaction.atomic():
        for batch in chunked(ids, BATCH_SIZE):
            _anonymise_batch(
                batch,
                user=user,
                reason=reason,
                skip_upcoming=skip_upcoming,
                sections=sections,
                now=now,
                log_uuid=log_uuid,
                result=result,
            )
        if result.anonymised:
            anonymised = list(result.anonymised)
            transaction.on_commit(
                lambda: signals.guests_anonymised.send(
                    Guest, guest_ids=anonymised, user=user, reason=reason
                )
            )
    return result


def anonymise_guest(guest, *, user) -> Guest:
    """Anonymise one guest; raises :class:`GuestHasUpcomingStay` or ``PermissionDenied``."""
    require_anonymise(user)
    result = anonymise_guests([guest.pk], user=user)
    if guest.pk in result.upcoming:
        from .staff import upcoming_bookings

        raise GuestHasUpcomingStay(upcoming_bookings(guest))
    if guest.pk in result.skipped:
        raise PermissionDenied
    guest.refresh_from_db()
    return guest


def export_personal_data(guest, *, user, file_format: str = "json") -> dict:
    """Everything held about ``guest`` (see :mod:`wagtail_guests.gdpr.report`), logged."""
    if user is not None and not can_access_personal_data(user):
        raise PermissionDenied
    with transaction.atomic():
        log(guest, "wagtail_guests.personal_data_export", user=user, data={"format": file_format})
        return build_report(guest)


__all__ = [
    "AnonymiseResult",
    "GuestHasUpcomingStay",
    "anonymise_guest",
    "anonymise_guests",
    "anonymisable",
    "can_access_personal_data",
    "can_anonymise",
    "export_personal_data",
]
