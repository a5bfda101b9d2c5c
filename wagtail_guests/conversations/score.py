"""The response-time score: how fast staff answer guests (brief 004).

Definition: over the inbound messages received in the last ``days`` days, the median time from
a guest's message to the first staff reply after it. Several messages in a row before any
reply are one request, timed from the first of them (a guest who writes three times is not
answered three times faster). Requests still waiting for a reply are not in the median; they
are counted separately, so a slow inbox cannot look fast by not answering.
"""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ..models import Message, MessageDirection

DAYS = 30


@dataclass
class ResponseScore:
    median: datetime.timedelta | None
    answered: int
    waiting: int
    days: int

    @property
    def median_display(self) -> str:
        return format_duration(self.median) if self.median is not None else ""


def response_times(since, until=None) -> tuple[list[datetime.timedelta], int]:
    """Reply delays of the requests received in ``[since, until]``, and how many wait."""
    until = until or timezone.now()
    inbound = Message.objects.filter(
        direction=MessageDirection.INBOUND,
        created_at__gte=since,
        created_at__lte=until,
        guest__anonymised_at__isnull=True,
    ).order_by("created_at", "pk")
    received = defaultdict(list)
    for guest_id, created_at in inbound.values_list("guest_id", "created_at"):
        received[guest_id].append(created_at)
    if not received:
        return [], 0
    replies = defaultdict(list)
    outbound = Message.objects.filter(
        direction=MessageDirection.OUTBOUND,
        guest__in=list(received),
        created_at__gte=since,
        created_at__lte=until,
    ).order_by("created_at", "pk")
    for guest_id, created_at in outbound.values_list("guest_id", "created_at"):
        replies[guest_id].append(created_at)

    delays, waiting = [], 0
    for guest_id, times in received.items():
        answers = replies.get(guest_id, [])
        index = 0  # the first reply not yet used
        open_since = None
        for received_at in times:
            # Replies sent before this message answer an earlier request.
            while index < len(answers) and answers[index] < received_at:
                if open_since is not None:
                    delays.append(answers[index] - open_since)
                    open_since = None
                index += 1
            if open_since is None:
                open_since = received_at
        if open_since is not None:
            if index < len(answers):
                delays.append(answers[index] - open_since)
            else:
                waiting += 1
    return delays, waiting


def response_score(days: int = DAYS, now=None) -> ResponseScore:
    now = now or timezone.now()
    delays, waiting = response_times(now - datetime.timedelta(days=days), now)
    median = None
    if delays:
        seconds = statistics.median(d.total_seconds() for d in delays)
        median = datetime.timedelta(seconds=round(seconds))
    return ResponseScore(median=median, answered=len(delays), waiting=waiting, days=days)


def format_duration(value: datetime.timedelta) -> str:
    """ "45 minutes", "3 h 20 min", "2 days 4 h": short, and readable at a glance."""
    minutes = int(value.total_seconds() // 60)
    if minutes < 60:
        return ngettext("%(count)d minute", "%(count)d minutes", minutes) % {"count": minutes}
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return _("%(hours)d h %(minutes)02d min") % {"hours": hours, "minutes": minutes}
    days, hours = divmod(hours, 24)
    return ngettext("%(days)d day %(hours)d h", "%(days)d days %(hours)d h", days) % {
        "days": days,
        "hours": hours,
    }
