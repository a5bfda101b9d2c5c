"""Bulk actions of the guest list, on Wagtail's bulk action framework.

``/admin/bulk/wagtail_guests/guest/<action_type>/?id=1&id=2`` (or ``id=all`` with the
listing's filters and search). Whatever ids are sent, an action only ever touches the guests
its permission allows: the ids go through the permission policy's
``instances_user_has_permission_for()``, and a user without the permission gets a 403.

Later issues add "export selection" and "anonymise" by subclassing :class:`GuestBulkAction`
(setting ``permission_required`` to ``"export"`` / ``"anonymise"``) and registering the class
with the ``register_bulk_action`` hook.
"""

from __future__ import annotations

from django import forms
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.utils.formats import number_format
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from wagtail.admin import messages
from wagtail.admin.views.bulk_action import BulkAction

from .actions.bulk import bulk_add_tag, bulk_remove_tag
from .conf import guests_settings
from .filters import GuestFilterSet, guest_filter_data
from .models import Guest, Tag
from .permissions import guest_permission_policy
from .search import search_guests
from .views.forbidden import forbidden

#: How many selected guests the confirmation page names (the rest are counted).
SHOWN_ITEMS = 50
#: The most guests one bulk action may change ("all in listing" on a big list is refused).
MAX_SELECTED = 10_000


def listing_queryset(request):
    """The guests the list shows for ``request``'s filters and search ("all in listing")."""
    data, _is_default = guest_filter_data(request.GET)
    queryset = Guest.objects.all()
    filterset = GuestFilterSet(data=data, request=request, queryset=queryset)
    if filterset.is_valid():  # As Wagtail's listing: invalid filters filter nothing.
        queryset = filterset.filter_queryset(queryset)
    return search_guests(queryset, request.GET.get("q", ""))


class GuestBulkAction(BulkAction):
    """Base of the guest list's bulk actions."""

    models = [Guest]
    #: The permission (policy action) the user needs, checked for the action and each guest.
    permission_required = "change"
    #: Whether anonymised guests are left out.
    skip_anonymised = True

    @cached_property
    def permission_policy(self):
        return guest_permission_policy

    def dispatch(self, request, *args, **kwargs):
        user = request.user
        if not self.permission_policy.user_has_permission(user, self.permission_required):
            return forbidden(request)
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)

    def selected_queryset(self):
        ids = self.request.GET.getlist("id")
        if "all" in ids:
            return listing_queryset(self.request)
        return Guest.objects.filter(pk__in=[pk for pk in ids if pk.isdigit()])

    @cached_property
    def _actionable(self):
        allowed = self.permission_policy.instances_user_has_permission_for(
            self.request.user, self.permission_required
        )
        selected = self.selected_queryset().filter(pk__in=allowed.values("pk")).order_by("pk")
        selected = selected.only("pk", "first_name", "last_name", "anonymised_at")
        guests = list(selected[: MAX_SELECTED + 1])
        self.too_many = len(guests) > MAX_SELECTED
        if self.too_many:
            return [], {"items_with_no_access": []}
        objects, skipped = [], []
        for guest in guests:
            (skipped if self.skip_anonymised and guest.anonymised_at else objects).append(guest)
        return objects, {"items_with_no_access": skipped}

    def get_actionable_objects(self):
        return self._actionable

    def check_perm(self, obj):
        return self.permission_policy.user_has_permission_for_instance(
            self.request.user, self.permission_required, obj
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["total"] = len(context["items"])
        context["items"] = context["items"][:SHOWN_ITEMS]
        context["hidden_count"] = context["total"] - len(context["items"])
        context["action"] = self
        context["too_many"] = self.too_many and self.too_many_message
        return context

    def get_execution_context(self):
        return {"action": self}

    def form_valid(self, form):
        self.get_actionable_objects()
        if self.too_many:
            messages.error(self.request, self.too_many_message)
            return redirect(self.next_url)
        return super().form_valid(form)

    @property
    def too_many_message(self):
        return _("More than %(count)s guests are selected. Narrow the list with filters first.") % {
            "count": number_format(MAX_SELECTED, force_grouping=True)
        }


class TagForm(forms.Form):
    tag = forms.ModelChoiceField(label=_("Tag"), queryset=Tag.objects.all())


class BaseTagBulkAction(GuestBulkAction):
    form_class = TagForm
    template_name = "wagtail_guests/admin/list/bulk_tag.html"
    result = None

    @classmethod
    def execute_action(cls, objects, action=None, **kwargs):
        tag = action.cleaned_form.cleaned_data["tag"]
        action.tag = tag
        action.result = cls.run([guest.pk for guest in objects], tag, user=action.request.user)
        return len(action.result.changed), 0


class AddTagBulkAction(BaseTagBulkAction):
    display_name = _("Add tag")
    action_type = "add_tag"
    aria_label = _("Add a tag to the selected guests")
    action_priority = 20
    confirm_label = _("Add the tag")
    heading = _("Add a tag to guests")
    run = staticmethod(bulk_add_tag)

    def get_success_message(self, num_parent_objects, num_child_objects):
        result, name = self.result, self.tag.label
        if result.over_limit:
            limit = guests_settings.MAX_TAGS_PER_GUEST
            messages.warning(
                self.request,
                ngettext(
                    "%(count)d guest was skipped: they already have %(limit)d tags, the most "
                    "a guest can have. Remove a tag from them first.",
                    "%(count)d guests were skipped: they already have %(limit)d tags, the most "
                    "a guest can have. Remove a tag from them first.",
                    len(result.over_limit),
                )
                % {"count": len(result.over_limit), "limit": limit},
            )
        text = ngettext(
            "Tag “%(tag)s” added to %(count)d guest.",
            "Tag “%(tag)s” added to %(count)d guests.",
            len(result.changed),
        ) % {"tag": name, "count": len(result.changed)}
        if result.unchanged:
            text += " " + ngettext(
                "%(count)d guest already had it.",
                "%(count)d guests already had it.",
                len(result.unchanged),
            ) % {"count": len(result.unchanged)}
        return text


class RemoveTagBulkAction(BaseTagBulkAction):
    display_name = _("Remove tag")
    action_type = "remove_tag"
    aria_label = _("Remove a tag from the selected guests")
    action_priority = 30
    confirm_label = _("Remove the tag")
    heading = _("Remove a tag from guests")
    run = staticmethod(bulk_remove_tag)

    def get_success_message(self, num_parent_objects, num_child_objects):
        result, name = self.result, self.tag.label
        text = ngettext(
            "Tag “%(tag)s” removed from %(count)d guest.",
            "Tag “%(tag)s” removed from %(count)d guests.",
            len(result.changed),
        ) % {"tag": name, "count": len(result.changed)}
        if result.unchanged:
            text += " " + ngettext(
                "%(count)d guest did not have it.",
                "%(count)d guests did not have it.",
                len(result.unchanged),
            ) % {"count": len(result.unchanged)}
        return text
