"""Wagtail audit-log entries about guests and their rows: read them, scrub them in bulk.

Wagtail stores ``str(instance)`` as each entry's label and free ``data``. wagtail-guests only
ever writes "Guest #42" and codes there, but a site's own code or an older version may have
written more: anonymisation rewrites the label of every entry about the guest (and about the
guest's submissions, emails, messages and other rows) and empties its ``data`` (except for
wagtail-guests' own actions, whose data is codes and ids only), in one ``UPDATE`` per model,
whatever the number of entries.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.db.models import Case, CharField, F, JSONField, QuerySet, TextField, Value, When
from django.db.models.functions import Cast, Concat
from wagtail.log_actions import registry

#: Actions of wagtail-guests: their ``data`` holds codes and ids only, never personal data.
OWN_ACTIONS = "wagtail_guests."


def log_model_for(model):
    """Wagtail's log entry model for ``model`` (``ModelLogEntry``), or ``None``."""
    log_model = registry.get_log_model_for_model(model)
    if log_model is None or not hasattr(log_model, "object_id"):
        return None
    return log_model


def entries_for(model, ids):
    """Log entries about the ``model`` rows whose primary keys are ``ids`` (list or queryset)."""
    log_model = log_model_for(model)
    if log_model is None:
        from wagtail.models import ModelLogEntry

        return ModelLogEntry.objects.none()
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    entries = log_model.objects.filter(content_type=content_type)
    if isinstance(ids, QuerySet):
        keys = ids.order_by().annotate(_log_key=Cast("pk", CharField())).values("_log_key")
        return entries.filter(object_id__in=keys)
    return entries.filter(object_id__in=[str(pk) for pk in ids])


def scrub(model, ids, label_template) -> int:
    """Give the entries about ``ids`` the label ``label_template % {"id": pk}`` and no data.

    The label is built by the database (``prefix || object_id || suffix``), so this is one
    ``UPDATE`` however many entries there are. Returns the number of entries changed.
    """
    if isinstance(ids, list | tuple | set) and not ids:
        return 0
    entries = entries_for(model, ids)
    # Most models never get log entries: skip the (possibly large) subquery then.
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    if not entries.model.objects.filter(content_type=content_type).exists():
        return 0
    prefix, _sep, suffix = str(label_template).partition("%(id)s")
    prefix, suffix = prefix.replace("%%", "%"), suffix.replace("%%", "%")
    label = Concat(Value(prefix), F("object_id"), Value(suffix), output_field=TextField())
    # Our own actions keep their data: codes and ids only, by design (a tag id, a status, the
    # reason of an anonymisation), which the history needs to stay readable.
    data = Case(
        When(action__startswith=OWN_ACTIONS, then=F("data")),
        default=Value({}, output_field=JSONField()),
        output_field=JSONField(),
    )
    return entries.update(label=label, data=data)
