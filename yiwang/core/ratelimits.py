"""Rate limits on public lookups and sign-in forms, per client IP and per target.

A guessed tracking code, case number or password is only worth trying many times; each guarded
operation therefore counts its tries twice — per client address and per target (the code, number,
ID number or username tried) — in Django's cache through django-ratelimit (Redis in production,
``CACHE_URL``/``REDIS_URL``; the in-process LocMem cache otherwise). The try over either limit is
refused with HTTP 429: a Chinese page on the web, ``{"code": "rate_limited", …}`` in the API.

The limits are county defaults (the plan gives no numbers), changed per operation with
``YIWANG_RATELIMITS = {"hotline.track": {"ip": "60/10m"}}`` in the settings module. A rate is
django-ratelimit's ``"<tries>/<period>"`` (``10/10m`` = ten tries per ten minutes).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.shortcuts import render
from django_ratelimit.core import get_usage

from yiwang.core.conf import app_settings
from yiwang.core.errors import ApplicationError

# County defaults (the plan gives no numbers). A citizen checks a code a few times; a script
# guessing codes needs thousands of tries.
DEFAULTS = {
    # 12345 tracking page and Open311 GeoReport requests/{id}: by appeal code.
    "hotline.track": {"ip": "30/10m", "target": "10/10m"},
    "open311.request": {"ip": "60/10m", "target": "20/10m"},
    # Public case status (page and API) and the notice PDF opened with the query code: by case number.
    "cases.status": {"ip": "30/10m", "target": "10/10m"},
    "cases.notice": {"ip": "30/10m", "target": "10/10m"},
    # Kiosk: identification by ID number + name, and receipts (per terminal address and per ID number).
    "cases.kiosk_identify": {"ip": "30/10m", "target": "10/10m"},
    "cases.kiosk_receipt": {"ip": "60/10m", "target": "30/10m"},
    # Public e-licence verification (page reached by the QR code, API, document check): by licence number.
    "licences.verify": {"ip": "60/10m", "target": "30/10m"},
    # Sign-in forms: staff login, admin login, password change (per username / account).
    "auth.login": {"ip": "30/10m", "target": "20/10m"},
    "auth.admin_login": {"ip": "30/10m", "target": "20/10m"},
    "auth.password_change": {"ip": "10/10m", "target": "10/10m"},
    # Applicant sign-in by SMS code (yiwang.accounts): codes sent per client / per phone number, and
    # codes tried. The code itself also expires and counts wrong tries (YIWANG_ACCOUNTS).
    "accounts.code_request": {"ip": "20/h", "target": "5/h"},
    "accounts.code_verify": {"ip": "30/10m", "target": "10/10m"},
}

ratelimit_settings = app_settings("YIWANG_RATELIMITS", DEFAULTS)

MESSAGE = "操作过于频繁，请 %(minutes)d 分钟后再试"


class RateLimited(ApplicationError):
    def __init__(self, *, group: str, scope: str, seconds: int):
        minutes = max(1, -(-seconds // 60))
        super().__init__(
            "rate_limited",
            MESSAGE % {"minutes": minutes},
            details={"operation": group, "limit": scope, "retry_after": seconds},
            status=429,
        )
        self.retry_after = seconds


def client_address(request) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is client-controlled unless a trusted proxy rewrites it.
    return request.META.get("REMOTE_ADDR") or "unknown"


def _target_key(target: str) -> str:
    # The cache key never holds the target itself (an ID number, a phone digit, a username).
    return hashlib.sha256(target.strip().upper().encode()).hexdigest()


def rate_limit(request, group: str, *, target: str | None) -> None:
    """Count one try of ``group`` from this client at ``target``; raise ``RateLimited`` over either limit."""
    limits = ratelimit_settings.get(group)
    checks = [("ip", client_address(request))]
    if target:
        checks.append(("target", _target_key(target)))
    for scope, value in checks:
        rate = limits.get(scope)
        if not rate:
            continue
        usage = get_usage(
            request, group=f"{group}:{scope}", key=lambda _group, _request, v=value: v, rate=rate, increment=True
        )
        if usage is not None and usage["should_limit"]:
            raise RateLimited(group=group, scope=scope, seconds=max(1, usage["time_left"]))


def rate_limited_page(request, error: RateLimited):
    """The 429 page for a refused try (with ``Retry-After``)."""
    response = render(request, "rate_limited.html", {"message": error.message}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


def limit_page(group: str, *, target: Callable[[object], str | None], methods: tuple[str, ...] = ("GET", "POST")):
    """Guard a page: each request that carries a target (``target(request)`` is not empty) counts as
    a try; over the limit the page answers 429 without running the view."""

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if request.method in methods:
                value = target(request)
                if value:
                    try:
                        rate_limit(request, group, target=value)
                    except RateLimited as error:
                        return rate_limited_page(request, error)
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
