"""System checks for wagtail-guests settings (ids ``wagtail_guests.E001`` …)."""

from django.core import checks

from .conf import guests_settings


@checks.register()
def check_settings(app_configs=None, **kwargs):
    errors = []
    limit = guests_settings.RATE_LIMIT
    if not (
        isinstance(limit, (tuple, list))
        and len(limit) == 2
        and all(isinstance(n, int) and n > 0 for n in limit)
    ):
        errors.append(
            checks.Error(
                "WAGTAIL_GUESTS_RATE_LIMIT must be a pair of positive integers "
                "(submissions, seconds).",
                id="wagtail_guests.E001",
            )
        )
    max_tags = guests_settings.MAX_TAGS_PER_GUEST
    if not isinstance(max_tags, int) or max_tags < 1:
        errors.append(
            checks.Error(
                "WAGTAIL_GUESTS_MAX_TAGS_PER_GUEST must be a positive integer.",
                id="wagtail_guests.E002",
            )
        )
    return errors
