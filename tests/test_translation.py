"""Message translation: the LibreTranslate backend against a local fake server on 127.0.0.1,
the "Show translation" button, and a translation backend chosen by a setting."""

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core import checks
from django.test import override_settings

from tests import admin_fixtures
from tests.factories import make_guest
from wagtail_guests.checks import check_translation_backend
from wagtail_guests.conversations.translation import Translation, TranslationError
from wagtail_guests.conversations.translation.libretranslate import LibreTranslateBackend
from wagtail_guests.models import Message

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client

LIBRE = "wagtail_guests.conversations.translation.libretranslate.LibreTranslateBackend"
GERMAN = "Können wir unseren Hund mitbringen?"


class FakeLibreTranslate(ThreadingHTTPServer):
    """A LibreTranslate stand-in: records requests, answers what the test sets."""

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.requests = []
        self.status = 200
        self.answer = {
            "translatedText": "Can we bring our dog?",
            "detectedLanguage": {"confidence": 90, "language": "de"},
        }
        self.release = threading.Event()
        self.hang = False

    @property
    def url(self):
        return f"http://127.0.0.1:{self.server_address[1]}"


class Handler(BaseHTTPRequestHandler):
    def do_POST(self):  # noqa: N802 - http.server's naming
        server = self.server
        length = int(self.headers.get("Content-Length") or 0)
        server.requests.append(
            {
                "path": self.path,
                "type": self.headers.get("Content-Type"),
                "json": json.loads(self.rfile.read(length)),
            }
        )
        if server.hang:
            server.release.wait(10)
            return
        body = (
            server.answer
            if isinstance(server.answer, bytes)
            else json.dumps(server.answer).encode()
        )
        self.send_response(server.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    server = FakeLibreTranslate()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()
    thread.join(5)


@pytest.fixture
def libretranslate(server):
    with override_settings(
        WAGTAIL_GUESTS_TRANSLATION_BACKEND=LIBRE,
        WAGTAIL_GUESTS_LIBRETRANSLATE_URL=server.url + "/",
        WAGTAIL_GUESTS_LIBRETRANSLATE_API_KEY="key-123",
    ):
        yield server


@pytest.fixture
def message(db):
    guest = make_guest(first_name="Jonas", last_name="Weber", email="jonas@example.de")
    return Message.objects.create(guest=guest, direction="in", subject="Hund", body=GERMAN)


def conversation_url(message):
    return f"/admin/guests/inbox/{message.guest_id}/"


def translate_url(message):
    return f"/admin/guests/inbox/messages/{message.pk}/translate/"


# --- The backend ------------------------------------------------------------------------------


def test_libretranslate_request_and_answer(server):
    backend = LibreTranslateBackend(url=server.url, api_key="key-123", timeout=5)

    result = backend.translate(GERMAN, "en")

    assert result == Translation(text="Can we bring our dog?", detected_language="de")
    [request] = server.requests
    assert request["path"] == "/translate"
    assert request["type"] == "application/json"
    assert request["json"] == {
        "q": GERMAN,
        "source": "auto",
        "target": "en",
        "format": "text",
        "api_key": "key-123",
    }


def test_libretranslate_without_an_api_key_sends_none(server):
    LibreTranslateBackend(url=server.url, api_key="", timeout=5).translate("Hallo", "fr")
    assert "api_key" not in server.requests[0]["json"]


def test_libretranslate_server_error_is_explained(server):
    server.status = 500
    server.answer = {"error": "Internal translation engine failure"}
    with pytest.raises(TranslationError) as error:
        LibreTranslateBackend(url=server.url, timeout=5).translate("Hallo", "fr")
    assert str(error.value) == (
        "The translation service answered with an error "
        "(HTTP 500: Internal translation engine failure)."
    )


def test_libretranslate_unreadable_answer(server):
    server.answer = b"<html>proxy error</html>"
    with pytest.raises(TranslationError, match="unreadable answer"):
        LibreTranslateBackend(url=server.url, timeout=5).translate("Hallo", "fr")


def test_libretranslate_unreachable_server():
    # A port nobody listens on (the fake server is closed before the call).
    server = FakeLibreTranslate()
    url = server.url
    server.server_close()
    with pytest.raises(TranslationError, match="could not be reached"):
        LibreTranslateBackend(url=url, timeout=5).translate("Hallo", "fr")


def test_libretranslate_timeout(server):
    server.hang = True
    with pytest.raises(TranslationError, match="could not be reached"):
        LibreTranslateBackend(url=server.url, timeout=0.2).translate("Hallo", "fr")


# --- "Show translation" in the inbox ----------------------------------------------------------


def test_show_translation_stores_and_shows_it(manager_client, libretranslate, message):
    page = manager_client.get(conversation_url(message)).content.decode()
    assert "Show translation" in page

    response = manager_client.post(translate_url(message), {"language": "en"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#message-{message.pk}")
    message.refresh_from_db()
    assert message.translation == "Can we bring our dog?"
    assert message.translation_language == "en"
    assert message.language == "de"
    page = manager_client.get(conversation_url(message)).content.decode()
    assert "Can we bring our dog?" in page and "Translation (EN)" in page

    # Asked again in the same language: shown from what is stored, the service is not called.
    manager_client.post(translate_url(message), {"language": "en"})
    assert len(libretranslate.requests) == 1


def test_a_service_error_gives_a_clear_message_and_stores_nothing(
    manager_client, libretranslate, message
):
    libretranslate.status = 500
    libretranslate.answer = {"error": "Out of memory"}

    response = manager_client.post(translate_url(message), {"language": "fr"}, follow=True)

    page = response.content.decode()
    assert "The message was not translated" in page
    assert "HTTP 500: Out of memory" in page
    message.refresh_from_db()
    assert (message.translation, message.translation_language, message.language) == ("", "", "")


def test_a_language_that_is_not_offered(manager_client, libretranslate, message):
    response = manager_client.post(translate_url(message), {"language": "tlh"}, follow=True)
    assert "not offered" in response.content.decode()
    assert libretranslate.requests == []


def test_translation_is_off_by_default(manager_client, message):
    page = manager_client.get(conversation_url(message)).content.decode()
    assert "Show translation" not in page
    response = manager_client.post(translate_url(message), {"language": "en"}, follow=True)
    assert "not enabled" in response.content.decode()
    message.refresh_from_db()
    assert message.translation == ""


class ReverseBackend:
    """An in-memory backend: any class with ``translate(text, target)`` can be plugged in."""

    def translate(self, text, target):
        return Translation(text=text[::-1], detected_language="")


@override_settings(WAGTAIL_GUESTS_TRANSLATION_BACKEND="tests.test_translation.ReverseBackend")
def test_a_backend_is_chosen_by_a_setting(manager_client, message):
    manager_client.post(translate_url(message), {"language": "pl"})
    message.refresh_from_db()
    assert message.translation == GERMAN[::-1]
    assert message.translation_language == "pl"


def test_default_language_is_the_staff_members(manager_client, libretranslate, message):
    page = manager_client.get(conversation_url(message), HTTP_ACCEPT_LANGUAGE="fr").content
    assert b'<option value="fr" selected>' in page


# --- System checks ----------------------------------------------------------------------------


@override_settings(WAGTAIL_GUESTS_TRANSLATION_BACKEND="no.such.Backend")
def test_check_error_for_a_backend_that_cannot_be_imported():
    errors = check_translation_backend()
    assert [e.id for e in errors] == ["wagtail_guests.E011"]
    assert errors[0].level == checks.ERROR


@override_settings(WAGTAIL_GUESTS_TRANSLATION_BACKEND=LIBRE, WAGTAIL_GUESTS_LIBRETRANSLATE_URL="")
def test_check_error_for_libretranslate_without_a_server():
    assert [e.id for e in check_translation_backend()] == ["wagtail_guests.E012"]


def test_no_check_error_when_translation_is_off():
    assert check_translation_backend() == []
