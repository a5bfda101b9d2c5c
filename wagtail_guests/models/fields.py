from django.db import models
from django.db.models.lookups import IContains, Lookup


class KeyField(models.CharField):
    """A key the app derives from other fields (a guest's identity key, the name it is sorted
    and searched by): already case-folded and accent-stripped, so compared byte by byte.

    On PostgreSQL the column gets the "C" collation. Under a language collation (the
    database's default: ``fr_FR.UTF-8``, ``C.UTF-8``…) each comparison goes through the
    locale's rules, which made the btree indexes on these keys a third of an import's time
    (``benchmarks/import_export.py``); and one "C" index serves both ``ORDER BY`` and
    ``LIKE 'abc%'``, where a language collation needs a second, ``varchar_pattern_ops``, one.
    SQLite compares them byte by byte already (its ``BINARY`` collation); other databases keep
    their own.
    """

    def db_parameters(self, connection):
        parameters = super().db_parameters(connection)
        if connection.vendor == "postgresql" and not self.db_collation:
            parameters["collation"] = "C"
        return parameters


class TrigramIContains(IContains):
    """``icontains`` written ``column::text ILIKE '%…%'`` on PostgreSQL, which a trigram index
    on the column itself answers (trigrams ignore case). Django writes
    ``UPPER(column) LIKE UPPER('%…%')``, which needs the index on ``UPPER(column)``: an
    expression every insert computes. Registered on the fields with such an index."""

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = Lookup.process_lhs(self, compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs}::text ILIKE {rhs}", (*lhs_params, *rhs_params)
