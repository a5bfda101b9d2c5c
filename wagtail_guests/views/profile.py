"""The guest profile: details, marketing preferences, tags, bookings and timeline."""

from django.contrib.admin.utils import quote
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.admin.views.generic import InspectView
from wagtail.admin.widgets.button import Button

from ..actions.booking_status import available_changes
from ..conf import guests_settings
from ..emailing.profile import emails_context
from ..models import BookingStatus, Guest, GuestTag, Tag
from ..permissions import booking_permission_policy, tag_permission_policy
from ..timeline import guest_timeline
from .common import bookings_of
from .forbidden import Forbidden403Mixin
from .list_columns import display_language

TIMELINE_PAGE = 20
TIMELINE_MAX = 1000
MAX_BOOKINGS = 100


class GuestProfileView(Forbidden403Mixin, InspectView):
    """The guest profile (the viewset's inspect view)."""

    model = Guest
    template_name = "wagtail_guests/admin/profile/profile.html"
    page_title = _("Guest profile")
    history_url_name = None

    def get_page_subtitle(self):
        return self.object.full_name

    def get_breadcrumbs_items(self):
        items = []
        if self.index_url_name:
            items.append({"url": reverse(self.index_url_name), "label": _("Guests")})
        items.append({"url": "", "label": self.get_page_subtitle()})
        return self.breadcrumbs_items + items

    def get_history_url(self):
        if self.history_url_name:
            return reverse(self.history_url_name, args=(quote(self.object.pk),))

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        if history_url := self.get_history_url():
            buttons.append(Button(_("History"), url=history_url, icon_name="history", priority=30))
        return buttons

    # --- Sections -------------------------------------------------------------------------

    def get_details(self):
        guest = self.object
        return [
            (_("Name"), guest.full_name),
            (_("Email"), guest.email),
            (_("Phone"), guest.phone),
            (_("Address"), guest.address),
            (_("Postal code"), guest.postal_code),
            (_("City"), guest.city),
            (_("Country"), guest.country.name if guest.country else ""),
            (_("Preferred language"), display_language(guest.language)),
            (_("Source"), capfirst(guest.get_source_display())),
            (_("Site"), guest.site.site_name or guest.site.hostname if guest.site else ""),
            (_("First contact"), guest.first_contact_at),
            (_("Created"), guest.created_at),
        ]

    def get_tags_context(self):
        guest_tags = list(
            GuestTag.objects.filter(guest=self.object)
            .select_related("tag", "added_by")
            .order_by("tag__name")
        )
        current = {gt.tag_id for gt in guest_tags}
        limit = guests_settings.MAX_TAGS_PER_GUEST
        return {
            "guest_tags": guest_tags,
            "available_tags": [t for t in Tag.objects.order_by("name") if t.pk not in current],
            "tag_limit": limit,
            "tag_count": len(guest_tags),
            "can_create_tag": tag_permission_policy.user_has_permission(self.request.user, "add"),
        }

    def get_bookings(self):
        bookings = list(
            bookings_of(self.object)
            .select_related("booker", "site")
            .prefetch_related("additional_guests")
            .order_by("-arrival_date", "-pk")[:MAX_BOOKINGS]
        )
        can_change = booking_permission_policy.user_has_permission(self.request.user, "change")
        for booking in bookings:
            booking.is_companion = booking.booker_id != self.object.pk
            booking.status_changes = available_changes(booking) if can_change else []
            booking.others = [g for g in booking.additional_guests.all() if g.pk != self.object.pk]
        return bookings

    def get_no_show_offer(self, bookings, guest_tags):
        """After "mark no-show", offer to tag the guest No-show (unless already tagged)."""
        booking_id = self.request.GET.get("no_show")
        if not booking_id or not self.user_has_permission("change"):
            return None
        booking = next((b for b in bookings if str(b.pk) == booking_id), None)
        if booking is None or booking.status != BookingStatus.NO_SHOW:
            return None
        tag = Tag.objects.filter(preset="no_show").first()
        if tag is None or any(gt.tag_id == tag.pk for gt in guest_tags):
            return None
        return {"booking": booking, "tag": tag}

    def get_timeline_limit(self):
        try:
            limit = int(self.request.GET.get("timeline", TIMELINE_PAGE))
        except ValueError:
            limit = TIMELINE_PAGE
        return max(TIMELINE_PAGE, min(limit, TIMELINE_MAX))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        guest = self.object
        tags = self.get_tags_context()
        bookings = self.get_bookings()
        limit = self.get_timeline_limit()
        timeline, more = guest_timeline(guest, limit=limit)
        user = self.request.user
        context.update(tags)
        context.update(
            {
                "guest": guest,
                "details": self.get_details(),
                "warning_tags": [gt.tag for gt in tags["guest_tags"] if gt.tag.is_warning],
                "consent_records": guest.consent_records.select_related("page", "user")[:100],
                "bookings": bookings,
                "max_bookings": MAX_BOOKINGS,
                "no_show_offer": self.get_no_show_offer(bookings, tags["guest_tags"]),
                "timeline": timeline,
                "timeline_more_url": f"?timeline={limit + TIMELINE_PAGE}#timeline" if more else "",
                "can_change": self.user_has_permission("change"),
                "can_change_bookings": booking_permission_policy.user_has_permission(
                    user, "change"
                ),
                "tags_url": reverse("wagtail_guests_tags", args=[guest.pk]),
                "consent_url": reverse("wagtail_guests_consent", args=[guest.pk]),
            }
        )
        # The "Emails" section: planned, sent and failed emails, send forms (issue 6).
        context.update(emails_context(guest, user))
        return context
