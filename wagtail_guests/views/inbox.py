"""The admin inbox: guests' conversations, replies, photos and translations.

URLs (``InboxViewSet``, under the "Guests" menu): ``guest_inbox:index`` ``guests/inbox/``;
``guest_inbox:conversation`` ``guests/inbox/<guest pk>/`` (GET shows and marks read, POST
replies); ``guest_inbox:translate`` ``guests/inbox/messages/<pk>/translate/`` (POST);
``guest_inbox:attachment`` ``guests/inbox/attachments/<pk>/``.

Reading needs ``view_guest``; replying needs ``change_guest``; 403 otherwise. Anonymised guests
have no conversation (404).
"""

from __future__ import annotations

from django import forms
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django.views.generic import TemplateView
from wagtail.admin import messages
from wagtail.admin.menu import MenuItem
from wagtail.admin.views.generic import WagtailAdminTemplateMixin
from wagtail.admin.viewsets.base import ViewSet

from ..conversations import inbox, replies, translation
from ..conversations.score import response_score
from ..conversations.tracking import DELIVERY_LABELS
from ..models import Guest, Message, MessageAttachment, MessageDirection
from ..permissions import guest_permission_policy
from .common import guest_url, profile_url
from .forbidden import forbidden, permission_required

PER_PAGE = 30
#: Image types a browser shows inline; others (HEIC) are offered as a download.
INLINE_IMAGES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def can(user, action: str) -> bool:
    return guest_permission_policy.user_has_permission(user, action)


def conversation_url(guest) -> str:
    return reverse("guest_inbox:conversation", args=[guest.pk if hasattr(guest, "pk") else guest])


class ReplyForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), required=False)
    subject = forms.CharField(label=_("Subject"), max_length=200)
    body = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(self, *args, guest, **kwargs):
        super().__init__(*args, **kwargs)
        self.guest = guest
        self.fields["template"].choices = [("", _("No template"))] + [
            (name, name) for name in replies.template_names()
        ]
        self.rendered_template = None

    def clean(self):
        cleaned = super().clean()
        name = cleaned.get("template")
        if name:
            rendered = replies.render_template(name, self.guest)
            if rendered is None:
                self.add_error("template", _("This template no longer exists."))
                return cleaned
            self.rendered_template = rendered[0]
            if not (cleaned.get("body") or "").strip():
                cleaned["body"] = rendered[2]
        if not (cleaned.get("body") or "").strip():
            self.add_error("body", _("Write a message or choose a template."))
        return cleaned


class InboxMenuItem(MenuItem):
    def is_shown(self, request):
        return can(request.user, "view")


class InboxMixin(WagtailAdminTemplateMixin):
    header_icon = "mail"

    def dispatch(self, request, *args, **kwargs):
        if not can(request.user, "view"):
            return forbidden(request)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["inbox_url"] = reverse("guest_inbox:index")
        return context


class InboxIndexView(InboxMixin, TemplateView):
    template_name = "wagtail_guests/admin/inbox/index.html"
    page_title = _("Inbox")

    def get_breadcrumbs_items(self):
        items = [{"url": guest_url("index"), "label": _("Guests")}] if guest_url("index") else []
        return self.breadcrumbs_items + items + [{"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(inbox.conversations(), PER_PAGE).get_page(self.request.GET.get("p"))
        inbox.attach_last_messages(page.object_list)
        context.update(
            {
                "page_obj": page,
                "conversations": page.object_list,
                "unread_total": inbox.unread_count(),
                "score": response_score(),
            }
        )
        return context


class ConversationView(InboxMixin, TemplateView):
    template_name = "wagtail_guests/admin/inbox/conversation.html"
    page_title = _("Conversation")

    def dispatch(self, request, pk):
        # 403 before 404: without permission, whether the guest exists is not told either.
        if not can(request.user, "view"):
            return forbidden(request)
        self.guest = get_object_or_404(Guest, pk=pk, anonymised_at__isnull=True)
        return super().dispatch(request, pk)

    def get_page_subtitle(self):
        return self.guest.full_name or self.guest.email

    def get_breadcrumbs_items(self):
        return self.breadcrumbs_items + [
            {"url": reverse("guest_inbox:index"), "label": _("Inbox")},
            {"url": "", "label": self.get_page_subtitle()},
        ]

    def get_form(self):
        if self.request.method == "POST":
            return ReplyForm(self.request.POST, guest=self.guest)
        initial = {"subject": replies.reply_subject(self.guest)}
        name = self.request.GET.get("template")
        if name:
            rendered = replies.render_template(name, self.guest)
            if rendered is not None:
                initial.update({"template": name, "subject": rendered[1], "body": rendered[2]})
        return ReplyForm(initial=initial, guest=self.guest)

    def get_context_data(self, form=None, **kwargs):
        context = super().get_context_data(**kwargs)
        conversation = list(inbox.conversation(self.guest))
        for message in conversation:
            message.is_inbound = message.direction == MessageDirection.INBOUND
            if message.email is not None:
                status = message.email.delivery_status
                message.delivery_label = DELIVERY_LABELS.get(status, status)
            for attachment in message.attachments.all():
                attachment.url = reverse("guest_inbox:attachment", args=[attachment.pk])
                attachment.inline = attachment.content_type in INLINE_IMAGES
        backend_on = translation.get_backend() is not None
        context.update(
            {
                "guest": self.guest,
                "profile_url": profile_url(self.guest),
                "conversation": conversation,
                "can_reply": can(self.request.user, "change"),
                "form": form or self.get_form(),
                "translation_on": backend_on,
                "languages": translation.languages() if backend_on else [],
                "default_language": translation.default_target(get_language()),
            }
        )
        return context

    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        # Marked after reading the messages: they still show as new on this page.
        inbox.mark_read(self.guest)
        return response

    def post(self, request, *args, **kwargs):
        if not can(request.user, "change"):
            return forbidden(request)
        form = self.get_form()
        if form.is_valid():
            try:
                replies.send_reply(
                    self.guest,
                    user=request.user,
                    subject=form.cleaned_data["subject"],
                    body=form.cleaned_data["body"],
                    template=form.rendered_template,
                )
            except replies.ReplyNotSent as error:
                messages.error(request, str(error))
            else:
                messages.success(request, _t("Your reply is on its way."))
                return redirect(conversation_url(self.guest) + "#reply")
        else:
            messages.error(request, _t("The reply could not be sent: check the form."))
        return self.render_to_response(self.get_context_data(form=form))


@permission_required("view")
@require_POST
def translate(request, pk):
    message = get_object_or_404(Message, pk=pk, guest__anonymised_at__isnull=True)
    target = request.POST.get("language") or translation.default_target(get_language())
    try:
        translation.translate_message(message, target)
    except ValueError:
        messages.error(request, _t("This language is not offered for translation."))
    except translation.TranslationError as error:
        messages.error(
            request, _t("The message was not translated: %(reason)s") % {"reason": error}
        )
    return redirect(f"{conversation_url(message.guest_id)}#message-{message.pk}")


@permission_required("view")
def attachment(request, pk):
    item = get_object_or_404(MessageAttachment, pk=pk, message__guest__anonymised_at__isnull=True)
    try:
        handle = item.file.open("rb")
    except (FileNotFoundError, OSError) as error:
        raise Http404 from error
    response = FileResponse(
        handle,
        content_type=item.content_type,
        as_attachment=item.content_type not in INLINE_IMAGES,
        filename=item.file_name or None,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


class InboxViewSet(ViewSet):
    """The inbox, as an item of the "Guests" menu (``viewsets.GuestsViewSetGroup``)."""

    name = "guest_inbox"
    url_prefix = "guests/inbox"
    icon = "mail"
    menu_label = _("Inbox")
    menu_order = 150
    menu_item_class = InboxMenuItem

    def get_urlpatterns(self):
        return [
            path("", InboxIndexView.as_view(), name="index"),
            path("<int:pk>/", ConversationView.as_view(), name="conversation"),
            path("messages/<int:pk>/translate/", translate, name="translate"),
            path("attachments/<int:pk>/", attachment, name="attachment"),
        ]
