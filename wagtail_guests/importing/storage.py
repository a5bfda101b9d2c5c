"""Where uploaded files wait between the preview and the confirmation.

Files go to ``WAGTAIL_GUESTS_IMPORT_TEMP_DIR`` (default: ``wagtail-guests-imports`` in the
system's temporary directory; set it to a directory shared by the web servers and the task
workers when they run on different machines), under a random name, readable by this process's
user only. Never under ``MEDIA_ROOT``: a web server may serve that directory to anyone.

A file is deleted when its import is done or cancelled; :func:`cleanup` (run whenever a new
import starts, and by ``manage.py guests_import --cleanup``) removes abandoned ones.
"""

from __future__ import annotations

import contextlib
import datetime
import os
import re
import secrets
import tempfile
import time
from pathlib import Path

from django.utils import timezone

from ..conf import guests_settings

_NAME = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx|txt)$")


def temp_dir() -> Path:
    configured = guests_settings.IMPORT_TEMP_DIR
    path = (
        Path(configured) if configured else Path(tempfile.gettempdir()) / "wagtail-guests-imports"
    )
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def path_of(stored_name: str) -> Path:
    """The path of a stored file; refuses any name this module did not make."""
    if not _NAME.match(stored_name or ""):
        raise ValueError("Not an import file name.")
    return temp_dir() / stored_name


def _extension(name: str) -> str:
    extension = os.path.splitext(name or "")[1].lower().lstrip(".")
    return extension if extension in ("csv", "xlsx") else "txt"


def save_upload(uploaded_file) -> str:
    """Store an uploaded file (a Django ``UploadedFile``); return its stored name."""
    stored_name = f"{secrets.token_hex(16)}.{_extension(uploaded_file.name)}"
    path = temp_dir() / stored_name
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as handle:
        for chunk in uploaded_file.chunks():
            handle.write(chunk)
    return stored_name


def save_path(source: str) -> str:
    """Store a copy of a file on disk (``manage.py guests_import``); return its stored name."""
    with open(source, "rb") as handle:
        from django.core.files import File

        return save_upload(File(handle, name=os.path.basename(source)))


def delete(stored_name: str):
    if stored_name:
        with contextlib.suppress(ValueError):  # not a name save_upload() made: nothing to do
            path_of(stored_name).unlink(missing_ok=True)


def cleanup(max_age: int | None = None) -> int:
    """Delete stored files older than ``max_age`` seconds (``IMPORT_TEMP_MAX_AGE``) and mark
    their unfinished imports cancelled. Returns the number of files deleted."""
    from ..models import ImportJob, ImportStatus

    max_age = guests_settings.IMPORT_TEMP_MAX_AGE if max_age is None else max_age
    limit = time.time() - max_age
    deleted = []
    for path in temp_dir().iterdir():
        if _NAME.match(path.name) and path.stat().st_mtime < limit:
            path.unlink(missing_ok=True)
            deleted.append(path.name)
    stale = timezone.now() - datetime.timedelta(seconds=max_age)
    ImportJob.objects.filter(stored_name__in=deleted).update(stored_name="")
    ImportJob.objects.filter(
        created_at__lt=stale, status__in=[ImportStatus.CHECKING, ImportStatus.READY]
    ).update(status=ImportStatus.CANCELLED, stored_name="")
    return len(deleted)
