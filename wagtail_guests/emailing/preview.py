"""Preview an email template with a real guest's details (``guest_email_templates:preview``).

The page shows guests' details, so it needs the "view" permission on guests (403 otherwise).
Choose a guest with the search box (name, email, phone or booking reference), or arrive with
``?guest=<id>`` from the guest's profile.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic import WagtailAdminTemplateMixin

from ..models import EmailTemplate, Guest
from ..permissions import guest_permission_policy
from ..search import search_guests
from ..views.common import profile_url
from ..views.forbidden import forbidden
from .outbox import unsubscribe_footer
from .templates import default_booking, render, template_for, template_language

MAX_RESULTS = 20


class TemplatePreviewView(WagtailAdminTemplateMixin, TemplateView):
    template_name = "wagtail_guests/admin/email/preview.html"
    page_title = gettext_lazy("Preview email")
    header_icon = "view"

    def dispatch(self, request, pk):
        if not guest_permission_policy.user_has_permission(request.user, "view"):
            return forbidden(request)
        self.email_template = get_object_or_404(EmailTemplate, pk=pk)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return str(self.email_template)

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("guest_email_templates:index"), "label": _("Email templates")},
            {
                "url": reverse("guest_email_templates:edit", args=[self.email_template.pk]),
                "label": str(self.email_template),
            },
            {"url": "", "label": self.get_page_title()},
        ]

    def get_guest(self):
        guest_id = self.request.GET.get("guest", "")
        if not guest_id.isdigit():
            return None
        return Guest.objects.active().select_related("site").filter(pk=int(guest_id)).first()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        query = self.request.GET.get("q", "").strip()[:200]
        results = []
        if query:
            results = list(
                search_guests(Guest.objects.active(), query).order_by("pk")[:MAX_RESULTS]
            )
        template = self.email_template
        guest = self.get_guest()
        preview = None
        if guest is not None:
            subject, body = render(template, guest, booking=default_booking(guest))
            if template.is_marketing:
                body = unsubscribe_footer(guest, body, language=template_language(template))
            received = template_for(template.name, guest.language)
            preview = {
                "guest": guest,
                "subject": subject,
                "body": body,
                "profile_url": profile_url(guest),
                "other_version": received if received and received.pk != template.pk else None,
            }
        context.update(
            {
                "email_template": template,
                "query": query,
                "results": results,
                "searched": bool(query),
                "preview": preview,
            }
        )
        return context
