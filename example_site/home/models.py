from django.db import models
from modelcluster.fields import ParentalKey
from wagtail import blocks
from wagtail.admin.panels import FieldPanel, InlinePanel
from wagtail.contrib.forms.models import AbstractForm, AbstractFormField
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


class FormField(AbstractFormField):
    page = ParentalKey("FormPage", on_delete=models.CASCADE, related_name="form_fields")


class FormPage(AbstractForm):
    """A plain ``wagtail.contrib.forms`` form page, the baseline of benchmarks/submission.py."""

    thank_you_text = RichTextField(blank=True)

    content_panels = [
        *AbstractForm.content_panels,
        InlinePanel("form_fields", label="Form fields"),
        FieldPanel("thank_you_text"),
    ]
