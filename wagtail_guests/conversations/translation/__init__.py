"""Message translation, through a backend chosen by ``WAGTAIL_GUESTS_TRANSLATION_BACKEND``.

Off by default (``None``): no button is shown and nothing leaves the server. A backend is a
class with a ``translate(text, target)`` method returning a :class:`Translation`, and raising
:class:`TranslationError` with a message staff can read when the service fails. One real
backend ships: :class:`~.libretranslate.LibreTranslateBackend` (a LibreTranslate server or
libretranslate.com). Translating sends the message's text to that service: choose one your
privacy policy covers.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from ...conf import guests_settings


class TranslationError(Exception):
    """The translation service failed; ``str(error)`` is a message for staff."""


@dataclass
class Translation:
    text: str
    #: The language the service recognised in the source text ("" if it does not say).
    detected_language: str = ""


class BaseTranslationBackend:
    """Subclass and implement :meth:`translate`."""

    def translate(self, text: str, target: str) -> Translation:  # pragma: no cover
        raise NotImplementedError


LANGUAGE_NAMES = {
    "fr": _("French"),
    "en": _("English"),
    "de": _("German"),
    "es": _("Spanish"),
    "nl": _("Dutch"),
    "pl": _("Polish"),
    "ru": _("Russian"),
    "ar": _("Arabic"),
    "pt": _("Portuguese"),
}


def languages() -> list[tuple[str, str]]:
    """(code, name) of the languages staff may translate into."""
    return [
        (code, str(LANGUAGE_NAMES.get(code, code)))
        for code in guests_settings.TRANSLATION_LANGUAGES
    ]


def get_backend() -> BaseTranslationBackend | None:
    """An instance of the configured backend, or ``None`` when translation is off."""
    path = guests_settings.TRANSLATION_BACKEND
    if not path:
        return None
    backend = import_string(path) if isinstance(path, str) else path
    return backend()


def default_target(language_code: str | None) -> str:
    """The staff member's language if it is offered, else the first language offered."""
    codes = [code for code, _name in languages()]
    base = (language_code or "").split("-")[0].lower()
    if base in codes:
        return base
    return codes[0] if codes else "en"


def translate_message(message, target: str):
    """Translate ``message`` into ``target`` and store it; returns the message.

    A translation already stored in ``target`` is returned as it is, without calling the
    service. Raises :class:`TranslationError` (nothing stored) when the service fails or
    translation is off, ``ValueError`` for a language that is not offered.
    """
    if target not in dict(languages()):
        raise ValueError(f"Unsupported translation language {target!r}")
    if message.translation and message.translation_language == target:
        return message
    backend = get_backend()
    if backend is None:
        raise TranslationError(_("Translation is not enabled on this site."))
    result = backend.translate(message.body, target)
    message.translation = result.text
    message.translation_language = target
    fields = ["translation", "translation_language"]
    if result.detected_language and not message.language:
        message.language = result.detected_language[:10]
        fields.append("language")
    with transaction.atomic():
        message.save(update_fields=fields)
    return message
