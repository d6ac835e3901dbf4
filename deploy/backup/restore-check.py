"""Prove a backup restores: dump the database, restore it into a new one, compare, verify the audit chain.

    .venv/bin/python deploy/backup/restore-check.py postgres://postgres@127.0.0.1:5432/yiwang [--keep]

1. A transaction on the source exports its snapshot and counts the rows of every table in it; pg_dump
   dumps that very snapshot (``--snapshot``), so the counts are the dump's even while people keep writing.
2. A new database ``<name>_restore_<yyyymmddHHMMSS>`` is created and the dump restored into it (pg_restore,
   custom format, as the nightly backup writes it).
3. Every table's row count in the restored database must equal the snapshot's, and the table lists too.
4. ``manage.py audit verify`` recomputes every SM3 hash chain on the restored database.
5. The restored database is dropped unless ``--keep``; the dump file is kept beside the report.

Exit status 0 only if everything matched and the audit chains verified. Run it monthly (docs/deploy.md).
"""

import argparse
import datetime as dt
import os
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

import psycopg
from psycopg import sql

BASE_DIR = Path(__file__).resolve().parents[2]
PG_BIN = Path(os.environ.get("PG_BIN", "/usr/lib/postgresql/15/bin"))


def _with_database(url: str, name: str) -> str:
    parts = urllib.parse.urlsplit(url)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _tables(db) -> list[str]:
    rows = db.execute(
        "SELECT quote_ident(schemaname) || '.' || quote_ident(tablename) FROM pg_tables "
        "WHERE schemaname NOT IN ('pg_catalog', 'information_schema') ORDER BY 1"
    ).fetchall()
    return [name for (name,) in rows]


def _counts(db) -> dict[str, int]:
    return {
        table: db.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.SQL(table))).fetchone()[0]
        for table in _tables(db)
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", help="postgres://user@host:5432/name — PostgreSQL itself, not pgbouncer")
    parser.add_argument("--dump-dir", default=str(Path.cwd()), help="where the dump file is written")
    parser.add_argument("--keep", action="store_true", help="keep the restored database")
    args = parser.parse_args()

    source_name = urllib.parse.urlsplit(args.source).path.lstrip("/")
    stamp = dt.datetime.now().strftime("%Y%m%d%H%M%S")
    target_name = f"{source_name}_restore_{stamp}"
    target = _with_database(args.source, target_name)
    dump = Path(args.dump_dir) / f"{source_name}-{stamp}.dump"

    started = time.monotonic()
    with psycopg.connect(args.source) as snapshot_db:
        snapshot_db.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        snapshot = snapshot_db.execute("SELECT pg_export_snapshot()").fetchone()[0]
        expected = _counts(snapshot_db)
        subprocess.run(  # noqa: S603 (the operator's own database URL)
            [PG_BIN / "pg_dump", "-Fc", "--snapshot", snapshot, "-f", dump, args.source],
            check=True,
        )
        snapshot_db.rollback()
    dumped = time.monotonic()
    print(f"dump: {dump} ({dump.stat().st_size / 1e6:.1f} MB, {dumped - started:.1f} s)")

    with psycopg.connect(_with_database(args.source, "postgres"), autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(target_name)))
    try:
        subprocess.run(  # noqa: S603 (the operator's own database URL)
            [PG_BIN / "pg_restore", "--no-owner", "--exit-on-error", "-d", target, dump],
            check=True,
        )
        restored = time.monotonic()
        print(f"restore into {target_name}: {restored - dumped:.1f} s")

        with psycopg.connect(target) as db:
            actual = _counts(db)
        problems = []
        if set(actual) != set(expected):
            problems.append(f"tables differ: missing {sorted(set(expected) - set(actual))}, "
                            f"extra {sorted(set(actual) - set(expected))}")  # fmt: skip
        for table in sorted(set(expected) & set(actual)):
            if expected[table] != actual[table]:
                problems.append(f"{table}: {expected[table]} rows in the snapshot, {actual[table]} restored")
        print(f"row counts: {len(expected)} tables, {sum(expected.values())} rows in the snapshot, "
              f"{sum(actual.values())} restored, {len(problems)} differences")  # fmt: skip
        for problem in problems:
            print(f"  MISMATCH {problem}")

        env = {**os.environ, "DATABASE_URL": target}
        env.pop("DATABASE_REPLICA_URL", None)
        env.setdefault("DEBUG", "1")
        verify = subprocess.run(  # noqa: S603 (the operator's own database URL)
            [sys.executable, str(BASE_DIR / "manage.py"), "audit", "verify"],
            env=env,
            cwd=BASE_DIR,
            capture_output=True,
            text=True,
        )
        print(f"audit verify on the restored database: {(verify.stdout + verify.stderr).strip()}")
        ok = not problems and verify.returncode == 0
        print(f"restore check {'PASSED' if ok else 'FAILED'} in {time.monotonic() - started:.1f} s")
        return 0 if ok else 1
    finally:
        if not args.keep:
            with psycopg.connect(_with_database(args.source, "postgres"), autocommit=True) as admin:
                admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(target_name)))


if __name__ == "__main__":
    sys.exit(main())
