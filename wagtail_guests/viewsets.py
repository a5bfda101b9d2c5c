"""The admin's guest list, bookings list and tags, as Wagtail viewsets in a "Guests" menu.

URL names: ``guests:index``, ``guests:inspect`` (the guest profile), ``guests:add``,
``guests:edit``, ``guests:delete``, ``guests:history``, ``guests:profile`` (``/guests/<pk>/``,
a short link for emails, redirecting to the profile); ``guest_bookings:index``,
``guest_bookings:inspect``; ``guest_tags:index``, ``guest_tags:add``, ``guest_tags:edit``,
``guest_tags:delete``.

Every URL answers 403 (not Wagtail's redirect to the dashboard) to a user without the
permission it needs: see :mod:`wagtail_guests.views.forbidden`.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext as _t
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import DeleteView
from wagtail.admin.viewsets.base import ViewSetGroup
from wagtail.admin.viewsets.model import ModelViewSet

from .emailing.viewsets import VIEWSETS as EMAIL_VIEWSETS
from .models import Booking, Guest, Tag
from .permissions import guest_permission_policy
from .views.booking_list import BookingIndexView
from .views.forbidden import forbid_urlpatterns
from .views.guest_forms import GuestCreateView, GuestDeleteView, GuestEditView
from .views.guest_list import GuestIndexView
from .views.inbox import InboxViewSet
from .views.profile import GuestProfileView

ANY_PERMISSION = ("view", "add", "change", "delete")


class GuestViewSet(ModelViewSet):
    model = Guest
    name = "guests"
    url_prefix = "guests"
    icon = "group"
    menu_label = _("Guest list")
    menu_order = 100
    index_view_class = GuestIndexView
    inspect_view_enabled = True
    inspect_view_class = GuestProfileView
    add_view_class = GuestCreateView
    edit_view_class = GuestEditView
    delete_view_class = GuestDeleteView
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 20

    # The profile and the guest forms (wagtail_guests.views) bring their own templates, forms
    # and panels: pass them only the URL names and model the viewset knows.
    def get_add_view_kwargs(self, **kwargs):
        return kwargs

    def get_edit_view_kwargs(self, **kwargs):
        return kwargs

    def get_delete_view_kwargs(self, **kwargs):
        return kwargs

    def get_inspect_view_kwargs(self, **kwargs):
        return kwargs

    def profile_redirect(self, request, pk):
        policy = guest_permission_policy
        if not policy.user_has_any_permission(request.user, ANY_PERMISSION):
            raise PermissionDenied
        return redirect(reverse(self.get_url_name("inspect"), args=(pk,)))

    def get_urlpatterns(self):
        urlpatterns = super().get_urlpatterns()
        urlpatterns.append(path("<int:pk>/", self.profile_redirect, name="profile"))
        return forbid_urlpatterns(urlpatterns)


class BookingViewSet(ModelViewSet):
    """The bookings list, read-only: bookings change through the guest profile's actions."""

    model = Booking
    name = "guest_bookings"
    url_prefix = "guests/bookings"
    icon = "calendar-alt"
    menu_label = _("Bookings")
    menu_order = 200
    index_view_class = BookingIndexView
    inspect_view_enabled = True
    inspect_view_fields = [
        "reference",
        "kind",
        "status",
        "booker",
        "arrival_date",
        "departure_date",
        "time",
        "number_of_guests",
        "room_type",
        "checked_in",
        "rating",
        "revenue",
        "notes",
        "site",
        "created_at",
        "updated_at",
    ]
    copy_view_enabled = False
    add_to_reference_index = False
    list_per_page = 50
    exclude_form_fields = ["additional_guests"]

    def get_common_view_kwargs(self, **kwargs):
        # Only the list and the inspect view exist: no links to add, edit or delete views.
        return super().get_common_view_kwargs(
            **{
                "add_url_name": None,
                "edit_url_name": None,
                "delete_url_name": None,
                "history_url_name": None,
                "usage_url_name": None,
                **kwargs,
            }
        )

    def get_urlpatterns(self):
        kept = {"index", "index_results", "inspect"}
        urlpatterns = [p for p in super().get_urlpatterns() if p.name in kept]
        return forbid_urlpatterns(urlpatterns)


class TagDeleteView(DeleteView):
    """Built-in tags (No-show, Problematic…) are used by the app: they can be renamed only."""

    def dispatch(self, request, *args, **kwargs):
        if not self.user_has_permission("delete"):
            raise PermissionDenied
        if self.object.preset:
            messages.error(request, _t("Built-in tags cannot be deleted; you can rename them."))
            return redirect(self.index_url_name)
        return super().dispatch(request, *args, **kwargs)


class TagViewSet(ModelViewSet):
    model = Tag
    name = "guest_tags"
    url_prefix = "guests/tags"
    icon = "tag"
    menu_label = _("Tags")
    menu_order = 300
    form_fields = ["name", "is_warning"]
    list_display = ["__str__", "is_warning"]
    delete_view_class = TagDeleteView
    copy_view_enabled = False
    add_to_reference_index = False

    def get_urlpatterns(self):
        return forbid_urlpatterns(super().get_urlpatterns())


class GuestsViewSetGroup(ViewSetGroup):
    menu_label = _("Guests")
    menu_icon = "group"
    menu_order = 250
    items = (GuestViewSet, InboxViewSet, BookingViewSet, TagViewSet, *EMAIL_VIEWSETS)
