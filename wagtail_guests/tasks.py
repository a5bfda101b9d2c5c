"""Background work, run by whichever django-tasks backend the site configures.

Tasks take primary keys, never model instances, so any backend (immediate, database, RQ,
Celery) can run them on another server.
"""

import logging

from django_tasks import task

logger = logging.getLogger(__name__)


@task()
def notify_staff(submission_id: int, recipient: str):
    """Email ``recipient`` about a new submission. A failure is logged, never raised back."""
    from .mail import send_staff_notification
    from .models import Submission

    submission = (
        Submission.objects.select_related("guest", "booking", "page")
        .filter(pk=submission_id)
        .first()
    )
    if submission is None:
        return False
    send_staff_notification(submission, recipient)
    return True


@task()
def purge_expired_guests():
    """Anonymise the guests whose retention period has passed (``WAGTAIL_GUESTS_RETENTION_DAYS``).

    Enqueue it once a day from a scheduler; it does nothing while retention is off. Returns the
    number of guests anonymised.
    """
    from .gdpr.retention import purge

    return len(purge().anonymised)
