"""Background tasks of the import (django-tasks): they take an ``ImportJob``'s primary key.

The admin enqueues them after commit for files of more than
``WAGTAIL_GUESTS_IMPORT_BACKGROUND_ROWS`` rows and shows a progress bar meanwhile.
"""

from django_tasks import task


@task()
def check_import(job_id: int) -> bool:
    """Check an uploaded file (the preview) and store the report on the job."""
    from .importing import jobs
    from .models import ImportJob, ImportStatus

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.CHECKING).first()
    if job is None:
        return False
    jobs.run_preview(job)
    return True


@task()
def run_import(job_id: int, site_id: int | None = None) -> bool:
    """Import a confirmed file, all or nothing."""
    from wagtail.models import Site

    from .importing import jobs
    from .models import ImportJob, ImportStatus

    job = ImportJob.objects.filter(pk=job_id, status=ImportStatus.IMPORTING).first()
    if job is None:
        return False
    site = Site.objects.filter(pk=site_id).first() if site_id else None
    jobs.run_import(job, site=site)
    return True
