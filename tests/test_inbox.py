"""The admin inbox: conversations unread first, reading marks read, permissions, photos."""

import datetime

import pytest
from django.core.files.base import ContentFile
from django.test import override_settings
from django.utils import timezone

from tests import admin_fixtures
from tests.admin_fixtures import make_staff
from tests.factories import make_guest
from tests.webhook_payloads import PNG
from wagtail_guests.models import Guest, Message, MessageAttachment

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client

pytestmark = pytest.mark.django_db

INBOX = "/admin/guests/inbox/"


def message(guest, *, direction="in", minutes_ago=0, read=False, body="Hello", **fields):
    created = timezone.now() - datetime.timedelta(minutes=minutes_ago)
    return Message.objects.create(
        guest=guest,
        direction=direction,
        body=body,
        created_at=created,
        read_at=created if read or direction == "out" else None,
        **fields,
    )


@pytest.fixture
def guests():
    names = ["Anna", "Bruno", "Chloé", "Dmitri", "Elena"]
    return {
        name: make_guest(first_name=name, last_name="Test", email=f"{name.lower()}@example.com")
        for name in names
    }


def test_conversations_unread_first_then_newest(manager_client, guests):
    message(guests["Anna"], minutes_ago=60, read=True)
    message(guests["Bruno"], minutes_ago=180)
    message(guests["Chloé"], direction="out", minutes_ago=10)
    message(guests["Dmitri"], minutes_ago=30)
    message(guests["Dmitri"], minutes_ago=20)
    # Elena has no message: no conversation.

    response = manager_client.get(INBOX)

    assert response.status_code == 200
    order = [g.first_name for g in response.context["conversations"]]
    assert order == ["Dmitri", "Bruno", "Chloé", "Anna"]
    unread = {g.first_name: g.unread_count for g in response.context["conversations"]}
    assert unread == {"Dmitri": 2, "Bruno": 1, "Chloé": 0, "Anna": 0}
    assert "3 unread messages" in response.content.decode()


def test_opening_a_conversation_marks_its_messages_read(manager_client, guests):
    anna, bruno = guests["Anna"], guests["Bruno"]
    first = message(anna, minutes_ago=30, subject="Parking?", body="Is there a car park?")
    message(anna, direction="out", minutes_ago=20, body="Yes, behind the hotel.")
    other = message(bruno, minutes_ago=5)

    response = manager_client.get(f"{INBOX}{anna.pk}/")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Is there a car park?" in page and "Yes, behind the hotel." in page
    assert "new" in page  # still shown as new on the page that opens it
    first.refresh_from_db()
    other.refresh_from_db()
    assert first.read_at is not None
    assert other.read_at is None
    listing = manager_client.get(INBOX)
    assert [g.first_name for g in listing.context["conversations"]] == ["Bruno", "Anna"]


def test_anonymised_guests_have_no_conversation(manager_client, guests):
    anna = guests["Anna"]
    message(anna)
    Guest.objects.filter(pk=anna.pk).update(anonymised_at=timezone.now())

    assert list(manager_client.get(INBOX).context["conversations"]) == []
    assert manager_client.get(f"{INBOX}{anna.pk}/").status_code == 404


def test_outsiders_get_403_everywhere(outsider_client, guests):
    anna = guests["Anna"]
    msg = message(anna)
    urls = [INBOX, f"{INBOX}{anna.pk}/", f"{INBOX}{anna.pk + 1000}/"]
    for url in urls:
        assert outsider_client.get(url).status_code == 403, url
    assert (
        outsider_client.post(f"{INBOX}{anna.pk}/", {"subject": "x", "body": "y"}).status_code == 403
    )
    assert outsider_client.post(f"{INBOX}messages/{msg.pk}/translate/").status_code == 403
    msg.refresh_from_db()
    assert msg.read_at is None


def test_anonymous_visitors_are_sent_to_the_login_page(client, guests):
    response = client.get(INBOX)
    assert response.status_code == 302 and "login" in response["Location"]


def test_view_permission_reads_but_cannot_reply(client, guests):
    viewer = make_staff("viewer", group=None, permissions=["view_guest"])
    client.force_login(viewer)
    anna = guests["Anna"]
    message(anna, body="Can we check in early?")

    page = client.get(f"{INBOX}{anna.pk}/").content.decode()
    assert "Can we check in early?" in page
    assert "data-reply-form" not in page
    response = client.post(f"{INBOX}{anna.pk}/", {"subject": "Re", "body": "Yes"})
    assert response.status_code == 403
    assert Message.objects.filter(direction="out").count() == 0


def test_the_menu_shows_the_inbox_to_staff_who_may_see_guests(manager_client, outsider_client):
    assert "/admin/guests/inbox/" in manager_client.get("/admin/").content.decode()
    assert "/admin/guests/inbox/" not in outsider_client.get("/admin/").content.decode()


@pytest.fixture
def photo(guests, tmp_path):
    with override_settings(MEDIA_ROOT=str(tmp_path)):
        msg = message(guests["Anna"], body="See the photo")
        attachment = MessageAttachment(
            message=msg, file_name="room.png", content_type="image/png", size=len(PNG)
        )
        attachment.file.save("0123abcd.png", ContentFile(PNG), save=False)
        attachment.save()
        yield attachment


def test_photos_are_shown_to_staff_only(manager_client, outsider_client, photo):
    url = f"{INBOX}attachments/{photo.pk}/"
    page = manager_client.get(f"{INBOX}{photo.message.guest_id}/").content.decode()
    assert f'src="{url}"' in page

    response = manager_client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG
    assert outsider_client.get(url).status_code == 403


def test_refused_attachments_are_noted(manager_client, guests):
    anna = guests["Anna"]
    message(
        anna,
        body="Invoice attached",
        refused_attachments=[
            {"name": "invoice.pdf", "content_type": "application/pdf", "reason": "type"}
        ],
    )
    page = manager_client.get(f"{INBOX}{anna.pk}/").content.decode()
    assert "Attachments not kept (only photos are accepted)" in page
    assert "invoice.pdf" in page and "application/pdf" in page


def test_guest_text_is_escaped(manager_client, guests):
    anna = guests["Anna"]
    message(anna, subject="<b>bold</b>", body="<script>alert('x')</script>")
    page = manager_client.get(f"{INBOX}{anna.pk}/").content.decode()
    assert "<script>alert" not in page and "&lt;script&gt;" in page
    assert "<b>bold</b>" not in manager_client.get(INBOX).content.decode()


def test_the_profile_has_a_conversation_section(manager_client, guests):
    anna = guests["Anna"]
    message(anna, minutes_ago=10, subject="Late arrival", body="We land at midnight.")
    message(anna, direction="out", minutes_ago=5, body="No problem, the night porter waits.")

    page = manager_client.get(f"/admin/guests/inspect/{anna.pk}/").content.decode()

    assert 'id="conversation-section"' in page
    assert "We land at midnight." in page
    assert "1 unread" in page
    assert f'href="{INBOX}{anna.pk}/"' in page
