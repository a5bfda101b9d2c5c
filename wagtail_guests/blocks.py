"""Contact and booking form blocks that editors drop into any page's StreamField.

A block renders its form (built by ``WAGTAIL_GUESTS_FORM_BUILDER``) in the visitor's language.
Submissions POST to the page's own URL and are handled by :mod:`wagtail_guests.submit`, which
also tells each block its StreamField id (the ``guests_block_id`` attribute of its value):
without one (a preview) the form shows disabled. Models and forms are resolved lazily.
"""

from django import forms
from django.utils.translation import gettext_lazy as _
from wagtail import blocks

#: The POST field naming the block a submission is for (its StreamField block id).
MARKER_FIELD = "guests-block"
#: The query parameter of the page URL a successful submission redirects to.
SENT_PARAM = "guests-sent"
#: The attribute of a block value that carries the block id, set while serving the page.
BLOCK_ID_ATTR = "guests_block_id"


def form_prefix(block_id: str) -> str:
    """The form prefix of a block: its fields are named ``guests-<block id>-<field>``."""
    return f"guests-{block_id}"


def anchor_id(block_id: str) -> str:
    """The HTML id of a block's wrapper, the fragment of its success redirect."""
    return f"guests-form-{block_id}"


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
    #: The ``kind`` the form builder receives ("contact" or "booking").
    form_kind = "contact"
    default_submit_label = _("Send")

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

    def get_form_builder(self, value, block_id: str = ""):
        from .forms import get_form_builder_class

        return get_form_builder_class()(value, kind=self.form_kind, block_id=block_id)

    def get_form(self, value, block_id: str = "", data=None):
        """The block's form, bound to ``data`` if given, prefixed by the block id."""
        prefix = form_prefix(block_id) if block_id else None
        return self.get_form_builder(value, block_id).get_form(data, prefix=prefix)

    def get_context(self, value, parent_context=None):
        context = super().get_context(value, parent_context=parent_context)
        request = context.get("request")
        block_id = getattr(value, BLOCK_ID_ATTR, "") if request is not None else ""
        sent = bool(block_id) and request.GET.get(SENT_PARAM) == block_id
        form = None
        if not sent:
            # A submission that did not validate comes back bound, with its errors.
            stashed = getattr(request, "wagtail_guests_forms", {}) if block_id else {}
            form = stashed.get(block_id)
            if form is None:
                form = self.get_form(value, block_id)
        context.update(
            {
                "block_id": block_id,
                "anchor": anchor_id(block_id) if block_id else "",
                "form": form,
                "sent": sent,
                "marker_field": MARKER_FIELD,
                "form_action": f"{request.path}#{anchor_id(block_id)}" if block_id else "",
                "submit_label": value.get("submit_label") or self.default_submit_label,
            }
        )
        return context


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
    form_kind = "booking"
    default_submit_label = _("Request a booking")

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
