"""Scheduled emails: "N days before arrival / after departure", queued and sent exactly once."""

import datetime
import io
import threading
import unicodedata

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connections
from django.utils import timezone

from tests.admin_fixtures import make_booking
from tests.email_helpers import ANYMAIL_TEST_BACKEND, make_rule, make_template
from tests.factories import make_guest
from wagtail_guests.emailing.scheduling import planned_for, queue_scheduled_emails
from wagtail_guests.models import (
    Activity,
    ActivityKind,
    Booking,
    BookingStatus,
    OutgoingEmail,
    OutgoingKind,
    OutgoingStatus,
)


@pytest.fixture(autouse=True)
def anymail_backend(settings):
    settings.EMAIL_BACKEND = ANYMAIL_TEST_BACKEND
    settings.WAGTAIL_GUESTS_BASE_URL = "https://hotel.example"
    settings.WAGTAIL_GUESTS_SCHEDULE_GRACE_DAYS = 1


def address(name):
    return (
        unicodedata.normalize("NFKD", name.lower()).encode("ascii", "ignore").decode() + "@x.test"
    )


def guest_named(name, **fields):
    fields.setdefault("email", address(name))
    return make_guest(first_name=name, last_name="Martin", **fields)


def send_command():
    out = io.StringIO()
    call_command("guests_send_emails", stdout=out)
    return out.getvalue()


def recipients():
    return sorted(to for message in mail.outbox for to in message.recipients())


@pytest.mark.django_db
class TestWhichBookings:
    @pytest.fixture
    def before_arrival(self):
        return make_rule(make_template("Before arrival", subject="See you soon {first_name}"))

    def test_due_today_or_a_day_late_not_earlier_nor_long_past(self, before_arrival):
        for name, days in [("Today", 2), ("Late", 1), ("Early", 3), ("Past", 0), ("Old", -30)]:
            make_booking(guest_named(name), days=days)

        assert queue_scheduled_emails() == 2
        assert OutgoingEmail.objects.filter(status=OutgoingStatus.QUEUED).count() == 2
        assert sorted(OutgoingEmail.objects.values_list("to_email", flat=True)) == [
            "late@x.test",
            "today@x.test",
        ]

    def test_skips_cancelled_duplicate_and_unreachable(self, before_arrival):
        make_booking(guest_named("Cancelled"), days=2, status=BookingStatus.CANCELLED)
        make_booking(guest_named("Duplicate"), days=2, status=BookingStatus.DUPLICATE)
        make_booking(guest_named("Nomail", email="", phone="06 12 34 56 78"), days=2)
        for name, field in [
            ("Unsub", "unsubscribed_at"),
            ("Bounced", "email_undeliverable_at"),
            ("Gone", "anonymised_at"),
        ]:
            guest = guest_named(name)
            make_booking(guest, days=2)
            setattr(guest, field, timezone.now())
            guest.save()
        make_booking(guest_named("Confirmed"), days=2, status=BookingStatus.CONFIRMED)

        assert queue_scheduled_emails() == 1
        assert OutgoingEmail.objects.get().to_email == "confirmed@x.test"

    def test_after_departure_uses_the_table_date_and_skips_no_shows(self):
        rule = make_rule(
            make_template("Thank you", subject="Thank you"), anchor="departure", days=1
        )
        make_booking(guest_named("Stay"), days=-3, nights=2)  # left yesterday
        make_booking(guest_named("Table"), days=-1, kind="table")  # dinner yesterday
        make_booking(guest_named("Staying"), days=-1, nights=3)  # still here
        make_booking(guest_named("Noshow"), days=-3, nights=2, status=BookingStatus.NO_SHOW)

        assert queue_scheduled_emails() == 2
        assert sorted(OutgoingEmail.objects.values_list("to_email", flat=True)) == [
            "stay@x.test",
            "table@x.test",
        ]
        email = OutgoingEmail.objects.first()
        assert (email.kind, email.rule, email.is_marketing) == (OutgoingKind.SCHEDULED, rule, True)

    def test_booking_kind_filter(self):
        make_rule(make_template("Table reminder"), days=-1, booking_kind="table")
        make_booking(guest_named("Table"), days=1, kind="table")
        make_booking(guest_named("Stay"), days=1)

        assert queue_scheduled_emails() == 1
        assert OutgoingEmail.objects.get().to_email == "table@x.test"

    def test_inactive_rules_send_nothing(self, before_arrival):
        before_arrival.active = False
        before_arrival.save()
        make_booking(guest_named("Today"), days=2)
        assert queue_scheduled_emails() == 0

    def test_only_the_booker_gets_it(self, before_arrival):
        companion = guest_named("Companion")
        make_booking(guest_named("Booker"), days=2, companions=[companion])
        assert queue_scheduled_emails() == 1
        assert OutgoingEmail.objects.get().to_email == "booker@x.test"

    def test_the_guest_gets_their_language_the_booking_and_the_unsubscribe_link(self):
        default = make_template(
            "Before", subject="Soon, {first_name}", body="Ref {booking_reference}"
        )
        make_template(
            "Before", "fr", subject="Bientôt, {first_name}", body="Réf {booking_reference}"
        )
        make_rule(default)
        booking = make_booking(guest_named("Amélie", language="fr"), days=2)
        make_booking(guest_named("John", language="en"), days=2)

        queue_scheduled_emails()

        french = OutgoingEmail.objects.get(to_email="amelie@x.test")
        assert french.subject == "Bientôt, Amélie"
        assert french.body.startswith(f"Réf {booking.reference}")
        assert "https://hotel.example/guests/unsubscribe/" in french.body
        assert french.booking == booking
        english = OutgoingEmail.objects.get(to_email="john@x.test")
        assert english.subject == "Soon, John"

    def test_the_profile_lists_what_is_planned(self, before_arrival):
        guest = guest_named("Zoé")
        soon = make_booking(guest, days=5)
        make_booking(guest, days=-10)
        make_booking(guest, days=12, status=BookingStatus.CANCELLED)

        planned = planned_for(guest)
        assert [(p.booking, p.date, p.blocked) for p in planned] == [
            (soon, soon.arrival_date - datetime.timedelta(days=2), None)
        ]
        guest.unsubscribed_at = timezone.now()
        assert planned_for(guest)[0].blocked == "unsubscribed"


@pytest.mark.django_db
def test_running_the_command_twice_sends_once(django_capture_on_commit_callbacks):
    make_rule(make_template("Before arrival"))
    for name in ("Anna", "Bruno", "Chloé"):
        make_booking(guest_named(name), days=2)

    with django_capture_on_commit_callbacks(execute=True):
        first = send_command()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_command()

    assert "Scheduled emails queued: 3" in first
    assert "Scheduled emails queued: 0" in second
    assert recipients() == ["anna@x.test", "bruno@x.test", "chloe@x.test"]
    assert OutgoingEmail.objects.filter(status=OutgoingStatus.SENT).count() == 3
    assert Activity.objects.filter(kind=ActivityKind.EMAIL_SENT).count() == 3


@pytest.mark.django_db
def test_the_periodic_task_sends_once_alongside_the_command(django_capture_on_commit_callbacks):
    """Sites with a django-tasks worker enqueue ``send_guest_emails`` instead of running cron."""
    from wagtail_guests.emailing.tasks import send_guest_emails

    make_rule(make_template("Before arrival", subject="See you soon {first_name}"))
    for name in ("Anna", "Bruno"):
        make_booking(guest_named(name), days=2)
    cancelled = make_booking(guest_named("Chloé"), days=2, status=BookingStatus.CANCELLED)

    with django_capture_on_commit_callbacks(execute=True):
        first = send_guest_emails.enqueue()
    with django_capture_on_commit_callbacks(execute=True):
        second = send_guest_emails.enqueue()
        output = send_command()

    # The first run queued and sent both; the second, and the command, found nothing to do.
    assert first.return_value == {"scheduled": 2, "stale": 0, "sent": 2}
    assert second.return_value == {"scheduled": 0, "stale": 0}
    assert "Scheduled emails queued: 0" in output
    assert recipients() == ["anna@x.test", "bruno@x.test"]
    assert not OutgoingEmail.objects.filter(booking=cancelled).exists()
    assert OutgoingEmail.objects.filter(status=OutgoingStatus.SENT).count() == 2
    # Scheduled emails are marketing: the one-click unsubscribe headers are there.
    for message in mail.outbox:
        assert message.extra_headers["List-Unsubscribe"].startswith(
            "<https://hotel.example/guests/unsubscribe/"
        )
        assert message.extra_headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


@pytest.mark.django_db(transaction=True)
class TestConcurrentRuns:
    """Two servers run the scheduler at the same moment: real threads, real connections."""

    THREADS = 4

    def run_together(self, work):
        barrier = threading.Barrier(self.THREADS)
        errors = []

        def target():
            try:
                barrier.wait(timeout=30)
                work()
            except BaseException as error:  # every failure counts
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=target) for _ in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=120)
        assert not any(thread.is_alive() for thread in threads)
        return errors

    def setup_bookings(self):
        make_rule(make_template("Before arrival"))
        names = ["Anna", "Bruno", "Chloé", "David", "Emma", "Farid"]
        for name in names:
            make_booking(guest_named(name), days=2)
        return sorted(address(name) for name in names)

    def test_the_command_on_several_servers_at_once(self):
        expected = self.setup_bookings()

        errors = self.run_together(send_command)

        assert errors == []
        assert OutgoingEmail.objects.count() == len(expected)
        assert OutgoingEmail.objects.filter(status=OutgoingStatus.SENT).count() == len(expected)
        assert recipients() == expected
        assert Activity.objects.filter(kind=ActivityKind.EMAIL_QUEUED).count() == len(expected)
        assert Activity.objects.filter(kind=ActivityKind.EMAIL_SENT).count() == len(expected)

    def test_the_command_and_the_task_at_once(self):
        from wagtail_guests.emailing.tasks import send_guest_emails

        expected = self.setup_bookings()
        runs = iter([send_command, send_guest_emails.enqueue] * (self.THREADS // 2))
        lock = threading.Lock()

        def work():
            with lock:
                run = next(runs)
            run()

        errors = self.run_together(work)

        assert errors == []
        assert OutgoingEmail.objects.count() == len(expected)
        assert OutgoingEmail.objects.filter(status=OutgoingStatus.SENT, attempts=1).count() == len(
            expected
        )
        assert recipients() == expected

    def test_queueing_alone_at_once(self):
        expected = self.setup_bookings()
        counts = []

        errors = self.run_together(lambda: counts.append(queue_scheduled_emails()))

        assert errors == []
        assert sum(counts) == len(expected)
        keys = list(OutgoingEmail.objects.values_list("dedup_key", flat=True))
        assert len(keys) == len(set(keys)) == len(expected)
        bookings = set(Booking.objects.values_list("pk", flat=True))
        assert {int(key.rsplit(":", 1)[1]) for key in keys} == bookings
        assert recipients() == expected  # each sent once, by whichever thread queued it
