"""The guest profile's email actions, and "retry" in the outbox (admin URLs, POST only).

URLs (registered by ``wagtail_hooks``), all needing the "change" permission on guests (403):

- ``wagtail_guests_email_send_template`` ``guests/<pk>/emails/template/``: send a template,
  or with ``action=test`` send it to oneself;
- ``wagtail_guests_email_send_message`` ``guests/<pk>/emails/message/``: a free message;
- ``wagtail_guests_email_unsubscribe`` ``guests/<pk>/emails/unsubscribe/``: "Unsubscribe
  from all emails";
- ``wagtail_guests_email_send_again`` ``guests/outbox/<pk>/send-again/``: a new copy;
- ``wagtail_guests_email_retry`` ``guests/outbox/<pk>/retry/``: retry a failed email now.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404, redirect
from django.urls import path
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from ..emailing import actions
from ..emailing.forms import SendMessageForm, SendTemplateForm
from ..models import EmailTemplate, OutgoingEmail
from .common import get_guest, profile_url
from .forbidden import permission_required


def _back(request, guest) -> str:
    next_url = request.POST.get("next", "")
    if next_url and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return profile_url(guest) + "#emails" if guest is not None else "/"


def _report(request, sent: actions.Sent):
    if sent.test:
        messages.success(
            request,
            _("A test of this email was sent to %(address)s.") % {"address": sent.email.to_email},
        )
    else:
        messages.success(request, _("The email is on its way; it is listed under Emails."))


@permission_required("change")
@require_POST
def send_template(request, pk):
    guest = get_guest(pk)
    names = EmailTemplate.objects.values_list("name", flat=True).distinct()
    form = SendTemplateForm(request.POST, names=names)
    if not form.is_valid():
        messages.error(request, _("Choose an email template."))
        return redirect(_back(request, guest))
    return _queue(
        request,
        guest,
        lambda: actions.send_template(
            guest,
            form.cleaned_data["template"],
            user=request.user,
            test=request.POST.get("action") == "test",
        ),
    )


@permission_required("change")
@require_POST
def send_message(request, pk):
    guest = get_guest(pk)
    form = SendMessageForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a subject and a message."))
        return redirect(_back(request, guest))
    return _queue(
        request,
        guest,
        lambda: actions.send_message(
            guest,
            subject=form.cleaned_data["subject"],
            body=form.cleaned_data["body"],
            user=request.user,
            test=request.POST.get("action") == "test",
        ),
    )


def _queue(request, guest, send):
    """Queue an email with ``send()``; say what happened, or why nothing was queued."""
    try:
        sent = send()
    except actions.EmailNotQueued as error:
        messages.error(request, str(error))
    else:
        _report(request, sent)
    return redirect(_back(request, guest))


@permission_required("change")
@require_POST
def unsubscribe_guest(request, pk):
    guest = get_guest(pk)
    if actions.staff_unsubscribe(guest, user=request.user):
        messages.success(request, _("The guest is unsubscribed from all emails."))
    else:
        messages.warning(request, _("The guest was already unsubscribed."))
    return redirect(_back(request, guest))


@permission_required("change")
@require_POST
def send_again(request, pk):
    email = get_object_or_404(OutgoingEmail.objects.select_related("guest"), pk=pk)
    try:
        sent = actions.send_again(email, user=request.user)
    except actions.EmailNotQueued as error:
        messages.error(request, str(error))
    else:
        _report(request, sent)
    return redirect(_back(request, email.guest))


@permission_required("change")
@require_POST
def retry(request, pk):
    email = get_object_or_404(OutgoingEmail.objects.select_related("guest"), pk=pk)
    if actions.retry_email(email, user=request.user):
        messages.success(request, _("The email will be sent again now."))
    else:
        messages.warning(request, _("This email is not waiting to be sent any more."))
    return redirect(_back(request, email.guest))


urlpatterns = [
    path(
        "guests/<int:pk>/emails/template/",
        send_template,
        name="wagtail_guests_email_send_template",
    ),
    path("guests/<int:pk>/emails/message/", send_message, name="wagtail_guests_email_send_message"),
    path(
        "guests/<int:pk>/emails/unsubscribe/",
        unsubscribe_guest,
        name="wagtail_guests_email_unsubscribe",
    ),
    path("guests/outbox/<int:pk>/send-again/", send_again, name="wagtail_guests_email_send_again"),
    path("guests/outbox/<int:pk>/retry/", retry, name="wagtail_guests_email_retry"),
]
