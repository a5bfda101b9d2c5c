"""Plain factory functions for tests (no factory library)."""

from wagtail.models import Page, Site

from example_site.home.models import ContentPage


def make_site_root(title="Hôtel des Tilleuls"):
    root = Page.get_first_root_node()
    home = ContentPage(title=title, slug="home-test")
    root.add_child(instance=home)
    site = Site.objects.filter(is_default_site=True).first()
    if site is None:
        site = Site.objects.create(hostname="localhost", root_page=home, is_default_site=True)
    else:
        site.root_page = home
        site.save()
    return home


def make_page(parent, body, title="Contact", slug=None):
    """Add a ContentPage under ``parent`` whose body is ``body`` (a list of (type, value))."""
    page = ContentPage(title=title, slug=slug or title.lower().replace(" ", "-"), body=body)
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page


def make_guest(**details):
    from wagtail_guests.actions import match_or_create_guest

    details.setdefault("first_name", "Camille")
    details.setdefault("last_name", "Martin")
    source = details.pop("source", "manual")
    return match_or_create_guest(details, source=source).guest


def make_tag(name, **fields):
    from wagtail_guests.models import Tag

    return Tag.objects.create(name=name, **fields)


def submit_contact(*, data=None, **guest_details):
    """Record a contact form submission for ``guest_details`` as a public form would."""
    from wagtail_guests.actions import record_submission
    from wagtail_guests.models import SubmissionKind

    guest_details.setdefault("first_name", "Élodie")
    guest_details.setdefault("last_name", "Dupré")
    return record_submission(
        kind=SubmissionKind.CONTACT,
        guest_details=guest_details,
        data=data if data is not None else {**guest_details, "message": "Bonjour"},
    )


def restore_data_migrations():
    """Recreate what migration 0002 and Wagtail's migrations create, if a flush removed it."""
    import importlib

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission

    from tests.form_helpers import ensure_page_tree

    presets = importlib.import_module("wagtail_guests.migrations.0002_presets")
    presets.create_presets(apps, None)
    group, _ = Group.objects.get_or_create(name=presets.GROUP_NAME)
    for app_label, codename in presets.GUEST_PERMISSIONS:
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    ensure_page_tree()
