"""Add or remove a guest's tag in place, from the profile."""

from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from ..actions.staff import get_or_create_tag, tag_guest, untag_guest
from ..forms_admin import TagChangeForm
from .common import get_guest, profile_url
from .forbidden import permission_required


@permission_required("change")
@require_POST
def change_tags(request, pk):
    guest = get_guest(pk)
    form = TagChangeForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.errors.get("__all__", [])) or _("Choose a tag."))
        return redirect(profile_url(guest) + "#tags")
    tag = form.cleaned_data["tag"]
    if form.cleaned_data["action"] == "remove":
        if untag_guest(guest, tag, user=request.user):
            messages.success(request, _("Tag “%(tag)s” removed.") % {"tag": tag.label})
        return redirect(profile_url(guest) + "#tags")
    try:
        if tag is None:
            tag = get_or_create_tag(form.cleaned_data["new_tag"], user=request.user)
        added = tag_guest(guest, tag, user=request.user)
    except ValidationError as error:  # TagLimitExceeded
        messages.error(request, " ".join(error.messages))
    else:
        if added:
            messages.success(request, _("Tag “%(tag)s” added.") % {"tag": tag.label})
        else:
            messages.warning(
                request, _("The guest already has the tag “%(tag)s”.") % {"tag": tag.label}
            )
    return redirect(profile_url(guest) + "#tags")
