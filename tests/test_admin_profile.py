"""The guest profile: sections, warning, tags in place, consent, submission data, permissions."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from tests import admin_fixtures
from tests.admin_fixtures import make_booking
from tests.factories import make_guest, make_tag, submit_contact
from wagtail_guests.models import ConsentRecord, ConsentSource, GuestTag, Tag

# Fixtures shared by the admin tests.
manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client


def profile(guest):
    return reverse("guests:inspect", args=[guest.pk])


def tags_url(guest):
    return reverse("wagtail_guests_tags", args=[guest.pk])


@pytest.fixture
def guest(db):
    return make_guest(
        first_name="Zoé",
        last_name="Lefèvre",
        email="zoe@example.com",
        phone="06 12 34 56 78",
        city="Annecy",
        country="FR",
        language="fr",
    )


def test_profile_shows_every_section(manager_client, guest):
    make_booking(guest, days=5, room_type="Suite", notes="Late arrival")
    response = manager_client.get(profile(guest))
    assert response.status_code == 200
    html = response.content.decode()
    for text in (
        "Zoé Lefèvre",
        "zoe@example.com",
        "+33612345678",
        "Annecy",
        "France",
        "Guest information",
        "Marketing preferences",
        "Tags",
        "Bookings",
        "Timeline",
        "Suite",
        "Late arrival",
        "2 nights",
        "Added to the guest list by staff",
    ):
        assert text in html, text
    assert "data-guest-warning" not in html


def test_profile_escapes_guest_data(manager_client, db):
    guest = make_guest(first_name="<script>alert(1)</script>", last_name="X")
    html = manager_client.get(profile(guest)).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_profile_warns_about_a_guest_tagged_no_show(manager_client, guest, manager):
    from wagtail_guests.actions import add_tag

    booking = make_booking(guest, days=3)
    add_tag(guest, Tag.objects.get(preset="no_show"), user=manager)
    html = manager_client.get(profile(guest)).content.decode()
    assert "data-guest-warning" in html
    assert "Look out:" in html
    # The warning also shows on each booking of the guest.
    row = html.split(f'data-booking="{booking.reference}"')[1].split("</tr>")[0]
    assert "No-show" in row


def test_profile_shows_consent_history(manager_client, guest, manager):
    from wagtail_guests.actions import record_consent

    record_consent(
        guest,
        given=True,
        source=ConsentSource.IMPORT,
        wording="Yes, send me news",
        language="fr",
        import_filename="old-crm.csv",
    )
    record_consent(guest, given=False, source=ConsentSource.STAFF, user=manager)
    html = manager_client.get(profile(guest)).content.decode()
    assert "Yes, send me news" in html
    assert "old-crm.csv" in html
    assert "by Manager" in html
    assert "Withdrawn" in html


def test_staff_records_and_withdraws_consent(manager_client, guest):
    url = reverse("wagtail_guests_consent", args=[guest.pk])
    response = manager_client.post(url, {"given": "1", "wording": "Said yes at the desk"})
    assert response.status_code == 302
    guest.refresh_from_db()
    assert guest.newsletter_consent == "given"
    record = ConsentRecord.objects.get(guest=guest)
    assert (record.source, record.wording, record.user.username) == (
        "staff",
        "Said yes at the desk",
        "manager",
    )
    manager_client.post(url, {"given": "0"})
    guest.refresh_from_db()
    assert guest.newsletter_consent == "withdrawn"
    entry = ModelLogEntry.objects.filter(action="wagtail_guests.consent").first()
    assert entry.data == {"given": False, "record": guest.consent_records.first().pk}
    assert entry.label == f"Guest #{guest.pk}"


def test_add_and_remove_a_tag_in_place(manager_client, guest, manager):
    vip = Tag.objects.get(preset="vip")
    response = manager_client.post(tags_url(guest), {"action": "add", "tag": vip.pk})
    assert response.status_code == 302
    assert response["Location"].startswith(profile(guest))
    assert list(guest.tags.all()) == [vip]
    html = manager_client.get(profile(guest)).content.decode()
    assert "Tag “VIP” added." in html
    assert "Tagged “VIP”" in html
    entry = ModelLogEntry.objects.get(action="wagtail_guests.tag")
    assert entry.data == {"tag": vip.pk} and entry.user == manager

    manager_client.post(tags_url(guest), {"action": "remove", "tag": vip.pk})
    assert not guest.tags.exists()
    assert ModelLogEntry.objects.filter(action="wagtail_guests.untag").count() == 1
    # Wagtail's history view of the guest tells both, readably.
    history = manager_client.get(reverse("guests:history", args=[guest.pk]))
    assert history.status_code == 200
    html = history.content.decode()
    assert "Tag “VIP” added" in html and "Tag “VIP” removed" in html


def test_staff_creates_a_tag_by_name(manager_client, guest):
    manager_client.post(tags_url(guest), {"action": "add", "new_tag": "  Allergic   to nuts "})
    assert [t.name for t in guest.tags.all()] == ["Allergic to nuts"]
    # The same name again reuses the tag.
    other = make_guest(first_name="Paul", last_name="Roux", email="paul@example.com")
    manager_client.post(tags_url(other), {"action": "add", "new_tag": "allergic to nuts"})
    assert Tag.objects.filter(name__iexact="allergic to nuts").count() == 1


def test_creating_a_tag_needs_the_add_tag_permission(client, guest, db):
    from tests.admin_fixtures import make_staff

    user = make_staff("clerk", group=None, permissions=["view_guest", "change_guest"])
    client.force_login(user)
    response = client.post(tags_url(guest), {"action": "add", "new_tag": "Newcomer"})
    assert response.status_code == 403
    assert not Tag.objects.filter(name="Newcomer").exists()
    # An existing tag is fine.
    vip = Tag.objects.get(preset="vip")
    assert client.post(tags_url(guest), {"action": "add", "tag": vip.pk}).status_code == 302
    assert guest.tags.filter(pk=vip.pk).exists()


def test_the_tenth_tag_is_refused_with_a_message(manager_client, guest):
    tags = list(Tag.objects.all()) + [make_tag(f"Extra {i}") for i in range(2)]
    for tag in tags[:9]:
        manager_client.post(tags_url(guest), {"action": "add", "tag": tag.pk})
    assert GuestTag.objects.filter(guest=guest).count() == 9
    response = manager_client.post(
        tags_url(guest), {"action": "add", "tag": tags[9].pk}, follow=True
    )
    assert GuestTag.objects.filter(guest=guest).count() == 9
    assert "A guest can have at most 9 tags." in response.content.decode()


def test_submission_view_shows_the_raw_data_escaped(manager_client, site_root):
    from tests.factories import make_page

    page = make_page(site_root, [], title="Contact us", slug="contact-us")
    submission = submit_contact(
        email="ana@example.com", data={"message": "<b>Hi</b>", "choices": ["a", "b"]}
    )
    submission.page, submission.block_id = page, "abc-123"
    submission.save()
    guest_html = manager_client.get(profile(submission.guest)).content.decode()
    url = reverse("wagtail_guests_submission", args=[submission.pk])
    assert url in guest_html
    assert "Sent the contact form on the website" in guest_html
    html = manager_client.get(url).content.decode()
    assert "&lt;b&gt;Hi&lt;/b&gt;" in html and "<b>Hi</b>" not in html
    assert "a, b" in html
    assert "Contact us" in html and "abc-123" in html


@pytest.mark.parametrize("method", ["get", "post"])
def test_outsiders_get_403_on_every_profile_url(outsider_client, guest, method):
    make_tag("Spare")
    booking = make_booking(guest)
    submission = submit_contact(email="x@example.com")
    urls = [
        profile(guest),
        tags_url(guest),
        reverse("wagtail_guests_consent", args=[guest.pk]),
        reverse("wagtail_guests_booking_status", args=[guest.pk, booking.pk]),
        reverse("wagtail_guests_submission", args=[submission.pk]),
        # Forged ids that do not exist: still 403, not 404.
        reverse("wagtail_guests_tags", args=[999999]),
        reverse("wagtail_guests_booking_status", args=[999999, 999999]),
        reverse("wagtail_guests_submission", args=[999999]),
    ]
    data = {"action": "add", "tag": Tag.objects.first().pk, "given": "1", "change": "cancel"}
    for url in urls:
        send = outsider_client.post if method == "post" else outsider_client.get
        response = send(url, data)
        assert response.status_code == 403, url
    assert not guest.tags.exists()
    guest.refresh_from_db()
    assert guest.newsletter_consent == "unknown"
    booking.refresh_from_db()
    assert booking.status == "requested"


def test_view_only_staff_see_the_profile_without_forms(client, guest, db):
    from tests.admin_fixtures import make_staff

    user = make_staff("viewer", group=None, permissions=["view_guest"])
    client.force_login(user)
    html = client.get(profile(guest)).content.decode()
    assert "data-tag-add-form" not in html
    assert "Record consent given by the guest" not in html
    assert client.post(tags_url(guest), {"action": "add", "tag": 1}).status_code == 403


def test_timeline_shows_more_on_request(manager_client, guest, manager):
    from wagtail_guests.models import Activity

    Activity.objects.bulk_create(
        [Activity(guest=guest, kind="email_sent", payload={"subject": f"S{i}"}) for i in range(30)]
    )
    html = manager_client.get(profile(guest)).content.decode()
    assert html.count("data-activity-kind=") == 20
    assert "?timeline=40#timeline" in html
    html = manager_client.get(profile(guest) + "?timeline=40").content.decode()
    assert html.count("data-activity-kind=") == 31
    assert "?timeline=60" not in html


def test_profile_takes_a_constant_number_of_queries(manager_client, guest, manager):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from wagtail_guests.actions import add_tag, record_consent

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert manager_client.get(profile(guest)).status_code == 200
        return len(queries)

    make_booking(guest)
    add_tag(guest, Tag.objects.get(preset="vip"), user=manager)
    count()  # warm Django's caches (content types, permissions)
    before = count()
    for tag in Tag.objects.exclude(preset="vip")[:4]:
        add_tag(guest, tag, user=manager)
    for days in range(5):
        companion = make_guest(first_name=f"C{days}", last_name="X", email=f"c{days}@example.com")
        make_booking(guest, days=days, companions=[companion])
        record_consent(guest, given=bool(days % 2), source="staff", user=manager)
    submit_contact(email=guest.email)
    assert count() == before
