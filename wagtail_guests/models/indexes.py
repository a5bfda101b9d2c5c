from django.db import models
from django.db.models import Q


def where_set(prefix: str, *fields: str) -> list[models.Index]:
    """An index on each of ``fields`` (mostly empty foreign keys: a staff user, a page…) that
    holds only the rows where it is set, named ``{prefix}_{field}_idx``. Lookups and
    ``ON DELETE`` use it as well as a full index, and the many rows without it cost no write.
    The fields themselves are declared with ``db_index=False``."""
    return [
        models.Index(
            fields=[name], condition=Q(**{f"{name}__isnull": False}), name=f"{prefix}_{name}_idx"
        )
        for name in fields
    ]
