"""Registration only: Wagtail hooks of wagtail-guests. The work lives in the modules imported."""

from wagtail import hooks

# --- Public form blocks -------------------------------------------------------------------
from . import submit  # noqa: E402

# After Wagtail's own hooks (order 0): restrictions and method checks come first.
if submit.HAS_SERVE_CHAIN:
    hooks.register("on_serve_page", submit.on_serve_page, order=100)
else:
    hooks.register("before_serve_page", submit.before_serve_page, order=100)

# --- Admin ----------------------------------------------------------------------------------
# Guest profile, add/edit/delete, tags, booking status, submissions, dashboard (helper-5).
from . import dashboard as guests_dashboard  # noqa: E402
from . import log_actions as guests_log_actions  # noqa: E402
from .views import urls as guests_profile_urls  # noqa: E402

hooks.register("register_admin_urls", lambda: guests_profile_urls.urlpatterns)
hooks.register("register_log_actions", guests_log_actions.register_log_actions)
hooks.register("construct_homepage_panels", guests_dashboard.add_guests_panel)

# GDPR: anonymise one guest or many, download a guest's personal data (wagtail_guests.gdpr).
from .gdpr import log_actions as gdpr_log_actions  # noqa: E402
from .views import gdpr as gdpr_views  # noqa: E402

hooks.register("register_admin_urls", lambda: gdpr_views.urlpatterns)
hooks.register("register_log_actions", gdpr_log_actions.register_log_actions)

# The guest list's "Anonymise" bulk action.
from .views import gdpr_bulk  # noqa: E402

hooks.register("register_bulk_action", gdpr_bulk.AnonymiseBulkAction)

# Import and export of guests: import pages and their audit log actions (wagtail_guests.importing).
from .importing import audit as import_audit  # noqa: E402
from .views import importing as import_views  # noqa: E402

hooks.register("register_admin_urls", lambda: import_views.urlpatterns)
hooks.register("register_log_actions", import_audit.register_log_actions)
# Bulk exports of the guest list (the list's own "Export" menu: views.exporting).
from .views import exporting as export_views  # noqa: E402

hooks.register("register_bulk_action", export_views.ExportSelectionBulkAction)
hooks.register("register_bulk_action", export_views.TransferToSubscribersBulkAction)

# Guest list, bookings list, tags and the list's bulk actions.
from . import bulk_actions as guests_bulk_actions  # noqa: E402
from . import viewsets as guests_viewsets  # noqa: E402

hooks.register("register_admin_viewset", guests_viewsets.GuestsViewSetGroup)
hooks.register("register_bulk_action", guests_bulk_actions.AddTagBulkAction)
hooks.register("register_bulk_action", guests_bulk_actions.RemoveTagBulkAction)

# Email to guests (wagtail_guests.emailing): the profile's send / unsubscribe / retry actions
# and their audit log actions. Templates, scheduled emails and the outbox are viewsets of the
# "Guests" group above.
from .emailing import log_actions as email_log_actions  # noqa: E402
from .views import emails as email_views  # noqa: E402

hooks.register("register_admin_urls", lambda: email_views.urlpatterns)
hooks.register("register_log_actions", email_log_actions.register_log_actions)
