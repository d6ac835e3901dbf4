"""Rate limits: per address and per target, on LocMem (embedded) and on Redis (production, CI)."""

import os
import uuid

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from yiwang.core.ratelimits import DEFAULTS, RateLimited, rate_limit, ratelimit_settings

GROUP = "hotline.track"


def request_from(ip: str):
    return RequestFactory().get("/", REMOTE_ADDR=ip)


def tries(ip: str, target: str | None, n: int) -> list[bool]:
    """For each try: was it let through?"""
    outcomes = []
    for _ in range(n):
        try:
            rate_limit(request_from(ip), GROUP, target=target)
        except RateLimited as refused:
            assert refused.code == "rate_limited" and refused.status == 429
            assert "操作过于频繁" in refused.message and refused.retry_after > 0
            outcomes.append(False)
        else:
            outcomes.append(True)
    return outcomes


def check_limits():
    assert tries("198.51.100.1", "CODE-A", 4) == [True, True, True, False]
    assert tries("198.51.100.2", "CODE-A", 1) == [False]  # the target is spent, from any address
    assert tries("198.51.100.1", "CODE-B", 1) == [True]  # another target is not (the address's 5th try)
    assert tries("198.51.100.1", "CODE-D", 1) == [False]  # the address's sixth try
    assert tries("198.51.100.3", "CODE-D", 1) == [True]  # another address is not


def test_it_counts_per_address_and_per_target_on_the_local_cache(settings):
    settings.YIWANG_RATELIMITS = {GROUP: {"ip": "5/10m", "target": "3/10m"}}
    check_limits()


def _redis_url() -> str | None:
    url = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"
    try:
        import redis

        redis.Redis.from_url(url, socket_connect_timeout=0.5).ping()
    except Exception:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {url}; CI starts it in .ci/run", pytrace=False)
        pytest.skip(f"Redis is not reachable at {url}")
    return url


def test_it_counts_per_address_and_per_target_on_redis(settings):
    url = _redis_url()
    settings.CACHES = {
        "default": settings.CACHES["default"],
        # A key prefix of its own, so parallel runs never share counters.
        "ratelimit": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"test-{uuid.uuid4().hex}",
        },
    }
    settings.RATELIMIT_USE_CACHE = "ratelimit"
    settings.YIWANG_RATELIMITS = {GROUP: {"ip": "5/10m", "target": "3/10m"}}
    check_limits()


def test_the_cache_setting_follows_the_environment(monkeypatch):
    import importlib

    import config.settings as project_settings

    monkeypatch.setenv("DEBUG", "1")
    monkeypatch.setenv("REDIS_URL", "redis://cache.internal:6379/2")
    reloaded = importlib.reload(project_settings)
    assert reloaded.CACHES["default"] == {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": "redis://cache.internal:6379/2",
    }
    monkeypatch.delenv("REDIS_URL")
    reloaded = importlib.reload(project_settings)
    assert reloaded.CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    monkeypatch.setenv("CACHE_URL", "memcached://x")
    with pytest.raises(ImproperlyConfigured, match="CACHE_URL"):
        importlib.reload(project_settings)
    monkeypatch.delenv("CACHE_URL")
    importlib.reload(project_settings)


def test_every_limit_is_a_county_default_with_both_scopes():
    for group, limits in DEFAULTS.items():
        assert set(limits) == {"ip", "target"}, group
    assert ratelimit_settings.is_default(GROUP)


def test_an_unknown_operation_in_the_settings_is_refused(settings):
    settings.YIWANG_RATELIMITS = {"hotline.trak": {"ip": "1/m"}}
    with pytest.raises(ImproperlyConfigured, match="hotline.trak"):
        rate_limit(request_from("198.51.100.1"), GROUP, target="X")
