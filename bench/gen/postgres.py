"""PostgreSQL bulk load: secondary indexes dropped and rebuilt, foreign keys checked by anti-join, the raw
COPY baseline and table sizes."""

from __future__ import annotations

import sys
import time
from pathlib import Path

from .graph import Table

ROOT = Path(__file__).resolve().parent.parent.parent

# --- PostgreSQL bulk load: secondary indexes, foreign keys, the raw COPY baseline ----------------

INDEX_FILE = ROOT / "bench" / "results" / "dropped-indexes-{name}.sql"


def index_snapshot(cursor, db_tables: list[str]) -> list[tuple[str, str, str]]:
    cursor.execute(
        "SELECT tablename, indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
        "AND tablename = ANY(%s) ORDER BY tablename, indexname",
        [db_tables],
    )
    return [tuple(row) for row in cursor.fetchall()]


def secondary_indexes(cursor, db_tables: list[str]) -> list[tuple[str, str, str]]:
    """(table, index, definition) of the indexes a bulk load may drop and rebuild: neither primary nor
    unique (unique ones stay, they are constraints on the copies' new values), backing no constraint."""
    cursor.execute(
        "SELECT t.relname, x.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class t ON t.oid = i.indrelid JOIN pg_class x ON x.oid = i.indexrelid "
        "WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace "
        "AND NOT i.indisprimary AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) "
        "ORDER BY t.relname, x.relname",
        [db_tables],
    )
    return [tuple(row) for row in cursor.fetchall()]


def django_index_sql(models_: list) -> dict[str, str]:
    """Index name → the SQL Django creates it with (what the migrations ran: field and FK indexes,
    ``Meta.indexes`` with their conditions and opclasses). A definition read back from the catalogue
    (``pg_get_indexdef``) may differ from it in casts when parsed again, and then so would the rebuilt
    partial index's predicate; only indexes found here are dropped, and rebuilt from this SQL."""
    from django.db import connection

    sql = {}
    with connection.schema_editor(collect_sql=True, atomic=False) as editor:
        for model in models_:
            for statement in editor._model_indexes_sql(model):
                name = statement.parts.get("name") if hasattr(statement, "parts") else None
                if name is not None:
                    sql[str(name).strip('"')] = str(statement)
    return sql


def restore_indexes(cursor, path: Path, quiet: bool) -> int:
    """Rebuild the indexes a load dropped (its file of definitions), then remove the file."""
    if not path.exists():
        return 0
    from django.db import connection

    statements = [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    if connection.in_atomic_block:  # a caller's transaction (a test): its rows' key checks first, or no index
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    cursor.execute("SET maintenance_work_mem = '512MB'")
    for statement in statements:
        name = statement.split(" ON ", 1)[0].split()[-1].strip('"')  # CREATE [UNIQUE] INDEX name ON …
        cursor.execute(
            "SELECT 1 FROM pg_class WHERE relname = %s AND relnamespace = current_schema()::regnamespace", [name]
        )
        if cursor.fetchone() is None:
            cursor.execute(statement)
            if not quiet:
                print(f"  重建索引 {name}", file=sys.stderr)
    cursor.execute("RESET maintenance_work_mem")
    path.unlink()
    return len(statements)


def foreign_key_orphans(cursor, table: Table, first_id: int) -> list[str]:
    """The foreign keys of ``table``'s rows from ``first_id`` on that point at no row (one anti-join each)."""
    from django.db import models

    bad = []
    db_table, pk = table.model._meta.db_table, table.model._meta.pk.column
    for f in table.model._meta.concrete_fields:
        if not isinstance(f, models.ForeignKey) or not f.db_constraint:
            continue
        target = f.related_model._meta.db_table
        target_column = f.target_field.column
        cursor.execute(
            f'SELECT 1 FROM "{db_table}" c WHERE c."{pk}" >= %s AND c."{f.column}" IS NOT NULL '  # noqa: S608
            f'AND NOT EXISTS (SELECT 1 FROM "{target}" p WHERE p."{target_column}" = c."{f.column}") LIMIT 1',
            [first_id],
        )
        if cursor.fetchone():
            bad.append(f"{db_table}.{f.column}")
    return bad


def raw_copy_baseline(tables: dict[str, Table]) -> dict:
    """The same rows (every copy just written) COPYed again, through a second connection, into scratch
    tables of the same columns with no index, constraint or trigger (``CREATE TABLE … (LIKE …)``); the
    rate of that write is the raw COPY rate of this server now. Scratch tables dropped after."""
    import psycopg
    from django.db import connection

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    reader = psycopg.connect(**params, autocommit=True)
    rows = 0
    seconds = 0.0
    try:
        with connection.cursor() as cursor:
            for i, table in enumerate(tables.values()):
                db_table, pk = table.model._meta.db_table, table.model._meta.pk.column
                scratch = f"bench_scratch_{i}"
                cursor.execute(f'DROP TABLE IF EXISTS "{scratch}"')
                cursor.execute(f'CREATE TABLE "{scratch}" (LIKE "{db_table}")')
                columns = ", ".join(f'"{c}"' for c in table.columns)
                source = f'COPY (SELECT {columns} FROM "{db_table}" WHERE "{pk}" >= {int(table.base)}) TO STDOUT'
                chunks = []
                with reader.cursor() as out, out.copy(source) as copy_out:
                    chunks = [bytes(block) for block in copy_out]
                started = time.perf_counter()
                with connection.connection.cursor() as pg, pg.copy(f'COPY "{scratch}" ({columns}) FROM STDIN') as copy:
                    for block in chunks:
                        copy.write(block)
                seconds += time.perf_counter() - started
                cursor.execute(f'SELECT count(*) FROM "{scratch}"')
                rows += cursor.fetchone()[0]
                cursor.execute(f'DROP TABLE "{scratch}"')
    finally:
        reader.close()
    return {"rows": rows, "seconds": round(seconds, 1), "rows_per_s": round(rows / max(seconds, 1e-9))}


def table_sizes(tables: dict[str, Table]) -> dict[str, dict]:
    """Rows and bytes (with indexes and TOAST) of each copied table, and bytes per row."""
    from django.db import connection

    sizes = {}
    with connection.cursor() as cursor:
        for label, table in tables.items():
            db_table = table.model._meta.db_table
            cursor.execute(f'SELECT count(*), pg_total_relation_size(\'"{db_table}"\') FROM "{db_table}"')  # noqa: S608
            n, size = cursor.fetchone()
            sizes[label] = {"rows": n, "bytes": size, "bytes_per_row": round(size / n) if n else None}
    return sizes
