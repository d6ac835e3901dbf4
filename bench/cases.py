"""Submissions per second through the cases API, next to the raw database insert rate, on SQLite and PostgreSQL.

    DEBUG=1 .venv/bin/python bench/cases.py                  # both: temporary SQLite file + scratch PostgreSQL DB
    DEBUG=1 .venv/bin/python bench/cases.py --only sqlite --submissions 200
    DEBUG=1 .venv/bin/python bench/cases.py --postgres postgres://postgres@127.0.0.1:5432/postgres

Each backend runs in its own process (Django is set up once per process) on a database made for the
run: a SQLite file in a temporary directory, or a database created on the PostgreSQL server and
dropped afterwards. The child migrates, publishes one item through the catalog's services, then:

* API: POST /api/cases/cases with an ``Idempotency-Key`` per request, through the whole Django stack
  in-process (middleware, session auth, django-ninja, idempotency record, validation, the case, its
  materials, the intake clock, audit events and the outbox SMS — every write of a real submission);
* raw inserts into a scratch table of case-like rows on the same connection: one row per
  transaction (as each submission commits) and all rows in one transaction (the ceiling).

Prints figures; asserts nothing.
"""

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--submissions", type=int, default=300)
    parser.add_argument("--raw", type=int, default=2000, help="rows for the raw insert rate")
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--profile", action="store_true", help="print where the API time goes (cProfile)")
    return parser.parse_args()


# --- child: one backend ----------------------------------------------------------------------------


def child(args) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("SMS_BACKEND", "locmem")
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.test import Client

    from yiwang.catalog.services import items_publish_baseline
    from yiwang.core.identifiers import make_id_number
    from yiwang.org.models import Department, Membership, Region, Role, User

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    migrated = time.perf_counter() - started

    county = Region.objects.create(code="610326", name="眉县", level="county", path="610326/")
    department = Department.objects.create(
        code="admin-approval", name="眉县行政审批服务局", short_name="县行政审批服务局", region=county
    )
    admin = User.objects.create_superuser("bench-admin", password="Bench#2026admin")
    Membership.objects.create(user=admin, role=Role.ADMIN, region=county)
    citizen = User.objects.create_user("bench-citizen", password="Bench#2026citizen", display_name="王秀兰")
    Membership.objects.create(user=citizen, role=Role.CITIZEN)
    material = {
        "form": "original",
        "copies": 1,
        "required": True,
        "key": False,
        "deferrable": False,
        "pledge_replaceable": False,
        "licence_type": "",
        "blank_form": "",
        "sample": "",
        "note": "",
    }
    items_publish_baseline(
        elements_list=[
            {
                "code": "610326-XK-BENCH",
                "name": "食品经营许可（新办）",
                "kind": "licensing",
                "competent_department": department.code,
                "implementing_department": department.code,
                "level": "county",
                "audience": "both",
                "on_application": True,
                "legal_basis": "食品安全法",
                "conditions": "",
                "legal_days": 20,
                "promised_days": 10,
                "handling_type": "promised",
                "online_depth": 4,
                "visits_required": 0,
                "visits_reason": "",
                "fee_charged": False,
                "fee_description": "",
                "online_payment": False,
                "delivery_window": True,
                "delivery_post": True,
                "delivery_electronic": True,
                "where_to_apply": "",
                "when_to_apply": "",
                "consult_phone": "",
                "complaint_phone": "",
                "reform_mode": "",
                "pledge_allowed": False,
                "kiosk_available": False,
                "cross_region": False,
                "keywords": "",
                "materials": [
                    {**material, "code": "M01", "name": "申请书", "key": True},
                    {**material, "code": "M02", "name": "营业执照"},
                    {**material, "code": "M03", "name": "经营场所使用证明"},
                    {**material, "code": "M04", "name": "从业人员健康证明"},
                ],
                "form_fields": [{"key": "applicant_address", "label": "住址", "type": "text", "required": True}],
            }
        ],
        reason="bench",
        actor=admin,
    )

    client = Client()
    client.force_login(citizen)
    payload = {
        "item_code": "610326-XK-BENCH",
        "applicant": {"kind": "person", "name": "王秀兰", "phone": "13891712345"},
        "form_data": {"applicant_address": "眉县首善街道东关社区"},
        "delivery_method": "electronic",
    }
    from datetime import date

    ids = [
        make_id_number("610326", date(1960 + n % 40, 1 + n % 12, 1 + n % 28), f"{n % 999 + 1:03d}")
        for n in range(args.submissions)
    ]
    # Warm-up: first request imports and compiles what the rest reuse.
    client.post(
        "/api/cases/cases",
        {**payload, "applicant": {**payload["applicant"], "id_number": ids[0]}},
        content_type="application/json",
        headers={"Idempotency-Key": "warm-up"},
    )
    failures = 0
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
        profiler.enable()
    t0 = time.perf_counter()
    for n, id_number in enumerate(ids):
        body = {**payload, "applicant": {**payload["applicant"], "id_number": id_number}}
        response = client.post(
            "/api/cases/cases", body, content_type="application/json", headers={"Idempotency-Key": f"bench-{n}"}
        )
        failures += response.status_code != 201
    api_seconds = time.perf_counter() - t0
    if profiler is not None:
        import pstats

        profiler.disable()
        pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(25)
    # A retry storm: the same keys again are replayed, never inserted.
    t0 = time.perf_counter()
    for n, id_number in enumerate(ids[:100]):
        body = {**payload, "applicant": {**payload["applicant"], "id_number": id_number}}
        client.post(
            "/api/cases/cases", body, content_type="application/json", headers={"Idempotency-Key": f"bench-{n}"}
        )
    replay_seconds = time.perf_counter() - t0

    from yiwang.cases.models import Case

    cases = Case.objects.count()
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE bench_raw_case (id integer PRIMARY KEY, number varchar(24), title varchar(200), state varchar(24), "
            "submitted_at varchar(40), payload text)"
        )
    row = (
        "YW202603010000001",
        "食品经营许可（新办）",
        "submitted",
        "2026-03-01T10:00:00+08:00",
        '{"applicant_address": "眉县"}',
    )
    sql = "INSERT INTO bench_raw_case (id, number, title, state, submitted_at, payload) VALUES (%s, %s, %s, %s, %s, %s)"
    t0 = time.perf_counter()
    for n in range(args.raw):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, (n, *row))
    raw_each = time.perf_counter() - t0
    t0 = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.executemany(sql, [(args.raw + n, *row) for n in range(args.raw)])
    raw_batch = time.perf_counter() - t0

    print(
        f"RESULT {connection.vendor} migrate={migrated:.1f} api={args.submissions / api_seconds:.1f} "
        f"api_ms={api_seconds / args.submissions * 1000:.1f} replay={100 / replay_seconds:.1f} failures={failures} cases={cases} "
        f"raw_each={args.raw / raw_each:.0f} raw_batch={args.raw / raw_batch:.0f}",
        flush=True,
    )


# --- parent: scratch databases and the table -------------------------------------------------------


def run_child(url: str, args) -> dict | None:
    env = {**os.environ, "DATABASE_URL": url, "DEBUG": "1", "SMS_BACKEND": "locmem", "LOG_LEVEL": "WARNING"}
    command = [sys.executable, __file__, "--child", "1", "--submissions", str(args.submissions), "--raw", str(args.raw)]
    if args.profile:
        command.append("--profile")
    done = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    line = next((line for line in done.stdout.splitlines() if line.startswith("RESULT ")), None)
    if line is None or args.profile:
        print(done.stdout[-2000:], done.stderr[-6000:], file=sys.stderr)
    if line is None:
        return None
    parts = line.split()
    return {"vendor": parts[1], **{k: v for k, v in (p.split("=") for p in parts[2:])}}


def postgres_scratch(server_url: str):
    import psycopg

    name = f"yiwang_bench_cases_{os.getpid()}"
    parts = urlsplit(server_url)
    admin_url = urlunsplit(
        (
            parts.scheme.replace("postgres", "postgresql", 1) if parts.scheme == "postgres" else parts.scheme,
            parts.netloc,
            "/postgres",
            "",
            "",
        )
    )
    conn = psycopg.connect(admin_url, autocommit=True)
    conn.execute(f'CREATE DATABASE "{name}"')
    conn.close()
    return name, urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", "")), admin_url


def postgres_drop(name: str, admin_url: str) -> None:
    import psycopg

    conn = psycopg.connect(admin_url, autocommit=True)
    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    conn.close()


def main() -> None:
    args = parse_args()
    if args.child:
        child(args)
        return
    results = []
    if args.only in (None, "sqlite"):
        with tempfile.TemporaryDirectory() as tmp:
            print("SQLite: migrating a temporary database and submitting…", flush=True)
            results.append(run_child(f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", args))
    if args.only in (None, "postgres"):
        try:
            name, url, admin_url = postgres_scratch(args.postgres)
        except Exception as exc:
            print(f"PostgreSQL skipped: cannot create a scratch database on {args.postgres} ({exc})")
        else:
            print(f"PostgreSQL: scratch database {name}…", flush=True)
            try:
                results.append(run_child(url, args))
            finally:
                postgres_drop(name, admin_url)
    print()
    print(f"Cases API: {args.submissions} submissions (Idempotency-Key each), raw: {args.raw} rows")
    header = f"{'database':<12}{'API subm/s':>12}{'ms/subm':>10}{'replays/s':>11}{'raw rows/s (1 per txn)':>24}{'raw rows/s (1 txn)':>20}"
    print(header)
    print("-" * len(header))
    for r in results:
        if r is None:
            print("(a run failed; see the output above)")
            continue
        print(
            f"{r['vendor']:<12}{float(r['api']):>12.1f}{float(r['api_ms']):>10.1f}{float(r['replay']):>11.1f}"
            f"{int(r['raw_each']):>24}{int(r['raw_batch']):>20}"
            + (f"   ({r['failures']} failed)" if r["failures"] != "0" else "")
        )


if __name__ == "__main__":
    main()
