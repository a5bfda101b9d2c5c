"""Exports from the guest list: the "Export" menu of ``/admin/guests/`` and two bulk actions.

- :class:`GuestExportMixin`, mixed into the guest list's ``IndexView``, adds the header buttons
  "Import" and "Export" (CSV, Excel, newsletter file) and answers ``?export=csv|xlsx|newsletter``
  with exactly the guests the list shows for the same filters and search (every page, in the
  list's order). Without the ``export_guest`` permission: no button, and a 403.
- :class:`ExportSelectionBulkAction` ("Export"): the selected guests as CSV or XLSX.
- :class:`TransferToSubscribersBulkAction` ("Transfer to subscriber list"): the selected guests
  who may receive the newsletter, as the file Mailchimp or Brevo imports into a subscriber list;
  the confirmation page says how many are refused (no consent, unsubscribed, no working email).

Every export is written to the audit log with the number of rows and the names of the filters.
"""

from __future__ import annotations

from django import forms
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from wagtail.admin import messages
from wagtail.admin.views.bulk_action import BulkAction
from wagtail.admin.widgets.button import Button, ButtonWithDropdown, HeaderButton
from wagtail.models import Site

from ..bulk_actions import GuestBulkAction
from ..exporting import (
    TooManyRowsForExcel,
    describe_filters,
    export_response,
    exportable,
    newsletter_export,
    newsletter_queryset,
)
from .forbidden import forbidden

#: The query parameter of the list's exports, and its values.
EXPORT_PARAM = "export"
LIST_EXPORTS = ("csv", "xlsx", "newsletter")
#: How many selected guests a bulk export's confirmation page names (the rest are counted).
SHOWN_ITEMS = 50


def _site(request):
    return Site.find_for_request(request)


class GuestExportMixin:
    """The guest list's "Import" and "Export" buttons and its exports (before ``IndexView``)."""

    @cached_property
    def can_export(self) -> bool:
        return self.user_has_permission("export")

    @cached_property
    def can_import(self) -> bool:
        return self.user_has_permission("import")

    def get(self, request, *args, **kwargs):
        kind = request.GET.get(EXPORT_PARAM)
        if kind in LIST_EXPORTS:
            return self.export(kind)
        return super().get(request, *args, **kwargs)

    def export(self, kind: str):
        if not self.can_export:
            return forbidden(self.request)
        # The list's own queryset: its filters (or the default arrival window), its search and
        # its order, without pagination.
        queryset = self.get_queryset()
        filters = describe_filters(self.filters.data if self.filters else self.request.GET)
        user, site = self.request.user, _site(self.request)
        if kind == "newsletter":
            result = newsletter_export(queryset, user, filters, site=site)
            if result.refused:
                messages.warning(self.request, result.message)
            return result.response
        try:
            return export_response(
                queryset, kind, user, filters, site=site, language=get_language()
            )
        except TooManyRowsForExcel as error:
            messages.error(self.request, error.message)
            return redirect(self.list_url())

    def list_url(self, **extra) -> str:
        """The list's URL with the current filters and search (first page), plus ``extra``."""
        params = self.request.GET.copy()
        for name in (self.page_kwarg, "_w_filter_fragment", EXPORT_PARAM):
            params.pop(name, None)
        params.update(extra)
        query = params.urlencode()
        return f"{self.index_url}?{query}" if query else self.index_url

    def export_url(self, kind: str) -> str:
        return self.list_url(**{EXPORT_PARAM: kind})

    @cached_property
    def header_buttons(self):
        buttons = list(super().header_buttons)
        if self.can_import:
            buttons.append(
                HeaderButton(
                    _("Import"),
                    url=reverse("wagtail_guests_import"),
                    icon_name="upload",
                    attrs={"data-guests-import": ""},
                    priority=1010,  # after "Add guest" (1000)
                )
            )
        if self.can_export:
            buttons.append(
                ButtonWithDropdown(
                    label=_("Export"),
                    icon_name="download",
                    classname="w-header-button button button-secondary",
                    attrs={"data-guests-export": "", "aria-label": _("Export this list")},
                    priority=1020,
                    buttons=[
                        Button(_("CSV file"), url=self.export_url("csv"), priority=10),
                        Button(_("Excel file (.xlsx)"), url=self.export_url("xlsx"), priority=20),
                        Button(
                            _("Newsletter file (Mailchimp, Brevo): consenting guests only"),
                            url=self.export_url("newsletter"),
                            priority=30,
                        ),
                    ],
                )
            )
        return buttons


# Bulk actions -------------------------------------------------------------------------------


class ExportForm(forms.Form):
    format = forms.ChoiceField(
        label=_("Format"),
        choices=[("csv", _("CSV file")), ("xlsx", _("Excel file (.xlsx)"))],
        initial="csv",
        widget=forms.RadioSelect,
    )


class BaseExportBulkAction(GuestBulkAction):
    """A bulk action that downloads the selection: any number of guests (the file is streamed),
    so it does not use :class:`GuestBulkAction`'s limit on how many guests one action changes."""

    permission_required = "export"
    template_name = "wagtail_guests/admin/export/bulk_export.html"

    def selection(self):
        """The selected guests, through what the user may export."""
        allowed = self.permission_policy.instances_user_has_permission_for(
            self.request.user, self.permission_required
        )
        return self.selected_queryset().filter(pk__in=allowed.values("pk"))

    def export_queryset(self):
        return exportable(self.selection()).order_by("name_key", "pk")

    def filters_description(self) -> list[str]:
        if "all" in self.request.GET.getlist("id"):
            return describe_filters(self.request.GET)
        return ["selection"]

    @cached_property
    def counts(self) -> dict:
        queryset = self.export_queryset()
        return {"total": queryset.count()}

    def get_actionable_objects(self):
        guests = self.export_queryset().only("pk", "first_name", "last_name")[:SHOWN_ITEMS]
        return list(guests), {"items_with_no_access": []}

    def get_context_data(self, **kwargs):
        context = BulkAction.get_context_data(self, **kwargs)
        context.update(self.counts)
        context["hidden_count"] = context["total"] - len(context["items"])
        context["action"] = self
        return context

    def form_valid(self, form):
        self.cleaned_form = form
        return self.download(form)


class ExportSelectionBulkAction(BaseExportBulkAction):
    display_name = _("Export")
    action_type = "export"
    aria_label = _("Export the selected guests as a CSV or Excel file")
    action_priority = 40
    heading = _("Export guests")
    confirm_label = _("Download")
    form_class = ExportForm

    def download(self, form):
        try:
            return export_response(
                self.export_queryset(),
                form.cleaned_data["format"],
                self.request.user,
                self.filters_description(),
                site=_site(self.request),
                language=get_language(),
            )
        except TooManyRowsForExcel as error:
            form.add_error("format", error.message)
            return self.form_invalid(form)


class TransferToSubscribersBulkAction(BaseExportBulkAction):
    display_name = _("Transfer to subscriber list")
    action_type = "transfer_subscribers"
    aria_label = _("Download the selected guests who accept the newsletter, for Mailchimp or Brevo")
    action_priority = 50
    heading = _("Transfer to subscriber list")
    confirm_label = _("Download the subscriber file")
    newsletter = True

    @cached_property
    def counts(self) -> dict:
        total = self.selection().count()
        accepted = newsletter_queryset(self.selection()).count()
        return {"total": total, "accepted": accepted, "refused": total - accepted}

    def get_actionable_objects(self):
        guests = newsletter_queryset(self.selection()).order_by("name_key", "pk")
        guests = guests.only("pk", "first_name", "last_name")[:SHOWN_ITEMS]
        return list(guests), {"items_with_no_access": []}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["hidden_count"] = context["accepted"] - len(context["items"])
        return context

    def download(self, form):
        result = newsletter_export(
            self.selection(),
            self.request.user,
            self.filters_description(),
            site=_site(self.request),
        )
        if result.refused:
            messages.warning(self.request, result.message)
        return result.response
