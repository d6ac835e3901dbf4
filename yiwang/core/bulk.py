"""Writing many rows' fields at once without Django's ``bulk_update``.

``bulk_update`` writes ``SET f = CASE WHEN id = 1 THEN … WHEN id = 2 THEN … END`` for each field, and
building those expressions costs about a millisecond of CPU per row and field set: more than the rest of
a batch's work (measured on the routing suggestions of online appeals, ``bench/intake.py``). Here each
chunk of rows is one ``UPDATE … FROM (VALUES …)`` on PostgreSQL, and one prepared statement run for each
row on SQLite; values pass through each field's ``pre_save`` and own conversion (``get_db_prep_save``),
as ``save(update_fields=…)`` does: free text is stored with its phone and ID numbers masked
(``core.fields``), an ``auto_now`` field named gets the time of the write.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.db import connections, models, router

from yiwang.core.fields import PiiHashField

CHUNK = 1000


def _checked_fields(model: type[models.Model], fields: Sequence[str]) -> list[models.Field]:
    """The named fields in the model's order (the order ``save`` prepares them in: a masked text
    fills its originals field, declared after it), refusing what this write could not do right."""
    meta = model._meta
    named = {meta.get_field(name) for name in fields}
    for field in named:
        if field not in meta.local_concrete_fields or field.primary_key or getattr(field, "generated", False):
            raise ValueError(f"update_fields writes the model's own columns, not {model.__name__}.{field.name}")
    names = {field.name for field in named}
    for field in meta.local_concrete_fields:
        # An encrypted field's lookup hash and a masked text's originals are written with it, or the
        # row could no longer be found by the number (pii_lookup) or shown as typed (core.fields).
        if isinstance(field, PiiHashField) and field.source in names and field.name not in names:
            raise ValueError(f"{model.__name__}.{field.source} is written with its lookup hash {field.name}")
        originals = getattr(field, "originals", None)
        if field.name in names and originals and originals not in names:
            raise ValueError(f"{model.__name__}.{field.name} is written with its originals field {originals}")
    return [field for field in meta.local_concrete_fields if field in named]


def update_fields(objs: Iterable[models.Model], fields: Sequence[str], *, using: str | None = None) -> int:
    """Write ``fields`` of every object (by primary key), as ``save(update_fields=fields)`` would for each
    one in turn (an object given twice leaves its last values), in a few statements; returns the rows
    written. No signals. Refused (``ValueError``): objects of another model or not saved, a field that is
    not one of the model's own columns or is its primary key, an encrypted field without its lookup
    hash, a masked text without its originals field."""
    objs = list(objs)
    if not objs or not fields:
        return 0
    model = type(objs[0])
    meta = model._meta
    concrete = _checked_fields(model, fields)
    latest: dict = {}
    for obj in objs:
        if obj._meta.concrete_model is not meta.concrete_model:
            raise ValueError(f"update_fields writes one model's rows: {type(obj).__name__} among {model.__name__}")
        if obj.pk is None:
            raise ValueError(f"update_fields writes saved rows: a {model.__name__} without a primary key")
        latest[obj.pk] = obj
    alias = using or router.db_for_write(model)
    connection = connections[alias]
    pk = meta.pk
    quote = connection.ops.quote_name
    table = quote(meta.db_table)
    rows = [
        [field.get_db_prep_save(field.pre_save(obj, False), connection) for field in concrete]
        + [pk.get_db_prep_save(key, connection)]
        for key, obj in latest.items()
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
            written = cursor.rowcount
    return written
