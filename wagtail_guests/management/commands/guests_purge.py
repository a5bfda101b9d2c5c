"""``manage.py guests_purge``: anonymise guests whose retention period has passed.

See ``docs/gdpr.md`` for what counts as a guest's activity, and how to run this every day
(cron, or the ``purge_expired_guests`` task).
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from wagtail_guests.gdpr.retention import purge


class Command(BaseCommand):
    help = _(
        "Anonymise the guests with no booking, form submission or message for "
        "WAGTAIL_GUESTS_RETENTION_DAYS days. Guests with an upcoming stay are never touched."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help=_("Only count the guests that would be anonymised; change nothing."),
        )
        parser.add_argument(
            "--days",
            type=int,
            help=_("Use this retention period instead of WAGTAIL_GUESTS_RETENTION_DAYS."),
        )

    def handle(self, *args, dry_run=False, days=None, verbosity=1, **options):
        if days is not None and days < 1:
            raise CommandError(_("--days must be at least 1."))
        result = purge(days=days, dry_run=dry_run)
        if not result.enabled:
            self.stdout.write(
                _(
                    "Retention is off: WAGTAIL_GUESTS_RETENTION_DAYS is not set. "
                    "Nothing was changed."
                )
            )
            return
        self.stdout.write(
            _("Retention period: %(days)d days (no activity of their own since %(date)s).")
            % {"days": result.days, "date": date_format(result.since, "DATE_FORMAT")}
        )
        expired = len(result.expired)
        if dry_run:
            self.stdout.write(
                ngettext(
                    "Dry run: %(count)d guest would be anonymised. Nothing was changed.",
                    "Dry run: %(count)d guests would be anonymised. Nothing was changed.",
                    expired,
                )
                % {"count": expired}
            )
            if verbosity > 1 and result.expired:
                self.stdout.write(
                    _("Guest numbers: %(ids)s") % {"ids": ", ".join(map(str, result.expired))}
                )
            return
        count = len(result.anonymised)
        self.stdout.write(
            self.style.SUCCESS(
                ngettext("%(count)d guest anonymised.", "%(count)d guests anonymised.", count)
                % {"count": count}
            )
        )
        if result.upcoming:
            self.stdout.write(
                ngettext(
                    "%(count)d guest was kept: they have an upcoming or current booking.",
                    "%(count)d guests were kept: they have an upcoming or current booking.",
                    len(result.upcoming),
                )
                % {"count": len(result.upcoming)}
            )
        if verbosity > 1 and result.anonymised:
            self.stdout.write(
                _("Guest numbers: %(ids)s") % {"ids": ", ".join(map(str, result.anonymised))}
            )
