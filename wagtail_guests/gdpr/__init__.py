"""GDPR: anonymisation, the right-of-access report and retention.

The personal data a guest may have anywhere is described by :class:`PersonalData` sections
(see :mod:`wagtail_guests.gdpr.registry`); more are added with the Wagtail hook
``register_guest_personal_data``. The writes themselves are actions, in
:mod:`wagtail_guests.actions.gdpr`.
"""

from .registry import HOOK_NAME, PersonalData, get_personal_data

__all__ = ["HOOK_NAME", "PersonalData", "get_personal_data"]
