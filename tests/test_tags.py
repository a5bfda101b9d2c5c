"""Tags: the presets, their translated labels, and the nine-tag limit in the model layer.

The limit holds whichever way code adds tags: the ``add_tag`` action, the related managers
(``guest.tags.add/set``, ``tag.guests.add``) and ``GuestTag.objects.create``.
"""

import pytest
from django.db import transaction
from django.test import override_settings
from django.utils import translation
from django.utils.translation import trans_real

from tests.factories import make_guest, make_tag
from wagtail_guests.actions import add_tag, remove_tag
from wagtail_guests.models import Activity, ActivityKind, GuestTag, Tag, TagLimitExceeded

pytestmark = pytest.mark.django_db

PRESET_NAMES = {
    "friends_family": "Friends & Family",
    "business": "Business",
    "influencer": "Influencer",
    "local": "Local",
    "no_show": "No-show",
    "problematic": "Problematic",
    "regular": "Regular",
    "vip": "VIP",
}


@pytest.fixture
def guest():
    return make_guest(email="elodie@example.com")


@pytest.fixture
def ten_tags():
    return [make_tag(f"Tag {i}") for i in range(10)]


def tag_count(guest):
    return GuestTag.objects.filter(guest=guest).count()


# Presets ---------------------------------------------------------------------------------------


def test_the_eight_presets_exist_after_migrate():
    presets = dict(Tag.objects.exclude(preset="").values_list("preset", "name"))
    assert presets == PRESET_NAMES


def test_no_show_and_problematic_are_the_warning_presets():
    warning = set(Tag.objects.filter(is_warning=True).values_list("preset", flat=True))
    assert warning == {"no_show", "problematic"}


def test_a_guest_with_a_warning_tag_lists_it(guest):
    no_show = Tag.objects.get(preset="no_show")
    add_tag(guest, Tag.objects.get(preset="vip"))
    add_tag(guest, no_show)

    assert guest.warning_tags == [no_show]


@pytest.fixture
def french_catalogue(monkeypatch):
    """Pretend the French catalogue translates the preset names (it may not be compiled yet)."""
    french = {"No-show": "Absent", "Friends & Family": "Amis et famille"}
    catalogue = trans_real.translation("fr")
    original = catalogue.gettext
    monkeypatch.setattr(
        catalogue, "gettext", lambda message: french.get(message) or original(message)
    )
    return french


def test_an_untouched_preset_label_is_translated(french_catalogue):
    tag = Tag.objects.get(preset="no_show")

    with translation.override("fr"):
        assert tag.label == "Absent"
        assert str(tag) == "Absent"
    with translation.override("en"):
        assert tag.label == "No-show"


def test_a_renamed_preset_shows_the_staff_name_in_every_language(french_catalogue):
    tag = Tag.objects.get(preset="friends_family")
    tag.name = "Famille"
    tag.save()

    with translation.override("fr"):
        assert tag.label == "Famille"
    with translation.override("en"):
        assert tag.label == "Famille"


def test_a_custom_tag_is_never_translated(french_catalogue):
    Tag.objects.filter(preset="no_show").update(name="No show (preset)")
    tag = make_tag("No-show")  # made by staff, not the preset

    with translation.override("fr"):
        assert tag.label == "No-show"


# The limit -------------------------------------------------------------------------------------


def test_the_limit_error_message_is_clear():
    assert TagLimitExceeded(9).messages == ["A guest can have at most 9 tags."]


def test_add_tag_allows_nine_and_refuses_the_tenth(guest, ten_tags):
    for tag in ten_tags[:9]:
        assert add_tag(guest, tag) is True

    with pytest.raises(TagLimitExceeded, match="at most 9 tags"):
        add_tag(guest, ten_tags[9])

    assert tag_count(guest) == 9
    assert not GuestTag.objects.filter(guest=guest, tag=ten_tags[9]).exists()
    assert Activity.objects.filter(guest=guest, kind=ActivityKind.TAGGED).count() == 9


def test_adding_a_tag_the_guest_already_has_at_the_limit_is_not_an_error(guest, ten_tags):
    for tag in ten_tags[:9]:
        add_tag(guest, tag)

    assert add_tag(guest, ten_tags[0]) is False
    assert tag_count(guest) == 9


def test_removing_a_tag_makes_room_again(guest, ten_tags):
    for tag in ten_tags[:9]:
        add_tag(guest, tag)

    assert remove_tag(guest, ten_tags[0]) is True
    assert add_tag(guest, ten_tags[9]) is True
    assert tag_count(guest) == 9


def test_guest_tags_add_one_by_one_refuses_the_tenth(guest, ten_tags):
    for tag in ten_tags[:9]:
        guest.tags.add(tag)

    with pytest.raises(TagLimitExceeded), transaction.atomic():
        guest.tags.add(ten_tags[9])

    assert tag_count(guest) == 9


def test_guest_tags_add_many_at_once_adds_nothing_past_the_limit(guest, ten_tags):
    with pytest.raises(TagLimitExceeded), transaction.atomic():
        guest.tags.add(*ten_tags)

    assert tag_count(guest) == 0


def test_guest_tags_add_counts_tags_already_there_once(guest, ten_tags):
    guest.tags.add(*ten_tags[:9])

    guest.tags.add(*ten_tags[:9])  # nothing new: not past the limit

    assert tag_count(guest) == 9


def test_guest_tags_set_refuses_ten(guest, ten_tags):
    guest.tags.set(ten_tags[:3])

    with pytest.raises(TagLimitExceeded), transaction.atomic():
        guest.tags.set(ten_tags)

    assert set(guest.tags.all()) == set(ten_tags[:3])


def test_guest_tags_set_may_swap_tags_at_the_limit(guest, ten_tags):
    guest.tags.set(ten_tags[:9])

    guest.tags.set(ten_tags[1:])

    assert set(guest.tags.all()) == set(ten_tags[1:])


def test_tag_guests_add_refuses_a_guest_at_the_limit(guest, ten_tags):
    other = make_guest(first_name="Marc", email="marc@example.com")
    guest.tags.add(*ten_tags[:9])

    with pytest.raises(TagLimitExceeded), transaction.atomic():
        ten_tags[9].guests.add(other, guest)

    assert tag_count(guest) == 9
    assert tag_count(other) == 0


def test_guest_tag_create_refuses_the_tenth(guest, ten_tags):
    for tag in ten_tags[:9]:
        GuestTag.objects.create(guest=guest, tag=tag)

    with pytest.raises(TagLimitExceeded), transaction.atomic():
        GuestTag.objects.create(guest=guest, tag=ten_tags[9])

    assert tag_count(guest) == 9


@override_settings(WAGTAIL_GUESTS_MAX_TAGS_PER_GUEST=2)
def test_the_limit_follows_the_setting(guest, ten_tags):
    guest.tags.add(*ten_tags[:2])

    with pytest.raises(TagLimitExceeded, match="at most 2 tags"), transaction.atomic():
        add_tag(guest, ten_tags[2])
