"""Province-scale data: millions of cases and appeals (with everything that hangs off them) by COPY.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale manage.py migrate
    DEBUG=1 DATABASE_URL=… .venv/bin/python manage.py demo                # the templates (once)
    DEBUG=1 DATABASE_URL=… .venv/bin/python bench/generate.py --cases 1000000 --appeals 1000000

On PostgreSQL the rows are written by COPY; on SQLite (the app's default engine) the same rows by
``executemany`` in batches, one transaction per chunk of rounds as on PostgreSQL. The rows are copies of the database's own cases and appeals — on a fresh database
those of ``manage.py demo``, every one written through the services — so each generated row obeys
the services' rules by construction: its state was reached through the workflow, its timestamps are
in order, its clocks, pauses, dispatches, returns, extensions, replies, revisits, materials,
corrections, pledges, ratings and rectifications agree with it. One *round* copies every template
once, shifted back by a whole number of weeks (weekdays, and so working days, keep their meaning);
rounds are spread over ``--weeks`` of history. A template still open (a case in handling, an appeal
not yet replied, a pledge still to be verified, anything with a running clock) is copied only in rounds
that are not shifted: open work stays recent and bounded, as in a real county, and history grows. A share
of the rounds (``--live-share``) is unshifted, but never more than ``--live-rounds`` in the database
(earlier runs' included, as their audited events record them): the open work follows the daily intake,
not the length of the history, so a 10 M database has the same queues to work through as a 1 M one.

What is copied is found from the models: the roots (``cases.Case``, ``hotline.Appeal``) and every
model of the cases, hotline and ratings apps that points at one of them, directly or through
another copied row, plus the working-day clocks and their pauses those rows own or point at
(``workdays.Clock`` by its foreign keys and by its owner, ``content_type`` + ``object_id``).
Foreign keys to copied rows are remapped to the copy of the same round; foreign keys elsewhere
(regions, departments, items, users, halls) keep their value. Unique text columns (case numbers,
appeal codes, submission keys) get new values; the copies of one round share the template's
personal data (encrypted at rest, as stored).

Audit: none of the copied acts is audited one by one. The audit log records acts when they happen,
chained in that order, with the time they were recorded; a generated history did not happen now,
and back-dated events would misstate the log. The run is recorded instead as one audited event
(``bench.generated``: counts, templates, seed, weeks), as a data import would be, and the chain
still verifies (``manage.py audit verify``).

Each chunk of rounds is one transaction (one COPY per table; foreign keys checked at commit), so an
interrupted run leaves whole rounds. Afterwards the id sequences are moved past the copies, the
tables analysed and the monthly roll-ups rebuilt (``measures rebuild``, timed).

PostgreSQL bulk load: the session writes with ``synchronous_commit = off`` (a crash may lose the last
chunk, a whole round, never part of one). A table whose load at least doubles it has its secondary
indexes (neither primary nor unique, backing no constraint: foreign-key btrees, trigram GINs, partial
indexes) dropped before the load and rebuilt after, from their own definitions (``pg_get_indexdef``),
written first to ``bench/results/dropped-indexes-<database>.sql`` so that a run interrupted before
the rebuild rebuilds them when it is next started; the rebuilt ``pg_indexes`` must equal what there
was before, or the run fails. Unique indexes and constraints stay. ``--trust-keys`` (a superuser)
turns off the per-row foreign-key triggers for the load and checks each chunk's keys instead by one
anti-join per foreign key before the chunk commits. ``--baseline`` then COPYs the same rows again into
scratch tables without indexes or constraints — the raw COPY rate of the server at that moment — and
prints rows and bytes per row of each table. ``--in-database`` has the server build the copies itself
(``bench/gen/in_database.py``: the templates in temporary tables, one ``INSERT … SELECT`` per table and chunk
of rounds): the same rows, the appeals' texts picked by a hash of the copy's id instead of the random stream.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


from bench.gen.copier import Copier  # noqa: E402
from bench.gen.graph import (  # noqa: E402, F401
    CLOCK_MODELS,
    DEPENDENT_APPS,
    NOT_COPIED,
    ROOT_MODELS,
    TEMPLATES_ACTION,
    Table,
    _label,
    assign_roots,
    copied_models,
    describe,
    eligible,
    load_templates,
    open_roots,
    template_bounds,
)
from bench.gen.postgres import (  # noqa: E402, F401
    INDEX_FILE,
    django_index_sql,
    foreign_key_orphans,
    index_snapshot,
    raw_copy_baseline,
    restore_indexes,
    secondary_indexes,
    table_sizes,
)
from bench.gen.texts import (  # noqa: E402, F401
    APPEAL_BODY_MAX,
    APPEAL_TEXT_SAMPLE,
    APPEAL_TEXT_TRAIN,
    APPEAL_TITLE_MAX,
    CLOSINGS,
    OPENINGS,
    PLACE,
    AppealTexts,
    Message,
    appeal_texts,
    category_pools,
    prepare_message,
    read_messages,
)
from bench.gen.writers import SQLITE_BATCH, write_batches, write_copy  # noqa: E402, F401

# A live round carries the demo's open work: what a county whose daily intake is the demo's has open at
# once. More history is more weeks of that intake, not a busier county, so the open work stays what a few
# such rounds hold; 2 keeps the default 1 M build as it was (1 live round of its 434 with the default seed).
LIVE_ROUNDS = 2


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=100_000, help="cases to add (about; whole rounds)")
    parser.add_argument("--appeals", type=int, default=100_000, help="appeals to add (about; whole rounds)")
    parser.add_argument("--weeks", type=int, default=156, help="history spread over this many weeks back")
    parser.add_argument("--live-share", type=float, default=0.01, help="share of rounds not shifted (open work)")
    parser.add_argument(
        "--live-rounds",
        type=int,
        default=LIVE_ROUNDS,
        help="most rounds not shifted in the database, earlier runs' included (0: no cap, --live-share alone): "
        "open work follows the daily intake, not the history's length",
    )
    parser.add_argument("--chunk", type=int, default=50_000, help="roots per transaction")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--no-rebuild", action="store_true", help="skip the roll-up rebuild")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument(
        "--drop-indexes",
        choices=("auto", "always", "never"),
        default="auto",
        help="PostgreSQL: drop a table's secondary indexes during the load and rebuild them after "
        "(auto: when the load at least doubles the table)",
    )
    parser.add_argument(
        "--trust-keys",
        action="store_true",
        help="PostgreSQL (superuser): no per-row foreign-key triggers during the load; each chunk's keys are "
        "checked by one anti-join per foreign key before its commit instead",
    )
    parser.add_argument(
        "--as-before",
        action="store_true",
        help="PostgreSQL: the plain load (indexes kept, synchronous commit, per-row key triggers), to compare",
    )
    parser.add_argument(
        "--baseline",
        action="store_true",
        help="PostgreSQL: then COPY the same rows into unindexed scratch tables (the raw rate, dropped after)",
    )
    parser.add_argument(
        "--in-database",
        action="store_true",
        help="PostgreSQL: the server builds the copies (templates in temporary tables, one INSERT … SELECT per "
        "table and chunk of rounds) instead of rows built here and sent by COPY; the same rows, the appeals' "
        "texts picked by a hash of the copy's id",
    )
    parser.add_argument(
        "--appeal-texts",
        nargs="?",
        const="",
        default=None,
        metavar="DIR",
        help="real citizen messages for the appeals' texts (default DIR: ../shared/data; read at run time, never copied)",
    )
    parser.add_argument(
        "--appeal-texts-with-sample",
        action="store_true",
        help=f"also use {APPEAL_TEXT_SAMPLE} (held out by default: bench/routing.py tests the router on it)",
    )
    return parser.parse_args(argv)


def plan_rounds(rng, want: dict, per_round: dict, *, live_share: float, weeks: int, live_left: int | None):
    """The rounds of a run: (weeks shifted back, live?, root models copied). Each is shifted back a random
    whole number of weeks; a share (``live_share``) is not shifted (live) and carries the open work, up to
    ``live_left`` live rounds (None: no cap); a root model stops being copied when it has reached its number."""
    rounds: list[tuple[int, bool, frozenset]] = []
    made = dict.fromkeys(ROOT_MODELS, 0)
    live_left = float("inf") if live_left is None else max(0, live_left)
    while any(made[label] < want[label] for label in ROOT_MODELS):
        live = rng.random() < live_share and live_left > 0
        live_left -= live
        roots = frozenset(label for label in ROOT_MODELS if made[label] < want[label])
        rounds.append((0 if live else rng.randint(1, weeks), live, roots))
        for label in roots:
            made[label] += per_round[live][label]
    return rounds


def live_rounds_recorded() -> int:
    """Live rounds earlier runs wrote into this database (their audited ``bench.generated`` events; a run
    recorded before the count was kept counts none)."""
    from yiwang.core.models import AuditEvent

    events = AuditEvent.objects.filter(action="bench.generated").values_list("details", flat=True)
    return sum(int((details or {}).get("live_rounds", 0)) for details in events)


def generate(args) -> dict:
    from django.db import connection, transaction
    from tqdm import tqdm

    rng = random.Random(args.seed)
    models = copied_models()
    labels = {_label(m) for m in models}
    tables = {_label(m): describe(m, labels) for m in models}
    bounds = template_bounds(tables)
    with connection.cursor() as cursor:
        load_templates(tables, cursor, bounds)
    assign_roots(tables)
    live_roots = open_roots(tables)
    templates = {label: len(tables[label].ids) for label in ROOT_MODELS}
    plans = {True: eligible(tables, set()), False: eligible(tables, live_roots)}
    per_round = {live: {label: len(plans[live][label]) for label in ROOT_MODELS} for live in (True, False)}
    want = {"cases.Case": args.cases, "hotline.Appeal": args.appeals}
    for label in ROOT_MODELS:
        if want[label] > 0 and not per_round[False][label]:
            raise SystemExit(f"no finished {label} to copy ({templates}): load templates first (manage.py demo)")
    texts = appeal_texts(args, tables["hotline.Appeal"], args.seed + 1) if args.appeal_texts is not None else None
    copier = Copier(tables, plans, rewrite={"hotline.Appeal": texts} if texts else None)

    # ids of the copies start past everything there is
    with connection.cursor() as cursor:
        for table in tables.values():
            pk = table.model._meta.pk.column
            cursor.execute(f'SELECT COALESCE(MAX("{pk}"), 0) FROM "{table.model._meta.db_table}"')
            table.base = cursor.fetchone()[0] + 1

    live_left = args.live_rounds - live_rounds_recorded() if args.live_rounds > 0 else None
    rounds = plan_rounds(rng, want, per_round, live_share=args.live_share, weeks=args.weeks, live_left=live_left)
    postgres = connection.vendor == "postgresql"
    # the rows each table will get: its rows per round by root kind, summed over the rounds
    by_root = {
        live: {label: Counter(t.root_of[t.ids[p]][0] for p in plans[live][label]) for label, t in tables.items()}
        for live in (True, False)
    }
    expected = {
        label: sum(by_root[live][label][root] for _, live, roots in rounds for root in roots) for label in tables
    }
    dropped, index_seconds, before = [], 0.0, None
    index_file = Path(str(INDEX_FILE).format(name=connection.settings_dict["NAME"]))
    if postgres:
        with connection.cursor() as cursor:
            restore_indexes(cursor, index_file, args.quiet)  # a load interrupted before its rebuild
            if not args.as_before:
                cursor.execute("SET synchronous_commit = off")  # a crash may lose the last chunk: whole rounds
            db_tables = [t.model._meta.db_table for t in tables.values()]
            before = index_snapshot(cursor, db_tables)
            if args.drop_indexes != "never" and not args.as_before:
                grows = {
                    t.model._meta.db_table
                    for label, t in tables.items()
                    if args.drop_indexes == "always" or expected[label] >= max(1, t.base - 1)
                }
                known = django_index_sql([t.model for t in tables.values()])
                dropped = [
                    (table, name, known[name])
                    for table, name, _ in secondary_indexes(cursor, db_tables)
                    if table in grows and name in known
                ]
            if dropped:
                index_file.parent.mkdir(parents=True, exist_ok=True)
                index_file.write_text("".join(f"{row[2]};\n" for row in dropped), encoding="utf-8")
                outer = connection.in_atomic_block
                with transaction.atomic():
                    if outer:  # a caller's transaction (a test): its pending key checks first
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
                    for _, name, _ in dropped:
                        cursor.execute(f'DROP INDEX "{name}"')

    in_database = None
    if args.in_database:
        if not postgres:
            raise SystemExit("--in-database: PostgreSQL only")
        from bench.gen.in_database import InDatabaseCopier

        in_database = InDatabaseCopier(tables, plans, ROOT_MODELS, texts, (OPENINGS, CLOSINGS))
        with connection.cursor() as cursor:
            in_database.setup(cursor, rounds)

    written = defaultdict(int)
    made = sum(per_round[live][label] for _, live, roots in rounds for label in roots)
    bar = tqdm(total=made, unit="件", desc="生成办件与诉求", file=sys.stderr, disable=args.quiet or None)
    per_chunk = max(1, args.chunk // max(1, sum(per_round[False].values())))
    write = write_copy if postgres else write_batches
    started = time.perf_counter()
    numbered = list(enumerate(rounds))
    for first in range(0, len(numbered), per_chunk):
        chunk = numbered[first : first + per_chunk]
        # foreign keys are checked at commit (deferred on both engines), so the order of the tables is free
        with transaction.atomic():
            if postgres and args.trust_keys:
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL session_replication_role = replica")
            for label, table in tables.items():
                if in_database is not None:
                    with connection.cursor() as cursor:
                        written[label] += in_database.insert(cursor, label, chunk)
                else:
                    written[label] += write(table, copier.chunk_rows(label, chunk))
            if postgres and args.trust_keys:
                with connection.cursor() as cursor:
                    orphans = [
                        bad
                        for label, table in tables.items()
                        for bad in foreign_key_orphans(cursor, table, table.base + chunk[0][0] * copier.n[label])
                    ]
                if orphans:
                    raise RuntimeError(f"generated rows point at no row: {', '.join(orphans)}")
        bar.update(sum(per_round[live][label] for _, (_, live, roots) in chunk for label in roots))
    bar.close()
    load_seconds = time.perf_counter() - started
    if in_database is not None:
        with connection.cursor() as cursor:
            in_database.teardown(cursor)
        if texts is not None:
            texts.rewritten, texts.kept = in_database.rewritten, in_database.kept_texts

    if dropped:
        started_index = time.perf_counter()
        with connection.cursor() as cursor:
            restore_indexes(cursor, index_file, args.quiet)
            after = index_snapshot(cursor, [t.model._meta.db_table for t in tables.values()])
        index_seconds = time.perf_counter() - started_index
        if after != before:
            raise RuntimeError(f"indexes after the rebuild differ from before: {sorted(set(before) ^ set(after))}")
    if postgres:
        with connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")

    with connection.cursor() as cursor:
        for table in tables.values():
            db_table, pk = table.model._meta.db_table, table.model._meta.pk.column
            if connection.vendor == "postgresql":  # SQLite moves an AUTOINCREMENT past an explicit id itself
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('\"{db_table}\"', '{pk}'), "
                    f'GREATEST((SELECT COALESCE(MAX("{pk}"), 1) FROM "{db_table}"), 1))'
                )
            cursor.execute(f'ANALYZE "{db_table}"')
    return {
        "templates": templates,
        "rounds": len(rounds),
        "live_rounds": sum(1 for _, live, _ in rounds if live),
        "written": dict(written),
        "load_seconds": round(load_seconds, 1),
        "rows_per_s": round(sum(written.values()) / max(load_seconds, 1e-9)),
        "indexes_rebuilt": len(dropped),
        "index_seconds": round(index_seconds, 1),
        "appeal_texts": texts.summary() if texts else None,
        "tables": tables,
    }


def rebuild_rollups(quiet: bool) -> float:
    from django.core.management import call_command

    started = time.perf_counter()
    call_command("measures", "rebuild", stdout=sys.stderr if not quiet else open(os.devnull, "w"))  # noqa: SIM115
    return time.perf_counter() - started


def index_similar(quiet: bool) -> tuple[int, float]:
    """The similar pairs of the copied open and replied appeals (``hotline similar``): a copy starts
    unmarked, and a page scores unmarked appeals live until they are stored."""
    from tqdm import tqdm

    from yiwang.hotline import similar

    started = time.perf_counter()
    bar = None if quiet else tqdm(unit="件", desc="相似诉求", file=sys.stderr)

    def progress(done, total):
        bar.total, bar.n = total, done
        bar.refresh()

    marked = similar.index(progress=progress if bar is not None else None)
    if bar is not None:
        bar.close()
    return marked, time.perf_counter() - started


def record(summary: dict, args) -> None:
    from django.db import transaction

    from yiwang.core.audit import audit_record

    with transaction.atomic():
        audit_record(
            actor=None,
            action="bench.generated",
            details={
                "cases": args.cases,
                "appeals": args.appeals,
                "weeks": args.weeks,
                "seed": args.seed,
                "templates": summary["templates"],
                "rounds": summary["rounds"],
                "live_rounds": summary["live_rounds"],
                "written": summary["written"],
                "appeal_texts": summary.get("appeal_texts"),
            },
        )


def main(argv=None) -> dict:
    args = parse_args(argv)
    import django

    django.setup()
    from django.db import connection

    summary = generate(args)
    tables = summary.pop("tables")
    if not args.no_rebuild:
        summary["rebuild_seconds"] = round(rebuild_rollups(args.quiet), 1)
        marked, seconds = index_similar(args.quiet)
        summary["similar_marked"], summary["similar_seconds"] = marked, round(seconds, 1)
    record(summary, args)
    if args.baseline and connection.vendor == "postgresql":
        summary["baseline"] = raw_copy_baseline(tables)
        summary["sizes"] = table_sizes(tables)
    if not args.quiet:
        print(f"模板：{summary['templates']}；轮次 {summary['rounds']}（当前 {summary['live_rounds']}）")
        for label, n in sorted(summary["written"].items()):
            print(f"  {label:32} {n:>12,}")
        if summary.get("appeal_texts"):
            t = summary["appeal_texts"]
            print(
                f"诉求文本：真实留言 {t['messages']:,} 条（{'、'.join(t['files'])}）→ {t['rewritten']:,} 件副本；"
                f"沿用模板文本 {t['kept']:,} 件（类别无对应留言）"
            )
        print(
            f"写入 {summary['load_seconds']} s（{summary['rows_per_s']:,} 行/秒，{connection.vendor}）；"
            f"重建索引 {summary['indexes_rebuilt']} 个 {summary['index_seconds']} s；"
            f"重算统计 {summary.get('rebuild_seconds', '-')} s；"
            f"相似诉求 {summary.get('similar_marked', '-')} 件 {summary.get('similar_seconds', '-')} s"
            f"（负载 {' '.join(f'{x:.2f}' for x in os.getloadavg())}）"
        )
        if summary.get("baseline"):
            b = summary["baseline"]
            total = summary["load_seconds"] + summary["index_seconds"]
            rate = sum(summary["written"].values()) / max(total, 1e-9)
            print(
                f"基线：同样 {b['rows']:,} 行 COPY 进无索引的临时表 {b['seconds']} s（{b['rows_per_s']:,} 行/秒）；"
                f"生成含重建索引 {rate:,.0f} 行/秒 = 基线的 {rate / max(b['rows_per_s'], 1):.1%}"
            )
            for label, size in sorted(summary["sizes"].items(), key=lambda kv: -kv[1]["bytes"]):
                if size["rows"]:
                    print(
                        f"  {label:32} {size['rows']:>12,} 行 {size['bytes'] / 2**20:>10,.1f} MB {size['bytes_per_row']:>8,} B/行"
                    )
    return summary


if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    main()
