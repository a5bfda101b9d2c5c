"""The data of one form submission, exactly as the visitor sent it, and where it came from."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.fields import StreamField

from ..models import Submission
from ..permissions import guest_permission_policy
from .common import profile_url
from .forbidden import Forbidden403Mixin


def find_block(page, block_id):
    """The top-level StreamField block with ``block_id`` on ``page`` (or ``None``)."""
    if page is None or not block_id:
        return None
    page = page.specific_deferred
    for field in page._meta.get_fields():
        if isinstance(field, StreamField):
            for child in getattr(page, field.name) or []:
                if child.id == block_id:
                    return child
    return None


def display_value(value):
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{k}: {display_value(v)}" for k, v in value.items())
    if value is None:
        return ""
    return str(value)


class SubmissionView(Forbidden403Mixin, WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_guests/admin/profile/submission.html"
    page_title = _("Form submission")
    header_icon = "form"

    def passes_permission_precheck(self):
        return guest_permission_policy.user_has_any_permission(
            self.request.user, ["view", "change", "delete"]
        )

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not self.permission_denied:
            self.submission = get_object_or_404(
                Submission.objects.select_related("guest", "booking", "page", "site"),
                pk=kwargs["pk"],
            )

    def get_page_subtitle(self):
        return str(self.submission)

    def get_breadcrumbs_items(self):
        guest = self.submission.guest
        return self.breadcrumbs_items + [
            {"url": profile_url(guest), "label": guest.full_name},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        submission = self.submission
        block = find_block(submission.page, submission.block_id)
        context.update(
            {
                "submission": submission,
                "rows": [(key, display_value(value)) for key, value in submission.data.items()]
                if isinstance(submission.data, dict)
                else [("", display_value(submission.data))],
                "block": block,
                "block_label": block.block.label if block is not None else "",
                "guest_url": profile_url(submission.guest),
            }
        )
        return context
