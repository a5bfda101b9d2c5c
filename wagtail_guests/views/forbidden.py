"""Answer HTTP 403 when a guest permission check fails.

Wagtail's admin turns a ``PermissionDenied`` raised by an admin view into a redirect to the
dashboard with a message. Guest data is personal, so the guest URLs answer a plain 403 instead:
decorate function views with :func:`permission_required`, and mix :class:`Forbidden403Mixin` into
class-based views (before the Wagtail view class).
"""

from functools import wraps

from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

TEMPLATE = "wagtail_guests/admin/403.html"


def forbidden(request):
    response = TemplateResponse(request, TEMPLATE, status=403)
    return response.render()


def permission_required(action: str, policy=None):
    """Decorate a function view: 403 unless the user has ``action`` on ``policy`` (guests by
    default), checked before anything else; a ``PermissionDenied`` raised later is a 403 too."""
    if policy is None:
        from ..permissions import guest_permission_policy as policy

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not policy.user_has_permission(request.user, action):
                return forbidden(request)
            try:
                return view(request, *args, **kwargs)
            except PermissionDenied:
                return forbidden(request)

        return wrapper

    return decorator


class Forbidden403Mixin:
    """For Wagtail's generic views (``PermissionCheckedMixin``): 403 instead of a redirect.

    The permission is checked before ``setup()`` loads the object, so a user without permission
    gets 403 for an id that does not exist too, rather than learning that it does not.
    """

    permission_denied = False

    def setup(self, request, *args, **kwargs):
        self.request = request
        if not self.passes_permission_precheck():
            self.args, self.kwargs = args, kwargs
            self.permission_denied = True
            return
        super().setup(request, *args, **kwargs)

    def passes_permission_precheck(self) -> bool:
        required = getattr(self, "permission_required", None)
        if required is not None and not self.user_has_permission(required):
            return False
        any_required = getattr(self, "any_permission_required", None)
        return any_required is None or self.user_has_any_permission(any_required)

    def dispatch(self, request, *args, **kwargs):
        if self.permission_denied:
            return forbidden(request)
        try:
            return super().dispatch(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)


def forbid_on_permission_denied(view):
    """Wrap any view so that a ``PermissionDenied`` it raises becomes a 403 response.

    The viewsets apply it to all their URLs (:func:`forbid_urlpatterns`), so the generic views
    Wagtail provides (history, usage…) answer 403 too.
    """

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except PermissionDenied:
            return forbidden(request)

    return wrapped


def forbid_urlpatterns(urlpatterns):
    """Apply :func:`forbid_on_permission_denied` to every view of a list of URL patterns."""
    from django.urls import URLPattern

    return [
        URLPattern(
            pattern.pattern,
            forbid_on_permission_denied(pattern.callback),
            pattern.default_args,
            pattern.name,
        )
        for pattern in urlpatterns
    ]
