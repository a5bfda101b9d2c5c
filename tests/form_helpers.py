"""Helpers for tests of the public form blocks: pages with blocks, and POST data."""

import time
from datetime import timedelta

from django.utils import timezone

from tests.factories import make_page
from wagtail_guests.blocks import MARKER_FIELD, form_prefix
from wagtail_guests.spam import make_timestamp

CONTACT_ID = "c0000000-0000-4000-8000-000000000001"
STAY_ID = "b0000000-0000-4000-8000-000000000002"
TABLE_ID = "b0000000-0000-4000-8000-000000000003"

CONSENT = "Yes, send me the Tilleuls newsletter (about once a month)."


def contact_block(block_id=CONTACT_ID, **value):
    value = {
        "heading": "Write to us",
        "fields": ["phone", "message", "country", "language", "address"],
        "consent_text": CONSENT,
        "success_message": "Thank you, we will reply soon.",
        "notification_email": "",
        **value,
    }
    return {"type": "contact_form", "value": value, "id": block_id}


def booking_block(block_id=STAY_ID, **value):
    value = {
        "heading": "Book a room",
        "kind": "stay",
        "fields": ["phone", "message", "room_type", "additional_guests"],
        "room_types": ["Double room", "Garden suite"],
        "consent_text": CONSENT,
        "success_message": "Your booking request has been received.",
        "min_party_size": 1,
        "max_party_size": 4,
        "max_additional_guests": 2,
        **value,
    }
    return {"type": "booking_form", "value": value, "id": block_id}


def table_block(block_id=TABLE_ID, **value):
    value = {
        "heading": "Book a table",
        "kind": "table",
        "fields": [],
        "success_message": "See you soon at the restaurant.",
        "min_party_size": 2,
        "max_party_size": 10,
        **value,
    }
    return booking_block(block_id, **value)


def ensure_page_tree():
    """Recreate Wagtail's locale and root page if a transactional test flushed them."""
    from django.conf import settings
    from wagtail.models import Locale, Page

    Locale.objects.get_or_create(language_code=settings.LANGUAGE_CODE)
    if Page.get_first_root_node() is None:
        Page.add_root(instance=Page(title="Root", slug="root"))


def make_form_page(parent, *blocks, title="Contact", slug=None):
    return make_page(parent, list(blocks), title=title, slug=slug)


def future(days=10):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


def form_data(block_id, *, started=None, **fields):
    """POST data for the block ``block_id``: marker, a timestamp a minute old, and ``fields``."""
    prefix = form_prefix(block_id)
    if started is None:
        started = make_timestamp(block_id, time.time() - 60)
    data = {MARKER_FIELD: block_id, f"{prefix}-started": started}
    data.update({f"{prefix}-{name}": value for name, value in fields.items()})
    return data


def contact_data(block_id=CONTACT_ID, **fields):
    return form_data(
        block_id,
        **{
            "first_name": "Zoé",
            "last_name": "Lefèvre",
            "email": "zoe@example.com",
            "language": "en",
            **fields,
        },
    )


def stay_data(block_id=STAY_ID, **fields):
    fields = {
        "first_name": "Zoé",
        "last_name": "Lefèvre",
        "email": "zoe@example.com",
        "arrival_date": future(10),
        "departure_date": future(13),
        "number_of_guests": "2",
        **fields,
    }
    return form_data(block_id, **fields)


def table_data(block_id=TABLE_ID, **fields):
    fields = {
        "first_name": "Zoé",
        "last_name": "Lefèvre",
        "email": "zoe@example.com",
        "date": future(3),
        "time": "19:30",
        "party_size": "4",
        **fields,
    }
    return form_data(block_id, **fields)
