"""GDPR admin views: anonymise one guest or many, and download a guest's personal data.

URLs (registered by ``wagtail_hooks``):

- ``wagtail_guests_anonymise`` ``guests/<pk>/anonymise/``: confirmation page (GET), anonymise
  (POST). Needs the ``wagtail_guests.anonymise_guest`` permission (403 otherwise).
- Anonymising many guests is the guest list's "Anonymise" bulk action: see
  :mod:`wagtail_guests.views.gdpr_bulk`.
- ``wagtail_guests_personal_data`` ``guests/<pk>/personal-data/``: the printable page;
  ``wagtail_guests_personal_data_json`` ``guests/<pk>/personal-data.json``: the JSON file.
  Need the ``view_guest`` and ``export_guest`` permissions; every access is in the audit log.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from ..actions.gdpr import (
    GuestHasUpcomingStay,
    anonymisable,
    anonymise_guest,
    can_access_personal_data,
    can_anonymise,
    export_personal_data,
)
from ..actions.staff import upcoming_bookings
from ..gdpr import get_personal_data
from ..gdpr.report import printable_sections, to_json
from ..models import Guest
from .common import get_guest, guest_url, profile_url
from .forbidden import forbidden

KEPT = [
    gettext_lazy(
        "Bookings: dates, nights, party size, room type, status, rating and revenue, so "
        "reports and statistics stay true"
    ),
    gettext_lazy("Country, source, site, and the dates of first contact and creation"),
    gettext_lazy(
        "Consent records (what was agreed, when and where), as proof; they hold no personal data"
    ),
    gettext_lazy("The kind and time of each timeline entry"),
]


class AnonymiseView(WagtailAdminTemplateMixin, TemplateView):
    """Confirm, then anonymise one guest."""

    template_name = "wagtail_guests/admin/gdpr/confirm_anonymise.html"
    page_title = gettext_lazy("Anonymise guest")
    header_icon = "warning"

    def dispatch(self, request, pk):
        if not can_anonymise(request.user):
            return forbidden(request)
        self.guest = get_guest(pk)
        # A site's permission policy may allow some guests only.
        if not anonymisable(request.user, Guest.objects.filter(pk=self.guest.pk)).exists():
            return forbidden(request)
        try:
            return super().dispatch(request, pk)
        except PermissionDenied:
            return forbidden(request)

    def get_page_subtitle(self):
        return self.guest.full_name

    def get_breadcrumbs_items(self):
        items = []
        if index := guest_url("index"):
            items.append({"url": index, "label": _("Guests")})
        items.append({"url": profile_url(self.guest), "label": self.guest.full_name})
        items.append({"url": "", "label": self.get_page_title()})
        return self.breadcrumbs_items + items

    def get_context_data(self, blocking=None, **kwargs):
        context = super().get_context_data(**kwargs)
        guest = self.guest
        if blocking is None and not guest.anonymised_at:
            blocking = list(upcoming_bookings(guest))
        context.update(
            {
                "guest": guest,
                "erased": [line for s in get_personal_data() for line in s.summary(guest)],
                "kept": KEPT,
                "blocking_bookings": blocking or [],
                "profile_url": profile_url(guest),
                "action_url": reverse("wagtail_guests_anonymise", args=[guest.pk]),
            }
        )
        return context

    def post(self, request, pk):
        guest = self.guest
        was_anonymised = bool(guest.anonymised_at)
        try:
            anonymise_guest(guest, user=request.user)
        except GuestHasUpcomingStay as refused:
            messages.error(request, str(refused.args[0]))
            context = self.get_context_data(blocking=refused.bookings)
            return self.render_to_response(context, status=409)
        if was_anonymised:
            messages.info(request, _("This guest was already anonymised."))
        else:
            messages.success(
                request,
                _("The personal data was erased. The guest now shows as “%(name)s”.")
                % {"name": str(guest)},
            )
        return redirect(profile_url(guest) or reverse("wagtail_guests_anonymise", args=[pk]))


def _personal_data(request, pk, file_format):
    if not can_access_personal_data(request.user):
        return None, forbidden(request)
    guest = get_guest(pk)
    try:
        return guest, export_personal_data(guest, user=request.user, file_format=file_format)
    except PermissionDenied:
        return guest, forbidden(request)


def personal_data(request, pk):
    """The printable page: everything held about the guest, readable."""
    guest, report = _personal_data(request, pk, "html")
    if isinstance(report, HttpResponse):
        return report
    response = TemplateResponse(
        request,
        "wagtail_guests/admin/gdpr/personal_data.html",
        {
            "guest": guest,
            "report": report,
            "sections": printable_sections(report),
            "json_url": reverse("wagtail_guests_personal_data_json", args=[guest.pk]),
            "profile_url": profile_url(guest),
        },
    )
    add_never_cache_headers(response)
    return response


def personal_data_json(request, pk):
    """The same data as a JSON file (machine-readable, for portability)."""
    guest, report = _personal_data(request, pk, "json")
    if isinstance(report, HttpResponse):
        return report
    response = HttpResponse(to_json(report), content_type="application/json; charset=utf-8")
    filename = f"guest-{guest.pk}-personal-data.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    add_never_cache_headers(response)
    return response


urlpatterns = [
    path("guests/<int:pk>/anonymise/", AnonymiseView.as_view(), name="wagtail_guests_anonymise"),
    path("guests/<int:pk>/personal-data/", personal_data, name="wagtail_guests_personal_data"),
    path(
        "guests/<int:pk>/personal-data.json",
        personal_data_json,
        name="wagtail_guests_personal_data_json",
    ),
]
