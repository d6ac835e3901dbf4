"""The production stack on this machine, end to end: an application and an appeal through HTTP.

Everything is started here and torn down afterwards, in one folder that a rerun clears first (processes
of an interrupted run are stopped by their pid files): a PostgreSQL primary and its streaming replica
(initdb, pg_basebackup -R, both on free ports), pgbouncer in transaction pooling mode in front of both
(configured from deploy/pgbouncer/pgbouncer.ini), Redis, a Celery worker and gunicorn (configured from
deploy/gunicorn.conf.py) with ``DATABASE_REPLICA_URL`` set.

A citizen signs in, submits an application through the API and opens it; an appeal comes in through
Open311 and its sender tracks it at once (pinned to the primary: they read their own write). The county
leader signs in, waits out the pin window and opens the hotline dashboard and the applications leader
page: the replica serves them — the response says so, the replica's statement log holds the dashboard's
queries and pgbouncer counts transactions on both pools. The SMS acknowledgements are delivered by the
Celery worker through Redis.

Marked ``e2e`` (own stage of .ci/run). Skipped where a tool is missing, except in CI, where it fails.
"""

import configparser
import contextlib
import hashlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
PG_BIN = Path("/usr/lib/postgresql/15/bin")
VENV_BIN = Path(sys.executable).parent
WORK = Path(os.environ.get("YIWANG_STACK_DIR") or Path(tempfile.gettempdir()) / "yiwang-real-stack")
# A migrated, seeded database, dumped once per version of the migrations and the seed (a rerun restores it).
SCHEMA_CACHE = WORK.parent / "yiwang-real-stack-schema"
PIN_SECONDS = 3
PASSWORD = "Yiwang#2026pass"  # tests/integration/stack_seed.py (the factories' test password)

TOOLS = {
    "initdb": PG_BIN / "initdb",
    "pg_ctl": PG_BIN / "pg_ctl",
    "pg_basebackup": PG_BIN / "pg_basebackup",
    "pgbouncer": Path(shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"),
    "redis-server": Path(shutil.which("redis-server") or "/usr/bin/redis-server"),
    "gunicorn": VENV_BIN / "gunicorn",
    "celery": VENV_BIN / "celery",
}
MISSING = [name for name, path in TOOLS.items() if not path.exists()]

pytestmark = [pytest.mark.e2e]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _as_postgres() -> list[str]:
    """PostgreSQL and pgbouncer refuse to run as root: run them as the postgres user then."""
    return ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []


def _run(args, timeout: int = 120, **kwargs):
    result = subprocess.run(args, capture_output=True, text=True, timeout=timeout, **kwargs)
    if result.returncode != 0:
        raise AssertionError(f"{' '.join(map(str, args))} failed ({result.returncode}):\n{result.stderr[-3000:]}")
    return result


def _stop_previous_run() -> None:
    """An interrupted run leaves processes behind: stop them by their pid files, then clear the folder."""
    if not WORK.exists():
        return
    for data in ("primary", "replica"):
        if (WORK / data / "postmaster.pid").exists():
            subprocess.run(
                [*_as_postgres(), TOOLS["pg_ctl"], "-D", WORK / data, "-m", "immediate", "stop"], check=False
            )
    for pidfile in WORK.glob("*.pid"):
        with contextlib.suppress(ValueError, ProcessLookupError, PermissionError):
            os.killpg(int(pidfile.read_text().split()[0]), signal.SIGKILL)
    shutil.rmtree(WORK, ignore_errors=True)


def _schema_key() -> str:
    digest = hashlib.sha256()
    sources = [
        *BASE_DIR.glob("yiwang/*/migrations/*.py"),
        *BASE_DIR.glob("yiwang/org/data/*.json"),
        BASE_DIR / "tests" / "integration" / "stack_seed.py",
    ]
    for path in sorted(sources):
        digest.update(str(path.relative_to(BASE_DIR)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:20]


class Stack:
    def __init__(self):
        self.ports = {name: _free_port() for name in ("primary", "replica", "pgbouncer", "redis", "web")}
        self.processes: dict[str, subprocess.Popen] = {}
        self.env: dict[str, str] = {}

    # --- PostgreSQL ------------------------------------------------------------------------------

    def _pg_conf(self, data: Path, **values) -> None:
        lines = "".join(f"{key} = '{value}'\n" for key, value in values.items())
        with (data / "postgresql.auto.conf").open("a") as conf:
            conf.write(lines)

    def _pg_start(self, name: str) -> None:
        _run([*_as_postgres(), TOOLS["pg_ctl"], "-D", WORK / name, "-l", WORK / f"{name}.log", "-w", "start"])

    def start_databases(self) -> None:
        primary, replica = WORK / "primary", WORK / "replica"
        _run([*_as_postgres(), TOOLS["initdb"], "-D", primary, "-U", "postgres", "--auth=trust", "-E", "UTF8",
              "--locale=C.UTF-8", "--no-sync"])  # fmt: skip
        # Test-only speed-ups (fsync off) beside what replication needs (the defaults, written out).
        self._pg_conf(primary, port=self.ports["primary"], listen_addresses="127.0.0.1",
                      unix_socket_directories=str(WORK), wal_level="replica", max_wal_senders=4, fsync="off",
                      synchronous_commit="off", full_page_writes="off")  # fmt: skip
        self._pg_start("primary")
        _run([*_as_postgres(), TOOLS["pg_basebackup"], "-h", "127.0.0.1", "-p", str(self.ports["primary"]),
              "-U", "postgres", "-D", replica, "-R", "-X", "stream", "--no-sync"])  # fmt: skip
        # The replica logs every statement with the client's application name: the proof of who read there.
        self._pg_conf(replica, port=self.ports["replica"], hot_standby="on", log_statement="all",
                      log_line_prefix="%m [%p] %a@%d ")  # fmt: skip
        self._pg_start("replica")
        import psycopg

        with psycopg.connect(self.direct_url("postgres"), autocommit=True) as db:
            db.execute("CREATE DATABASE yiwang")

    def direct_url(self, database: str = "yiwang") -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports['primary']}/{database}"

    def replica_sql(self, sql: str):
        import psycopg

        with psycopg.connect(f"postgres://postgres@127.0.0.1:{self.ports['replica']}/yiwang") as db:
            return db.execute(sql).fetchall()

    def primary_sql(self, sql: str):
        import psycopg

        with psycopg.connect(self.direct_url()) as db:
            return db.execute(sql).fetchall()

    def wait_for_replica(self) -> None:
        """Until the replica has replayed everything the primary has written so far."""
        target = self.primary_sql("SELECT pg_current_wal_lsn()")[0][0]
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            replayed = self.replica_sql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")[0][0]
            if replayed:
                return
            time.sleep(0.1)
        raise AssertionError("the replica did not catch up within 30 s")

    # --- the application -------------------------------------------------------------------------

    def migrate_and_seed(self) -> None:
        """Migrate and seed, or restore the dump a previous run made of the same migrations and seed."""
        cached = SCHEMA_CACHE / f"{_schema_key()}.dump"
        if cached.exists():
            _run([PG_BIN / "pg_restore", "--no-owner", "-d", self.direct_url(), cached], timeout=300)
            return
        env = {**self.app_env(), "DATABASE_URL": self.direct_url()}  # DDL straight to the primary
        env.pop("DATABASE_REPLICA_URL")
        manage = [sys.executable, str(BASE_DIR / "manage.py")]
        _run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=BASE_DIR, timeout=300)
        seed = "from tests.integration.stack_seed import seed; seed()"
        _run([*manage, "shell", "-c", seed], env=env, cwd=BASE_DIR)
        SCHEMA_CACHE.mkdir(parents=True, exist_ok=True)
        partial = cached.with_suffix(".partial")
        _run([PG_BIN / "pg_dump", "-Fc", "-f", partial, self.direct_url()], timeout=300)
        partial.rename(cached)

    def app_env(self) -> dict[str, str]:
        bouncer, redis = self.ports["pgbouncer"], self.ports["redis"]
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
        env.update(
            DEBUG="1",
            DATABASE_URL=f"postgres://postgres@127.0.0.1:{bouncer}/yiwang",
            DATABASE_REPLICA_URL=f"postgres://postgres@127.0.0.1:{bouncer}/yiwang_replica",
            DATABASE_TRANSACTION_POOLING="1",
            DATABASE_REPLICA_PIN_SECONDS=str(PIN_SECONDS),
            CELERY_BROKER_URL=f"redis://127.0.0.1:{redis}/0",
            CACHE_URL=f"redis://127.0.0.1:{redis}/1",
            SMS_BACKEND="file",
            MEDIA_ROOT=str(WORK / "media"),
            ALLOWED_HOSTS="127.0.0.1,localhost",
            PGAPPNAME="yiwang",
        )
        return env

    def _spawn(self, name: str, args: list, env: dict | None = None) -> None:
        log = (WORK / f"{name}.log").open("ab")
        process = subprocess.Popen(
            args, env=env, cwd=BASE_DIR, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        (WORK / f"{name}.pid").write_text(str(process.pid))
        self.processes[name] = process

    def start_services(self) -> None:
        self._spawn("redis", [TOOLS["redis-server"], "--port", str(self.ports["redis"]), "--bind", "127.0.0.1",
                              "--save", "", "--appendonly", "no", "--dir", str(WORK)])  # fmt: skip
        self._spawn("pgbouncer", [*_as_postgres(), TOOLS["pgbouncer"], self.pgbouncer_ini()])
        self._wait_port("redis")
        self._wait_port("pgbouncer")
        env = self.app_env()
        self._spawn("celery", [TOOLS["celery"], "-A", "config", "worker", "--pool", "solo", "--loglevel", "INFO",
                               "--without-gossip", "--without-mingle", "--without-heartbeat"], env)  # fmt: skip
        # Beat as its own process, as in production (deploy/systemd/yiwang-beat.service): the periodic
        # tasks (the outbox drained in batches, the audit sequencer) run only through it.
        self._spawn("beat", [TOOLS["celery"], "-A", "config", "beat", "--loglevel", "INFO",
                             "--schedule", str(WORK / "celerybeat-schedule")], env)  # fmt: skip
        web_env = {**env, "GUNICORN_BIND": f"127.0.0.1:{self.ports['web']}", "GUNICORN_WORKERS": "2"}
        self._spawn("gunicorn", [TOOLS["gunicorn"], "-c", BASE_DIR / "deploy" / "gunicorn.conf.py", "config.wsgi"],
                    web_env)  # fmt: skip
        self._wait_http("/healthz")

    def pgbouncer_ini(self) -> Path:
        """deploy/pgbouncer/pgbouncer.ini with this run's ports, files and a trust login."""
        config = configparser.ConfigParser(interpolation=None, inline_comment_prefixes=(";",))
        config.read(BASE_DIR / "deploy" / "pgbouncer" / "pgbouncer.ini")
        assert config["pgbouncer"]["pool_mode"] == "transaction"
        primary, replica = self.ports["primary"], self.ports["replica"]
        config["databases"] = {
            "yiwang": f"host=127.0.0.1 port={primary} dbname=yiwang",
            "yiwang_replica": f"host=127.0.0.1 port={replica} dbname=yiwang",
        }
        users = WORK / "userlist.txt"
        users.write_text('"postgres" ""\n')
        config["pgbouncer"].update(
            listen_port=str(self.ports["pgbouncer"]),
            unix_socket_dir="",
            auth_type="trust",
            auth_file=str(users),
            logfile=str(WORK / "pgbouncer-own.log"),
            pidfile="",
            default_pool_size="5",
            max_db_connections="20",
        )
        path = WORK / "pgbouncer.ini"
        with path.open("w") as out:
            config.write(out)
        _give_to_postgres(WORK)
        return path

    def _wait_port(self, name: str) -> None:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.ports[name]), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise AssertionError(f"{name} did not start; see {WORK / (name + '.log')}")

    def _wait_http(self, path: str) -> None:
        import requests

        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url(path), timeout=2).status_code == 200:
                    return
            except requests.RequestException:
                pass
            time.sleep(0.3)
        raise AssertionError(f"gunicorn did not answer; see {WORK / 'gunicorn.log'}")

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.ports['web']}{path}"

    def bouncer_stats(self) -> dict[str, int]:
        """Transactions pgbouncer has passed to each database since it started."""
        import psycopg

        url = f"postgres://postgres@127.0.0.1:{self.ports['pgbouncer']}/pgbouncer"
        with psycopg.connect(url, autocommit=True, prepare_threshold=None) as admin:
            cursor = admin.cursor()
            cursor.execute("SHOW STATS")
            columns = [c.name for c in cursor.description]
            return {row[0]: row[columns.index("total_xact_count")] for row in cursor.fetchall()}

    def stop(self) -> None:
        for name in ("gunicorn", "beat", "celery", "pgbouncer", "redis"):
            process = self.processes.get(name)
            if process is None or process.poll() is not None:
                continue
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(5)
        for data in ("replica", "primary"):
            if (WORK / data / "postmaster.pid").exists():
                subprocess.run([*_as_postgres(), TOOLS["pg_ctl"], "-D", WORK / data, "-m", "fast", "-w", "stop"],
                               check=False, capture_output=True)  # fmt: skip


def _give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        postgres = pwd.getpwnam("postgres")
        for item in [path, *path.rglob("*")]:
            os.chown(item, postgres.pw_uid, postgres.pw_gid)


@contextlib.contextmanager
def _timed(what: str):
    started = time.monotonic()
    yield
    print(f"[real stack] {what}: {time.monotonic() - started:.1f} s")


@pytest.fixture(scope="module")
def stack():
    if MISSING:
        message = f"the real stack needs {', '.join(MISSING)} (apt-get install postgresql pgbouncer redis-server)"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    _stop_previous_run()
    WORK.mkdir(parents=True)
    _give_to_postgres(WORK)
    stack = Stack()
    try:
        with _timed("primary + replica (initdb, pg_basebackup)"):
            stack.start_databases()
        with _timed("migrated and seeded (or restored)"):
            stack.migrate_and_seed()
        with _timed("redis, pgbouncer, celery worker and beat, gunicorn"):
            stack.start_services()
        yield stack
    finally:
        stack.stop()
        # The logs outlive the run (the next run replaces them): what each server said, for a failure.
        logs = WORK.parent / "yiwang-real-stack-logs"
        shutil.rmtree(logs, ignore_errors=True)
        logs.mkdir()
        for log in WORK.glob("*.log"):
            shutil.copy(log, logs / log.name)
        shutil.rmtree(WORK, ignore_errors=True)


class Browser:
    """A requests session that signs in through the login form and sends the CSRF token like a page does."""

    def __init__(self, stack: Stack):
        import requests

        self.stack, self.http = stack, requests.Session()

    def get(self, path: str, **kwargs):
        return self.http.get(self.stack.url(path), timeout=30, **kwargs)

    def post(self, path: str, **kwargs):
        headers = kwargs.pop("headers", {})
        token = self.http.cookies.get("csrftoken")
        if token:
            headers.setdefault("X-CSRFToken", token)
        headers.setdefault("Referer", self.stack.url("/"))
        return self.http.post(self.stack.url(path), headers=headers, timeout=30, allow_redirects=False, **kwargs)

    def sign_in(self, username: str) -> None:
        page = self.get("/login/")
        assert page.status_code == 200
        token = self.http.cookies["csrftoken"]
        data = {"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token}
        response = self.post("/login/", data=data)
        assert response.status_code == 302, response.text[:500]


def _replica_statements(stack: Stack) -> list[str]:
    text = (WORK / "replica.log").read_text(errors="replace")
    return [line for line in text.splitlines() if "statement:" in line]


def test_an_application_and_an_appeal_go_through_the_real_stack_and_the_replica_serves_the_dashboard(stack):
    started = time.monotonic()
    # 1. A citizen applies online through the API and opens the application at once.
    citizen = Browser(stack)
    citizen.sign_in("citizen")
    application = {
        "item_code": "610326-XK-0001",
        "applicant": {"kind": "person", "name": "王秀兰", "id_number": "61032619680312042X", "phone": "13891712345"},
        "form_data": {"applicant_address": "眉县首善街道东关社区"},
    }
    response = citizen.post("/api/cases/cases", json=application, headers={"Idempotency-Key": str(uuid.uuid4())})
    assert response.status_code == 201, response.text[:500]
    number = response.json()["number"]
    mine = citizen.get(f"/cases/mine/{number}/")
    assert mine.status_code == 200
    assert number in mine.text

    # 2. An appeal through Open311; its sender tracks it at once and reads the primary (their own write).
    public = Browser(stack)
    appeal = {
        "service_code": "rural-roads",
        "address_string": "营头镇红河谷村",
        "description": "红河谷村通村路坑洼积水，雨天无法通行，请尽快修补。",
        "last_name": "李",
        "first_name": "建国",
        "phone": "13991765432",
        "attribute[not_emergency]": "true",
    }
    response = public.post("/open311/v2/requests.json", data=appeal)
    assert response.status_code == 201, response.text[:500]
    code = response.json()[0]["service_request_id"]
    assert "yiwang_primary_until" in public.http.cookies
    tracked = public.get("/hotline/track/", params={"code": code, "phone_last4": "5432"})
    assert tracked.status_code == 200
    assert code in tracked.text
    assert tracked.headers["X-Read-From"] == "default"

    # 3. The county leader signs in (a write: pinned for the window), then the dashboards read the replica.
    leader = Browser(stack)
    leader.sign_in("leader")
    pinned = leader.get("/hotline/staff/dashboard/")
    assert pinned.status_code == 200
    assert pinned.headers["X-Read-From"] == "default"
    time.sleep(PIN_SECONDS + 0.5)
    stack.wait_for_replica()
    before = len(_replica_statements(stack))
    bouncer_before = stack.bouncer_stats()
    dashboard = leader.get("/hotline/staff/dashboard/")
    assert dashboard.status_code == 200
    assert dashboard.headers["X-Read-From"] == "replica"
    assert "三率" in dashboard.text or "响应率" in dashboard.text
    leader_page = leader.get("/cases/leader/")
    assert leader_page.status_code == 200
    assert leader_page.headers["X-Read-From"] == "replica"
    served = _replica_statements(stack)[before:]
    # The replica executed the dashboard's SELECTs, sent by the web application through pgbouncer.
    assert any(re.search(r"SELECT .*\"(hotline|measures)_", line) for line in served), served[:5]
    assert all("yiwang@yiwang" in line for line in served if "SELECT" in line), served[:5]
    bouncer_after = stack.bouncer_stats()
    assert bouncer_after["yiwang_replica"] > bouncer_before.get("yiwang_replica", 0)
    assert bouncer_after["yiwang"] > 0
    # The replica is a hot standby: the data is there, and it refuses writes.
    assert stack.replica_sql(f"SELECT count(*) FROM hotline_appeal WHERE code = '{code}'") == [(1,)]
    assert stack.replica_sql("SELECT pg_is_in_recovery()") == [(True,)]

    # 4. The Celery worker delivered the SMS acknowledgements through Redis.
    deadline = time.monotonic() + 60
    states: dict = {}
    while time.monotonic() < deadline:
        states = dict(stack.primary_sql("SELECT state, count(*) FROM core_outboxmessage GROUP BY state"))
        if states and set(states) == {"sent"}:
            break
        time.sleep(0.5)
    assert states.get("sent", 0) >= 1, states
    assert set(states) == {"sent"}, states
    assert "received" in (WORK / "celery.log").read_text(errors="replace")
    print(f"[real stack] application, appeal, dashboards and delivery: {time.monotonic() - started:.1f} s")
    assert time.monotonic() - started < 120
