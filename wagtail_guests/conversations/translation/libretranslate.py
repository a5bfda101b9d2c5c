"""A translation backend for the LibreTranslate API (a self-hosted server or a hosted one).

``POST <WAGTAIL_GUESTS_LIBRETRANSLATE_URL>/translate`` with
``{"q": text, "source": "auto", "target": "fr", "format": "text", "api_key": ...}``; the answer
is ``{"translatedText": ..., "detectedLanguage": {"language": "de", ...}}``, or an HTTP error
with ``{"error": ...}``. Uses only the standard library.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request

from django.utils.translation import gettext as _

from ...conf import guests_settings
from . import BaseTranslationBackend, Translation, TranslationError

#: The longest service error message shown to staff.
MAX_ERROR = 200


class LibreTranslateBackend(BaseTranslationBackend):
    def __init__(self, url=None, api_key=None, timeout=None):
        self.url = (url or guests_settings.LIBRETRANSLATE_URL or "").rstrip("/")
        self.api_key = api_key if api_key is not None else guests_settings.LIBRETRANSLATE_API_KEY
        self.timeout = timeout or guests_settings.TRANSLATION_TIMEOUT

    def _request(self, text: str, target: str) -> urllib.request.Request:
        payload = {"q": text, "source": "auto", "target": target, "format": "text"}
        if self.api_key:
            payload["api_key"] = self.api_key
        return urllib.request.Request(  # noqa: S310 - translate() checks the scheme first
            f"{self.url}/translate",
            data=json.dumps(payload).encode("utf-8"),
            headers={"Content-Type": "application/json", "Accept": "application/json"},
            method="POST",
        )

    def translate(self, text: str, target: str) -> Translation:
        if not self.url.startswith(("http://", "https://")):
            raise TranslationError(_("The translation service address is not configured."))
        try:
            with urllib.request.urlopen(  # noqa: S310 - the scheme is checked above
                self._request(text, target), timeout=self.timeout
            ) as response:
                data = json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise TranslationError(self._http_error(error)) from error
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            raise TranslationError(
                _("The translation service could not be reached. Try again later.")
            ) from error
        except (ValueError, UnicodeDecodeError) as error:
            raise TranslationError(
                _("The translation service sent an unreadable answer.")
            ) from error
        if not isinstance(data, dict) or not isinstance(data.get("translatedText"), str):
            raise TranslationError(_("The translation service sent an unreadable answer."))
        detected = data.get("detectedLanguage")
        language = detected.get("language", "") if isinstance(detected, dict) else ""
        return Translation(text=data["translatedText"], detected_language=str(language or ""))

    @staticmethod
    def _http_error(error: urllib.error.HTTPError) -> str:
        detail = ""
        try:
            body = json.loads(error.read().decode("utf-8"))
            if isinstance(body, dict) and isinstance(body.get("error"), str):
                detail = " ".join(body["error"].split())[:MAX_ERROR]
        except (ValueError, UnicodeDecodeError, OSError):
            pass
        if detail:
            return _(
                "The translation service answered with an error (HTTP %(status)s: %(detail)s)."
            ) % {
                "status": error.code,
                "detail": detail,
            }
        return _("The translation service answered with an error (HTTP %(status)s).") % {
            "status": error.code
        }
