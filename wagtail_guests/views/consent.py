"""Record, on the profile, newsletter consent a guest gave or withdrew in person."""

from django.shortcuts import redirect
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from wagtail.admin import messages

from ..actions.staff import record_staff_consent
from ..forms_admin import ConsentForm
from .common import get_guest, profile_url
from .forbidden import permission_required


@permission_required("change")
@require_POST
def change_consent(request, pk):
    guest = get_guest(pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The consent could not be recorded."))
        return redirect(profile_url(guest) + "#consent")
    given = form.cleaned_data["given"]
    record_staff_consent(
        guest,
        given=given,
        user=request.user,
        wording=form.cleaned_data["wording"],
        language=guest.language or get_language() or "",
    )
    if given:
        messages.success(request, _("Newsletter consent recorded."))
    else:
        messages.success(request, _("Newsletter consent withdrawn."))
    return redirect(profile_url(guest) + "#consent")
