"""Read side at 1×/10×/100× data, beside pgbench measured in the same run.

    DEBUG=1 DATABASE_URL=postgres://postgres@127.0.0.1:5432/scale .venv/bin/python bench/run.py
    … bench/run.py --scales 10000 100000 1000000 --sweep-clocks 1000000 --routing 100000   # on demand

PostgreSQL only. The database must hold the templates (``manage.py demo``); before each scale the
run tops the cases and appeals up to that number with ``bench/generate.py`` (COPY), so one database
grows through the scales. At each scale it times, as the users who read them, through the whole
Django stack (``django.test.Client``, in process: middleware, session, view, template):

* the leader dashboards — cases, hotline, ratings, credit, inspections, projects, policies, supervision;
* the workbench queues (cases handling, hotline handler, rectifications) and the dispatch queue;
* the public lookups (case status by number and code, appeal tracking by code);

p50 and p95 of ``--repeat`` requests each (after one warm-up). Once, at the largest scale:

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
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

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
    ("cases handling queue", "queue", "xuemei", "/cases/handling/"),
    ("hotline handler queue", "queue", "jiangtao", "/hotline/staff/queue/"),
    ("ratings rectification queue", "queue", "xuemei", "/ratings/staff/rectifications/"),
    ("hotline dispatch queue", "queue", "guoting", "/hotline/staff/dispatch/"),
    ("public case status", "public", None, "case_status"),
    ("public appeal tracking", "public", None, "appeal_track"),
]
TARGET_MS = {"dashboard": 300, "queue": 100, "public": 100}


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scales", type=int, nargs="+", default=[10_000, 30_000], help="cases and appeals each")
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


def time_pages(repeat: int) -> list[dict]:
    from django.test import Client, override_settings

    from yiwang.org.models import User

    generous = {"ip": "1000000/1m", "target": "1000000/1m"}
    limits = {"hotline.track": generous, "cases.status": generous}
    urls = public_urls()
    results = []
    with override_settings(YIWANG_RATELIMITS=limits):
        for label, kind, username, url in PAGES:
            url = urls.get(url, url)
            client = Client(raise_request_exception=False)
            if username:
                user = User.objects.filter(username=username).first()
                if user is None:
                    results.append({"label": label, "kind": kind, "status": "no user"})
                    continue
                client.force_login(user)
            first = client.get(url)
            if first.status_code == 302:  # an index page sends the user on to their own page
                url = first.url
                first = client.get(url)
            if first.status_code != 200:
                results.append({"label": label, "kind": kind, "status": first.status_code})
                continue
            samples = []
            for _ in range(repeat):
                started = time.perf_counter()
                client.get(url)
                samples.append((time.perf_counter() - started) * 1000)
            p50, p95 = percentiles(samples)
            results.append({"label": label, "kind": kind, "status": 200, "p50": p50, "p95": p95})
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
    for scale in args.scales:
        summary = top_up(scale)
        have = counts()
        say(
            f"scale {scale:,}: {have['cases']:,} cases, {have['appeals']:,} appeals "
            f"(generated in {summary.get('load_seconds', 0)} s, roll-ups rebuilt in {summary.get('rebuild_seconds', 0)} s)"
        )
        for row in time_pages(args.repeat):
            table.setdefault(row["label"], {})[scale] = row
            if row.get("status") == 200:
                say(f"  {row['label']:32} p50 {row['p50']:8.1f} ms  p95 {row['p95']:8.1f} ms")
            else:
                say(f"  {row['label']:32} HTTP {row.get('status')}")
        loads[scale] = load_average()
        if args.routing and scale >= args.routing and routing is None:
            routing = time_routing()
            routing["load"] = load_average()
    say()
    header = (
        f"{'page':32}" + "".join(f"{f'p50/p95 ms @{s:,}':>24}" for s in args.scales) + f"{'× pgbench':>11}{'target':>8}"
    )
    say(header)
    for label, kind, _, _ in PAGES:
        cells = []
        last = None
        for scale in args.scales:
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
    if args.sweep_clocks is not None:
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
