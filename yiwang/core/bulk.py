"""Writing many rows' fields at once without Django's ``bulk_update``.

``bulk_update`` writes ``SET f = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END`` for each field, and
building those expressions costs about a millisecond of CPU per row and field set: more than the rest of
a batch's work (measured on the routing suggestions of online appeals, ``bench/intake.py``). Here each
chunk of rows is one ``UPDATE … FROM (VALUES …)`` on PostgreSQL, and one prepared statement run for each
row on SQLite; values pass through each field's own conversion (``get_db_prep_save``), as ``save`` does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, models, router

CHUNK = 1000


def update_fields(objs: Iterable[models.Model], fields: Sequence[str], *, using: str | None = None) -> int:
    """Write ``fields`` of every object (by primary key), as ``save(update_fields=fields)`` would for each
    one, in a few statements; returns the rows written. No signals, no ``auto_now``: set such fields on
    the objects and name them."""
    objs = list(objs)
    if not objs or not fields:
        return 0
    model = type(objs[0])
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    pk = meta.pk
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    rows = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in concrete]
        + [pk.get_db_prep_save(obj.pk, connection)]
        for obj in objs
    ]
    written = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            casts = [f"%s::{field.db_type(connection)}" for field in [*concrete, pk]]
            names = [quote(field.column) for field in concrete] + ["pk__"]
            assignments = ", ".join(f"{quote(field.column)} = v.{quote(field.column)}" for field in concrete)
            for start in range(0, len(rows), CHUNK):
                chunk = rows[start : start + CHUNK]
                values = ", ".join(f"({', '.join(casts)})" for _ in chunk)
                cursor.execute(
                    f"UPDATE {table} AS t SET {assignments} FROM (VALUES {values}) "  # noqa: S608 (placeholders)
                    f"AS v ({', '.join(names)}) WHERE t.{quote(pk.column)} = v.pk__",
                    [value for row in chunk for value in row],
                )
                written += cursor.rowcount
        else:
            assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
            statement = f"UPDATE {table} SET {assignments} WHERE {quote(pk.column)} = %s"  # noqa: S608
            cursor.executemany(statement, rows)
            written = len(rows)
    return written
