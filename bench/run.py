"""Read side at 1×/10×/100× data, on SQLite and PostgreSQL, beside a yardstick measured in the same run.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale .venv/bin/python bench/run.py
    … bench/run.py --scales 10000 100000 1000000 --sweep-clocks 1000000 --routing 100000   # on demand
    … bench/run.py --engines sqlite,postgres --scales 1x 10x 100x --prepare   # both engines, one table

The database must hold the templates (``manage.py demo``; ``--prepare`` migrates and loads the demo into
an empty one); before each scale the run tops the cases and appeals up to that number with
``bench/generate.py`` (COPY on PostgreSQL, batched inserts on SQLite), so one database grows through
the scales. A scale is a number of cases and of appeals each, or ``N x``: N times the demo's templates
(1x = the demo as loaded, about 4,600 applications and 2,500 appeals; 10x = ten times as many of each).
At each scale it times, as the users who read them, through the whole
Django stack (``django.test.Client``, in process: middleware, session, view, template):

* the leader dashboards — cases, hotline, ratings, credit, inspections, projects, policies, supervision —
  and the lists they open (overdue cases and appeals, drill rows, hotspots, the ratings list, …);
* the workbench queues (cases handling, verifications, extensions, counter, delivery and help; hotline
  handler and 办不成事; rectifications and their review; urges, repairs, clues, inspection tasks,
  project issues; the workbench and inbox themselves) and the dispatch queue;
* the public lookups (case status by number and code, appeal tracking by code);

p50 and p95 of ``--repeat`` requests each (after one warm-up), with what is steadier than a
wall-clock time on a shared machine: the CPU time of this process per request (the Django side;
the database's work shows as the difference), the queries per request, and memory — the peak RSS of
the process while it serves the page (Linux: the high-water mark is reset before each page) and the
peak of Python's allocations for one request (``tracemalloc``). A page that fails on an engine is
shown with its status and the error's type (skipped, not timed). ``--no-generate`` measures the
database as it is, at the scale it holds; ``--pages`` picks pages by part of their label;
``--slowest N`` prints each page's N slowest statements. Once, at the largest scale:

* the deadline sweep (``workdays.clocks_sweep``) with ``--sweep-clocks`` extra running clocks
  (copies of the open ones, same owners and due days, so the sweep checks them all and changes
  none; removed afterwards);
* routing training (``hotline.services.routing_model_train``) on the history there is.

The yardsticks, measured in the same run on the same database server or file:

* PostgreSQL: ``pgbench -i -s 10`` in a scratch database, then ``pgbench -T 20 -c 8``; every latency is
  printed with its ratio to pgbench's mean transaction latency;
* SQLite (no pgbench): a raw loop on the same file through the same connection — one INSERT and its
  COMMIT per transaction into a scratch table (dropped after) — whose mean latency each page's is
  divided by; beside it, a raw SELECT of a case by primary key;
* both engines: the same raw loops, so the two engines' yardsticks can be read side by side.

``--engines sqlite,postgres`` runs each engine in a process of its own (``--sqlite`` file,
``--postgres`` URL) and prints one table with both. Intake over HTTP is measured by the intake
benchmark and can be appended (``--intake-file`` with lines ``label<TAB>per second``), shown beside
pgbench's TPS.

The table is printed and written to ``bench/results/run-<time>.txt`` (not committed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from memory import peak_rss_mb, peak_rss_reset, rss_mb  # noqa: E402

# (label, kind, username or None, url or a callable building it). Users are the demo's.
PAGES = [
    ("cases leader dashboard", "dashboard", "luozhiqiang", "/cases/leader/"),
    ("hotline leader dashboard", "dashboard", "luozhiqiang", "/hotline/staff/dashboard/"),
    ("ratings targets", "dashboard", "luozhiqiang", "/ratings/supervision/targets/"),
    ("credit home", "dashboard", "luozhiqiang", "/credit/staff/"),
    ("inspections measures", "dashboard", "luozhiqiang", "/inspections/measures/"),
    ("projects measures", "dashboard", "luozhiqiang", "/projects/measures/"),
    ("policies measures", "dashboard", "luozhiqiang", "/policies/measures/"),
    ("supervision dashboard", "dashboard", "luozhiqiang", "/supervision/dashboard/"),
    ("cases overdue list", "dashboard", "luozhiqiang", "/cases/leader/overdue/"),
    ("cases drill rows", "dashboard", "luozhiqiang", "/cases/leader/rows/"),
    ("hotline overdue list", "dashboard", "luozhiqiang", "/hotline/staff/overdue/"),
    ("hotline hotspots", "dashboard", "luozhiqiang", "/hotline/staff/hotspots/"),
    ("ratings list", "dashboard", "luozhiqiang", "/ratings/staff/ratings/"),
    ("licences figures", "dashboard", "luozhiqiang", "/licences/staff/figures/"),
    ("catalog targets", "dashboard", "luozhiqiang", "/services/staff/targets/"),
    ("projects at risk", "dashboard", "luozhiqiang", "/projects/at-risk/"),
    ("supervision indicators", "dashboard", "luozhiqiang", "/supervision/indicators/"),
    ("supervision assessment", "dashboard", "luozhiqiang", "/supervision/assessment/"),
    ("supervision tasks", "dashboard", "luozhiqiang", "/supervision/tasks/"),
    ("cases handling queue", "queue", "xuemei", "/cases/handling/"),
    ("cases verifications queue", "queue", "xuemei", "/cases/handling/verifications/"),
    ("cases extensions queue", "queue", "luozhiqiang", "/cases/handling/extensions/"),
    ("cases counter queue", "queue", "liufang", "/cases/counter/"),
    ("cases delivery desk", "queue", "liufang", "/cases/counter/delivery/"),
    ("cases help queue", "queue", "liufang", "/cases/help/queue/"),
    ("hotline handler queue", "queue", "jiangtao", "/hotline/staff/queue/"),
    ("hotline unresolved register", "queue", "liufang", "/hotline/staff/unresolved/"),
    ("ratings rectification queue", "queue", "xuemei", "/ratings/staff/rectifications/"),
    ("ratings review queue", "queue", "gaojie", "/ratings/supervision/rectifications/"),
    ("supervision urges", "queue", "gaojie", "/supervision/urges/"),
    ("credit repairs queue", "queue", "xuemei", "/credit/staff/repairs/"),
    ("credit clues queue", "queue", "hejun", "/credit/staff/clues/"),
    ("inspections tasks", "queue", "hejun", "/inspections/tasks/"),
    ("projects issues", "queue", "xuemei", "/projects/issues/"),
    ("staff workbench", "queue", "xuemei", "/workbench/"),
    ("inbox", "queue", "xuemei", "/inbox/"),
    ("hotline dispatch queue", "queue", "guoting", "/hotline/staff/dispatch/"),
    ("public case status", "public", None, "case_status"),
    ("public appeal tracking", "public", None, "appeal_track"),
    # the public lists: the replies column (all, one category, a search), the figures the public sees
    ("public hotline home", "public", None, "/hotline/"),
    ("public replies column", "public", None, "/hotline/public/"),
    ("public replies, a category", "public", None, "replies_category"),
    ("public replies, a search", "public", None, "/hotline/public/?q=%E8%B7%AF%E7%81%AF"),
    ("public unresolved summary", "public", None, "/hotline/unresolved/summary/"),
    ("public ratings", "public", None, "/ratings/"),
    ("public credit lists", "public", None, "/credit/"),
    ("public inspection results", "public", None, "/inspections/public/"),
    ("public catalog search", "public", None, "/services/?q=%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7"),
    ("public policies", "public", None, "/policies/"),
]
TARGET_MS = {"dashboard": 300, "queue": 100, "public": 100}


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--scales", nargs="+", default=["10000", "30000"], help="cases and appeals each, or Nx: N times the demo's"
    )
    parser.add_argument(
        "--no-generate", action="store_true", help="measure the database as it is (one scale: what it holds)"
    )
    parser.add_argument("--pages", nargs="+", help="only pages whose label contains one of these")
    parser.add_argument("--slowest", type=int, default=0, help="print each page's N slowest SQL statements")
    parser.add_argument("--no-sweep", action="store_true", help="leave out the deadline sweep")
    parser.add_argument(
        "--no-gc-freeze", action="store_true", help="keep the loaded heap in the collector (a worker without gc.freeze)"
    )
    parser.add_argument("--repeat", type=int, default=10)
    parser.add_argument("--sweep-clocks", type=int, default=20_000, help="extra running clocks for the sweep")
    parser.add_argument("--routing", type=int, default=0, help="time routing training at the first scale ≥ this")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument("--raw-loop", type=int, default=2000, help="transactions of the raw insert loop (yardstick)")
    parser.add_argument("--intake-file", help="lines 'label<TAB>per second' from the intake benchmark")
    parser.add_argument(
        "--engines",
        help="comma-separated: sqlite,postgres — each in its own process, one table (default: DATABASE_URL's)",
    )
    parser.add_argument("--sqlite", default=str(ROOT / "bench" / "results" / "scale.sqlite3"), help="SQLite file")
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/scale")
    )
    parser.add_argument("--prepare", action="store_true", help="migrate and load the demo into an empty database")
    parser.add_argument("--json", help=argparse.SUPPRESS)  # a child process's results (--engines)
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args(argv)


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


# --- the yardstick ------------------------------------------------------------------------------


def pgbench(database_url: str, seconds: int) -> dict:
    """TPS and mean latency of pgbench's TPC-B-like run in a scratch database on the same server."""
    import psycopg

    parts = urlsplit(database_url)
    name = f"{parts.path.lstrip('/')}_pgbench"
    admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))
    try:
        subprocess.run(["pgbench", "-q", "-i", "-s", "10", url], check=True, capture_output=True)
        out = subprocess.run(
            ["pgbench", "-T", str(seconds), "-c", "8", "-j", "2", url], check=True, capture_output=True, text=True
        ).stdout
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    tps = float(re.search(r"tps = ([\d.]+)", out).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", out).group(1))
    return {"tps": tps, "latency_ms": latency}


def raw_loops(transactions: int) -> dict:
    """The same raw work on either engine, through this process's own connection to the database:
    ``transactions`` times one INSERT into a scratch table and its COMMIT (dropped after), then as many
    SELECTs of a case by primary key. Mean latency of each, in ms; inserts per second."""
    import random

    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    vendor = connection.vendor
    table = "bench_yardstick"
    key = "INTEGER PRIMARY KEY" if vendor == "sqlite" else "BIGSERIAL PRIMARY KEY"
    mark = "?" if vendor == "sqlite" else "%s"
    cursor = raw.cursor()
    try:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        cursor.execute(f"CREATE TABLE {table} (id {key}, n INTEGER NOT NULL, note TEXT NOT NULL)")
        raw.commit()
        started = time.perf_counter()
        for i in range(transactions):
            if vendor == "sqlite":
                cursor.execute("BEGIN IMMEDIATE")
            cursor.execute(f"INSERT INTO {table} (n, note) VALUES ({mark}, {mark})", (i, "办件"))  # noqa: S608
            raw.commit()
        insert_s = time.perf_counter() - started
        cursor.execute("SELECT MIN(id), MAX(id) FROM cases_case")
        low, high = cursor.fetchone()
        rng = random.Random(1)
        started = time.perf_counter()
        for _ in range(transactions):
            cursor.execute(f"SELECT * FROM cases_case WHERE id = {mark}", (rng.randint(low or 0, high or 0),))  # noqa: S608
            cursor.fetchall()
        select_s = time.perf_counter() - started
        raw.commit()
    finally:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
        raw.commit()
        cursor.close()
    return {
        "insert_ms": insert_s * 1000 / transactions,
        "insert_tps": transactions / insert_s,
        "select_ms": select_s * 1000 / transactions,
    }


# --- data ---------------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    from yiwang.cases.models import Case
    from yiwang.hotline.models import Appeal

    return {"cases": Case.objects.count(), "appeals": Appeal.objects.count()}


def template_counts() -> dict[str, int]:
    """The demo's cases and appeals the generator copies: those up to its recorded bounds, else all."""
    from yiwang.cases.models import Case
    from yiwang.core.models import AuditEvent
    from yiwang.hotline.models import Appeal

    first = AuditEvent.objects.filter(action="bench.templates").order_by("pk").first()
    if first is None:
        return counts()
    bounds = first.details["max_pk"]
    return {
        "cases": Case.objects.filter(pk__lte=bounds.get("cases.Case", 0)).count(),
        "appeals": Appeal.objects.filter(pk__lte=bounds.get("hotline.Appeal", 0)).count(),
    }


def scale_targets(scale: str, templates: dict[str, int]) -> dict[str, int]:
    """``"10000"`` → 10,000 cases and 10,000 appeals; ``"10x"`` → ten times the templates of each."""
    text = scale.strip().lower()
    if text.endswith(("x", "×")):
        factor = float(text[:-1])
        return {kind: round(factor * n) for kind, n in templates.items()}
    return {"cases": int(text), "appeals": int(text)}


def top_up(targets: dict[str, int]) -> dict:
    import generate

    have = counts()
    need_cases, need_appeals = max(0, targets["cases"] - have["cases"]), max(0, targets["appeals"] - have["appeals"])
    if not need_cases and not need_appeals:
        return {"load_seconds": 0.0, "rebuild_seconds": 0.0}
    return generate.main(["--cases", str(need_cases), "--appeals", str(need_appeals), "--quiet"])


# --- timing -------------------------------------------------------------------------------------


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, max(0, round(0.95 * len(ordered)) - 1))]
    return statistics.median(ordered), p95


def public_urls():
    """Lookups a citizen makes: a real case's number and query code, a published appeal's code."""
    from django.db.models import Count

    from yiwang.cases.models import Case
    from yiwang.hotline.models import Appeal, Category

    case = Case.objects.filter(parent__isnull=True).order_by("-pk").values("number", "verification_code").first()
    appeal = Appeal.objects.filter(public_consent=True).order_by("-pk").values_list("code", flat=True).first()
    rare = (
        Category.objects.filter(appeals__public_consent=True)
        .annotate(n=Count("appeals"))
        .order_by("n", "code")
        .values_list("code", flat=True)
        .first()
    )
    return {
        "case_status": f"/cases/status/?number={case['number']}&code={case['verification_code']}",
        "appeal_track": f"/hotline/track/?code={appeal}",
        # the rarest category with a public reply: the filter that reads furthest for its page
        "replies_category": f"/hotline/public/?category={rare}",
    }


class _GcClock:
    """Time spent in the garbage collector's full (generation 2) collections, per request."""

    def __init__(self):
        self.started = 0.0
        self.full_ms = 0.0

    def __call__(self, phase, info):
        if info.get("generation") != 2:
            return
        if phase == "start":
            self.started = time.perf_counter()
        else:
            self.full_ms += (time.perf_counter() - self.started) * 1000


def selected_pages(patterns: list[str] | None) -> list[tuple]:
    if not patterns:
        return PAGES
    return [page for page in PAGES if any(p.lower() in page[0].lower() for p in patterns)]


def time_pages(repeat: int, pages: list[tuple] | None = None, slowest: int = 0, freeze: bool = True) -> list[dict]:
    from django.core.signals import got_request_exception
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from yiwang.org.models import User

    generous = {"ip": "1000000/1m", "target": "1000000/1m"}
    limits = {"hotline.track": generous, "cases.status": generous}
    urls = public_urls()
    results = []
    errors: list[BaseException] = []

    def on_error(sender, request=None, **kwargs):  # a page that fails on this engine: why
        errors.append(sys.exc_info()[1])

    got_request_exception.connect(on_error, weak=False, dispatch_uid="bench-run-errors")
    with override_settings(YIWANG_RATELIMITS=limits):
        for label, kind, username, url in pages or PAGES:
            url = urls.get(url, url)
            client = Client(raise_request_exception=False)
            if username:
                user = User.objects.filter(username=username).first()
                if user is None:
                    results.append({"label": label, "kind": kind, "status": "no user"})
                    continue
                client.force_login(user)
            rss_before = rss_mb()
            reset = peak_rss_reset()
            errors.clear()
            first = client.get(url)
            if first.status_code == 302:  # an index page sends the user on to their own page
                url = first.url
                first = client.get(url)
            if first.status_code != 200:
                reason = f"{type(errors[-1]).__name__}: {str(errors[-1])[:160]}" if errors else ""
                results.append({"label": label, "kind": kind, "status": first.status_code, "reason": reason})
                continue
            if freeze:
                # As a gunicorn worker after its warm-up (deploy/gunicorn.conf.py, post_fork): what is
                # loaded so far is frozen, so a full collection scans only what requests create.
                gc.collect()
                gc.freeze()
            samples, cpu, full_gc = [], [], []
            gc_clock = _GcClock()
            gc.callbacks.append(gc_clock)
            try:
                for _ in range(repeat):
                    gc_clock.full_ms = 0.0
                    started, started_cpu = time.perf_counter(), time.process_time()
                    client.get(url)
                    samples.append((time.perf_counter() - started) * 1000)
                    cpu.append((time.process_time() - started_cpu) * 1000)
                    full_gc.append(gc_clock.full_ms)
            finally:
                gc.callbacks.remove(gc_clock)
            peak_rss = peak_rss_mb()
            # One more request, untimed: its statements and the peak of Python's allocations.
            tracemalloc.start()
            with CaptureQueriesContext(connection) as captured:
                client.get(url)
            _, heap_peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            p50, p95 = percentiles(samples)
            results.append(
                {
                    "label": label,
                    "kind": kind,
                    "status": 200,
                    "p50": p50,
                    "p95": p95,
                    "cpu": statistics.median(cpu),
                    "full_gc_ms": max(full_gc),
                    "queries": len(captured.captured_queries),
                    "sql_ms": sum(float(q["time"]) for q in captured.captured_queries) * 1000,
                    "rss_mb": peak_rss,
                    "rss_growth_mb": (peak_rss - rss_before) if reset else None,
                    "heap_mb": heap_peak / 2**20,
                }
            )
            ordered = sorted(captured.captured_queries, key=lambda q: -float(q["time"]))
            results[-1]["slowest"] = [(float(q["time"]) * 1000, q["sql"]) for q in ordered[:slowest]]
    return results


def time_sweep(extra: int) -> dict:
    """The daily sweep over every open clock, with ``extra`` copies of the open ones added (removed after)."""
    from django.db import connection, transaction

    from yiwang.workdays.models import Clock
    from yiwang.workdays.sweep import clocks_sweep, sweepable_clocks

    base = Clock.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    templates = list(sweepable_clocks().values_list("pk", flat=True))
    if extra and templates:
        columns = [f.column for f in Clock._meta.concrete_fields if f.column != "id"]
        names = ", ".join(f'"{c}"' for c in columns)
        open_sql, open_params = sweepable_clocks().values("pk").query.sql_with_params()
        with transaction.atomic(), connection.cursor() as cursor:
            # one statement on either engine: a recursive series (no generate_series on SQLite)
            cursor.execute(
                "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
                f"INSERT INTO workdays_clock ({names}) SELECT {names} FROM workdays_clock "  # noqa: S608
                f"JOIN g ON 1 = 1 WHERE id IN ({open_sql}) LIMIT %s",
                [extra // len(templates) + 1, *open_params, extra],
            )
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE workdays_clock")
    last = Clock.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # the copies: base < id ≤ last
    try:
        n = sweepable_clocks().count()
        started = time.perf_counter()
        report = clocks_sweep()
        seconds = time.perf_counter() - started
    finally:
        # the copies: nothing points at them (no pauses, no owner row points back), one statement
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM workdays_clock WHERE id > %s AND id <= %s", [base, last])
    return {"clocks": n, "seconds": seconds, "changed": report.changed, "failed": report.failed}


def time_routing() -> dict:
    from yiwang.hotline.models import Reply
    from yiwang.hotline.services import routing_model_train

    started = time.perf_counter()
    models = routing_model_train(actor=None, folds=None)
    return {
        "replied": Reply.objects.count(),
        "seconds": time.perf_counter() - started,
        "samples": {m.target: m.n_samples for m in models},
    }


# --- one engine ---------------------------------------------------------------------------------


def prepare(database_url: str) -> None:
    """--prepare: a missing PostgreSQL database is created; an empty database is migrated and given the demo."""
    from django.core.management import call_command
    from django.db import connection

    if connection.vendor == "postgresql":
        import psycopg

        parts = urlsplit(database_url)
        admin = urlunsplit((parts.scheme, parts.netloc, "/postgres", "", ""))
        with psycopg.connect(admin, autocommit=True) as conn:
            name = parts.path.lstrip("/")
            if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                conn.execute(f'CREATE DATABASE "{name}"')
    if "cases_case" in connection.introspection.table_names() and counts()["cases"]:
        return
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("demo", stdout=open(os.devnull, "w"))  # noqa: SIM115
    print(f"prepared {connection.vendor}: migrated, demo loaded in {time.perf_counter() - started:.0f} s", flush=True)


def database_url() -> str:
    from django.conf import settings
    from django.db import connection

    db = settings.DATABASES["default"]
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def measure(args) -> dict:
    """The whole run on the database of DATABASE_URL: yardsticks, then every scale's pages, sweep, routing."""
    from django.db import connection

    url = database_url()
    if args.prepare:
        prepare(url)
    vendor = connection.vendor
    result = {"engine": vendor, "database": url, "lines": [], "table": {}, "scales": [], "loads": {}}

    def say(text=""):
        print(f"[{vendor}] {text}" if text else "", flush=True)
        result["lines"].append(f"[{vendor}] {text}" if text else "")

    say(f"load average before the yardsticks: {load_average()}")
    raw = raw_loops(args.raw_loop)
    result["raw"] = raw
    say(
        f"raw loop, {args.raw_loop} × (INSERT + COMMIT): {raw['insert_tps']:.0f}/s, mean {raw['insert_ms']:.3f} ms;"
        f" SELECT a case by id: mean {raw['select_ms']:.3f} ms (load {load_average()})"
    )
    if vendor == "postgresql":
        yard = pgbench(url, args.pgbench_seconds)
        say(
            f"pgbench -s 10, -c 8, {args.pgbench_seconds} s: {yard['tps']:.0f} TPS, mean latency"
            f" {yard['latency_ms']:.2f} ms (load {load_average()})"
        )
        result["yard"] = {"name": "pgbench", **yard}
    else:  # no pgbench on SQLite: the raw INSERT + COMMIT loop on the same file is the transaction yardstick
        result["yard"] = {"name": "raw insert", "tps": raw["insert_tps"], "latency_ms": raw["insert_ms"]}
    yard = result["yard"]
    if args.intake_file:
        for row in Path(args.intake_file).read_text(encoding="utf-8").splitlines():
            if "\t" in row:
                label, rate = row.split("\t", 1)
                say(f"intake {label}: {float(rate):.1f}/s = {float(rate) / yard['tps']:.1%} of {yard['name']} TPS")
    pages = selected_pages(args.pages)
    templates = template_counts()
    scales = ["as is"] if args.no_generate else args.scales
    routing = None
    for scale in scales:
        summary = {} if args.no_generate else top_up(scale_targets(scale, templates))
        have = counts()
        say(
            f"scale {scale}: {have['cases']:,} cases, {have['appeals']:,} appeals "
            f"(generated in {summary.get('load_seconds', 0)} s, roll-ups rebuilt in {summary.get('rebuild_seconds', 0)} s)"
        )
        result["scales"].append({"label": scale, **have, "load_seconds": summary.get("load_seconds", 0)})
        for row in time_pages(args.repeat, pages, args.slowest, freeze=not args.no_gc_freeze):
            result["table"].setdefault(row["label"], {})[scale] = row
            if row.get("status") == 200:
                growth = "" if row["rss_growth_mb"] is None else f" (+{row['rss_growth_mb']:.0f})"
                say(
                    f"  {row['label']:32} p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms"
                    f"  cpu {row['cpu']:7.1f} ms  full gc ≤ {row['full_gc_ms']:5.0f} ms"
                    f"  {row['queries']:4d} queries ({row['sql_ms']:7.1f} ms)"
                    f"  rss peak {row['rss_mb']:6.0f} MB{growth}  heap peak {row['heap_mb']:6.1f} MB"
                )
                for ms, sql in row["slowest"]:
                    say(f"      {ms:8.1f} ms  {sql[:400]}")
            else:
                say(f"  {row['label']:32} HTTP {row.get('status')} — skipped {row.get('reason', '')}")
        result["loads"][scale] = load_average()
        if args.routing and have["appeals"] >= args.routing and routing is None:
            routing = time_routing()
            routing["load"] = load_average()
    say(f"process peak RSS over the run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if not args.no_sweep:
        sweep = time_sweep(args.sweep_clocks)
        say(
            f"deadline sweep: {sweep['clocks']:,} open clocks in {sweep['seconds']:.1f} s "
            f"({sweep['clocks'] / max(sweep['seconds'], 1e-9):,.0f}/s, {sweep['changed']} changed, {sweep['failed']} failed;"
            f" {yard['name']} {yard['tps']:.0f} TPS) (load {load_average()})"
        )
    if routing is not None:
        say(
            f"routing training: {routing['seconds']:.1f} s with {routing['replied']:,} replies in the history, "
            f"samples {routing['samples']} (load {routing['load']})"
        )
    return result


# --- report -------------------------------------------------------------------------------------


def report(results: list[dict], pages: list[tuple]) -> list[str]:
    """One table: a row per page, for each engine its p50/p95 at every scale and the last p95 over its yardstick."""
    lines = [""]
    cell = 19
    header = f"{'page':32}"
    for r in results:
        short = "sqlite" if r["engine"] == "sqlite" else "pg"
        header += "".join((short + " " + s["label"]).rjust(cell) for s in r["scales"])
        header += ("÷" + r["yard"]["name"]).rjust(13)
    lines.append(header + f"{'target':>8}")
    for label, kind, _, _ in pages:
        line, flags = f"{label:32}", []
        for r in results:
            last = None
            for s in r["scales"]:
                row = r["table"].get(label, {}).get(s["label"])
                if row is None or row.get("status") != 200:
                    line += f"{'(' + str(row and row.get('status')) + ')':>{cell}}"
                    continue
                line += f"{row['p50']:>{cell - 9}.1f}/{row['p95']:<8.1f}"
                last = row
            line += f"{last['p95'] / r['yard']['latency_ms']:>12.1f}×" if last else f"{'':>13}"
            if last:
                flags.append("ok" if last["p95"] < TARGET_MS[kind] else "OVER")
        lines.append(line + f"{TARGET_MS[kind]:>5} {'/'.join(flags)}")
    lines.append("scales (cases, appeals; generated in s):")
    for r in results:
        lines.append(
            f"  {r['engine']}: "
            + "; ".join(f"{s['label']} = {s['cases']:,}, {s['appeals']:,} ({s['load_seconds']} s)" for s in r["scales"])
        )
        yard = r["yard"]
        lines.append(
            f"  {r['engine']} yardstick: {yard['name']} {yard['tps']:.0f} TPS, mean {yard['latency_ms']:.3f} ms;"
            f" raw INSERT + COMMIT {r['raw']['insert_ms']:.3f} ms, raw SELECT by id {r['raw']['select_ms']:.3f} ms"
        )
        lines.append(
            f"  {r['engine']} load average after each scale: " + "; ".join(f"{k}: {v}" for k, v in r["loads"].items())
        )
    for r in results:
        for label, by_scale in r["table"].items():
            for scale, row in by_scale.items():
                if row.get("status") != 200:
                    lines.append(
                        f"  {r['engine']} skipped {label} @{scale}: HTTP {row.get('status')} {row.get('reason', '')}"
                    )
    return lines


def child_argv(argv: list[str]) -> list[str]:
    """The arguments of this run without --engines (a child runs one engine)."""
    out, skip = [], False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg == "--engines":
            skip = True
            continue
        if arg.startswith("--engines="):
            continue
        out.append(arg)
    return out


def run_engines(args) -> list[dict]:
    """Each engine in a process of its own (Django binds one database per process); their results."""
    import tempfile

    results = []
    for engine in [e.strip() for e in args.engines.split(",") if e.strip()]:
        if engine == "sqlite":
            url = f"sqlite:///{Path(args.sqlite).resolve()}"
            Path(args.sqlite).resolve().parent.mkdir(parents=True, exist_ok=True)
        elif engine in ("postgres", "postgresql"):
            url = args.postgres
        else:
            raise SystemExit(f"unknown engine {engine!r}: sqlite or postgres")
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            path = handle.name
        env = {**os.environ, "DATABASE_URL": url}
        command = [sys.executable, str(Path(__file__).resolve()), *child_argv(sys.argv[1:]), "--json", path]
        done = subprocess.run(command, env=env, check=False)
        text = Path(path).read_text(encoding="utf-8") if Path(path).exists() else ""
        Path(path).unlink(missing_ok=True)
        if done.returncode or not text:
            print(f"{engine}: the run failed (exit {done.returncode}); left out of the table", file=sys.stderr)
            continue
        results.append(json.loads(text))
    return results


def main():
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    started = dt.datetime.now(dt.UTC)
    if args.engines:
        results = run_engines(args)
    else:
        import django

        django.setup()
        from django.test.utils import setup_test_environment

        setup_test_environment()  # the test client's host is allowed; e-mail stays in memory
        results = [measure(args)]
        if args.json:
            Path(args.json).write_text(json.dumps(results[0], default=str), encoding="utf-8")
            return
    lines = [f"Yiwang read side — {started:%Y-%m-%d %H:%M} UTC, " + ", ".join(r["database"] for r in results)]
    for r in results:
        lines.extend(r["lines"])
    table = report(results, selected_pages(args.pages))
    for line in table:
        print(line)
    lines.extend(table)
    lines.append(f"load average at the end: {load_average()}")
    print(lines[-1])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"run-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
