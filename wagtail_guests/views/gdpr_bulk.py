"""The guest list's "Anonymise" bulk action (``/admin/bulk/wagtail_guests/guest/anonymise/``).

Built on :class:`~wagtail_guests.bulk_actions.GuestBulkAction`: the selected ids (or "all in
listing") go through the permission policy's ``anonymise`` action, so a user only ever
anonymises the guests they may; without the permission the page answers 403. The confirmation
page says that it is irreversible, what will be erased and kept, and which selected guests are
left alone (already anonymised, or with an upcoming or current stay).
"""

from __future__ import annotations

from django.utils.functional import cached_property
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin import messages

from ..actions.gdpr import anonymise_guests
from ..bulk_actions import GuestBulkAction
from ..gdpr import get_personal_data
from ..gdpr.bookings import upcoming_guest_ids
from .gdpr import KEPT


class AnonymiseBulkAction(GuestBulkAction):
    display_name = _("Anonymise")
    action_type = "anonymise"
    aria_label = _("Anonymise the selected guests")
    action_priority = 90
    classes = {"serious"}
    permission_required = "anonymise"
    template_name = "wagtail_guests/admin/gdpr/bulk_anonymise.html"
    heading = _("Anonymise guests")
    result = None

    @cached_property
    def _split(self):
        objects, extra = super().get_actionable_objects()
        blocked = upcoming_guest_ids([guest.pk for guest in objects]) if objects else set()
        ready = [guest for guest in objects if guest.pk not in blocked]
        upcoming = [guest for guest in objects if guest.pk in blocked]
        return ready, {**extra, "upcoming": upcoming}

    def get_actionable_objects(self):
        return self._split

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        upcoming = context.get("upcoming", [])
        context.update(
            {
                "erased": [
                    capfirst(str(section.erased_description))
                    for section in get_personal_data()
                    if section.erased_description
                ],
                "kept": KEPT,
                "upcoming_count": len(upcoming),
                "upcoming": upcoming[:50],
            }
        )
        return context

    @classmethod
    def execute_action(cls, objects, action=None, **kwargs):
        action.result = anonymise_guests([guest.pk for guest in objects], user=action.request.user)
        return len(action.result.anonymised), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        result = self.result
        if result.upcoming:
            messages.warning(
                self.request,
                ngettext(
                    "%(count)d guest was not anonymised: they have an upcoming or current booking.",
                    "%(count)d guests were not anonymised: they have an upcoming or current "
                    "booking.",
                    len(result.upcoming),
                )
                % {"count": len(result.upcoming)},
            )
        count = len(result.anonymised)
        return ngettext("%(count)d guest anonymised.", "%(count)d guests anonymised.", count) % {
            "count": count
        }
