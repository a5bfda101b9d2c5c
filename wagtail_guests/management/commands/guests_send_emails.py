"""``manage.py guests_send_emails``: queue today's scheduled emails, send what is due.

    manage.py guests_send_emails                 # both (run it every few minutes)
    manage.py guests_send_emails --no-scheduled  # only send the outbox
    manage.py guests_send_emails --no-send       # only queue scheduled emails

Safe to run often, and on several servers at once: a scheduled email is queued once per
booking (a unique key) and an outbox row is sent by one worker only (a conditional update).
Emails whose provider failed are sent again when their retry time has come. Each run also
forgets the webhook event keys older than a week (see ``conversations.events``).
"""

from django.core.management.base import BaseCommand

from wagtail_guests.conversations.events import prune
from wagtail_guests.emailing.outbox import send_due_emails
from wagtail_guests.emailing.scheduling import queue_scheduled_emails


class Command(BaseCommand):
    help = "Queue today's scheduled guest emails and send the outbox emails that are due."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-scheduled", action="store_true", help="Do not queue scheduled emails."
        )
        parser.add_argument("--no-send", action="store_true", help="Do not send the outbox.")

    def handle(self, *args, no_scheduled=False, no_send=False, **options):
        if not no_scheduled:
            queued = queue_scheduled_emails()
            self.stdout.write(f"Scheduled emails queued: {queued}")
        if not no_send:
            counts = send_due_emails()
            summary = ", ".join(f"{status} {count}" for status, count in sorted(counts.items()))
            self.stdout.write(f"Outbox: {summary}")
        prune()
