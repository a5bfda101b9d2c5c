"""``manage.py guests_export``: the guest list's export, with the list's filters.

    manage.py guests_export -o guests.csv
    manage.py guests_export --format xlsx -o guests.xlsx --language fr --tag VIP
    manage.py guests_export --newsletter -o newsletter.csv     # Mailchimp / Brevo
    manage.py guests_export --arrival-from 2026-07-01 --arrival-to 2026-07-31 --consent given

Filters are those of the admin list (``wagtail_guests.filters.GuestFilterSet``), so a command
and the list export the same guests. Without ``-o`` a CSV goes to standard output.
"""

from __future__ import annotations

import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import override

from ... import exporting
from ...exporting import (
    NEWSLETTER_HEADERS,
    csv_stream,
    export_language,
    exportable,
    guest_rows,
    newsletter_queryset,
    newsletter_rows,
    write_xlsx,
)
from ...importing.audit import log_export
from ...models import Guest, NewsletterConsent, Tag
from ...resources import export_headers

DATE_FILTERS = ("arrival", "departure", "created", "updated", "first_contact")


class Command(BaseCommand):
    help = "Export guests as CSV or XLSX, optionally filtered (see docs/import-export.md)."

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["csv", "xlsx"], default="csv")
        parser.add_argument("-o", "--output", help="The file to write (default: standard output).")
        parser.add_argument(
            "--newsletter",
            action="store_true",
            help="Only guests who may receive the newsletter, in the Mailchimp/Brevo format.",
        )
        parser.add_argument("--language", help="Guests with this preferred language (fr, en…).")
        parser.add_argument("--tag", action="append", default=[], help="A tag name (repeatable).")
        parser.add_argument("--consent", choices=list(NewsletterConsent.values))
        parser.add_argument("--search", help="As the list's search box.")
        parser.add_argument("--headers", choices=["en", "fr"], default="en")
        parser.add_argument("--delimiter", choices=["comma", "semicolon", "tab"], default="comma")
        for name in DATE_FILTERS:
            option = name.replace("_", "-")
            parser.add_argument(f"--{option}-from", metavar="YYYY-MM-DD")
            parser.add_argument(f"--{option}-to", metavar="YYYY-MM-DD")

    def filter_data(self, options) -> dict:
        data = {"all": "1"}
        if options["language"]:
            data["language"] = options["language"]
        if options["consent"]:
            data["newsletter_consent"] = options["consent"]
        for name in DATE_FILTERS:
            for end in ("from", "to"):
                if options[f"{name}_{end}"]:
                    data[f"{name}_{end}"] = options[f"{name}_{end}"]
        if options["tag"]:
            tags = []
            for name in options["tag"]:
                tag = Tag.objects.filter(name__iexact=name).first()
                if tag is None:
                    raise CommandError(f"No tag named {name!r}.")
                tags.append(str(tag.pk))
            data["tags"] = tags
        return data

    def queryset(self, options):
        from django.http import QueryDict

        from ...filters import GuestFilterSet
        from ...search import search_guests

        query = QueryDict(mutable=True)
        for key, value in self.filter_data(options).items():
            query.setlist(key, value if isinstance(value, list) else [value])
        filterset = GuestFilterSet(data=query, queryset=Guest.objects.all())
        if not filterset.is_valid():
            raise CommandError(f"Invalid filters: {filterset.errors.as_text()}")
        queryset = filterset.filter_queryset(Guest.objects.all())
        if options["search"]:
            queryset = search_guests(queryset, options["search"])
        filters = sorted(
            set(filterset.form.changed_data) - {"all"}
            | ({"search"} if options["search"] else set())
        )
        return queryset.order_by("pk"), filters

    def handle(self, *args, **options):
        queryset, filters = self.queryset(options)
        file_format, output = options["format"], options["output"]
        if file_format == "xlsx" and not output:
            raise CommandError("An .xlsx export needs --output FILE.")
        delimiter = {"comma": ",", "semicolon": ";", "tab": "\t"}[options["delimiter"]]
        if options["newsletter"]:
            selected = queryset.count()
            rows_qs = newsletter_queryset(queryset)
            headers, rows = NEWSLETTER_HEADERS, newsletter_rows(queryset)
            count, extra = rows_qs.count(), {"newsletter": True, "refused": 0}
            extra["refused"] = selected - count
        else:
            language = export_language(options["headers"])
            headers, rows = export_headers(language), guest_rows(queryset, language)
            count, extra = exportable(queryset).count(), {}
        if file_format == "xlsx" and count > exporting.XLSX_MAX_ROWS:
            raise CommandError(exporting.TooManyRowsForExcel(count).message)
        log_export(rows=count, file_format=file_format, filters=filters, **extra)
        # Tag names (the built-in tags' translations) in the language of the headers.
        with override(export_language(options["headers"])):
            if file_format == "xlsx":
                with open(output, "wb") as handle:
                    write_xlsx(headers, rows, handle)
            else:
                bom = not options["newsletter"]
                chunks = csv_stream(headers, rows, delimiter=delimiter, bom=bom)
                handle = open(output, "wb") if output else sys.stdout.buffer  # noqa: SIM115
                try:
                    for chunk in chunks:
                        handle.write(chunk)
                finally:
                    if output:
                        handle.close()
        self.stderr.write(f"Exported {count} guest(s).")
        if extra.get("refused"):
            self.stderr.write(
                f"{extra['refused']} guest(s) left out: no newsletter consent, "
                "unsubscribed, or no working email address."
            )
