"""Bulk actions on the guest list: add and remove a tag, the tag limit, and id filtering."""

import pytest
from django.contrib.messages import get_messages
from django.test import Client, override_settings
from django.utils import timezone

from tests import admin_fixtures
from tests.admin_fixtures import make_staff
from tests.factories import make_guest, make_tag
from tests.list_helpers import stay
from wagtail_guests import signals
from wagtail_guests.actions.bulk import bulk_add_tag
from wagtail_guests.models import Activity, ActivityKind, Guest, GuestTag, Tag
from wagtail_guests.permissions import guest_permission_policy

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client

ADD = "/admin/bulk/wagtail_guests/guest/add_tag/"
REMOVE = "/admin/bulk/wagtail_guests/guest/remove_tag/"


def ids_query(*guests, extra=""):
    return "?" + "&".join(f"id={guest.pk}" for guest in guests) + extra


def tag_names(guest):
    return sorted(GuestTag.objects.filter(guest=guest).values_list("tag__name", flat=True))


def messages_of(response):
    return [str(message).strip() for message in get_messages(response.wsgi_request)]


@pytest.fixture
def guests(db):
    return [
        make_guest(first_name=f"Bulk{i}", last_name="Guest", email=f"bulk{i}@example.com")
        for i in range(3)
    ]


@pytest.fixture
def vip(db):
    return make_tag("VIP+")


def test_confirmation_page_lists_the_guests_and_a_tag_chooser(manager_client, guests, vip):
    response = manager_client.get(ADD + ids_query(*guests))
    assert response.status_code == 200
    html = response.content.decode()
    for guest in guests:
        assert guest.full_name in html
    assert 'name="tag"' in html and "VIP+" in html


def test_add_tag(manager_client, guests, vip, django_capture_on_commit_callbacks):
    received = []

    def receiver(**kwargs):
        received.append(kwargs)

    signals.guest_tags_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            response = manager_client.post(
                ADD + ids_query(*guests[:2], extra="&next=/admin/guests/"),
                {"tag": vip.pk},
            )
    finally:
        signals.guest_tags_changed.disconnect(receiver)
    assert response.status_code == 302 and response["Location"] == "/admin/guests/"
    assert tag_names(guests[0]) == tag_names(guests[1]) == ["VIP+"]
    assert tag_names(guests[2]) == []
    assert messages_of(response) == ["Tag “VIP+” added to 2 guests."]
    activities = Activity.objects.filter(kind=ActivityKind.TAGGED)
    assert sorted(activities.values_list("guest_id", flat=True)) == [g.pk for g in guests[:2]]
    assert {a.user for a in activities} == {response.wsgi_request.user}
    assert sorted(kw["guest"].pk for kw in received) == [g.pk for g in guests[:2]]
    assert all(kw["added"] == [vip] and kw["removed"] == [] for kw in received)


def test_add_tag_already_there(manager_client, guests, vip):
    GuestTag.objects.create(guest=guests[0], tag=vip)
    response = manager_client.post(ADD + ids_query(*guests), {"tag": vip.pk})
    assert messages_of(response) == ["Tag “VIP+” added to 2 guests. 1 guest already had it."]
    assert GuestTag.objects.filter(tag=vip).count() == 3


def test_add_tag_respects_the_nine_tag_limit(manager_client, guests, vip):
    full, roomy, _other = guests
    extra = [make_tag(f"Extra {i}") for i in range(9)]
    for tag in extra:
        GuestTag.objects.create(guest=full, tag=tag)
    for tag in extra[:8]:
        GuestTag.objects.create(guest=roomy, tag=tag)
    response = manager_client.post(ADD + ids_query(full, roomy), {"tag": vip.pk})
    assert response.status_code == 302
    assert "VIP+" not in tag_names(full) and len(tag_names(full)) == 9
    assert "VIP+" in tag_names(roomy) and len(tag_names(roomy)) == 9
    messages = messages_of(response)
    assert (
        "1 guest was skipped: they already have 9 tags, the most a guest can have. "
        "Remove a tag from them first." in messages
    )
    assert "Tag “VIP+” added to 1 guest." in messages


@override_settings(WAGTAIL_GUESTS_MAX_TAGS_PER_GUEST=1)
def test_limit_comes_from_the_setting(db, guests, vip):
    GuestTag.objects.create(guest=guests[0], tag=make_tag("Other"))
    result = bulk_add_tag([g.pk for g in guests], vip)
    assert result.over_limit == [guests[0].pk]
    assert sorted(result.changed) == [guests[1].pk, guests[2].pk]


def test_remove_tag(manager_client, guests, vip):
    for guest in guests[:2]:
        GuestTag.objects.create(guest=guest, tag=vip)
    response = manager_client.post(REMOVE + ids_query(*guests), {"tag": vip.pk})
    assert response.status_code == 302
    assert GuestTag.objects.filter(tag=vip).count() == 0
    assert messages_of(response) == ["Tag “VIP+” removed from 2 guests. 1 guest did not have it."]
    assert Activity.objects.filter(kind=ActivityKind.UNTAGGED).count() == 2


def test_a_tag_must_be_chosen(manager_client, guests):
    response = manager_client.post(ADD + ids_query(*guests), {})
    assert response.status_code == 200
    assert GuestTag.objects.count() == 0


def test_view_only_user_gets_403_and_nothing_changes(db, guests, vip):
    viewer = make_staff("viewer", group=None, permissions=["view_guest"])
    client = Client()
    client.force_login(viewer)
    assert client.get("/admin/guests/", {"all": "1"}).status_code == 200
    for url in (ADD, REMOVE):
        assert client.get(url + ids_query(*guests)).status_code == 403
        assert client.post(url + ids_query(*guests), {"tag": vip.pk}).status_code == 403
    assert GuestTag.objects.count() == 0
    assert not Activity.objects.filter(kind__in=[ActivityKind.TAGGED, ActivityKind.UNTAGGED])


def test_outsider_gets_403(outsider_client, guests, vip):
    response = outsider_client.post(ADD + ids_query(*guests), {"tag": vip.pk})
    assert response.status_code == 403
    assert GuestTag.objects.count() == 0


def test_ids_go_through_the_permission_policy(manager_client, guests, vip, monkeypatch):
    """Whatever ids are posted, only the guests the policy allows are touched."""
    policy = guest_permission_policy
    allowed_pk = guests[1].pk
    monkeypatch.setattr(
        type(policy),
        "instances_user_has_permission_for",
        lambda self, user, action: Guest.objects.filter(pk=allowed_pk),
    )
    response = manager_client.post(
        ADD + ids_query(*guests, extra="&id=999999&id=abc&id=-1"), {"tag": vip.pk}
    )
    assert response.status_code == 302
    assert list(GuestTag.objects.values_list("guest_id", flat=True)) == [allowed_pk]


def test_anonymised_guests_are_left_alone(manager_client, guests, vip):
    Guest.objects.filter(pk=guests[0].pk).update(anonymised_at=timezone.now())
    page = manager_client.get(ADD + ids_query(*guests)).content.decode()
    assert "1 anonymised guest will be left unchanged" in page
    manager_client.post(ADD + ids_query(*guests), {"tag": vip.pk})
    assert tag_names(guests[0]) == []
    assert GuestTag.objects.filter(tag=vip).count() == 2


def test_all_in_listing_follows_the_listing_filters(manager_client, guests, vip):
    stay(guests[0], 3)
    stay(guests[1], 60)
    # The default view (arrivals in the next 30 days): only guests[0].
    manager_client.post(ADD + "?id=all", {"tag": vip.pk})
    assert list(GuestTag.objects.values_list("guest_id", flat=True)) == [guests[0].pk]
    # A search over every guest.
    local = Tag.objects.get(preset="local")
    manager_client.post(ADD + "?id=all&all=1&q=bulk", {"tag": local.pk})
    assert GuestTag.objects.filter(tag=local).count() == 3


def test_bulk_actions_footer_only_for_users_who_may_change(manager_client, db):
    make_guest(email="x@example.com")
    html = manager_client.get("/admin/guests/", {"all": "1"}).content.decode()
    assert ADD in html and "bulk-action-checkbox" in html
    viewer = make_staff("viewer", group=None, permissions=["view_guest"])
    client = Client()
    client.force_login(viewer)
    html = client.get("/admin/guests/", {"all": "1"}).content.decode()
    assert ADD not in html and "bulk-action-checkbox" not in html


def test_too_many_guests_are_refused(manager_client, guests, vip, monkeypatch):
    monkeypatch.setattr("wagtail_guests.bulk_actions.MAX_SELECTED", 2)
    page = manager_client.get(ADD + "?id=all&all=1").content.decode()
    assert "More than 2 guests are selected" in page and 'name="tag"' not in page
    response = manager_client.post(ADD + "?id=all&all=1", {"tag": vip.pk})
    assert response.status_code == 302
    assert messages_of(response) == [
        "More than 2 guests are selected. Narrow the list with filters first."
    ]
    assert GuestTag.objects.count() == 0


def test_bulk_tagging_is_in_each_guests_history_without_personal_data(manager_client, guests, vip):
    from wagtail.models import ModelLogEntry

    manager_client.post(ADD + ids_query(*guests[:2]), {"tag": vip.pk})
    manager_client.post(REMOVE + ids_query(guests[0]), {"tag": vip.pk})
    entries = ModelLogEntry.objects.filter(content_type__model="guest").order_by("pk")
    assert [(e.object_id, e.action) for e in entries] == [
        (str(guests[0].pk), "wagtail_guests.tag"),
        (str(guests[1].pk), "wagtail_guests.tag"),
        (str(guests[0].pk), "wagtail_guests.untag"),
    ]
    assert {e.label for e in entries} == {f"Guest #{guests[0].pk}", f"Guest #{guests[1].pk}"}
    history = manager_client.get(f"/admin/guests/history/{guests[0].pk}/")
    assert history.status_code == 200
    assert "VIP+" in history.content.decode()
