"""The public unsubscribe page, linked from every marketing email (``wagtail_guests.urls``).

GET shows a confirmation button; POST unsubscribes. POST needs no CSRF token: mail providers
and clients send RFC 8058 one-click requests (``List-Unsubscribe=One-Click``) without one,
and the signed token in the URL is the authorisation. The pages show no personal data, ask
search engines not to index them and send no referrer (the URL holds the token).
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponseNotAllowed
from django.template.response import TemplateResponse
from django.utils import translation
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from ..models import Guest
from .unsubscribe import InvalidToken, read_token, unsubscribe

TEMPLATES = "wagtail_guests/unsubscribe/"


def _page(request, name, context=None, status=200):
    response = TemplateResponse(request, TEMPLATES + name, context or {}, status=status)
    response["X-Robots-Tag"] = "noindex, nofollow"
    response["Referrer-Policy"] = "no-referrer"
    return response.render()


def _language(guest) -> str | None:
    codes = {code for code, _name in settings.LANGUAGES}
    language = (guest.language or "").lower() if guest else ""
    if language in codes:
        return language
    if language.split("-")[0] in codes:
        return language.split("-")[0]
    return None


@csrf_exempt
@never_cache
def unsubscribe_view(request, token):
    if request.method not in ("GET", "HEAD", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        guest_id = read_token(token)
    except InvalidToken as error:
        return _page(request, "invalid.html", {"expired": error.expired}, status=400)
    guest = Guest.objects.filter(pk=guest_id).first()
    with translation.override(_language(guest) or translation.get_language()):
        if guest is None or guest.anonymised_at:
            # Nothing left to unsubscribe: nothing will be sent.
            return _page(request, "done.html")
        if request.method == "POST":
            unsubscribe(guest)
            return _page(request, "done.html")
        if guest.unsubscribed_at:
            return _page(request, "done.html", {"already": True})
        return _page(request, "confirm.html")
