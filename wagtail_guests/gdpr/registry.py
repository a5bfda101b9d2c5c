"""The places that hold personal data about guests, and how each is exported and erased.

Anonymisation (:func:`wagtail_guests.actions.gdpr.anonymise_guests`), the right-of-access
report (:mod:`wagtail_guests.gdpr.report`) and the retention purge all walk this registry, so a
model added later (a site's own model) is covered by registering one :class:`PersonalData` for
it. Register through the Wagtail hook ``register_guest_personal_data``::

    from wagtail import hooks
    from wagtail_guests.gdpr import PersonalData

    class LoyaltyCardsData(PersonalData):
        key = "loyalty_cards"
        label = _("Loyalty cards")
        models = ["myapp.LoyaltyCard"]
        erased_description = _("their loyalty card number")

        def export(self, guest):
            return [{"number": c.number, ...} for c in LoyaltyCard.objects.filter(guest=guest)]

        def erase(self, guests):
            LoyaltyCard.objects.filter(guest__in=guests).update(number="")

        def active_since(self, since):
            return Exists(LoyaltyCard.objects.filter(guest=OuterRef("pk"), used_at__gte=since))

    @hooks.register("register_guest_personal_data")
    def register_loyalty_cards():
        return LoyaltyCardsData()

A hook function returns one :class:`PersonalData` or a list of them. The test suite checks that
every model of the ``wagtail_guests`` app with a foreign key or many-to-many link to ``Guest``
is listed in the ``models`` of some registered :class:`PersonalData`.
"""

from __future__ import annotations

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q

HOOK_NAME = "register_guest_personal_data"


class PersonalData:
    """One place holding personal data about guests (usually one model, possibly files).

    Subclasses set :attr:`key`, :attr:`label` and :attr:`models`, and implement the methods
    that apply. Every method must stay within the guests it is given: it never exports or
    erases anything about another guest.
    """

    #: A stable identifier: the key of this section in the JSON export.
    key: str = ""
    #: The heading of this section on the printable page (translatable).
    label = ""
    #: The models covered, as classes or "app_label.ModelName" strings.
    models: list = []
    #: Sections are exported in this order (the guest's own details come first).
    order: int = 100
    #: Column labels of the printable page: ``{row key: label}``, in display order.
    #: Keys not listed are shown after these, under their key.
    fields: dict = {}
    #: Whether the section is part of the access report (False for a place that only needs
    #: erasing, such as import files waiting for confirmation).
    in_report: bool = True
    #: What anonymisation erases here, in a few words, for the bulk confirmation page
    #: ("the data sent in their form submissions"); empty when nothing is erased.
    erased_description = ""

    def export(self, guest) -> list[dict]:
        """The rows held about ``guest``, JSON-serialisable (dates as ISO strings)."""
        return []

    def erase(self, guests) -> None:
        """Erase the personal data of ``guests`` (a list of Guest instances, still holding
        their details: this runs before the guest rows are cleared).

        Runs inside the anonymisation transaction; set-based (a few queries for the whole
        list, not a query per guest). It must be idempotent.
        """

    def active_since(self, since) -> Q | None:
        """A condition on ``Guest`` true when the guest did something here at or after
        ``since`` (a datetime): a booking, a submission, a message they sent. Staff actions
        do not count. Used by the retention purge; ``None`` if nothing here is guest activity.
        """
        return None

    def summary(self, guest) -> list[str]:
        """Lines for the anonymise confirmation page: what will be erased here for ``guest``
        ("The data sent in 3 form submissions"). Empty when nothing is erased."""
        return [str(self.label)] if self.models else []

    def owned(self, guest_ids) -> list:
        """Querysets of the rows that belong to these guests: their Wagtail audit-log entries
        are scrubbed on anonymisation. By default, the rows of :attr:`models` whose ``guest``
        foreign key is one of ``guest_ids``."""
        from ..models import Guest

        querysets = []
        for model in self.model_classes():
            try:
                field = model._meta.get_field("guest")
            except FieldDoesNotExist:
                continue
            if getattr(field, "related_model", None) is Guest and field.many_to_one:
                querysets.append(model._default_manager.filter(guest__in=guest_ids))
        return querysets

    def model_classes(self):
        return [apps.get_model(m) if isinstance(m, str) else m for m in self.models]

    def __repr__(self):
        return f"<{type(self).__name__} {self.key!r}>"


def get_personal_data() -> list[PersonalData]:
    """The built-in sections and those registered through the hook, in export order."""
    from wagtail import hooks

    from .builtin import BUILTIN

    sections = [cls() for cls in BUILTIN]
    for hook in hooks.get_hooks(HOOK_NAME):
        result = hook()
        if result is None:
            continue
        sections.extend(result if isinstance(result, list | tuple) else [result])
    keys = [section.key for section in sections]
    duplicates = {key for key in keys if keys.count(key) > 1}
    if duplicates:
        raise ValueError(f"Personal data sections registered twice: {sorted(duplicates)}")
    return sorted(sections, key=lambda section: section.order)


def covered_models() -> set:
    """Every model some registered section covers."""
    return {model for section in get_personal_data() for model in section.model_classes()}
