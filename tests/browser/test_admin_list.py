"""A staff user narrows the guest list with two filters and a search, then opens a profile."""

import re

import pytest
from django.urls import reverse

from tests.admin_fixtures import make_booking, make_staff
from tests.factories import make_guest
from wagtail_guests.models import GuestTag, Tag

expect = pytest.importorskip("playwright.sync_api").expect

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
]


def log_in(page, live_server, username):
    page.goto(live_server.url + reverse("wagtailadmin_login"))
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw")  # see make_staff()
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_server.url + reverse("wagtailadmin_home"))


def add_guest(first_name, last_name, *, language, days, vip=False):
    guest = make_guest(
        first_name=first_name,
        last_name=last_name,
        email=f"{first_name.lower()}@example.com",
        language=language,
    )
    make_booking(guest, days=days)
    if vip:
        GuestTag.objects.create(guest=guest, tag=Tag.objects.get(preset="vip"))
    return guest


def expect_names(page, expected):
    """The list shows these names, in this order (waits for the listing to settle)."""
    names = page.locator("#listing-results td.title a[href*='/inspect/']")
    expect(names).to_have_text(expected, use_inner_text=True)


def choose_filter(page, filter_label, option_label):
    drawer = page.locator("#filters-drilldown")
    if not drawer.locator(".w-drilldown__contents").is_visible():
        page.get_by_role("button", name="Show filters").click()
    drawer.locator("button.w-drilldown__toggle", has_text=filter_label).click()
    drawer.get_by_label(option_label, exact=True).check()
    drawer.locator(".w-drilldown__submenu:not([hidden]) .w-drilldown__back").click()


def screenshot(page, path):
    height = page.evaluate("document.querySelector('main')?.scrollHeight || 900")
    page.set_viewport_size({"width": 1400, "height": max(900, height + 200)})
    page.screenshot(path=path, full_page=True)
    page.set_viewport_size({"width": 1100, "height": 900})


def test_staff_narrows_the_list_and_opens_a_profile(live_server, browser_page, artifacts):
    page = browser_page
    make_staff("reception")
    elodie = add_guest("Élodie", "Dupré", language="fr", days=5, vip=True)
    add_guest("Émile", "Dupont", language="fr", days=7)
    add_guest("Elsa", "Durand", language="en", days=10, vip=True)
    add_guest("Paul", "Dumas", language="fr", days=60, vip=True)
    add_guest("Hugo", "Martin", language="fr", days=3, vip=True)
    log_in(page, live_server, "reception")

    page.goto(live_server.url + reverse("guests:index"))
    # The default view: arrivals in the next 30 days, with the filter shown.
    expect_names(page, ["Élodie Dupré", "Elsa Durand", "Émile Dupont", "Hugo Martin"])
    assert page.locator(".w-active-filters").get_by_text("Arrival date:").is_visible()
    assert page.get_by_role("img", name="Arrivals per day for the next 30 days").is_visible()

    choose_filter(page, "Language", "Français")
    expect_names(page, ["Élodie Dupré", "Émile Dupont", "Hugo Martin"])
    choose_filter(page, "Tags", "VIP")
    expect_names(page, ["Élodie Dupré", "Hugo Martin"])
    page.keyboard.press("Escape")

    search = page.get_by_placeholder("Name, email, phone or booking reference")
    search.fill("dupre")
    expect_names(page, ["Élodie Dupré"])
    expect(page).to_have_url(re.compile(r"q=dupre"))
    # The filters are in the address bar: the view can be bookmarked.
    assert re.search(r"language=fr", page.url) and re.search(r"q=dupre", page.url)
    assert "tags=" in page.url and "all=1" in page.url
    screenshot(page, artifacts / "admin-guest-list.png")

    # The same URL, loaded afresh, shows the same guests.
    page.goto(page.url)
    expect_names(page, ["Élodie Dupré"])

    page.get_by_role("link", name="Élodie Dupré").click()
    page.wait_for_url(live_server.url + reverse("guests:inspect", args=[elodie.pk]))
    assert "Élodie Dupré" in page.title() or page.get_by_text("Élodie Dupré").first.is_visible()
