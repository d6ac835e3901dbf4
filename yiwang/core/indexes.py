"""An index whose columns say where NULLs go (NULLS FIRST/LAST), that SQLite can create too; a condition
written so that SQLite can match it with an index (``literal_in``)."""

import re

from django.db import NotSupportedError, models
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL


def literal_in(model, field: str, values) -> RawSQL:
    """``<field> IN ('a', 'b')`` with the values written into the statement, not bound as parameters.

    SQLite chooses an index by the values it sees: bound, ``state IN (?, ?)`` can never match a partial
    index whose condition names the states, and its estimate for a plain (department, state) index lost to
    the department's own index, read through every case the department ever had. PostgreSQL plans both
    alike. The values must be the project's own constants (lower-case codes); anything else is refused."""
    values = [str(value) for value in values]
    if not values or not all(re.fullmatch(r"[a-z][a-z0-9_]*", value) for value in values):
        raise ValueError(f"literal_in takes the project's own codes only: {values!r}")
    column = model._meta.get_field(field).column
    table = model._meta.db_table
    listed = ", ".join(f"'{value}'" for value in values)
    return RawSQL(f'"{table}"."{column}" IN ({listed})', [], output_field=BooleanField())  # noqa: S611


class NullsOrderedIndex(models.Index):
    """``models.Index`` over ordered columns with ``nulls_first``/``nulls_last``.

    PostgreSQL takes NULLS FIRST/LAST in an index; SQLite refuses the words (``unsupported use of
    NULLS FIRST``), but its own order already puts NULLs first ascending and last descending. Where
    the order asked for is SQLite's own, the index is created there without the words — the same
    order, so a schema built from the models (``migrate --run-syncdb``, ``pytest --nomigrations``)
    works on both engines; an order SQLite cannot give raises ``NotSupportedError``. It deconstructs
    and compares as a plain ``models.Index``: migrations see no difference.
    """

    def create_sql(self, model, schema_editor, using="", **kwargs):
        connection = schema_editor.connection
        if connection.vendor != "sqlite":
            return super().create_sql(model, schema_editor, using=using, **kwargs)
        native = self.clone()
        native.expressions = tuple(_in_native_order(expression, connection) for expression in self.expressions)
        return models.Index.create_sql(native, model, schema_editor, using=using, **kwargs)

    def deconstruct(self):
        _path, args, kwargs = super().deconstruct()
        return "django.db.models.Index", args, kwargs

    def __eq__(self, other):
        if isinstance(other, models.Index):
            return self.deconstruct() == other.deconstruct()
        return NotImplemented

    __hash__ = None


def _in_native_order(expression, connection):
    if not isinstance(expression, models.OrderBy) or not (expression.nulls_first or expression.nulls_last):
        return expression
    nulls_first_here = expression.descending != connection.features.order_by_nulls_first
    if bool(expression.nulls_first) != nulls_first_here:
        raise NotSupportedError(f"{connection.display_name} cannot order NULLs that way in an index: {expression!r}")
    return models.OrderBy(expression.expression, descending=expression.descending)
