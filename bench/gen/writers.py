"""Writing the Copier's rows: COPY on PostgreSQL, batched inserts on SQLite."""

from __future__ import annotations

from .graph import Table

# --- writing: one transaction per chunk of rounds, the same rows on either engine -----------------

SQLITE_BATCH = 5_000  # rows per executemany


def write_copy(table: Table, rows) -> int:
    """PostgreSQL: one COPY of the rows into the table; returns how many."""
    from django.db import connection

    n = 0
    columns = ", ".join(f'"{c}"' for c in table.columns)
    sql = f'COPY "{table.model._meta.db_table}" ({columns}) FROM STDIN'
    with connection.connection.cursor() as pg, pg.copy(sql) as copy:
        for row in rows:
            copy.write_row(row)
            n += 1
    return n


def write_batches(table: Table, rows) -> int:
    """SQLite (no COPY): the rows by ``executemany`` in batches of SQLITE_BATCH, inside the caller's transaction."""
    from itertools import islice

    from django.db import connection

    n = 0
    columns = ", ".join(f'"{c}"' for c in table.columns)
    marks = ", ".join("?" * len(table.columns))
    sql = f'INSERT INTO "{table.model._meta.db_table}" ({columns}) VALUES ({marks})'  # noqa: S608
    raw = connection.connection  # the sqlite3 connection: Django's adapters (dates, decimals) apply
    rows = iter(rows)
    while batch := list(islice(rows, SQLITE_BATCH)):
        raw.executemany(sql, batch)
        n += len(batch)
    return n
