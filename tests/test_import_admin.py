"""The admin import: upload, preview, confirm or cancel, background tasks, the sample file,
limits, abandoned files, permissions and the audit log. The command is tested in
``test_import_command.py``."""

import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import Client
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests import admin_fixtures
from tests.admin_fixtures import make_staff
from tests.import_helpers import FILES, counts
from wagtail_guests.conf import guests_settings
from wagtail_guests.importing import jobs, storage
from wagtail_guests.importing import writer as writer_module
from wagtail_guests.importing.engine import has_errors, preview_file
from wagtail_guests.models import Activity, Guest, ImportJob, ImportStatus

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client

UPLOAD = "/admin/guests/import/"
GOOD = "first name,last name,email,newsletter consent\nÉlodie,Dupré,elodie@example.com,yes\n"


@pytest.fixture(autouse=True)
def _temp_dir(tmp_path, settings):
    settings.WAGTAIL_GUESTS_IMPORT_TEMP_DIR = str(tmp_path / "imports")


def upload(client, content, name="clients.csv", **fields):
    if isinstance(content, str):
        content = content.encode()
    data = {"file": SimpleUploadedFile(name, content), "encoding": "", "delimiter": "", **fields}
    return client.post(UPLOAD, data)


def stored_files():
    return sorted(path.name for path in storage.temp_dir().iterdir())


def job_of(response) -> ImportJob:
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportJob.objects.get(pk=int(response["Location"].rstrip("/").rsplit("/", 1)[1]))


def test_upload_preview_confirm(manager_client):
    job = job_of(upload(manager_client, GOOD))
    before = counts()
    assert before["guests"] == 0  # the preview writes nothing
    assert stored_files() == [job.stored_name]  # the file waits for the confirmation

    page = manager_client.get(reverse("wagtail_guests_import_job", args=[job.pk]))
    html = page.content.decode()
    assert "Preview: nothing has been imported yet" in html
    assert 'data-count="new">1<' in html
    assert "An import cannot be undone." in html

    response = manager_client.post(reverse("wagtail_guests_import_confirm", args=[job.pk]))
    assert response.status_code == 302
    guest = Guest.objects.get(email="elodie@example.com")
    assert (guest.first_name, guest.newsletter_consent, guest.source) == (
        "Élodie",
        "given",
        "import",
    )
    assert Activity.objects.filter(guest=guest, kind="imported").exists()
    job.refresh_from_db()
    assert (job.status, job.stored_name) == (ImportStatus.DONE, "")
    assert stored_files() == []  # deleted once imported
    done = manager_client.get(reverse("wagtail_guests_import_job", args=[job.pk]))
    assert "Import done." in done.content.decode()

    # A second confirmation (double click, back button) imports nothing more.
    manager_client.post(reverse("wagtail_guests_import_confirm", args=[job.pk]))
    assert Guest.objects.count() == 1 and Activity.objects.filter(kind="imported").count() == 1


def test_the_audit_log_keeps_counts_not_personal_data(manager_client, manager):
    job = job_of(upload(manager_client, GOOD, name="élodie-dupré-clients.csv"))
    manager_client.post(reverse("wagtail_guests_import_confirm", args=[job.pk]))
    entry = ModelLogEntry.objects.get(action="wagtail_guests.import")
    assert entry.user == manager
    assert entry.data["rows"] == 1 and entry.data["new"] == 1
    text = f"{entry.label} {entry.data} {entry.content_changed}"
    for personal in ("Élodie", "Dupré", "elodie@example.com", "clients.csv", "dupré"):
        assert personal not in text
    assert entry.label == f"Import #{job.pk}"


def test_errors_are_listed_and_nothing_can_be_confirmed(manager_client):
    content = (FILES / "bad_email.csv").read_bytes()
    job = job_of(upload(manager_client, content, name="bad_email.csv"))
    html = manager_client.get(reverse("wagtail_guests_import_job", args=[job.pk])).content.decode()
    assert "Rows to fix" in html
    assert "is not a valid email address" in html
    assert "<td>2</td><td>email</td>" in html  # row number and column
    assert "Confirm the import" not in html
    assert stored_files() == []  # nothing to confirm: the file is not kept
    response = manager_client.post(reverse("wagtail_guests_import_confirm", args=[job.pk]))
    assert response.status_code == 302
    assert Guest.objects.count() == 0


def test_duplicates_inside_the_file_are_shown(manager_client):
    content = (FILES / "duplicates.csv").read_bytes()
    job = job_of(upload(manager_client, content, name="duplicates.csv"))
    html = manager_client.get(reverse("wagtail_guests_import_job", args=[job.pk])).content.decode()
    assert "The same guest on several rows" in html
    assert 'data-count="duplicates">3<' in html


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(manager_client, settings):
    settings.WAGTAIL_GUESTS_IMPORT_MAX_BYTES = 2000
    response = upload(manager_client, GOOD + "Jean,Martin,,\n" * 300)
    assert response.status_code == 200
    assert "This file is too big" in response.content.decode()
    assert ImportJob.objects.count() == 0 and stored_files() == []
    assert Guest.objects.count() == 0


def test_a_file_over_the_row_limit_is_refused(manager_client, settings):
    settings.WAGTAIL_GUESTS_IMPORT_MAX_ROWS = 3
    response = upload(manager_client, GOOD + "Jean,Martin,,\n" * 3)
    assert response.status_code == 200
    assert "This file has more than 3 rows" in response.content.decode()
    assert ImportJob.objects.count() == 0 and stored_files() == []


def test_a_file_far_over_the_size_limit_is_refused_from_its_content_length(
    manager_client, settings, monkeypatch
):
    settings.WAGTAIL_GUESTS_IMPORT_MAX_BYTES = 1000

    def create_job(*args, **kwargs):
        raise AssertionError("the upload should be refused before it is stored")

    monkeypatch.setattr(jobs, "create_job", create_job)
    response = upload(manager_client, GOOD + "Jean,Martin,,\n" * 10_000)  # ~140 KB
    assert response.status_code == 200
    assert "This file is too big" in response.content.decode()
    assert ImportJob.objects.count() == 0 and stored_files() == []


def test_old_mac_line_endings_are_counted_for_the_row_limit(manager_client, settings):
    settings.WAGTAIL_GUESTS_IMPORT_MAX_ROWS = 3
    response = upload(manager_client, (GOOD + "Jean,Martin,,\n" * 3).replace("\n", "\r"))
    assert "This file has more than 3 rows" in response.content.decode()
    assert ImportJob.objects.count() == 0 and stored_files() == []


def test_a_wrong_encoding_chosen_in_the_form(manager_client):
    content = (FILES / "windows1252_semicolon.csv").read_bytes()
    job = job_of(upload(manager_client, content, encoding="utf-8"))
    html = manager_client.get(reverse("wagtail_guests_import_job", args=[job.pk])).content.decode()
    assert "This file is not written in UTF-8" in html
    assert Guest.objects.count() == 0


def test_the_chosen_encoding_and_separator_are_used(manager_client):
    content = (FILES / "mac_roman_cr.csv").read_bytes()
    job = job_of(upload(manager_client, content, encoding="mac-roman", delimiter=";"))
    html = manager_client.get(reverse("wagtail_guests_import_job", args=[job.pk])).content.decode()
    assert "Read as Mac Roman (old Excel for Mac), columns separated by: Semicolon" in html
    assert "Œdipe" in html and 'data-count="new">3<' in html


def test_a_database_error_during_the_confirmation_imports_nothing(manager_client, monkeypatch):
    job = job_of(upload(manager_client, GOOD + "Jean,Martin,jean@example.com,no\n"))
    before = counts()

    def write(self):
        Guest.objects.create(first_name="Half", last_name="Written")
        raise DatabaseError("connection lost")

    monkeypatch.setattr(writer_module.Writer, "write", write)
    manager_client.post(reverse("wagtail_guests_import_confirm", args=[job.pk]))
    assert counts() == before
    job.refresh_from_db()
    assert (job.status, job.stored_name) == (ImportStatus.FAILED, "")
    assert stored_files() == []
    html = manager_client.get(reverse("wagtail_guests_import_job", args=[job.pk])).content.decode()
    assert "Nothing was imported." in html and "database error" in html
    assert not ModelLogEntry.objects.filter(action="wagtail_guests.import").exists()


def test_cancel_deletes_the_file(manager_client):
    job = job_of(upload(manager_client, GOOD))
    response = manager_client.post(reverse("wagtail_guests_import_cancel", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == ImportStatus.CANCELLED and stored_files() == []
    manager_client.post(reverse("wagtail_guests_import_confirm", args=[job.pk]))
    assert Guest.objects.count() == 0


def test_an_abandoned_preview_file_is_removed(manager_client):
    abandoned = job_of(upload(manager_client, GOOD))
    path = storage.path_of(abandoned.stored_name)
    old = time.time() - guests_settings.IMPORT_TEMP_MAX_AGE - 60
    os.utime(path, (old, old))
    # The next upload (of anyone) cleans up files older than IMPORT_TEMP_MAX_AGE.
    fresh = job_of(upload(manager_client, GOOD.replace("elodie", "zoe")))
    assert not path.exists()
    assert stored_files() == [fresh.stored_name]
    abandoned.refresh_from_db()
    assert abandoned.stored_name == "" and not abandoned.can_confirm
    # The command does the same for a scheduler.
    path = storage.path_of(fresh.stored_name)
    os.utime(path, (old, old))
    call_command("guests_import", "--cleanup", stdout=open(os.devnull, "w"))  # noqa: SIM115
    assert stored_files() == []


def test_large_files_are_checked_and_imported_by_background_tasks(
    manager_client, settings, django_capture_on_commit_callbacks
):
    settings.WAGTAIL_GUESTS_IMPORT_BACKGROUND_ROWS = 2
    rows = "".join(f"Guest{n},Test,guest{n}@example.com,\n" for n in range(5))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        job = job_of(upload(manager_client, "first name,last name,email,tags\n" + rows))
    # The task is enqueued after commit; meanwhile the page shows the progress bar.
    assert len(callbacks) == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.CHECKING
    ImportJob.objects.filter(pk=job.pk).update(progress=40)
    html = manager_client.get(reverse("wagtail_guests_import_job", args=[job.pk])).content.decode()
    assert '<progress max="100" value="40"' in html and "Checking the file" in html
    assert 'http-equiv="refresh"' in html

    callbacks[0]()  # the worker runs the task (the immediate backend in the tests)
    job.refresh_from_db()
    assert job.status == ImportStatus.READY and job.report["new"] == 5

    with django_capture_on_commit_callbacks(execute=True):
        manager_client.post(reverse("wagtail_guests_import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.progress == 100
    assert Guest.objects.count() == 5


@pytest.mark.django_db(transaction=True)
def test_progress_is_visible_while_the_import_transaction_runs():
    """Outside a transaction the job's progress is saved at once; inside the import's
    transaction, PostgreSQL saves it through a second connection (the admin page sees it move),
    SQLite (one writer) only at the end."""
    job = ImportJob.objects.create(file_name="big.csv", status=ImportStatus.CHECKING)
    progress = jobs.Progress(job)
    try:
        progress(0.25, "reading")
        assert ImportJob.objects.get(pk=job.pk).progress == 25
        progress(0.5, "reading")  # less than a second later: not saved again
        assert ImportJob.objects.get(pk=job.pk).progress == 25
        progress.last = 0
        with transaction.atomic():
            Guest.objects.create(first_name="In", last_name="Transaction")
            progress(0.6, "writing")
            seen = ImportJob.objects.get(pk=job.pk).progress
            transaction.set_rollback(True)
    finally:
        progress.close()
    assert seen == (60 if connection.vendor == "postgresql" else 25)


def test_another_users_import_is_not_found(manager_client):
    job = job_of(upload(manager_client, GOOD))
    other = Client()
    other.force_login(make_staff("colleague"))
    assert other.get(reverse("wagtail_guests_import_job", args=[job.pk])).status_code == 404
    assert other.post(reverse("wagtail_guests_import_confirm", args=[job.pk])).status_code == 404


def test_import_needs_the_import_permission(db, outsider_client):
    viewer = Client()
    viewer.force_login(make_staff("viewer", group=None, permissions=["view_guest", "change_guest"]))
    urls = [
        UPLOAD,
        reverse("wagtail_guests_import_sample", args=["csv"]),
        reverse("wagtail_guests_import_job", args=[1]),
    ]
    for client in (outsider_client, viewer):
        for url in urls:
            assert client.get(url).status_code == 403, url
        assert upload(client, GOOD).status_code == 403
        assert client.post(reverse("wagtail_guests_import_confirm", args=[1])).status_code == 403
    assert ImportJob.objects.count() == 0 and Guest.objects.count() == 0
    # No "Import" button on the list for them.
    assert "data-guests-import" not in viewer.get("/admin/guests/?all=1").content.decode()


def test_the_list_links_to_the_import(manager_client):
    html = manager_client.get("/admin/guests/?all=1").content.decode()
    assert "data-guests-import" in html and UPLOAD in html


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_sample_file_imports_as_it_is(manager_client, tmp_path, language):
    response = manager_client.get(
        reverse("wagtail_guests_import_sample", args=["csv"]), {"lang": language}
    )
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    header = content.decode("utf-8-sig").splitlines()[0]
    if language == "fr":
        assert header.startswith("prénom;nom;e-mail;téléphone")
    else:
        assert header.startswith("first name,last name,email,phone")
    sample = tmp_path / f"sample-{language}.csv"
    sample.write_bytes(content)
    report = preview_file(str(sample), name=sample.name)
    assert not has_errors(report), report
    assert (report["rows"], report["new"], report["bookings"]) == (2, 2, 1)
    assert {name for _header, name in report["columns"]} >= {
        "first_name",
        "last_name",
        "email",
        "phone",
        "language",
        "country",
        "newsletter_consent",
        "tags",
        "arrival_date",
        "departure_date",
        "booking_reference",
        "notes",
    }


def test_the_excel_sample(manager_client, tmp_path):
    response = manager_client.get(reverse("wagtail_guests_import_sample", args=["xlsx"]))
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sample = tmp_path / "sample.xlsx"
    sample.write_bytes(b"".join(response.streaming_content))
    report = preview_file(str(sample), name=sample.name)
    assert not has_errors(report) and report["new"] == 2, report
