"""wagtail-guests: a light guest CRM for hotels, guest houses and restaurants."""

__version__ = "0.1.0"
