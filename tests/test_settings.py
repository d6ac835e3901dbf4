"""Settings come from the environment and refuse bad values loudly."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from config.env import database_config, env_bool, env_int, env_list, env_url

ROOT = Path(__file__).resolve().parent.parent
PROD_ENV = {
    "DEBUG": "0",
    "SECRET_KEY": "k" * 20 + "-production-secret-with-enough-entropy-Z9#q",
    "PII_KEY": "ab" * 32,
    "ALLOWED_HOSTS": "yiwang.example.cn",
}


def _run(args: list[str], env: dict) -> subprocess.CompletedProcess:
    # Start from the real environment minus what this process or its browser tests set for themselves.
    dropped = {"DEBUG", "SECRET_KEY", "PII_KEY", "DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    clean = {k: v for k, v in os.environ.items() if k not in dropped}
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "config.settings"
    return subprocess.run([sys.executable, *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120)


def test_it_reads_booleans_and_refuses_anything_else(monkeypatch):
    monkeypatch.setenv("FLAG", "yes")
    assert env_bool("FLAG") is True
    monkeypatch.setenv("FLAG", "0")
    assert env_bool("FLAG", default=True) is False
    monkeypatch.setenv("FLAG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="FLAG='maybe' is not a boolean"):
        env_bool("FLAG")


def test_it_refuses_a_non_integer_and_a_value_below_the_minimum(monkeypatch):
    monkeypatch.setenv("N", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env_int("N", 5)
    monkeypatch.setenv("N", "0")
    with pytest.raises(ImproperlyConfigured, match="below the minimum 1"):
        env_int("N", 5, minimum=1)


def test_it_splits_lists_and_drops_blanks(monkeypatch):
    monkeypatch.setenv("HOSTS", "a.cn, b.cn,,")
    assert env_list("HOSTS", []) == ["a.cn", "b.cn"]


def test_it_refuses_a_url_with_a_foreign_scheme(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "mysql://root@localhost/db")
    with pytest.raises(ImproperlyConfigured, match="scheme 'mysql'"):
        env_url("DATABASE_URL", schemes={"postgres", "postgresql"})


def test_it_falls_back_to_sqlite_and_parses_postgres(tmp_path):
    assert database_config(None, sqlite_path=tmp_path / "db.sqlite3")["ENGINE"] == "django.db.backends.sqlite3"
    config = database_config("postgres://postgres@127.0.0.1:5432/yiwang", sqlite_path=tmp_path / "x")
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("127.0.0.1", 5432, "yiwang")
    assert config["OPTIONS"]["options"] == "-c jit=off"


def test_postgresql_connections_compile_no_plans(db):
    """No JIT on PostgreSQL (config/env.py): a queue's plan costed past jit_above_cost compiled for 311 ms."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL's JIT setting (this run is on SQLite)")
    with connection.cursor() as cursor:
        cursor.execute("SHOW jit")
        assert cursor.fetchone()[0] == "off"
    deploy = (Path(__file__).resolve().parent.parent / "deploy" / "postgresql" / "yiwang.conf").read_text()
    assert re.search(r"^jit = off\b", deploy, re.MULTILINE)


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = dict(PROD_ENV)
    env.pop("SECRET_KEY")
    result = _run(["manage.py", "check"], env)
    assert result.returncode != 0
    assert "SECRET_KEY is required when DEBUG is off" in result.stderr


def test_it_refuses_a_malformed_pii_key():
    result = _run(["manage.py", "check"], {**PROD_ENV, "PII_KEY": "short"})
    assert result.returncode != 0
    assert "PII_KEY must be 64 hex characters" in result.stderr


def test_it_passes_the_deployment_checklist_under_production_settings():
    result = _run(["manage.py", "check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
