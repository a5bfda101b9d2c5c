"""The identity rule under real concurrency: many simultaneous submissions, one guest.

Each thread opens its own database connection (Django connections are per thread) and all of
them call ``record_submission`` at the same moment, on SQLite (IMMEDIATE transactions) and on
PostgreSQL (the unique ``identity_key`` constraint plus retry in ``match_or_create_guest``).
"""

import datetime
import threading

import pytest
from django.db import connections
from django.utils import timezone

from tests.factories import submit_contact
from wagtail_guests.actions import record_submission
from wagtail_guests.models import Booking, BookingKind, Guest, Submission, SubmissionKind

THREADS = 50

# Real commits: each thread sees what the others committed, as separate web requests would.
pytestmark = pytest.mark.django_db(transaction=True)


def run_together(details_for_thread, submit=submit_contact):
    """Call ``submit(**details_for_thread(i))`` in THREADS threads started together.

    Returns the list of exceptions raised in the threads (empty when all succeeded).
    """
    barrier = threading.Barrier(THREADS)
    errors = []
    lock = threading.Lock()

    def work(i):
        try:
            barrier.wait(timeout=30)
            submit(**details_for_thread(i))
        except BaseException as exc:  # every failure counts, whatever its kind
            with lock:
                errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads), "a submission thread hung"
    return errors


def _spaced(value, i):
    """Vary case and surrounding spaces the way visitors do."""
    variants = [value, value.upper(), f"  {value} ", value.title(), f"{value.upper()}\t"]
    return variants[i % len(variants)]


def test_same_email_from_50_threads_gives_one_guest():
    errors = run_together(
        lambda i: {"email": _spaced("elodie.dupre@example.com", i), "phone": f"06 12 34 56 {i:02d}"}
    )

    assert errors == []
    assert Guest.objects.count() == 1
    guest = Guest.objects.get()
    assert Submission.objects.count() == THREADS
    assert Submission.objects.filter(guest=guest).count() == THREADS


def test_same_phone_and_last_name_from_50_threads_gives_one_guest():
    phones = ["06 12 34 56 78", "+33 6 12 34 56 78", "0033612345678", "+33612345678"]
    errors = run_together(
        lambda i: {
            "phone": phones[i % len(phones)],
            "first_name": "Élodie" if i % 2 else "Elodie",
            "last_name": _spaced("Dupré", i),
        }
    )

    assert errors == []
    assert Guest.objects.count() == 1
    assert Guest.objects.get().phone == "+33612345678"
    assert Submission.objects.filter(guest=Guest.objects.get()).count() == THREADS


def test_same_name_without_contact_details_from_50_threads_gives_one_guest():
    errors = run_together(
        lambda i: {"first_name": _spaced("Élodie", i), "last_name": _spaced("DUPRÉ", i)}
    )

    assert errors == []
    assert Guest.objects.count() == 1
    assert Submission.objects.filter(guest=Guest.objects.get()).count() == THREADS


def test_different_people_from_50_threads_stay_different():
    errors = run_together(lambda i: {"email": f"guest{i % 10}@example.com"})

    assert errors == []
    assert Guest.objects.count() == 10
    assert Submission.objects.count() == THREADS


def test_two_people_booking_with_each_other_at_once_do_not_deadlock():
    """Élodie books and names Marc while Marc books and names Élodie, many times at once."""
    arrival = timezone.localdate() + datetime.timedelta(days=30)
    elodie = {"first_name": "Élodie", "last_name": "Dupré", "email": "elodie@example.com"}
    marc = {"first_name": "Marc", "last_name": "Dupré", "email": "MARC@example.com"}

    def book(booker, companion):
        record_submission(
            kind=SubmissionKind.BOOKING,
            guest_details=booker,
            data={"first_name": booker["first_name"]},
            booking_details={
                "kind": BookingKind.STAY,
                "arrival_date": arrival,
                "departure_date": arrival + datetime.timedelta(days=2),
            },
            additional_guests=[companion],
        )

    errors = run_together(
        lambda i: (
            {"booker": elodie, "companion": marc}
            if i % 2
            else {"booker": marc, "companion": elodie}
        ),
        submit=book,
    )

    assert errors == []
    assert Guest.objects.count() == 2
    assert Submission.objects.count() == THREADS
    assert Booking.objects.count() == THREADS
