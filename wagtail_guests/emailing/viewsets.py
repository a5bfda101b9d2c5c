"""Admin of guest emails, in the "Guests" menu: templates, scheduled emails and the outbox.

URL names: ``guest_email_templates:index|add|edit|copy|delete|preview``,
``guest_email_rules:index|add|edit|delete``, ``guest_outbox:index|inspect|retry``.

Templates and rules use their own model permissions. The outbox holds guests' addresses and
messages, so the guest permissions decide: "view" on guests to see it, "change" to retry.
"""

from __future__ import annotations

from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, path, reverse
from django.utils import formats, timezone
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.ui.tables import (
    Column,
    DateColumn,
    StatusTagColumn,
    TitleColumn,
)
from wagtail.admin.views.generic import EditView, IndexView, InspectView
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets.button import Button
from wagtail.permission_policies import ModelPermissionPolicy

from ..models import EmailTemplate, OutgoingEmail, OutgoingStatus, ScheduledEmailRule
from ..permissions import guest_permission_policy
from ..views.common import StableOrderingMixin, profile_url
from ..views.forbidden import Forbidden403Mixin, forbid_urlpatterns
from ..views.list_columns import GuestLinkColumn
from .actions import retryable
from .forms import EmailTemplateForm, ScheduledEmailRuleForm
from .preview import TemplatePreviewView


class OutboxPermissionPolicy(ModelPermissionPolicy):
    """Outbox rows follow the guest permissions; nobody adds, edits or deletes them here."""

    def user_has_permission(self, user, action):
        if action not in ("view", "change"):
            return False
        return guest_permission_policy.user_has_permission(user, action)

    def user_has_any_permission(self, user, actions):
        return any(self.user_has_permission(user, action) for action in actions)

    def user_has_permission_for_instance(self, user, action, instance):
        return self.user_has_permission(user, action)


OUTBOX_PERMISSION_POLICY = OutboxPermissionPolicy(OutgoingEmail)

try:  # Wagtail >= 7.1 keeps a registry of permission policies
    from wagtail.permissions import register_permission_policy
except ImportError:  # Wagtail 7.0: the viewset hands its policy to its views
    register_permission_policy = None
else:
    register_permission_policy(OutgoingEmail, OUTBOX_PERMISSION_POLICY, exact_class=True)


def _days_label(rule) -> str:
    anchor = rule.get_anchor_display()
    if rule.days < 0:
        return _("%(days)s days before %(anchor)s") % {"days": -rule.days, "anchor": anchor}
    if rule.days > 0:
        return _("%(days)s days after %(anchor)s") % {"days": rule.days, "anchor": anchor}
    return _("on the day of %(anchor)s") % {"anchor": anchor}


class TemplateEditView(EditView):
    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        try:
            url = reverse("guest_email_templates:preview", args=[quote(self.object.pk)])
        except NoReverseMatch:
            return buttons
        buttons.append(Button(_("Preview with a guest"), url=url, icon_name="view", priority=5))
        return buttons


class EmailTemplateViewSet(ModelViewSet):
    model = EmailTemplate
    name = "guest_email_templates"
    url_prefix = "guests/email-templates"
    icon = "mail"
    menu_label = _("Email templates")
    menu_order = 400
    edit_view_class = TemplateEditView
    list_display = [
        "name",
        "language",
        "subject",
        "is_marketing",
        DateColumn("updated_at", label=_("Updated"), sort_key="updated_at"),
    ]
    list_filter = ["language", "is_marketing"]
    search_fields = ["name", "subject", "body"]
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return EmailTemplateForm

    def preview_view(self, request, pk):
        return TemplatePreviewView.as_view()(request, pk=pk)

    def get_urlpatterns(self):
        urlpatterns = super().get_urlpatterns()
        urlpatterns.append(path("<int:pk>/preview/", self.preview_view, name="preview"))
        return forbid_urlpatterns(urlpatterns)


class ScheduledEmailRuleViewSet(ModelViewSet):
    model = ScheduledEmailRule
    name = "guest_email_rules"
    url_prefix = "guests/scheduled-emails"
    icon = "date"
    menu_label = _("Scheduled emails")
    menu_order = 410
    list_display = [
        "name",
        "template",
        Column("days", label=_("When"), accessor=_days_label),
        "booking_kind",
        "active",
    ]
    list_filter = ["active", "anchor"]
    copy_view_enabled = False
    add_to_reference_index = False

    def get_form_class(self, for_update=False):
        return ScheduledEmailRuleForm

    def get_urlpatterns(self):
        return forbid_urlpatterns(super().get_urlpatterns())


def _next_attempt(email) -> str:
    """When a waiting email will be tried again (the retry backoff), else nothing."""
    if email.status not in (OutgoingStatus.QUEUED, OutgoingStatus.RETRYING):
        return ""
    when = timezone.localtime(email.next_attempt_at)
    return formats.date_format(when, "SHORT_DATETIME_FORMAT")


class OutboxIndexView(StableOrderingMixin, Forbidden403Mixin, IndexView):
    page_title = _("Outbox")
    default_ordering = "-created_at"
    search_fields = ["subject", "to_email"]
    is_searchable = True

    def get_base_queryset(self):
        return OutgoingEmail.objects.select_related("guest")

    @cached_property
    def columns(self):
        title_column_class = self._get_title_column_class(TitleColumn)
        return [
            title_column_class(
                "subject", label=_("Subject"), get_url=self.get_inspect_url, sort_key="subject"
            ),
            GuestLinkColumn("guest", label=_("Guest"), get_url=profile_url),
            Column(
                "kind",
                label=_("Kind"),
                accessor=lambda email: capfirst(email.get_kind_display()),
                sort_key="kind",
            ),
            StatusTagColumn(
                "status",
                label=_("Status"),
                accessor=lambda email: capfirst(email.get_status_display()),
                primary=lambda email: email.status == OutgoingStatus.SENT,
                sort_key="status",
            ),
            Column("attempts", label=_("Attempts"), sort_key="attempts"),
            Column(
                "next_attempt_at",
                label=capfirst(OutgoingEmail._meta.get_field("next_attempt_at").verbose_name),
                accessor=_next_attempt,
                sort_key="next_attempt_at",
            ),
            Column(
                "last_error",
                label=_("Last error"),
                accessor=lambda email: (email.last_error or "")[:80],
            ),
            DateColumn("created_at", label=_("Written"), sort_key="created_at"),
        ]


class OutboxInspectView(Forbidden403Mixin, InspectView):
    template_name = "wagtail_guests/admin/email/outbox_inspect.html"
    fields = [
        "guest",
        "to_email",
        "from_email",
        "subject",
        "kind",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "delivery_status",
        "esp_message_id",
        "booking",
        "template",
        "rule",
        "created_by",
        "created_at",
        "sent_at",
    ]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        email = self.object
        context.update(
            {
                "email": email,
                "can_retry": retryable(email)
                and guest_permission_policy.user_has_permission(self.request.user, "change"),
                "retry_url": reverse("wagtail_guests_email_retry", args=[email.pk]),
                "guest_url": profile_url(email.guest_id) if email.guest_id else None,
            }
        )
        return context


class OutboxViewSet(ModelViewSet):
    """The outbox, read-only: retry failed emails; everything else happens on the profile."""

    model = OutgoingEmail
    name = "guest_outbox"
    url_prefix = "guests/outbox"
    icon = "mail"
    menu_label = _("Outbox")
    menu_order = 420
    index_view_class = OutboxIndexView
    inspect_view_enabled = True
    inspect_view_class = OutboxInspectView
    list_filter = ["status", "kind"]
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50
    exclude_form_fields = []

    @property
    def permission_policy(self):
        return OUTBOX_PERMISSION_POLICY

    def get_common_view_kwargs(self, **kwargs):
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_inspect_view_kwargs(self, **kwargs):
        return kwargs

    def get_permissions_to_register(self):
        # The guest permissions decide (OutboxPermissionPolicy): nothing to grant here.
        return super().get_permissions_to_register().none()

    def get_urlpatterns(self):
        kept = {"index", "index_results", "inspect"}
        urlpatterns = [p for p in super().get_urlpatterns() if p.name in kept]
        return forbid_urlpatterns(urlpatterns)


VIEWSETS = (EmailTemplateViewSet, ScheduledEmailRuleViewSet, OutboxViewSet)
