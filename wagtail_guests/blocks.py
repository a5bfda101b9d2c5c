"""Contact and booking form blocks that editors drop into any page's StreamField.

SCHEMA ONLY for now: behaviour (form building, rendering, POST handling) is being added.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

OPTIONAL_FIELDS = [
    ("phone", _("Phone")),
    ("address", _("Postal address")),
    ("country", _("Country")),
    ("language", _("Preferred language")),
    ("message", _("Message")),
]
BOOKING_OPTIONAL_FIELDS = [
    *OPTIONAL_FIELDS,
    ("room_type", _("Room type (hotel stay)")),
    ("additional_guests", _("Additional guests")),
]


class BaseGuestFormBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("Heading"), required=False, max_length=200)
    intro = blocks.TextBlock(label=_("Introduction"), required=False)
    consent_text = blocks.TextBlock(
        label=_("Newsletter consent wording"),
        required=False,
        default=_("I would like to receive news and offers by email."),
        help_text=_(
            "Shown next to an unticked checkbox. Stored word for word with each consent. "
            "Leave empty to hide the checkbox."
        ),
    )
    success_message = blocks.TextBlock(
        label=_("Success message"),
        default=_("Thank you! We have received your message and will reply soon."),
    )
    submit_label = blocks.CharBlock(label=_("Button label"), required=False, max_length=60)
    notification_email = blocks.EmailBlock(
        label=_("Notify staff at"),
        required=False,
        help_text=_("An email address that receives each submission."),
    )


class ContactFormBlock(BaseGuestFormBlock):
    fields = blocks.MultipleChoiceBlock(
        label=_("Optional fields to show"),
        choices=OPTIONAL_FIELDS,
        default=["phone", "message"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        icon = "mail"
        label = _("Contact form")
        template = "wagtail_guests/blocks/form_block.html"


class BookingFormBlock(BaseGuestFormBlock):
    kind = blocks.ChoiceBlock(
        label=_("Booking kind"),
        choices=[("stay", _("Hotel stay")), ("table", _("Restaurant table"))],
        default="stay",
    )
    fields = blocks.MultipleChoiceBlock(
        label=_("Optional fields to show"),
        choices=BOOKING_OPTIONAL_FIELDS,
        default=["phone", "message"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    room_types = blocks.ListBlock(
        blocks.CharBlock(max_length=100),
        label=_("Room types"),
        required=False,
        default=[],
        help_text=_("Choices offered when the room type field is shown."),
    )
    min_party_size = blocks.IntegerBlock(
        label=_("Minimum number of guests"), default=1, min_value=1
    )
    max_party_size = blocks.IntegerBlock(
        label=_("Maximum number of guests"), default=8, min_value=1, max_value=50
    )
    max_additional_guests = blocks.IntegerBlock(
        label=_("Additional guests a visitor may name"), default=3, min_value=0, max_value=10
    )

    class Meta:
        icon = "date"
        label = _("Booking form")
        template = "wagtail_guests/blocks/form_block.html"
