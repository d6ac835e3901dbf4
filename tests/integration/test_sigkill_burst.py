"""Nothing lost, nothing doubled when the server is killed mid-burst (PostgreSQL behind gunicorn).

A fresh database is migrated, gunicorn serves it, and several threads post a burst of appeals through
Open311 — half with an ``Idempotency-Key``, half without. Mid-burst the gunicorn master and its
workers get SIGKILL; gunicorn is started again and every request that got no answer is sent again
(the same body, with its key where it had one). Afterwards every acknowledged appeal exists exactly
once and every request of the burst exists exactly once: a keyed retry finds the key free (the
claim died with its transaction) or replays the first outcome, and a keyless retry within the
window is answered with the first appeal instead of a second one.

Slow (a full migration): marked ``e2e``, left out of the default run, run by ``.ci/run`` as its own
stage. Skipped unless ``DATABASE_URL`` is PostgreSQL and gunicorn is installed.
"""

import collections
import json
import os
import random
import shutil
import signal
import socket
import string
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]
DATABASE_URL = os.environ.get("DATABASE_URL", "")
GUNICORN = shutil.which("gunicorn", path=str(Path(sys.executable).parent)) or shutil.which("gunicorn")
THREADS, PER_THREAD = 6, 12
KILL_AFTER_ACKNOWLEDGED = 15

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not DATABASE_URL.startswith(("postgres://", "postgresql://")),
        reason="needs PostgreSQL: set DATABASE_URL=postgres://postgres@127.0.0.1:5432/<db>",
    ),
    pytest.mark.skipif(GUNICORN is None, reason="gunicorn is not installed (pip install -r requirements.txt)"),
]


def _database_url(name: str) -> str:
    parts = urllib.parse.urlsplit(DATABASE_URL)
    return urllib.parse.urlunsplit(parts._replace(path=f"/{name}"))


def _admin_connection():
    import psycopg

    return psycopg.connect(_database_url("postgres"), autocommit=True)


@pytest.fixture(scope="module")
def fresh_database():
    name = f"yiwang_sigkill_{os.getpid()}"
    with _admin_connection() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DEBUG": "1", "DATABASE_URL": _database_url(name)}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    manage = [sys.executable, str(BASE_DIR / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], env=env, cwd=BASE_DIR, check=True)
    setup = (
        "from yiwang.org.services import region_load_from_data; region_load_from_data();"
        "from yiwang.hotline.models import Category;"
        "Category.objects.create(code='rural-roads', name='农村道路', group='交通运输', keywords='道路,村道')"
    )
    subprocess.run([*manage, "shell", "-c", setup], env=env, cwd=BASE_DIR, check=True)
    try:
        yield env
    finally:
        with _admin_connection() as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn in its own process group, so one SIGKILL reaches the master and every worker."""

    def __init__(self, env: dict, port: int, log: Path):
        self.env, self.port, self.log = env, port, log
        self.process = None

    def start(self):
        env = {**self.env, "ALLOWED_HOSTS": "127.0.0.1,localhost"}
        with self.log.open("ab") as log:
            self.process = subprocess.Popen(
                [GUNICORN, "config.wsgi", "--workers", "3", "--bind", f"127.0.0.1:{self.port}", "--timeout", "30"],
                env=env,
                cwd=BASE_DIR,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.url}/open311/v2/discovery.json", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise AssertionError(f"gunicorn did not start; see {self.log}")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def kill(self):
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(10)

    def stop(self):
        """A graceful stop (SIGTERM: the workers finish what they hold), SIGKILL if it takes longer than
        gunicorn's own graceful timeout — a loaded machine may need more than a few seconds."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(35)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait(10)


def _post(url: str, data: dict, key: str | None) -> tuple[int, dict | list] | None:
    """(status, body), or None when the server gave no answer."""
    headers = {"Content-Type": "application/x-www-form-urlencoded"}
    if key:
        headers["Idempotency-Key"] = key
    request = urllib.request.Request(  # noqa: S310 — our own server
        f"{url}/open311/v2/requests.json", urllib.parse.urlencode(data).encode(), headers=headers, method="POST"
    )
    try:
        with urllib.request.urlopen(request, timeout=15) as response:  # noqa: S310 — our own server
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")
    except (OSError, ValueError):
        return None  # connection refused or reset, or a truncated body: no answer


def _words(rng: random.Random) -> str:
    return "".join(rng.choice(string.ascii_lowercase) for _ in range(12))  # no digits: nothing reads as a phone


def test_it_loses_and_doubles_nothing_when_gunicorn_is_killed_mid_burst(fresh_database, tmp_path):
    rng = random.Random(20260311)
    server = Server(fresh_database, _free_port(), tmp_path / "gunicorn.log")
    burst = [
        {
            "data": {
                "service_code": "rural-roads",
                "address_string": "营头镇红河谷村",
                "description": f"红河谷村通村路坑洼积水，请修补。编号 {_words(rng)}",
            },
            "key": str(uuid.uuid4()) if index % 2 else None,
        }
        for index in range(THREADS * PER_THREAD)
    ]
    answers: dict[int, tuple] = {}
    acknowledged = threading.Semaphore(0)
    lock = threading.Lock()

    def send(indexes):
        for index in indexes:
            outcome = _post(server.url, burst[index]["data"], burst[index]["key"])
            if outcome is not None:
                with lock:
                    answers[index] = outcome
                if outcome[0] == 201:
                    acknowledged.release()

    server.start()
    try:
        senders = [
            threading.Thread(target=send, args=(range(t, len(burst), THREADS),), daemon=True) for t in range(THREADS)
        ]
        for sender in senders:
            sender.start()
        for _ in range(KILL_AFTER_ACKNOWLEDGED):
            assert acknowledged.acquire(timeout=60), f"the burst stalled; see {server.log}"
        server.kill()
        for sender in senders:
            sender.join(60)
        first_answers = dict(answers)
        unanswered = [i for i in range(len(burst)) if i not in first_answers]
        assert unanswered, "the kill came after the burst: nothing was interrupted"
        assert all(status == 201 for status, _ in first_answers.values()), first_answers

        server.start()
        retried = {}
        for index in unanswered:
            for _attempt in range(5):
                outcome = _post(server.url, burst[index]["data"], burst[index]["key"])
                if outcome is not None:
                    break
                time.sleep(0.5)
            retried[index] = outcome
    finally:
        server.stop()

    # A retry finds its key free at once (no 409 while a dead claim times out) and succeeds.
    assert all(outcome is not None and outcome[0] == 201 for outcome in retried.values()), retried

    import psycopg

    with psycopg.connect(fresh_database["DATABASE_URL"]) as db:
        rows = db.execute("SELECT code, content FROM hotline_appeal").fetchall()
    by_content = collections.Counter(content for _, content in rows)
    code_of = {content: code for code, content in rows}
    for index, request in enumerate(burst):
        description = request["data"]["description"]
        assert by_content[description] == 1, (index, request["key"], by_content[description])
    for index, (_, body) in {**first_answers, **retried}.items():
        assert body[0]["service_request_id"] == code_of[burst[index]["data"]["description"]]
    assert len(rows) == len(burst)
