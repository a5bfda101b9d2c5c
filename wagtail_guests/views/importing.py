"""The admin import: upload a file, read the preview, confirm (or cancel), see the result.

URLs (registered by ``wagtail_hooks``), all requiring the ``import_guest`` permission (403):

- ``guests/import/`` (``wagtail_guests_import``): the upload form;
- ``guests/import/sample.<csv|xlsx>`` (``wagtail_guests_import_sample``): the sample file;
- ``guests/import/<pk>/`` (``wagtail_guests_import_job``): progress, preview or result;
- ``guests/import/<pk>/confirm/`` and ``…/cancel/`` (POST only).

Files of more than ``WAGTAIL_GUESTS_IMPORT_BACKGROUND_ROWS`` rows are checked and imported by
background tasks; the job page shows a progress bar and reloads itself until they finish.
"""

from __future__ import annotations

from django import forms
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, re_path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.models import Site

from ..conf import guests_settings
from ..exporting import export_language, file_response
from ..importing import jobs
from ..importing.reading import DELIMITERS, ENCODINGS, MEGABYTE, ImportFileError, check_size
from ..models import ImportJob, ImportStatus
from ..resources import COLUMNS, REQUIRED_FIELDS, export_headers
from .forbidden import permission_required

TEMPLATES = "wagtail_guests/admin/import/"
#: Room for the form's other fields and the multipart boundaries in a request's Content-Length.
UPLOAD_OVERHEAD = 64 * 1024
SAMPLE_FIELDS = [column.field for column in COLUMNS if column.field != "first_contact"]
SAMPLE_ROWS = {
    "en": [
        [
            "Élodie",
            "Dupré",
            "elodie.dupre@example.com",
            "+33 6 12 34 56 78",
            "12 rue des Lilas",
            "75011",
            "Paris",
            "France",
            "fr",
            "yes",
            "VIP, Regular",
            "2026-07-14",
            "2026-07-17",
            "",
            "Quiet room, please",
        ],
        [
            "John",
            "Smith",
            "",
            "+44 20 7946 0018",
            "",
            "",
            "London",
            "GB",
            "en",
            "no",
            "",
            "",
            "",
            "",
            "",
        ],
    ],
    "fr": [
        [
            "Élodie",
            "Dupré",
            "elodie.dupre@example.com",
            "06 12 34 56 78",
            "12 rue des Lilas",
            "75011",
            "Paris",
            "France",
            "fr",
            "oui",
            "VIP, Régulier",
            "14/07/2026",
            "17/07/2026",
            "",
            "Chambre calme",
        ],
        [
            "John",
            "Smith",
            "",
            "+44 20 7946 0018",
            "",
            "",
            "Londres",
            "GB",
            "en",
            "non",
            "",
            "",
            "",
            "",
            "",
        ],
    ],
}


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "A CSV file or an Excel workbook (.xlsx), with the columns of the sample file."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.txt,.xlsx"}),
    )
    encoding = forms.ChoiceField(
        label=_("Encoding"),
        choices=[("", _("Automatic (recommended)")), *ENCODINGS.items()],
        required=False,
        help_text=_("Change it only if accents come out wrong in the preview."),
    )
    delimiter = forms.ChoiceField(
        label=_("Separator"),
        choices=[("", _("Automatic (recommended)")), *DELIMITERS.items()],
        required=False,
    )


def _job(request, pk) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=pk)
    if job.user_id != request.user.pk and not request.user.is_superuser:
        raise Http404  # another user's import: its report may name guests
    return job


def _render(request, template, context, status=200):
    return TemplateResponse(request, TEMPLATES + template, context, status=status)


def _too_big_to_read(request) -> ImportFileError | None:
    """Refuse an upload larger than the limit from its Content-Length, before the file is
    copied to the import folder. (Django's CSRF check has already parsed the request body by
    then: the web server's own body size limit is what stops a huge upload early.)"""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    try:
        check_size(length - UPLOAD_OVERHEAD)
    except ImportFileError as error:
        return error
    return None


@permission_required("import")
def upload(request):
    too_big = _too_big_to_read(request) if request.method == "POST" else None
    if too_big is not None:
        form = ImportForm()
        form.cleaned_data = {}  # add_error() expects it; an unbound form has none
        form.add_error(None, too_big.messages)
    else:
        form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and too_big is None and form.is_valid():
        try:
            job = jobs.create_job(
                form.cleaned_data["file"],
                user=request.user,
                encoding=form.cleaned_data["encoding"],
                delimiter=form.cleaned_data["delimiter"],
            )
        except ImportFileError as error:
            for message in error.messages:
                form.add_error("file", message)
        else:
            if jobs.runs_in_background(job):
                from ..tasks_import import check_import

                transaction.on_commit(lambda: check_import.enqueue(job.pk))
            else:
                jobs.run_preview(job)
            return redirect("wagtail_guests_import_job", job.pk)
    recent = ImportJob.objects.filter(user=request.user).order_by("-created_at")[:5]
    return _render(
        request,
        "upload.html",
        {
            "form": form,
            "recent": recent,
            "columns": COLUMNS,
            "required": REQUIRED_FIELDS,
            "max_rows": guests_settings.IMPORT_MAX_ROWS,
            "max_megabytes": guests_settings.IMPORT_MAX_BYTES // MEGABYTE,
            "page_title": _t("Import guests"),
        },
    )


@permission_required("import")
def job_view(request, pk):
    job = _job(request, pk)
    report = job.report or {}
    context = {
        "job": job,
        "report": report,
        "statuses": ImportStatus,
        "page_title": _t("Import guests"),
        "background": jobs.runs_in_background(job),
        "upload_url": reverse("wagtail_guests_import"),
        "list_url": _list_url(),
        "encoding_label": ENCODINGS.get(report.get("encoding", ""), report.get("encoding", "")),
        "delimiter_label": DELIMITERS.get(report.get("delimiter", ""), ""),
    }
    return _render(request, "job.html", context)


@permission_required("import")
@require_POST
def confirm(request, pk):
    job = _job(request, pk)
    if not job.can_confirm or not jobs.claim(job):
        messages.warning(request, _t("This import has already been confirmed or cancelled."))
        return redirect("wagtail_guests_import_job", job.pk)
    site = Site.find_for_request(request)
    if jobs.runs_in_background(job):
        from ..tasks_import import run_import

        site_id = site.pk if site else None
        transaction.on_commit(lambda: run_import.enqueue(job.pk, site_id))
    else:
        jobs.run_import(job, site=site)
    return redirect("wagtail_guests_import_job", job.pk)


@permission_required("import")
@require_POST
def cancel(request, pk):
    job = _job(request, pk)
    if jobs.cancel(job):
        messages.success(
            request, _t("Import cancelled: nothing was imported and the file was deleted.")
        )
    return redirect("wagtail_guests_import")


@permission_required("import")
def sample(request, extension):
    language = export_language(request.GET.get("lang"))
    return file_response(
        export_headers(language, SAMPLE_FIELDS),
        SAMPLE_ROWS[language],
        extension,
        stem="guests-sample",
        delimiter=";" if language == "fr" else ",",
    )


def _list_url() -> str:
    from .common import guest_url

    return guest_url("index")


urlpatterns = [
    path("guests/import/", upload, name="wagtail_guests_import"),
    re_path(
        r"^guests/import/sample\.(?P<extension>csv|xlsx)$",
        sample,
        name="wagtail_guests_import_sample",
    ),
    path("guests/import/<int:pk>/", job_view, name="wagtail_guests_import_job"),
    path("guests/import/<int:pk>/confirm/", confirm, name="wagtail_guests_import_confirm"),
    path("guests/import/<int:pk>/cancel/", cancel, name="wagtail_guests_import_cancel"),
]
