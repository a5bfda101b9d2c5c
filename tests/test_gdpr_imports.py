"""Import files waiting for confirmation and import reports lose the anonymised guest."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.admin_fixtures import make_staff
from tests.factories import make_guest
from wagtail_guests.actions.gdpr import anonymise_guest
from wagtail_guests.importing import jobs, storage
from wagtail_guests.models import ImportJob, ImportStatus

pytestmark = pytest.mark.django_db

HEADER = "first_name,last_name,email,phone\n"


@pytest.fixture(autouse=True)
def temp_dir(settings, tmp_path):
    settings.WAGTAIL_GUESTS_IMPORT_TEMP_DIR = str(tmp_path / "imports")
    return tmp_path / "imports"


@pytest.fixture
def guest(db):
    return make_guest(
        first_name="Barnabé",
        last_name="Quenouille",
        email="barnabe.quenouille@zz-example.test",
        phone="+33 6 11 22 33 44",
    )


def waiting_import(rows: str, *, name="guests.csv", status=ImportStatus.READY) -> ImportJob:
    upload = SimpleUploadedFile(name, (HEADER + rows).encode(), content_type="text/csv")
    job = jobs.create_job(upload, user=make_staff(f"importer-{ImportJob.objects.count()}"))
    ImportJob.objects.filter(pk=job.pk).update(status=status)
    job.refresh_from_db()
    return job


def anonymise(guest, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        anonymise_guest(guest, user=make_staff("import-anonymiser"))


@pytest.mark.parametrize(
    "row",
    [
        "Someone,Else,BARNABE.Quenouille@zz-example.test,\n",  # the email, any case
        "Someone,Else,,06 11 22 33 44\n",  # the phone number, in another format
        "barnabe,QUENOUILLE,,\n",  # first and last name (accents and case ignored)
    ],
)
def test_a_waiting_file_naming_the_guest_is_deleted(guest, row, django_capture_on_commit_callbacks):
    job = waiting_import("Ana,Other,ana@zz-example.test,\n" + row)
    path = storage.path_of(job.stored_name)
    assert path.exists()
    anonymise(guest, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert not path.exists()
    assert job.stored_name == "" and job.status == ImportStatus.CANCELLED
    assert not job.can_confirm


def test_other_files_and_running_imports_are_left_alone(guest, django_capture_on_commit_callbacks):
    other = waiting_import("Ana,Other,ana@zz-example.test,\nBarnabé,Martin,,\n")
    running = waiting_import("Barnabé,Quenouille,,\n", status=ImportStatus.IMPORTING)
    anonymise(guest, django_capture_on_commit_callbacks)
    for job in (other, running):
        before = job.stored_name
        job.refresh_from_db()
        assert job.stored_name == before and storage.path_of(before).exists()
    assert other.status == ImportStatus.READY


def test_reports_and_file_names_are_redacted(guest, django_capture_on_commit_callbacks):
    job = ImportJob.objects.create(
        file_name="Barnabé Quenouille.csv",
        status=ImportStatus.DONE,
        report={
            "errors": [
                {
                    "row": 3,
                    "column": "email",
                    "message": "“barnabe.quenouille@zz-example.test” is not valid.",
                },
                {"row": 4, "column": "email", "message": "“ana@zz-example” is not valid."},
            ],
            "rows": 4,
        },
    )
    anonymise(guest, django_capture_on_commit_callbacks)
    job.refresh_from_db()
    assert job.file_name == "***.csv"
    assert job.report["errors"][0]["message"] == "“***” is not valid."
    assert job.report["errors"][1]["message"] == "“ana@zz-example” is not valid."
    assert job.report["rows"] == 4


def test_importing_the_person_again_creates_a_new_guest(guest, tmp_path):
    from tests.import_helpers import write
    from wagtail_guests.importing.engine import import_file
    from wagtail_guests.models import Guest

    anonymise_guest(guest, user=make_staff("reimport-anonymiser"))
    path = write(tmp_path, HEADER + "Barnabé,Quenouille,barnabe.quenouille@zz-example.test,\n")
    report = import_file(path, name="guests.csv", user=make_staff("reimporter"))
    assert report["new"] == 1 and report["updated"] == 0
    again = Guest.objects.get(email="barnabe.quenouille@zz-example.test")
    assert again.pk != guest.pk
    guest.refresh_from_db()
    assert guest.email == "" and guest.anonymised_at is not None


def test_the_preview_rows_of_a_checked_import_lose_the_guest(
    guest, django_capture_on_commit_callbacks
):
    """A checked import's report shows its first rows, first and last name in separate cells:
    a file with errors keeps that report (its file is gone), so the rows must go too."""
    bad = waiting_import("Barnabé,Quenouille,,+33 6 11 22 33 44\nAna,Other,not-an-email,\n")
    jobs.run_preview(bad)
    bad.refresh_from_db()
    assert bad.stored_name == "" and bad.status == ImportStatus.READY  # errors: no file kept
    unrelated = waiting_import("Ana,Other,ana@zz-example.test,\nBarnabé,Martin,,\n")
    jobs.run_preview(unrelated)
    unrelated.refresh_from_db()
    assert "Quenouille" in str(bad.report["sample"])
    assert "Martin" in str(unrelated.report["sample"])

    anonymise(guest, django_capture_on_commit_callbacks)

    bad.refresh_from_db()
    assert "sample" not in bad.report
    assert "quenouille" not in str(bad.report).lower()
    assert bad.report["error_rows"] == 1  # the rest of the report stays
    unrelated.refresh_from_db()
    assert "Martin" in str(unrelated.report["sample"])
