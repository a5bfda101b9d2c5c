"""The response-time score: median time to the first staff reply, last 30 days."""

import datetime

import pytest
from django.utils import timezone

from tests import admin_fixtures
from tests.factories import make_guest
from wagtail_guests.conversations.score import format_duration, response_score
from wagtail_guests.models import Message

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)
H = datetime.timedelta(hours=1)
DAY = datetime.timedelta(days=1)


def write(guest, direction, when):
    Message.objects.create(
        guest=guest, direction=direction, body="…", created_at=when, read_at=when
    )


@pytest.fixture
def history():
    a, b, c, d, e = (make_guest(first_name=n, email=f"{n}@example.com") for n in "abcde")
    # a: answered after 2 hours.
    write(a, "in", NOW - 10 * DAY)
    write(a, "out", NOW - 10 * DAY + 2 * H)
    # b: three messages in a row, one reply 5 hours after the first: one request of 5 hours;
    # a second reply the same day adds nothing.
    write(b, "in", NOW - 5 * DAY)
    write(b, "in", NOW - 5 * DAY + 1 * H)
    write(b, "in", NOW - 5 * DAY + 4 * H)
    write(b, "out", NOW - 5 * DAY + 5 * H)
    write(b, "out", NOW - 5 * DAY + 6 * H)
    # c: answered after 30 minutes, then writes again and is answered after 8 hours.
    write(c, "in", NOW - 3 * DAY)
    write(c, "out", NOW - 3 * DAY + H / 2)
    write(c, "in", NOW - 2 * DAY)
    write(c, "out", NOW - 2 * DAY + 8 * H)
    # d: still waiting.
    write(d, "in", NOW - 1 * DAY)
    # e: answered in 10 minutes, but 40 days ago: outside the window.
    write(e, "in", NOW - 40 * DAY)
    write(e, "out", NOW - 40 * DAY + H / 6)


def test_median_of_known_response_times(history):
    score = response_score(now=NOW)
    # Requests: 2 h, 5 h, 30 min, 8 h -> median (2 h + 5 h) / 2 = 3 h 30 min.
    assert score.answered == 4
    assert score.waiting == 1
    assert score.median == datetime.timedelta(hours=3, minutes=30)
    assert score.median_display == "3 h 30 min"


def test_odd_number_of_requests(history):
    f = make_guest(first_name="f", email="f@example.com")
    write(f, "in", NOW - 6 * DAY)
    write(f, "out", NOW - 6 * DAY + 1 * H)
    # 30 min, 1 h, 2 h, 5 h, 8 h -> 2 h.
    assert response_score(now=NOW).median == datetime.timedelta(hours=2)


def test_no_messages_no_score(db):
    score = response_score(now=NOW)
    assert score.median is None and score.answered == 0 and score.waiting == 0


def test_the_score_is_shown_in_the_inbox(manager_client, history):
    page = manager_client.get("/admin/guests/inbox/").content.decode()
    assert "Response time, last 30 days" in page
    assert "3 h 30 min" in page
    assert "over 4 answered requests" in page
    assert "1 guest is waiting for a reply." in page


def test_format_duration():
    assert format_duration(datetime.timedelta(minutes=45)) == "45 minutes"
    assert format_duration(datetime.timedelta(hours=26, minutes=5)) == "26 h 05 min"
    assert format_duration(datetime.timedelta(days=3, hours=4)) == "3 days 4 h"
