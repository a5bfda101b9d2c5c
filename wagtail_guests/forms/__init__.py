"""Public forms of the contact and booking blocks, and the builder that makes them.

:class:`GuestFormBuilder` turns one block's settings into a form class; a site replaces it with
a subclass through ``WAGTAIL_GUESTS_FORM_BUILDER``. The forms validate and never write.
"""

from .builder import GuestFormBuilder, get_form_builder_class
from .fields import NAME_MAX_LENGTH, EmailAddressField, NameField
from .public import BookingForm, ContactForm, GuestForm, current_language

__all__ = [
    "NAME_MAX_LENGTH",
    "BookingForm",
    "ContactForm",
    "EmailAddressField",
    "GuestForm",
    "GuestFormBuilder",
    "NameField",
    "current_language",
    "get_form_builder_class",
]
