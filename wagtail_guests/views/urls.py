"""Admin URLs of the profile's in-place actions, registered by ``wagtail_hooks``.

They live under ``guests/`` next to the guest viewset's own URLs, which they do not clash with.
"""

from django.urls import path

from . import bookings, consent, submissions, tags

urlpatterns = [
    path("guests/<int:pk>/tags/", tags.change_tags, name="wagtail_guests_tags"),
    path("guests/<int:pk>/consent/", consent.change_consent, name="wagtail_guests_consent"),
    path(
        "guests/<int:pk>/bookings/<int:booking_pk>/status/",
        bookings.change_status,
        name="wagtail_guests_booking_status",
    ),
    path(
        "guests/submissions/<int:pk>/",
        submissions.SubmissionView.as_view(),
        name="wagtail_guests_submission",
    ),
]
