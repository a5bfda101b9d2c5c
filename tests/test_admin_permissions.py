"""Permissions of the guest admin: 403 (never a redirect) on every guest URL without them."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.test import Client
from django.urls import reverse

from tests import admin_fixtures
from tests.admin_fixtures import make_staff
from tests.factories import make_guest
from tests.list_helpers import stay

manager = admin_fixtures.manager
manager_client = admin_fixtures.manager_client
outsider = admin_fixtures.outsider
outsider_client = admin_fixtures.outsider_client


@pytest.fixture
def guest(db):
    return make_guest(first_name="Zoé", last_name="Lefèvre", email="zoe@example.com")


@pytest.fixture
def booking(guest):
    return stay(guest, 5)


def guest_urls(guest, booking):
    pk = guest.pk
    bulk = "/admin/bulk/wagtail_guests/guest/{}/?id=" + str(pk)
    return {
        "list": reverse("guests:index"),
        "list results": reverse("guests:index_results"),
        "profile": reverse("guests:inspect", args=[pk]),
        "short profile link": reverse("guests:profile", args=[pk]),
        "history": reverse("guests:history", args=[pk]),
        "history results": reverse("guests:history_results", args=[pk]),
        "usage": reverse("guests:usage", args=[pk]),
        "add": reverse("guests:add"),
        "edit": reverse("guests:edit", args=[pk]),
        "delete": reverse("guests:delete", args=[pk]),
        "bulk add tag": bulk.format("add_tag"),
        "bulk remove tag": bulk.format("remove_tag"),
        "bookings list": reverse("guest_bookings:index"),
        "bookings results": reverse("guest_bookings:index_results"),
        "booking": reverse("guest_bookings:inspect", args=[booking.pk]),
        "tags": reverse("guest_tags:index"),
        "tag add": reverse("guest_tags:add"),
    }


def test_user_without_guest_permissions_gets_403_everywhere(outsider_client, guest, booking):
    for name, url in guest_urls(guest, booking).items():
        response = outsider_client.get(url)
        assert response.status_code == 403, (name, url, response.status_code)
        response = outsider_client.post(url, {"tag": 1})
        assert response.status_code in (403, 405), (name, url, response.status_code)
        assert response.status_code != 302


def test_403_for_ids_that_do_not_exist(outsider_client, db):
    for url in (
        "/admin/guests/inspect/999999/",
        "/admin/guests/edit/999999/",
        "/admin/guests/999999/",
    ):
        assert outsider_client.get(url).status_code == 403, url


def test_403_page_is_the_admins(outsider_client, guest):
    response = outsider_client.get(reverse("guests:index"))
    assert response.status_code == 403
    assert "permission" in response.content.decode().lower()
    assert "Zoé" not in response.content.decode()


@pytest.mark.parametrize("who", ["manager", "superuser"])
def test_managers_and_superusers_have_access(db, guest, booking, who):
    if who == "superuser":
        user = get_user_model().objects.create_superuser("root", "root@example.com", "pw")
    else:
        user = make_staff("manager2")
    client = Client()
    client.force_login(user)
    urls = guest_urls(guest, booking)
    for name in (
        "list",
        "profile",
        "history",
        "edit",
        "delete",
        "add",
        "bulk add tag",
        "bookings list",
        "booking",
        "tags",
    ):
        response = client.get(urls[name])
        assert response.status_code == 200, (name, response.status_code)
    response = client.get(urls["short profile link"])
    assert response.status_code == 302
    assert response["Location"] == reverse("guests:inspect", args=[guest.pk])


def test_guest_managers_group_has_every_guest_permission(db):
    codenames = set(
        Group.objects.get(name="Guest managers").permissions.values_list("codename", flat=True)
    )
    for action in ("view", "add", "change", "delete", "export", "import", "anonymise"):
        assert f"{action}_guest" in codenames


def test_view_only_user_sees_the_list_but_cannot_change(db, guest, booking):
    viewer = make_staff("viewer", group=None, permissions=["view_guest"])
    client = Client()
    client.force_login(viewer)
    urls = guest_urls(guest, booking)
    assert client.get(urls["list"]).status_code == 200
    assert client.get(urls["profile"]).status_code == 200
    for name in ("edit", "delete", "add", "history", "bulk add tag", "bookings list"):
        assert client.get(urls[name]).status_code == 403, name
    html = client.get(urls["list"], {"all": "1"}).content.decode()
    assert urls["edit"] not in html and urls["delete"] not in html
    assert urls["profile"] in html


def test_menu_item_is_hidden_without_permission(manager_client, outsider_client):
    assert 'href="/admin/guests/"' in manager_client.get("/admin/").content.decode()
    assert "/admin/guests/" not in outsider_client.get("/admin/").content.decode()


def test_menu_has_guests_bookings_and_tags(manager_client):
    html = manager_client.get("/admin/").content.decode()
    for url in ("/admin/guests/", "/admin/guests/bookings/", "/admin/guests/tags/"):
        assert url in html


def test_anonymous_user_is_sent_to_the_login_page(client, guest):
    response = client.get(reverse("guests:index"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("wagtailadmin_login"))
