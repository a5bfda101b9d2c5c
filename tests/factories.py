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
