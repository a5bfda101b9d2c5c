"""django-tasks functions of the outbox; they take primary keys and run on any backend.

``send_outgoing_email`` is enqueued when an email is queued (after the commit);
``send_guest_emails`` does what the ``guests_send_emails`` command does, for sites that run a
periodic task rather than cron.
"""

from django_tasks import task


@task()
def send_outgoing_email(outgoing_id: int):
    """Send one outbox row if it is still waiting and due; returns its new status or None."""
    from .outbox import send_email

    return send_email(outgoing_id)


@task()
def send_guest_emails():
    """Queue today's scheduled emails, send every due outbox row, forget old webhook event keys;
    returns counts."""
    from ..conversations.events import prune
    from .outbox import send_due_emails
    from .scheduling import queue_scheduled_emails

    queued = queue_scheduled_emails()
    counts = {"scheduled": queued, **send_due_emails()}
    prune()
    return counts
