"""Retention: ``guests_purge`` (and its task) anonymise guests silent for too long."""

import datetime
from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from tests.admin_fixtures import make_booking, make_staff
from tests.factories import make_guest, submit_contact
from wagtail_guests.actions.staff import update_guest
from wagtail_guests.gdpr.retention import expired_guests, purge, retention_days
from wagtail_guests.models import Activity, ActivityKind, Booking, Guest, Submission

pytestmark = pytest.mark.django_db

DAYS = 365


def ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def old_guest(name, *, days=DAYS + 30):
    guest = make_guest(first_name=name, last_name="Retained", email=f"{name.lower()}@zz.test")
    Guest.objects.filter(pk=guest.pk).update(first_contact_at=ago(days), created_at=ago(days))
    guest.refresh_from_db()
    return guest


def old_booking(guest, *, days_ago, **fields):
    booking = make_booking(guest, days=-days_ago, nights=2, **fields)
    Booking.objects.filter(pk=booking.pk).update(created_at=ago(days_ago + 20))
    return booking


@pytest.fixture
def guests():
    """One guest for each case; ``expired`` are the ones the purge must anonymise."""
    silent = old_guest("Silent")
    old_stay = old_guest("Oldstay")
    old_booking(old_stay, days_ago=DAYS + 10)
    recent_stay = old_guest("Recentstay")
    old_booking(recent_stay, days_ago=30)
    upcoming = old_guest("Upcoming")
    old_booking(upcoming, days_ago=-40)  # arrives in 40 days
    companion = old_guest("Companion")
    host = old_guest("Host", days=10)
    old_booking(host, days_ago=-5, companions=[companion])  # companion on an upcoming stay
    writer = old_guest("Writer")
    submit_contact(first_name="Writer", last_name="Retained", email="writer@zz.test")
    old_writer = old_guest("Oldwriter")
    submit_contact(first_name="Oldwriter", last_name="Retained", email="oldwriter@zz.test")
    Submission.objects.filter(guest=old_writer).update(created_at=ago(DAYS + 5))
    messenger = old_guest("Messenger")
    Activity.objects.create(guest=messenger, kind=ActivityKind.MESSAGE_RECEIVED)
    edited = old_guest("Edited")  # staff edits do not count as the guest's activity
    update_guest(edited, {"city": "Lyon"}, user=make_staff("retention-staff"))
    new = make_guest(first_name="New", last_name="Retained", email="new@zz.test")
    already = old_guest("Already")
    Guest.objects.filter(pk=already.pk).update(anonymised_at=ago(3))
    return {
        "expired": {silent.pk, old_stay.pk, old_writer.pk, edited.pk},
        "kept": {
            recent_stay.pk,
            upcoming.pk,
            companion.pk,
            host.pk,
            writer.pk,
            messenger.pk,
            new.pk,
        },
    }


def test_expired_guests(guests):
    assert set(expired_guests(DAYS).values_list("pk", flat=True)) == guests["expired"]


def test_off_by_default():
    assert retention_days() is None
    out = StringIO()
    call_command("guests_purge", stdout=out)
    assert "Retention is off" in out.getvalue()
    assert purge().anonymised == []


def test_the_task_does_nothing_while_retention_is_off(guests):
    from wagtail_guests.tasks import purge_expired_guests

    assert purge_expired_guests.enqueue().return_value == 0
    assert not Guest.objects.filter(pk__in=guests["expired"], anonymised_at__isnull=False).exists()


@pytest.mark.parametrize("value", [0, -3, "365", 1.5, True])
def test_bad_setting(settings, value):
    settings.WAGTAIL_GUESTS_RETENTION_DAYS = value
    with pytest.raises(ImproperlyConfigured):
        retention_days()


def test_dry_run_changes_nothing(settings, guests):
    settings.WAGTAIL_GUESTS_RETENTION_DAYS = DAYS
    out = StringIO()
    call_command("guests_purge", "--dry-run", stdout=out)
    text = out.getvalue()
    assert "Retention period: 365 days" in text
    assert "Dry run: 4 guests would be anonymised. Nothing was changed." in text
    assert not Guest.objects.filter(pk__in=guests["expired"], anonymised_at__isnull=False).exists()


def test_dry_run_lists_ids_when_verbose(settings, guests):
    settings.WAGTAIL_GUESTS_RETENTION_DAYS = DAYS
    out = StringIO()
    call_command("guests_purge", "--dry-run", verbosity=2, stdout=out)
    for pk in guests["expired"]:
        assert str(pk) in out.getvalue()


def test_purge_anonymises_expired_guests_only(settings, guests):
    settings.WAGTAIL_GUESTS_RETENTION_DAYS = DAYS
    out = StringIO()
    call_command("guests_purge", stdout=out)
    assert "4 guests anonymised." in out.getvalue()
    anonymised = set(Guest.objects.filter(anonymised_at__gte=ago(1)).values_list("pk", flat=True))
    assert anonymised == guests["expired"]
    for guest in Guest.objects.filter(pk__in=guests["kept"]):
        assert guest.anonymised_at is None and guest.email
    log = Activity.objects.filter(kind=ActivityKind.ANONYMISED)
    assert set(log.values_list("guest_id", flat=True)) == guests["expired"]
    assert not log.exclude(user=None).exists()


def test_purge_is_idempotent(settings, guests):
    settings.WAGTAIL_GUESTS_RETENTION_DAYS = DAYS
    call_command("guests_purge", stdout=StringIO())
    out = StringIO()
    call_command("guests_purge", stdout=out)
    assert "0 guests anonymised." in out.getvalue()
    assert Activity.objects.filter(kind=ActivityKind.ANONYMISED).count() == 4


def test_days_option_overrides_the_setting(guests):
    out = StringIO()
    call_command("guests_purge", "--days", "20000", "--dry-run", stdout=out)
    assert "Dry run: 0 guests would be anonymised." in out.getvalue()
    with pytest.raises(CommandError):
        call_command("guests_purge", "--days", "0", stdout=StringIO())


def test_the_task(settings, guests):
    from wagtail_guests.tasks import purge_expired_guests

    settings.WAGTAIL_GUESTS_RETENTION_DAYS = DAYS
    result = purge_expired_guests.enqueue()
    assert result.return_value == 4
    assert (
        set(Guest.objects.filter(anonymised_at__gte=ago(1)).values_list("pk", flat=True))
        == guests["expired"]
    )


def test_a_guest_who_wrote_meanwhile_is_kept(settings, guests, monkeypatch):
    """The purge checks again, under lock, that each guest is still expired."""
    from wagtail_guests.gdpr import retention

    settings.WAGTAIL_GUESTS_RETENTION_DAYS = DAYS
    silent = Guest.objects.get(first_name="Silent")
    original = retention.expired_guests
    calls = []

    def expired_then_writes(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:  # between listing and anonymising, the guest sends a form
            submit_contact(first_name="Silent", last_name="Retained", email="silent@zz.test")
        return original(*args, **kwargs)

    monkeypatch.setattr(retention, "expired_guests", expired_then_writes)
    result = purge()
    assert silent.pk not in result.anonymised
    silent.refresh_from_db()
    assert silent.anonymised_at is None


@pytest.mark.parametrize("value", [0, "365", True])
def test_system_check_reports_a_bad_setting(settings, value):
    from wagtail_guests.checks import check_retention

    assert check_retention() == []
    settings.WAGTAIL_GUESTS_RETENTION_DAYS = value
    assert [error.id for error in check_retention()] == ["wagtail_guests.E030"]
    settings.WAGTAIL_GUESTS_RETENTION_DAYS = 730
    assert check_retention() == []
