"""The replica router: dashboards and public lookups read the replica, writers read their own writes.

The router and its middleware are exercised here without a second database (querysets name the alias
they would use; nothing is fetched); ``tests/integration/test_real_stack.py`` runs them against a real
streaming replica behind pgbouncer.
"""

import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.contrib.sessions.models import Session
from django.http import HttpResponse
from django.test import RequestFactory, override_settings
from django.urls import ResolverMatch

from config import routers
from config.routers import PIN_COOKIE, ReplicaReadMiddleware, ReplicaRouter, replica_reads
from yiwang.hotline.models import Appeal
from yiwang.measures.models import MonthlyFact
from yiwang.org.models import User

ROOT = Path(__file__).resolve().parent.parent
ROUTED = override_settings(DATABASE_ROUTERS=["config.routers.ReplicaRouter"])


def test_it_sends_the_reads_of_an_eligible_request_to_the_replica():
    router = ReplicaRouter()
    with replica_reads() as state:
        assert router.db_for_read(MonthlyFact) == "replica"
        assert router.db_for_read(Appeal) == "replica"
    assert state.replica_reads == 2


def test_it_keeps_reads_outside_a_request_and_in_other_requests_on_the_primary():
    router = ReplicaRouter()
    assert router.db_for_read(MonthlyFact) == "default"  # a Celery task, a management command
    with replica_reads(eligible=False):
        assert router.db_for_read(MonthlyFact) == "default"


def test_it_sends_every_write_to_the_primary_and_the_writers_later_reads_too():
    router = ReplicaRouter()
    with replica_reads() as state:
        assert router.db_for_read(Appeal) == "replica"
        assert router.db_for_write(Appeal) == "default"
        assert state.wrote
        assert router.db_for_read(Appeal) == "default"  # its own write must be visible to it


def test_it_never_reads_sessions_or_users_from_the_replica():
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(User) == "default"


@pytest.mark.django_db
def test_it_reads_the_primary_inside_a_transaction():
    # pytest-django wraps this test in a transaction on the primary: a read that may decide a write.
    with replica_reads():
        assert ReplicaRouter().db_for_read(Appeal) == "default"


def test_it_refuses_migrations_on_the_replica_and_relates_objects_from_both():
    router = ReplicaRouter()
    assert router.allow_migrate("replica", "hotline") is False
    assert router.allow_migrate("default", "hotline") is None
    one, other = Appeal(), Appeal()
    one._state.db, other._state.db = "default", "replica"
    assert router.allow_relation(one, other) is True


def test_it_routes_querysets_through_django_when_configured():
    with ROUTED:
        with replica_reads():
            assert Appeal.objects.all().db == "replica"
            assert Appeal.objects.select_for_update().db == "default"
        assert Appeal.objects.all().db == "default"


def _request(method: str, view_name: str, cookies: dict | None = None, user=None):
    factory = RequestFactory()
    request = getattr(factory, method.lower())("/somewhere/")
    request.COOKIES.update(cookies or {})
    request.resolver_match = ResolverMatch(lambda r: None, (), {}, url_name=view_name.split(":")[1])
    request.resolver_match.view_name = view_name
    request.user = user if user is not None else _Anonymous()
    return request


class _Anonymous:
    is_authenticated = False
    pk = None


def _through_middleware(request, view):
    middleware = ReplicaReadMiddleware(lambda req: middleware.process_view(req, view, (), {}) or view(req))
    return middleware(request)


def _reading_view(request):
    return HttpResponse(Appeal.objects.all().db)


def _writing_view(request):
    ReplicaRouter().db_for_write(Appeal)
    return HttpResponse(Appeal.objects.all().db)


@pytest.fixture
def routed():
    with ROUTED:
        yield


def test_a_dashboard_reads_the_replica_and_says_so(routed):
    response = _through_middleware(_request("GET", "hotline:dashboard"), _reading_view)
    assert response.content == b"replica"
    assert response["X-Read-From"] == "replica"
    assert PIN_COOKIE not in response.cookies


def test_a_page_that_is_not_listed_reads_the_primary(routed):
    response = _through_middleware(_request("GET", "hotline:dispatch_queue"), _reading_view)
    assert response.content == b"default"
    assert "X-Read-From" not in response


def test_a_post_reads_the_primary_and_pins_its_client(routed):
    before = time.time()
    response = _through_middleware(_request("POST", "hotline:track"), _reading_view)
    assert response.content == b"default"
    pin = response.cookies[PIN_COOKIE]
    assert before + 29 <= float(pin.value) <= time.time() + 31
    assert pin["max-age"] == 30
    assert pin["httponly"]


def test_the_pinned_client_reads_the_primary_on_the_next_lookup(routed):
    pinned = {PIN_COOKIE: str(time.time() + 20)}
    response = _through_middleware(_request("GET", "hotline:track", cookies=pinned), _reading_view)
    assert response.content == b"default"
    assert response["X-Read-From"] == "default"
    expired = {PIN_COOKIE: str(time.time() - 1)}
    response = _through_middleware(_request("GET", "hotline:track", cookies=expired), _reading_view)
    assert response.content == b"replica"
    garbled = {PIN_COOKIE: "soon"}
    assert _through_middleware(_request("GET", "hotline:track", cookies=garbled), _reading_view).content == b"replica"


def test_a_signed_in_writer_is_pinned_on_every_device(routed):
    class Leader:
        is_authenticated = True
        pk = 4242

    response = _through_middleware(_request("POST", "hotline:dashboard", user=Leader()), _reading_view)
    assert PIN_COOKIE in response.cookies
    # Another device: no cookie, the same user — still the primary.
    response = _through_middleware(_request("GET", "hotline:dashboard", user=Leader()), _reading_view)
    assert response.content == b"default"


def test_a_lookup_that_writes_reads_its_own_write_and_pins(routed):
    response = _through_middleware(_request("GET", "hotline:track"), _writing_view)
    assert response.content == b"default"
    assert response["X-Read-From"] == "default"
    assert PIN_COOKIE in response.cookies


def test_the_pin_window_is_the_county_default_and_views_are_listed(settings):
    assert settings.DATABASE_REPLICA_PIN_SECONDS == 30
    assert {"hotline:dashboard", "cases:leader", "supervision:dashboard", "hotline:track", "cases:status"} <= set(
        settings.DATABASE_REPLICA_VIEWS
    )
    assert {"sessions", "org.user"} == routers.PRIMARY_ONLY


def _settings_probe(env: dict) -> str:
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(sorted(settings.DATABASES), settings.DATABASE_ROUTERS, "
        "'config.routers.ReplicaReadMiddleware' in settings.MIDDLEWARE, "
        "settings.DATABASES['default'].get('DISABLE_SERVER_SIDE_CURSORS', False))"
    )
    import os

    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DATABASE_REPLICA_URL"}}
    clean.update(env, DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings")
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_without_a_replica_everything_is_as_before():
    assert _settings_probe({}) == "['default'] [] False False"


def test_with_a_replica_the_alias_router_and_middleware_are_in_place():
    out = _settings_probe(
        {
            "DATABASE_URL": "postgres://yiwang@127.0.0.1:6432/yiwang",
            "DATABASE_REPLICA_URL": "postgres://yiwang@127.0.0.1:6432/yiwang_replica",
            "DATABASE_TRANSACTION_POOLING": "1",
        }
    )
    assert out == "['default', 'replica'] ['config.routers.ReplicaRouter'] True True"


def test_a_replica_url_with_a_foreign_scheme_stops_start_up():
    import os

    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env.update(DEBUG="1", DJANGO_SETTINGS_MODULE="config.settings", DATABASE_REPLICA_URL="mysql://r@h/db")
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "DATABASE_REPLICA_URL has scheme 'mysql'" in result.stderr
