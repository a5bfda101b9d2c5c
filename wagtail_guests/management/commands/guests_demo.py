"""``manage.py guests_demo``: fill the example site with pages, an admin user and guests.

    manage.py guests_demo                        # 300 guests, 18 months of history
    manage.py guests_demo --guests 50 --seed 7   # the same 50 guests again
    manage.py guests_demo --only-if-empty        # pages and login; guests only if none exist

Creates what is missing of the example site (the home page with a contact block, "Book a
room" and "Book a table" pages), sets the password of the superuser ``admin`` (a new random one
each run, printed), then adds guests through the same actions as real ones: see
:mod:`wagtail_guests.management.demo`. Running it again adds more guests. It needs the example
site's app (``example_site.home``): it is not meant for your own project.
"""

from __future__ import annotations

import os
import secrets
import uuid

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _
from wagtail.models import Page, Site

from ...models import Booking, Guest, Submission
from ..demo.history import History
from ..demo.plans import CONSENT, ROOMS, SITE_NAME

NOTIFY = "reception@hotel-des-tilleuls.example"


def block(block_type, **value):
    """Raw StreamField data of a form block, with the demo's consent wording."""
    value = {
        "consent_text": CONSENT,
        "success_message": "Thank you! We will confirm your booking within a day.",
        "notification_email": NOTIFY,
        **value,
    }
    return {"type": block_type, "value": value, "id": str(uuid.uuid4())}


def ensure_pages():
    """The home page (the default site's root) with a contact block, and two booking pages.

    Returns the site and ``{"contact" | "stay" | "table": (page, block id)}``.
    """
    from example_site.home.models import ContentPage

    site = Site.objects.filter(is_default_site=True).first()
    home = site.root_page.specific if site else None
    if not isinstance(home, ContentPage):
        placeholder, root = home, Page.get_first_root_node()
        slug = "tilleuls"
        if root.get_children().filter(slug=slug).exists():
            slug = f"tilleuls-{uuid.uuid4().hex[:6]}"
        contact = block(
            "contact_form",
            heading="Write to us",
            fields=["phone", "message", "country", "language", "address"],
            success_message="Thank you! We will answer within a day.",
        )
        home = ContentPage(title=SITE_NAME, slug=slug, body=[contact])
        home.intro = "<p>A family hotel and restaurant under the lime trees.</p>"
        root.add_child(instance=home)
        home.save_revision().publish()
        site = site or Site(hostname="localhost", port=80, is_default_site=True)
        site.root_page, site.site_name = home, SITE_NAME
        site.save()
        # Wagtail's "Welcome to your new Wagtail site!" page, now unused.
        if type(placeholder) is Page and placeholder.is_leaf():
            placeholder.delete()
    stay = block(
        "booking_form",
        heading="Book a room",
        kind="stay",
        fields=["phone", "country", "language", "message", "room_type", "additional_guests"],
        room_types=list(ROOMS),
        min_party_size=1,
        max_party_size=4,
        max_additional_guests=3,
    )
    table = block(
        "booking_form",
        heading="Book a table",
        kind="table",
        fields=["phone", "message"],
        min_party_size=1,
        max_party_size=12,
        max_additional_guests=0,
    )
    for title, body in [("Book a room", stay), ("Book a table", table)]:
        slug = title.lower().replace(" ", "-")
        if not home.get_children().filter(slug=slug).exists():
            page = ContentPage(title=title, slug=slug, show_in_menus=True, body=[body])
            home.add_child(instance=page)
            page.save_revision().publish()
    pages = {}
    for page in [home, *home.get_children().live().specific()]:
        for child in getattr(page, "body", None) or []:
            if child.block_type in ("contact_form", "booking_form"):
                pages.setdefault(child.value.get("kind", "contact"), (page, child.id))
    return site, pages


def ensure_admin(password):
    """The superuser ``admin``, with ``password``."""
    user, _created = get_user_model().objects.get_or_create(
        username="admin", defaults={"email": "admin@example.com"}
    )
    user.is_staff = user.is_superuser = user.is_active = True
    user.set_password(password)
    user.save()
    return user


class Command(BaseCommand):
    help = _("Fill the example site with pages, an admin user and realistic guests.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--guests",
            type=int,
            default=300,
            help=_("How many guests to add (people named on their bookings come on top)."),
        )
        parser.add_argument("--seed", type=int, help=_("Random seed, for the same data again."))
        parser.add_argument(
            "--only-if-empty",
            action="store_true",
            help=_("Add guests only if there are none yet (pages and login are always set)."),
        )
        parser.add_argument(
            "--password",
            default=os.environ.get("GUESTS_DEMO_PASSWORD") or None,
            help=_("The admin password (default: $GUESTS_DEMO_PASSWORD, else a random one)."),
        )

    def handle(self, *args, guests=300, seed=None, only_if_empty=False, password=None, **options):
        if not apps.is_installed("example_site.home"):
            raise CommandError(_("guests_demo fills the example site: add example_site.home."))
        password = password or secrets.token_urlsafe(9)
        before = {model: model.objects.count() for model in (Guest, Booking, Submission)}
        if only_if_empty and before[Guest]:
            guests = 0
        with transaction.atomic():
            user = ensure_admin(password)
            site, pages = ensure_pages()
            history = History(user=user, site=site, pages=pages, seed=seed, stderr=self.stderr)
            history.fill(guests)
        added = {model: model.objects.count() - count for model, count in before.items()}
        self.stdout.write(
            _("Added %(guests)d guests, %(bookings)d bookings and %(submissions)d submissions.")
            % {"guests": added[Guest], "bookings": added[Booking], "submissions": added[Submission]}
        )
        base = getattr(settings, "WAGTAILADMIN_BASE_URL", "") or "http://127.0.0.1:8000"
        base = base.rstrip("/")
        self.stdout.write(_("Site:     %(url)s/") % {"url": base})
        self.stdout.write(_("Admin:    %(url)s/admin/") % {"url": base})
        self.stdout.write(_("Username: %(username)s") % {"username": "admin"})
        self.stdout.write(_("Password: %(password)s") % {"password": password})
