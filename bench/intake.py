"""Intake through HTTP next to the database's own speed: appeals and applications through gunicorn,
with pgbench's TPC-B rate measured in the same run as the yardstick.

    .venv/bin/python bench/intake.py [--seconds 15] [--workers N] [--prefix NAME]
        [--postgres postgres://postgres@127.0.0.1:5432/postgres]

On the PostgreSQL server it creates a scratch database (``<prefix>_intake_<pid>``), migrates it and seeds
the county (regions, departments, appeal categories, a trained router, one published service item, a
citizen with a signed-in session), then starts gunicorn with the production configuration
(``deploy/gunicorn.conf.py``: its worker count for this machine unless ``--workers``; ``DEBUG`` off,
the access log to a scratch file) on it and drives:

* the floor: ``POST /api/bench/floor``, a view of the bench's own (mounted only in the application this
  file builds) that reads the signed-in user and the JSON body through the same middleware stack and
  writes nothing: the framework's own rate on this machine, which no intake of one appeal a request
  can pass;
* appeals: ``POST /api/hotline/appeals`` (channel ``api``, an ``Idempotency-Key`` each) at 1 and 8 clients;
* appeals pushed in batches by a partner system: ``POST /api/hotline/appeals/batch`` (``--batch`` appeals a
  request, each with its own key, by the 12345 centre's account) at 1 and 8 clients; its rate is counted
  in appeals, its statements, commits and CPU per appeal;
* applications: ``POST /api/cases/cases`` (a new ID number each, an ``Idempotency-Key`` each) at 1 and 8;
* ``pgbench -i`` in a second scratch database and ``pgbench -T 20 -c 8`` (TPC-B) beside them.

As in production, a Redis broker and cache and one Celery worker with beat run beside gunicorn (outbox
drained in batches, audit events linked by the sequencer, online appeals' routing after commit, sessions
and rate limits in the cache); ``--eager`` runs without them (tasks in-process, on the request, the
cache in each process: the embedded default).

Each worker counts, per request, the SQL statements it sent, the transactions it committed (an
``atomic`` block's commit, or a write statement in autocommit) and the CPU time it spent on the request
(its thread's CPU clock), returned in response headers; the run also reads
``pg_stat_database.xact_commit`` before and after (every transaction, read-only ones included). CPU is
also counted per process group over each run (from /proc: gunicorn's master and workers, the Celery
worker with beat, Redis, the PostgreSQL backends serving the scratch database, this driver, and the
whole machine), divided by the requests served: a figure that the other load on the machine changes
far less than the rates. Prints a table with the ratio intake / pgbench and the load average; both
scratch databases are dropped at the end. Asserts nothing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
BENCH = Path(__file__).resolve().parent
PII_KEY = "8f1c2d3e4b5a69788796a5b4c3d2e1f00f1e2d3c4b5a69788796a5b4c3d2e1f0"
SECRET_KEY = "bench-intake-" + "k" * 50
CSRF = "BenchIntakeCsrfToken0123456789ab"  # 32 characters: an unmasked CSRF secret
ITEM_CODE = "610326-XK-BENCH"
TOWN = "610326105"


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=15.0, help="length of each intake run")
    parser.add_argument("--pgbench-seconds", type=int, default=20)
    parser.add_argument(
        "--postgres", default=os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
    )
    parser.add_argument("--prefix", default=os.environ.get("BENCH_DB_PREFIX", "scale_e3"))
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--batch", type=int, default=50, help="appeals per batch push (0: no batch runs)")
    parser.add_argument(
        "--drain-limit", type=float, default=180.0, help="longest wait for the worker to catch up after a run (s)"
    )
    parser.add_argument(
        "--workers", type=int, help="gunicorn workers (default: deploy/gunicorn.conf.py's for this machine)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the scratch databases")
    parser.add_argument("--eager", action="store_true", help="no broker and no worker: tasks run in-process")
    parser.add_argument("--seed-only", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--out", help="also write the table to this file")
    return parser.parse_args()


def server_env(url: str, broker: str | None = None) -> dict:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DEBUG": "0",
        "SECRET_KEY": SECRET_KEY,
        "PII_KEY": PII_KEY,
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SMS_BACKEND": "locmem",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": f"{ROOT}{os.pathsep}{BENCH}",
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("CACHE_URL", None)
    env.pop("REDIS_URL", None)
    if broker:
        # As in production (deploy/yiwang.env.example): the broker in Redis database 0, the cache
        # (rate limits, sessions) in database 1.
        env["CELERY_BROKER_URL"] = broker
        env["CACHE_URL"] = broker.rsplit("/", 1)[0] + "/1"
    return env


def start_worker(url: str, tmp: Path) -> tuple[list[subprocess.Popen], str]:
    """A Redis broker on a free port and one Celery worker with beat, as in production."""
    port = free_port()
    redis = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for(port)
    broker = f"redis://127.0.0.1:{port}/0"
    worker = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("celery")),
            "-A",
            "config",
            "worker",
            "-B",
            "--schedule",
            str(tmp / "beat-schedule"),
            "--concurrency",
            "1",
            "--loglevel",
            "WARNING",
        ],
        env=server_env(url, broker),
        cwd=ROOT,
        start_new_session=True,
    )
    return [worker, redis], broker


def stop(processes: list[subprocess.Popen]) -> None:
    for process in processes:
        if process.poll() is None:
            process.terminate()  # the master stops its own workers (a warm shutdown)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)


# --- seeding (a child process with Django set up on the scratch database) --------------------------


def seed(url: str) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from yiwang.catalog.services import items_publish_baseline
    from yiwang.org.models import Department, Membership, Role, User

    call_command("migrate", verbosity=0)
    sys.path.insert(0, str(BENCH))
    import hotline as hotline_bench  # bench/hotline.py: county, categories, a trained router

    hotline_bench.build_world()
    department = Department.objects.get(code="admin-approval")
    admin = User.objects.create_superuser("bench-admin", password="Bench#2026admin")
    Membership.objects.create(user=admin, role=Role.ADMIN, region=department.region)
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
    element = {
        "code": ITEM_CODE,
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
        ],
        "form_fields": [{"key": "applicant_address", "label": "住址", "type": "text", "required": True}],
    }
    items_publish_baseline(elements_list=[element], reason="bench", actor=admin)
    session = SessionStore()
    session[SESSION_KEY] = str(citizen.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = citizen.get_session_auth_hash()
    session.create()
    print(f"SESSION {session.session_key}", flush=True)
    operator = User.objects.get(username="bench-dispatcher")  # bench/hotline.py's: the 12345 centre
    session = SessionStore()
    session[SESSION_KEY] = str(operator.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = operator.get_session_auth_hash()
    session.create()
    print(f"OPERATOR {session.session_key}", flush=True)


# --- the WSGI application gunicorn runs: Django with a per-request query and commit count -----------


def counted_application():
    """``gunicorn 'intake:counted_application()'``: each response carries ``X-Bench-Queries``,
    ``X-Bench-Commits`` (this request's statements and committed transactions on this worker) and
    ``X-Bench-Cpu-Us`` (the CPU time of the thread that served it, up to its headers, in µs)."""
    import django

    django.setup(set_prefix=False)
    from django.core.wsgi import get_wsgi_application
    from django.db import connection
    from django.db.backends.base.base import BaseDatabaseWrapper
    from django.http import JsonResponse
    from django.urls import path
    from django.views.decorators.http import require_POST

    from config import urls

    @require_POST
    def floor(request):
        """The floor under any intake: a signed-in JSON POST through the same middleware stack (session,
        CSRF, user), its body parsed, nothing validated or written."""
        body = json.loads(request.body)
        return JsonResponse({"user": request.user.pk, "title": body.get("title", "")}, status=201)

    # Under /api/ as the intakes are: the session is written only when it changed (core.sessions).
    urls.urlpatterns.insert(0, path("api/bench/floor", floor))
    application = get_wsgi_application()
    counts = {"queries": 0, "commits": 0}
    writes = re.compile(r"\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
    original_commit = BaseDatabaseWrapper.commit

    def commit(self):
        counts["commits"] += 1
        return original_commit(self)

    BaseDatabaseWrapper.commit = commit

    def counter(execute, sql, params, many, context):
        counts["queries"] += 1
        if not context["connection"].in_atomic_block and writes.match(sql):
            counts["commits"] += 1  # autocommit: the statement is its own transaction
        return execute(sql, params, many, context)

    def app(environ, start_response):
        counts["queries"] = counts["commits"] = 0
        cpu0 = time.thread_time_ns()

        def start(status, headers, exc_info=None):
            headers = [
                *headers,
                ("X-Bench-Queries", str(counts["queries"])),
                ("X-Bench-Commits", str(counts["commits"])),
                ("X-Bench-Cpu-Us", str((time.thread_time_ns() - cpu0) // 1000)),
            ]
            return start_response(status, headers, exc_info)

        with connection.execute_wrapper(counter):
            # The body is produced inside the view; the headers go out after it (Django's response).
            return application(environ, start)

    return app


# --- driving -------------------------------------------------------------------------------------


def appeal_body(n: int) -> dict:
    towns = ["首善街道", "横渠镇", "槐芽镇", "汤峪镇", "常兴镇", "金渠镇"]
    return {
        "kind": "complaint",
        "channel": "api",
        "title": f"{towns[n % len(towns)]}通村路坑洼积水",
        "content": f"{towns[n % len(towns)]}第{n % 9 + 1}组通村路有多处坑洼，下雨后积水严重，车辆和行人通行困难，请尽快修补。",
        "town_code": TOWN,
        "contact_name": "王秀兰",
        "contact_phone": f"139{n % 100000000:08d}",
        "confirm_not_emergency": True,
    }


def batch_body(size: int):
    """A partner system's push of ``size`` appeals, each with its own key (the n-th batch's)."""

    def make(n: int) -> dict:
        appeals = [{**appeal_body(n * size + i), "key": f"bench-{os.getpid()}-{n}-{i}"} for i in range(size)]
        return {"appeals": appeals}

    return make


_id_numbers: list[str] = []


def case_body(n: int) -> dict:
    return {
        "item_code": ITEM_CODE,
        "applicant": {
            "kind": "person",
            "name": "王秀兰",
            "phone": "13891712345",
            "id_number": _id_numbers[n % len(_id_numbers)],
        },
        "form_data": {"applicant_address": "眉县首善街道东关社区"},
        "delivery_method": "electronic",
    }


def id_numbers(count: int) -> list[str]:
    """Valid GB 11643 numbers (check digit computed here, as the identifiers module does)."""
    weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
    checks = "10X98765432"
    out = []
    for n in range(count):
        birth = date(1950 + n % 50, 1 + n % 12, 1 + n % 28).strftime("%Y%m%d")
        body = f"610326{birth}{n % 999 + 1:03d}"
        out.append(body + checks[sum(int(c) * w for c, w in zip(body, weights, strict=True)) % 11])
    return out


class Driver:
    def __init__(self, port: int, session_key: str):
        self.port, self.session_key = port, session_key
        self.per_request = 1  # appeals a request registers (a batch push: its size)

    def post(self, conn: http.client.HTTPConnection, path: str, body: dict) -> tuple[int, int, int, float, int]:
        data = json.dumps(body, ensure_ascii=False).encode()
        headers = {
            "Content-Type": "application/json",
            "Cookie": f"sessionid={self.session_key}; csrftoken={CSRF}",
            "X-CSRFToken": CSRF,
            "Idempotency-Key": secrets.token_hex(16),
            "Host": "127.0.0.1",
        }
        t0 = time.perf_counter()
        conn.request("POST", path, body=data, headers=headers)
        response = conn.getresponse()
        content = response.read()
        elapsed = time.perf_counter() - t0
        if response.status not in (200, 201):
            raise RuntimeError(f"{path}: {response.status} {content[:300]!r}")
        if response.status == 200 and json.loads(content).get("created") != self.per_request:
            raise RuntimeError(f"{path}: not every appeal of the batch registered: {content[:300]!r}")
        return (
            response.status,
            int(response.getheader("X-Bench-Queries", "0")),
            int(response.getheader("X-Bench-Commits", "0")),
            elapsed,
            int(response.getheader("X-Bench-Cpu-Us", "0")),
        )

    def run(self, path: str, make_body, clients: int, seconds: float, offset: int) -> dict:
        stop = time.perf_counter() + seconds
        lock = threading.Lock()
        results: list[tuple[int, int, float, int]] = []
        errors: list[str] = []
        counter = [offset]

        def worker():
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
            while time.perf_counter() < stop:
                with lock:
                    n = counter[0]
                    counter[0] += 1
                try:
                    _, queries, commits, elapsed, cpu_us = self.post(conn, path, make_body(n))
                except Exception as exc:  # noqa: BLE001 — reported in the table
                    errors.append(str(exc)[:300])
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
                    if len(errors) > 20:
                        return
                    continue
                with lock:
                    results.append((queries, commits, elapsed, cpu_us))
            conn.close()

        threads = [threading.Thread(target=worker) for _ in range(clients)]
        t0 = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.perf_counter() - t0
        latencies = sorted(r[2] for r in results)
        per = self.per_request  # rates, statements, commits and CPU per appeal; latencies per request
        return {
            "wall": wall,
            "requests": len(results) * per,
            "rate": len(results) * per / wall if wall else 0.0,
            "queries": statistics.mean(r[0] for r in results) / per if results else 0,
            "commits": statistics.mean(r[1] for r in results) / per if results else 0,
            "cpu_ms": statistics.mean(r[3] for r in results) / 1000 / per if results else 0,
            "p50": latencies[len(latencies) // 2] * 1000 if latencies else 0,
            "p95": latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))] * 1000 if latencies else 0,
            "errors": errors,
            "next": counter[0],
        }


# --- PostgreSQL scratch databases -----------------------------------------------------------------


def admin_url(server_url: str) -> str:
    parts = urlsplit(server_url)
    scheme = "postgresql" if parts.scheme == "postgres" else parts.scheme
    return urlunsplit((scheme, parts.netloc, "/postgres", "", ""))


def db_url(server_url: str, name: str) -> str:
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", "", ""))


def sql(server_url: str, statement: str, database: str | None = None):
    import psycopg

    url = admin_url(server_url) if database is None else db_url(admin_url(server_url), database)
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(statement)
        return cursor.fetchall() if cursor.description else None


BACKLOG = {
    "audit": "SELECT count(*) FROM core_auditevent WHERE seq IS NULL",
    "sms": "SELECT count(*) FROM core_outboxmessage WHERE state = 'pending'",
    # Online appeals wait for their routing suggestion after the commit (the router suggests for each
    # of the bench's texts).
    "routing": "SELECT count(*) FROM hotline_appeal WHERE state = 'received' AND suggested_category_id IS NULL "
    "AND suggested_department_id IS NULL",
}


def backlog(server_url: str, name: str) -> dict[str, int]:
    """What the worker has still to do after the requests: audit events to link, SMS to send, online
    appeals to route."""
    return {label: int(sql(server_url, query, name)[0][0]) for label, query in BACKLOG.items()}


def drain(server_url: str, name: str, limit: float) -> tuple[float, dict[str, int]]:
    """Seconds until the worker has caught up with everything the run queued (or ``limit``), and what
    was left then."""
    t0 = time.perf_counter()
    while True:
        left = backlog(server_url, name)
        if not any(left.values()) or time.perf_counter() - t0 > limit:
            return time.perf_counter() - t0, left
        time.sleep(0.25)


def xact_commit(server_url: str, name: str) -> int:
    time.sleep(1.2)  # statistics reach pg_stat_database when a backend flushes them (≤ 1 s)
    rows = sql(server_url, f"SELECT xact_commit FROM pg_stat_database WHERE datname = '{name}'")
    return int(rows[0][0])


def pgbench(server_url: str, name: str, seconds: int) -> float:
    parts = urlsplit(server_url)
    base = ["-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 5432), "-U", parts.username or "postgres"]
    subprocess.run(["pgbench", "-i", "-q", *base, name], check=True, capture_output=True)
    done = subprocess.run(
        ["pgbench", *base, "-T", str(seconds), "-c", "8", "-j", "2", name], check=True, capture_output=True, text=True
    )
    match = re.search(r"tps = ([\d.]+) \((?:without|excluding)", done.stdout) or re.search(
        r"tps = ([\d.]+)", done.stdout
    )
    return float(match.group(1))


# --- CPU per process group, from /proc (Linux) -------------------------------------------------------

TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2 :].split()  # fields from the state on (the name may hold spaces)


def process_cpu(pid: int) -> float:
    """User + system CPU seconds of one process (0 if it is gone)."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / TICK if fields else 0.0


def session_pids(leader: int) -> list[int]:
    """Every process in the session ``leader`` started (``start_new_session``): gunicorn's master and
    its workers, Celery's worker, its pool process and beat."""
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            fields = _stat(int(entry))
            if fields and int(fields[3]) == leader:
                pids.append(int(entry))
    return pids


def machine_cpu() -> float:
    """Busy CPU seconds of the whole machine since boot (every process of everyone)."""
    try:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except OSError:
        return 0.0
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return (sum(values[:8]) - idle) / TICK


def cpu_snapshot(groups: dict[str, int], server_url: str, database: str) -> dict[str, dict[int, float]]:
    """CPU seconds per process, grouped: the sessions named in ``groups``, the PostgreSQL backends of
    ``database``, this driver and the machine."""
    snapshot = {label: {pid: process_cpu(pid) for pid in session_pids(leader)} for label, leader in groups.items()}
    try:
        rows = sql(server_url, f"SELECT pid FROM pg_stat_activity WHERE datname = '{database}'")
    except Exception:  # noqa: BLE001 — a remote server: its backends are not ours to read
        rows = []
    snapshot["postgres"] = {row[0]: process_cpu(row[0]) for row in rows}
    times = os.times()
    snapshot["driver"] = {0: times.user + times.system}
    snapshot["machine"] = {0: machine_cpu()}
    return snapshot


def cpu_per_request(before: dict, after: dict, requests: int) -> dict[str, float]:
    """Milliseconds of CPU per request for each group over the run (a process that started during the
    run counts from zero; one that ended is lost — PostgreSQL backends of short connections)."""
    out = {}
    for label, pids in after.items():
        spent = sum(max(0.0, seconds - before.get(label, {}).get(pid, 0.0)) for pid, seconds in pids.items())
        out[label] = spent * 1000 / requests if requests else 0.0
    return out


CPU_GROUPS = ("web", "celery", "redis", "postgres", "driver", "machine")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"gunicorn did not listen on {port}")


def main() -> None:
    args = parse_args()
    if args.seed_only:
        os.environ.update(server_env(args.seed_only))
        seed(args.seed_only)
        return
    global _id_numbers
    _id_numbers = id_numbers(20000)
    name, bench_name = f"{args.prefix}_intake_{os.getpid()}", f"{args.prefix}_pgbench_{os.getpid()}"
    url = db_url(args.postgres, name)
    load_before = os.getloadavg()
    sql(args.postgres, f'CREATE DATABASE "{name}"')
    sql(args.postgres, f'CREATE DATABASE "{bench_name}"')
    server = None
    helpers: list[subprocess.Popen] = []
    lines: list[str] = []
    tmp = Path(tempfile.mkdtemp(prefix="yiwang-intake-"))
    try:
        print(f"seeding {name} (migrate, county, router, one item)…", flush=True)
        t0 = time.perf_counter()
        done = subprocess.run(
            [sys.executable, __file__, "--seed-only", url],
            env=server_env(url),
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        session_line = next((ln for ln in done.stdout.splitlines() if ln.startswith("SESSION ")), None)
        if session_line is None:
            raise SystemExit(f"seeding failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
        session_key = session_line.split()[1]
        operator_key = next(ln for ln in done.stdout.splitlines() if ln.startswith("OPERATOR ")).split()[1]
        print(f"  seeded in {time.perf_counter() - t0:.0f} s", flush=True)

        broker = None
        if not args.eager:
            helpers, broker = start_worker(url, tmp)
        port = free_port()
        # The production configuration (worker class and count, preload, the routers warmed at fork);
        # only the address, the log level, the access log's file and the timeout are the bench's own.
        gunicorn_env = {
            **server_env(url, broker),
            "GUNICORN_BIND": f"127.0.0.1:{port}",
            "GUNICORN_ACCESS_LOG": str(tmp / "access.log"),
            "GUNICORN_ERROR_LOG": "-",
            "GUNICORN_LOG_LEVEL": "warning",
            "GUNICORN_TIMEOUT": "120",
        }
        if args.workers:
            gunicorn_env["GUNICORN_WORKERS"] = str(args.workers)
        server = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "-c",
                str(ROOT / "deploy" / "gunicorn.conf.py"),
                "--chdir",
                str(ROOT),
                "intake:counted_application()",
            ],
            env=gunicorn_env,
            cwd=ROOT,
            start_new_session=True,
        )
        wait_for(port)
        groups = {"web": server.pid}
        if helpers:
            groups |= {"celery": helpers[0].pid, "redis": helpers[1].pid}
        driver = Driver(port, session_key)
        offset = 0
        # Warm-up: every worker serves both kinds of request before anything is measured (its first
        # requests build what Django and ninja build lazily).
        warm_clients = max(8, 2 * len(session_pids(server.pid)))
        warm = driver.run("/api/hotline/appeals", appeal_body, warm_clients, 4.0, offset)
        offset = warm["next"]
        warm = driver.run("/api/cases/cases", case_body, warm_clients, 4.0, offset)
        offset = warm["next"]
        workers = len(session_pids(server.pid)) - 1  # gunicorn's master and its workers

        batch_driver = Driver(port, operator_key)
        batch_driver.per_request = args.batch
        if args.batch:
            warm = batch_driver.run("/api/hotline/appeals/batch", batch_body(args.batch), warm_clients, 4.0, 0)

        rows = []
        runs = [
            # The framework's own rate on this machine: what no one-appeal-a-request intake can pass.
            ("floor (no write)", "/api/bench/floor", appeal_body, driver),
            ("appeals (API)", "/api/hotline/appeals", appeal_body, driver),
            ("applications", "/api/cases/cases", case_body, driver),
        ]
        if args.batch:
            runs.append(
                (f"appeals, {args.batch}/push", "/api/hotline/appeals/batch", batch_body(args.batch), batch_driver)
            )
        batch_offset = warm["next"] if args.batch else 0
        for label, path, make, runner in runs:
            for clients in [int(c) for c in args.clients.split(",")]:
                if not args.eager:
                    drain(args.postgres, name, args.drain_limit)  # each run starts with nothing queued
                before = xact_commit(args.postgres, name)
                cpu_before = cpu_snapshot(groups, args.postgres, name)
                start = batch_offset if runner is batch_driver else offset
                result = runner.run(path, make, clients, args.seconds, start)
                if not args.eager:
                    # The pipeline's rate, not only the web tier's: until the worker has linked the audit
                    # events, sent the SMS and routed the online appeals of this run (its CPU counted too).
                    result["drain"], result["left"] = drain(args.postgres, name, args.drain_limit)
                    result["drained_rate"] = result["requests"] / (result["wall"] + result["drain"])
                cpu_after = cpu_snapshot(groups, args.postgres, name)
                after = xact_commit(args.postgres, name)
                if runner is batch_driver:
                    batch_offset = result["next"]
                else:
                    offset = result["next"]
                result["xacts"] = (after - before - 1) / result["requests"] if result["requests"] else 0
                result["cpu"] = cpu_per_request(cpu_before, cpu_after, result["requests"])
                result["load"] = os.getloadavg()[0]
                rows.append((label, clients, result))
                print(
                    f"  {label:<15} c={clients}: {result['rate']:.1f}/s, {result['queries']:.1f} queries, "
                    f"{result['commits']:.1f} commits, {result['cpu_ms']:.1f} ms CPU in the worker per request "
                    f"(load {result['load']:.2f})",
                    flush=True,
                )
        stop([server])
        server = None
        stop(helpers)
        helpers = []
        print(f"pgbench -T {args.pgbench_seconds} -c 8 in {bench_name}…", flush=True)
        tps = pgbench(args.postgres, bench_name, args.pgbench_seconds)
        load_after = os.getloadavg()

        mode = "tasks in-process (--eager)" if args.eager else "Redis + 1 Celery worker with beat beside it"
        lines.append(
            f"Intake through gunicorn ({workers} sync workers, deploy/gunicorn.conf.py) on PostgreSQL, {mode}, "
            f"{args.seconds:.0f} s per run; "
            f"pgbench TPC-B -c 8 -T {args.pgbench_seconds}: {tps:.0f} TPS"
        )
        header = (
            f"{'intake':<20}{'clients':>8}{'req/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'queries':>9}{'commits':>9}"
            f"{'xacts':>8}{'% pgbench':>11}{'drain s':>9}{'drained/s':>11}{'% pgbench':>11}"
        )
        lines += [header, "-" * len(header)]
        for label, clients, r in rows:
            lines.append(
                f"{label:<20}{clients:>8}{r['rate']:>9.1f}{r['p50']:>9.0f}{r['p95']:>9.0f}{r['queries']:>9.1f}"
                f"{r['commits']:>9.2f}{r['xacts']:>8.1f}{r['rate'] / tps * 100:>10.1f}%"
                + (
                    f"{r['drain']:>9.1f}{r['drained_rate']:>11.1f}{r['drained_rate'] / tps * 100:>10.1f}%"
                    if "drain" in r
                    else ""
                )
                + (f"  (left: {r['left']})" if any(r.get("left", {}).values()) else "")
                + (f"  ({len(r['errors'])} errors: {r['errors'][0]})" if r["errors"] else "")
            )
        lines.append(
            "queries, commits: per request as counted in the worker (a commit = an atomic block committed or a "
            "write in autocommit); xacts: pg_stat_database.xact_commit per request (read-only statements in "
            "autocommit included); for a batch push, req/s, queries, commits, xacts and CPU are per appeal, "
            "p50 and p95 per request; drain s: after the run, until the worker had linked every audit event, sent "
            "every SMS and routed every online appeal of it; drained/s: the run's appeals or applications over "
            "its time plus the drain (the whole pipeline's rate)"
        )
        lines.append("")
        cpu_header = (
            f"{'CPU ms per request':<20}{'clients':>8}{'request':>9}"
            + "".join(f"{group:>9}" for group in CPU_GROUPS)
            + f"{'load 1m':>9}"
        )
        lines += [cpu_header, "-" * len(cpu_header)]
        for label, clients, r in rows:
            lines.append(
                f"{label:<20}{clients:>8}{r['cpu_ms']:>9.1f}"
                + "".join(f"{r['cpu'].get(group, 0.0):>9.1f}" for group in CPU_GROUPS)
                + f"{r['load']:>9.2f}"
            )
        lines.append(
            "request: the serving thread's CPU clock, up to the response headers (X-Bench-Cpu-Us); web: gunicorn's "
            "master and workers; celery: the worker, its pool and beat (routing after commit, the audit sequencer, "
            "the outbox), over the run and its drain; postgres: the backends of the scratch database; driver: this process; machine: every "
            "busy CPU on the host, other people's work included"
        )
        lines.append(
            f"load average (1/5/15 min): before {load_before[0]:.2f}/{load_before[1]:.2f}/{load_before[2]:.2f}, "
            f"after {load_after[0]:.2f}/{load_after[1]:.2f}/{load_after[2]:.2f}; {os.cpu_count()} cores"
        )
        print()
        print("\n".join(lines))
        if args.out:
            Path(args.out).write_text("\n".join(lines) + "\n", encoding="utf-8")
    finally:
        stop([server] if server is not None else [])
        stop(helpers)
        if not args.keep:
            for database in (name, bench_name):
                sql(args.postgres, f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


if __name__ == "__main__":
    main()
