from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from wagtail_guests.blocks import BookingFormBlock, ContactFormBlock


class ContentPage(Page):
    """Any page of the demo: an introduction and a body where editors drop form blocks."""

    intro = RichTextField(blank=True)
    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title")),
            ("paragraph", blocks.RichTextBlock()),
            ("contact_form", ContactFormBlock()),
            ("booking_form", BookingFormBlock()),
        ],
        blank=True,
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
