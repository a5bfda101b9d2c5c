"""Permission policies for the guest list; every admin view and action checks these."""

from django.core.exceptions import PermissionDenied
from wagtail.permission_policies import ModelPermissionPolicy

from .models import Booking, Guest, Tag

guest_permission_policy = ModelPermissionPolicy(Guest)
booking_permission_policy = ModelPermissionPolicy(Booking)
tag_permission_policy = ModelPermissionPolicy(Tag)


def require(user, action: str, policy=guest_permission_policy):
    """Raise ``PermissionDenied`` unless ``user`` may perform ``action``.

    ``user=None`` means the write comes from a public form, a command or a task, which
    the caller has authorised by other means.
    """
    if user is not None and not policy.user_has_permission(user, action):
        raise PermissionDenied
