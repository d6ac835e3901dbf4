"""Response time of the leader dashboard with 1 million cases and 1 million appeals on PostgreSQL.

    DEBUG=1 .venv/bin/python bench/supervision.py
    DEBUG=1 .venv/bin/python bench/supervision.py --cases 1000000 --appeals 1000000 --postgres postgres://postgres@127.0.0.1:5432/postgres

The dashboard reads roll-ups (monthly facts), never the source rows. So the run generates the facts
1 M cases and 1 M appeals would produce — ``cases.applied``, ``cases.decided`` and ``cases.opening``;
``hotline.dispatched``, ``hotline.revisits``, ``hotline.replies`` — over 24 months, every department and
60 item keys, whose counts add up to exactly the requested numbers (bulk inserts into MonthlyFact).
As the raw baseline it also COPYs 1 M case-like and 1 M appeal-like rows into two scratch tables and
times the GROUP BY scan a dashboard without roll-ups would run over them, in the same run.

It migrates a scratch database created on the server (dropped afterwards), loads the county's
departments, imports the seed plan and the 18 indicators, then times (median of ``--repeat``):

* the dashboard selector computed afresh (``selectors.dashboard(fresh=True)``: 18 areas, measured
  sub-measures with monthly trends, task counts, overdue milestones, worst five), and reused within
  ``DASHBOARD_CACHE_SECONDS`` (县级默认值 60 s);
* ``GET /supervision/dashboard/`` through the whole Django stack as a leader (rendered page);
* ``GET /api/supervision/dashboard``;
* raw: one SQL aggregate over MonthlyFact for the same months (the floor of a roll-up read);
* raw: the scan of the 2 M source-like rows (what reading history would cost).

Prints figures with the ratio to the raw roll-up read; asserts nothing (target: under 300 ms).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--appeals", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    return parser.parse_args()


def scratch_url(base: str, name: str) -> str:
    parts = urlsplit(base)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


def admin_connection(base: str):
    import psycopg

    conn = psycopg.connect(base, autocommit=True)
    return conn


def median_ms(fn, repeat: int) -> float:
    fn()  # warm
    samples = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - t0) * 1000)
    return statistics.median(samples)


def split(total: int, parts: int, rng) -> list[int]:
    """``total`` split into ``parts`` non-negative integers with some spread (they sum exactly)."""
    weights = [rng.uniform(0.3, 1.7) for _ in range(parts)]
    scale = total / sum(weights)
    counts = [int(w * scale) for w in weights]
    for i in range(total - sum(counts)):
        counts[i % parts] += 1
    return counts


def generate_facts(county, departments, months, n_cases: int, n_appeals: int, rng) -> int:
    from yiwang.measures.models import MonthlyFact
    from yiwang.measures.services import region_codes

    code, county_code, town_code = region_codes(county)
    items = [f"610326-{i:04d}" for i in range(60)]
    rows = []

    def fact(metric, month, department, key, count, *values):
        row = MonthlyFact(
            metric=metric,
            month=month,
            region=county,
            region_code=code,
            county_code=county_code,
            town_code=town_code,
            department_id=department,
            key=key,
            count=count,
        )
        for column, value in zip(("v1", "v2", "v3", "v4", "v5", "v6"), values, strict=False):
            setattr(row, column, value)
        rows.append(row)

    # Cases: applied by channel, decided by item (on time, working days), 企业开办 (2 %) by working days.
    per_month = split(n_cases, len(months), rng)
    for month, month_total in zip(months, per_month, strict=True):
        per_item = split(month_total, len(items), rng)
        for index, (item, n) in enumerate(zip(items, per_item, strict=True)):
            department = departments[index % len(departments)]
            on_time = int(n * rng.uniform(0.93, 0.995))
            days = int(n * rng.uniform(2.0, 6.0))
            fact("cases.decided", month, department, item, n, on_time, days, n)
        for channel, share in (("online", 0.55), ("counter", 0.4), ("kiosk", 0.05)):
            n = int(month_total * share)
            fact(
                "cases.applied",
                month,
                departments[0],
                channel,
                n,
                int(n * 0.3),
                int(n * 0.5),
                int(n * 0.05),
                int(n * 0.03),
            )
        opening = int(month_total * 0.02)
        for key, share in (("0", 0.55), ("1", 0.35), ("2", 0.07), ("3", 0.03)):
            n = int(opening * share)
            fact("cases.opening", month, departments[0], key, n, n * 3600 * (int(key) * 8 + 3), n)
    # Appeals: dispatched, revisited and replied, per handling department.
    per_month = split(n_appeals, len(months), rng)
    for month, month_total in zip(months, per_month, strict=True):
        for department, n in zip(departments, split(month_total, len(departments), rng), strict=True):
            responded = int(n * rng.uniform(0.95, 1.0))
            fact("hotline.dispatched", month, department, "", n, responded, int(responded * 0.97))
            revisited = int(n * 0.8)
            fact(
                "hotline.revisits",
                month,
                department,
                "",
                revisited,
                int(revisited * 0.9),
                int(revisited * 0.93),
                int(revisited * 0.02),
            )
            fact("hotline.replies", month, department, "", n, int(n * 0.96))
    MonthlyFact.objects.bulk_create(rows, batch_size=5000)
    return len(rows)


def copy_raw_rows(connection, months, departments, n_cases: int, n_appeals: int, rng) -> None:
    """1 M case-like and 1 M appeal-like rows through COPY: the history the roll-ups stand for."""
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_cases, bench_appeals")
        cursor.execute("CREATE TABLE bench_cases (month date, department int, item text, workdays int, on_time bool)")
        cursor.execute("CREATE TABLE bench_appeals (month date, department int, resolved bool, satisfied bool)")
        raw = connection.connection
        with raw.cursor() as pg:
            with pg.copy("COPY bench_cases (month, department, item, workdays, on_time) FROM STDIN") as copy:
                for i in range(n_cases):
                    copy.write_row(
                        (
                            months[i % len(months)],
                            departments[i % len(departments)],
                            f"610326-{i % 60:04d}",
                            rng.randint(0, 12),
                            rng.random() < 0.96,
                        )
                    )
            with pg.copy("COPY bench_appeals (month, department, resolved, satisfied) FROM STDIN") as copy:
                for i in range(n_appeals):
                    copy.write_row(
                        (
                            months[i % len(months)],
                            departments[i % len(departments)],
                            rng.random() < 0.9,
                            rng.random() < 0.93,
                        )
                    )
        cursor.execute("ANALYZE bench_cases")
        cursor.execute("ANALYZE bench_appeals")
        cursor.execute("ANALYZE measures_monthlyfact")


def main():
    args = parse_args()
    import random

    name = f"yiwang_bench_supervision_{os.getpid()}"
    admin = admin_connection(args.postgres)
    admin.execute(f'CREATE DATABASE "{name}"')
    os.environ["DATABASE_URL"] = scratch_url(args.postgres, name)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("DEBUG", "1")
    try:
        import django

        django.setup()
        run(args, random.Random(2021))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.close()


def run(args, rng) -> None:
    import datetime as dt

    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from yiwang.measures.registry import months_between
    from yiwang.org import services as org_services
    from yiwang.org.models import Department, Membership, Region, Role, User
    from yiwang.supervision import selectors
    from yiwang.supervision.services.indicators import indicators_load
    from yiwang.supervision.services.plan import plan_import

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0)
    org_services.region_load_from_data(actor=None)
    org_services.department_load_from_data(actor=None)
    county = Region.objects.get(code="610326")
    leader, _ = User.objects.get_or_create(username="bench-leader", defaults={"display_name": "压测领导"})
    Membership.objects.get_or_create(user=leader, role=Role.LEADER, region=county)
    office, _ = User.objects.get_or_create(username="bench-office", defaults={"display_name": "压测督查室"})
    Membership.objects.get_or_create(
        user=office,
        role=Role.SUPERVISOR,
        region=county,
        department=Department.objects.get(code="government-inspection-office"),
    )
    plan_file = settings.SHARED_DIR / "seed" / "meixian-2021-business-environment-plan.txt"
    plan = plan_import(text=plan_file.read_text(encoding="utf-8"), actor=office).plan
    indicators_load()
    print(f"set-up (migrate, departments, plan, indicators): {time.perf_counter() - t0:.1f} s")

    today = dt.date.today()
    last = today.replace(day=1)
    first = (last - dt.timedelta(days=700)).replace(day=1)
    months = months_between(first, last)
    departments = list(Department.objects.filter(kind="government").order_by("pk").values_list("pk", flat=True))
    t0 = time.perf_counter()
    facts = generate_facts(county, departments, months, args.cases, args.appeals, rng)
    print(
        f"facts for {args.cases:,} cases and {args.appeals:,} appeals: {facts:,} MonthlyFact rows in {time.perf_counter() - t0:.1f} s"
    )
    t0 = time.perf_counter()
    copy_raw_rows(connection, months, departments, args.cases, args.appeals, rng)
    print(f"raw baseline rows: {args.cases + args.appeals:,} rows by COPY in {time.perf_counter() - t0:.1f} s")

    period = selectors.period_months(today=today)
    client = Client()
    client.force_login(leader)

    def selector():
        selectors.dashboard(plan=plan, months=period, fresh=True)

    def selector_cached():
        selectors.dashboard(plan=plan, months=period)

    def page():
        response = client.get("/supervision/dashboard/")
        assert response.status_code == 200, response.status_code

    def api():
        response = client.get("/api/supervision/dashboard")
        assert response.status_code == 200, response.status_code

    def raw_rollup():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT metric, month, sum(count), sum(v1), sum(v2) FROM measures_monthlyfact "
                "WHERE metric IN ('cases.decided', 'cases.opening', 'hotline.revisits', 'hotline.dispatched') "
                "AND month BETWEEN %s AND %s AND county_code = '610326' GROUP BY metric, month",
                [period[0], period[1]],
            )
            cursor.fetchall()

    def raw_scan():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT month, avg(workdays), avg(on_time::int) FROM bench_cases WHERE month BETWEEN %s AND %s GROUP BY month",
                [period[0], period[1]],
            )
            cursor.fetchall()
            cursor.execute(
                "SELECT month, avg(resolved::int), avg(satisfied::int) FROM bench_appeals WHERE month BETWEEN %s AND %s GROUP BY month",
                [period[0], period[1]],
            )
            cursor.fetchall()

    queries = []
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        selector()
    queries.append(len(captured.captured_queries))

    baseline = median_ms(raw_rollup, args.repeat)
    results = [
        ("raw SQL aggregate over the roll-ups (baseline)", baseline),
        ("dashboard selector, computed (roll-ups)", median_ms(selector, args.repeat)),
        ("dashboard selector, reused within 60 s", median_ms(selector_cached, args.repeat)),
        ("GET /supervision/dashboard/ (page, reused figures)", median_ms(page, args.repeat)),
        ("GET /api/supervision/dashboard (reused figures)", median_ms(api, args.repeat)),
        ("raw scan of 1 M cases + 1 M appeals (no roll-ups)", median_ms(raw_scan, max(3, args.repeat // 3))),
    ]
    print(
        f"\nPostgreSQL, {args.cases:,} cases and {args.appeals:,} appeals, period {period[0]:%Y-%m}–{period[1]:%Y-%m}; "
        f"the selector runs {queries[0]} queries"
    )
    print(f"{'measure':55} {'median ms':>10} {'× baseline':>11}")
    for label, ms in results:
        print(f"{label:55} {ms:10.1f} {ms / baseline:11.1f}")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_cases, bench_appeals")


if __name__ == "__main__":
    main()
