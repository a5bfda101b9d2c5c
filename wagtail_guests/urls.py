"""Public URLs of wagtail-guests; a site includes them before Wagtail's catch-all::

    path("guests/", include("wagtail_guests.urls")),

``wagtail_guests_unsubscribe``: ``unsubscribe/<token>/``, the link in marketing emails and
their ``List-Unsubscribe`` header (see ``docs/email.md``).
"""

from django.urls import path

from .emailing.public import unsubscribe_view

urlpatterns = [
    path("unsubscribe/<str:token>/", unsubscribe_view, name="wagtail_guests_unsubscribe"),
]
