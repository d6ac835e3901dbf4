"""Read side at 1×/10×/100× data, beside pgbench measured in the same run.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale .venv/bin/python bench/run.py
    … bench/run.py --scales 10000 100000 1000000 --sweep-clocks 1000000 --routing 100000   # on demand

PostgreSQL only. The database must hold the templates (``manage.py demo``); before each scale the
run tops the cases and appeals up to that number with ``bench/generate.py`` (COPY), so one database
grows through the scales. At each scale it times, as the users who read them, through the whole
Django stack (``django.test.Client``, in process: middleware, session, view, template):

* the leader dashboards — cases, hotline, ratings, credit, inspections, projects, policies, supervision —
  and the lists they open (overdue cases and appeals, drill rows, hotspots, the ratings list, …);
* the workbench queues (cases handling, verifications, extensions, counter, delivery and help; hotline
  handler and 办不成事; rectifications and their review; urges, repairs, clues, inspection tasks,
  project issues; the workbench and inbox themselves) and the dispatch queue;
* the public lookups (case status by number and code, appeal tracking by code);

p50 and p95 of ``--repeat`` requests each (after one warm-up), with what is steadier than a
wall-clock time on a shared machine: the CPU time of this process per request (the Django side;
PostgreSQL's work shows as the difference), the queries per request, and memory — the peak RSS of
the process while it serves the page (Linux: the high-water mark is reset before each page) and the
peak of Python's allocations for one request (``tracemalloc``). ``--no-generate`` measures the
database as it is, at the scale it holds; ``--pages`` picks pages by part of their label;
``--slowest N`` prints each page's N slowest statements. Once, at the largest scale:

* the deadline sweep (``workdays.clocks_sweep``) with ``--sweep-clocks`` extra running clocks
  (copies of the open ones, same owners and due days, so the sweep checks them all and changes
  none; removed afterwards);
* routing training (``hotline.services.routing_model_train``) on the history there is.

The yardstick: ``pgbench -i -s 10`` in a scratch database, then ``pgbench -T 20 -c 8`` in the same
run; every latency is printed with its ratio to pgbench's mean transaction latency. Intake over HTTP
is measured by the intake benchmark and can be appended (``--intake-file`` with lines
``label<TAB>per second``), shown beside pgbench's TPS.

The table is printed and written to ``bench/results/run-<time>.txt`` (not committed).
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
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
]
TARGET_MS = {"dashboard": 300, "queue": 100, "public": 100}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 30_000], help="cases and appeals each")
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
    parser.add_argument("--intake-file", help="lines 'label<TAB>per second' from the intake benchmark")
    parser.add_argument("--out", default=str(ROOT / "bench" / "results"))
    return parser.parse_args()


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


# --- data ---------------------------------------------------------------------------------------


def counts() -> dict[str, int]:
    from yiwang.cases.models import Case
    from yiwang.hotline.models import Appeal

    return {"cases": Case.objects.count(), "appeals": Appeal.objects.count()}


def top_up(scale: int) -> dict:
    import generate

    have = counts()
    need_cases, need_appeals = max(0, scale - have["cases"]), max(0, scale - have["appeals"])
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
    from yiwang.cases.models import Case
    from yiwang.hotline.models import Appeal

    case = Case.objects.filter(parent__isnull=True).order_by("-pk").values("number", "verification_code").first()
    appeal = Appeal.objects.filter(public_consent=True).order_by("-pk").values_list("code", flat=True).first()
    return {
        "case_status": f"/cases/status/?number={case['number']}&code={case['verification_code']}",
        "appeal_track": f"/hotline/track/?code={appeal}",
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
    from django.db import connection
    from django.test import Client, override_settings
    from django.test.utils import CaptureQueriesContext

    from yiwang.org.models import User

    generous = {"ip": "1000000/1m", "target": "1000000/1m"}
    limits = {"hotline.track": generous, "cases.status": generous}
    urls = public_urls()
    results = []
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
            first = client.get(url)
            if first.status_code == 302:  # an index page sends the user on to their own page
                url = first.url
                first = client.get(url)
            if first.status_code != 200:
                results.append({"label": label, "kind": kind, "status": first.status_code})
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
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO workdays_clock ({names}) SELECT {names} FROM workdays_clock "  # noqa: S608
                "JOIN generate_series(1, %s) g ON true WHERE id = ANY(%s) LIMIT %s",
                [extra // len(templates) + 1, templates, extra],
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


# --- report -------------------------------------------------------------------------------------


def main():
    args = parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    import django

    django.setup()
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_test_environment

    if connection.vendor != "postgresql":
        raise SystemExit("bench/run.py needs PostgreSQL: set DATABASE_URL")
    setup_test_environment()  # the test client's host is allowed; e-mail stays in memory
    settings_db = settings.DATABASES["default"]
    url = f"postgres://{settings_db['USER']}@{settings_db['HOST']}:{settings_db['PORT']}/{settings_db['NAME']}"
    lines = [f"Yiwang read side — {dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC, database {settings_db['NAME']}"]

    def say(text=""):
        print(text, flush=True)
        lines.append(text)

    say(f"load average before pgbench: {load_average()}")
    yard = pgbench(url, args.pgbench_seconds)
    say(
        f"pgbench -s 10, -c 8, {args.pgbench_seconds} s: {yard['tps']:.0f} TPS, mean latency {yard['latency_ms']:.2f} ms"
        f" (load {load_average()})"
    )
    if args.intake_file:
        for row in Path(args.intake_file).read_text(encoding="utf-8").splitlines():
            if "\t" in row:
                label, rate = row.split("\t", 1)
                say(f"intake {label}: {float(rate):.1f}/s = {float(rate) / yard['tps']:.1%} of pgbench TPS")
    table: dict[str, dict[int, dict]] = {}
    loads = {}
    routing = None
    pages = selected_pages(args.pages)
    scales = [max(counts().values())] if args.no_generate else args.scales
    for scale in scales:
        summary = top_up(scale) if not args.no_generate else {}
        have = counts()
        say(
            f"scale {scale:,}: {have['cases']:,} cases, {have['appeals']:,} appeals "
            f"(generated in {summary.get('load_seconds', 0)} s, roll-ups rebuilt in {summary.get('rebuild_seconds', 0)} s)"
        )
        for row in time_pages(args.repeat, pages, args.slowest, freeze=not args.no_gc_freeze):
            table.setdefault(row["label"], {})[scale] = row
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
                say(f"  {row['label']:32} HTTP {row.get('status')}")
        loads[scale] = load_average()
        if args.routing and scale >= args.routing and routing is None:
            routing = time_routing()
            routing["load"] = load_average()
    say()
    header = f"{'page':32}" + "".join(f"{f'p50/p95 ms @{s:,}':>24}" for s in scales) + f"{'× pgbench':>11}{'target':>8}"
    say(header)
    for label, kind, _, _ in pages:
        cells = []
        last = None
        for scale in scales:
            row = table.get(label, {}).get(scale)
            if row is None or row.get("status") != 200:
                cells.append(f"{'(' + str(row and row.get('status')) + ')':>24}")
                continue
            cells.append(f"{row['p50']:>11.1f}/{row['p95']:<11.1f}")
            last = row
        ratio = f"{last['p95'] / yard['latency_ms']:>11.1f}" if last else f"{'':>11}"
        flag = ("ok" if last and last["p95"] < TARGET_MS[kind] else "OVER") if last else ""
        say(f"{label:32}" + "".join(cells) + ratio + f"{TARGET_MS[kind]:>5} {flag}")
    say("load average after each scale: " + "; ".join(f"{s:,}: {v}" for s, v in loads.items()))
    say(f"process peak RSS over the run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")
    if not args.no_sweep:
        sweep = time_sweep(args.sweep_clocks)
        say(
            f"deadline sweep: {sweep['clocks']:,} open clocks in {sweep['seconds']:.1f} s "
            f"({sweep['clocks'] / max(sweep['seconds'], 1e-9):,.0f}/s, {sweep['changed']} changed, {sweep['failed']} failed;"
            f" pgbench {yard['tps']:.0f} TPS) (load {load_average()})"
        )
    if routing is not None:
        say(
            f"routing training: {routing['seconds']:.1f} s with {routing['replied']:,} replies in the history, "
            f"samples {routing['samples']} (load {routing['load']})"
        )
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"run-{dt.datetime.now(dt.UTC):%Y%m%d-%H%M%S}.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"written to {path}")


if __name__ == "__main__":
    main()
