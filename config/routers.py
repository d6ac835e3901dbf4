"""Reads that may go to a streaming replica, with read-your-writes for whoever just wrote.

``DATABASE_REPLICA_URL`` unset ⇒ no ``replica`` alias, no router, no middleware: every query goes to the
primary, as it always has. With it (settings), ``ReplicaReadMiddleware`` marks a request *replica-eligible*
when it is a GET or HEAD to a view named in ``DATABASE_REPLICA_VIEWS`` (leader dashboards, public lookups)
and its client is not pinned to the primary; ``ReplicaRouter`` then sends that request's reads to the
replica, except

- reads inside a transaction on the primary (a read that decides a write must see the latest row);
- every read after the request wrote anything (its own later reads see its own writes);
- sessions and users (``PRIMARY_ONLY``): a sign-in or a password change must never look undone.

Read-your-writes across requests: any unsafe request (POST, PUT, PATCH, DELETE) or any write pins the
client to the primary for ``DATABASE_REPLICA_PIN_SECONDS`` — a cookie for every client (a citizen who has
just submitted an appeal and opens the tracking page) and, for a signed-in user, a cache key (the same
person on another device, an API client without cookies). Streaming replication on one site lags well under
a second; the pin is many times that (county default in settings). Celery tasks, management commands and
every request that is not eligible never see the replica.
"""

from __future__ import annotations

import contextlib
import fnmatch
import time
from contextvars import ContextVar
from dataclasses import dataclass

from django.conf import settings
from django.db import connections

DEFAULT = "default"
REPLICA = "replica"
PIN_COOKIE = "yiwang_primary_until"
PIN_CACHE_KEY = "yiwang:primary-pin:user:{}"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# app_label or "app_label.ModelName" (lower case) that always read the primary.
PRIMARY_ONLY = frozenset({"sessions", "org.user"})


@dataclass
class ReadState:
    """Where this request's reads may go; one per request (a context variable)."""

    eligible: bool = False
    wrote: bool = False
    replica_reads: int = 0
    primary_reads: int = 0


_state: ContextVar[ReadState | None] = ContextVar("yiwang_read_state", default=None)

# Process-wide counters (a worker's reads since it started), read by the deployment test and by monitoring.
COUNTERS = {"replica_reads": 0, "primary_reads": 0, "eligible_requests": 0, "pinned_requests": 0}


def current_state() -> ReadState | None:
    return _state.get()


@contextlib.contextmanager
def replica_reads(*, eligible: bool = True):
    """Run a block as one request would: its reads may go to the replica (``eligible``) until it writes."""
    token = _state.set(ReadState(eligible=eligible))
    try:
        yield _state.get()
    finally:
        _state.reset(token)


def _primary_only(model) -> bool:
    meta = model._meta
    return meta.app_label in PRIMARY_ONLY or meta.label_lower in PRIMARY_ONLY


class ReplicaRouter:
    """Reads of an eligible request to ``replica``; every write and every other read to ``default``."""

    def __init__(self, replica: str = REPLICA, default: str = DEFAULT):
        self.replica, self.default = replica, default

    def db_for_read(self, model, **hints):
        state = _state.get()
        if (
            state is None
            or not state.eligible
            or state.wrote
            or _primary_only(model)
            or connections[self.default].in_atomic_block
        ):
            if state is not None:
                state.primary_reads += 1
            COUNTERS["primary_reads"] += 1
            return self.default
        state.replica_reads += 1
        COUNTERS["replica_reads"] += 1
        return self.replica

    def db_for_write(self, model, **hints):
        state = _state.get()
        if state is not None:
            state.wrote = True
        return self.default

    def allow_relation(self, obj1, obj2, **hints):
        aliases = {self.default, self.replica}
        if obj1._state.db in aliases and obj2._state.db in aliases:
            return True  # the same data: the replica is a copy of the primary
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints):
        if db == self.replica:
            return False  # a hot standby is read-only; it follows the primary's schema through WAL
        return None


def _view_is_eligible(view_name: str | None) -> bool:
    if not view_name:
        return False
    return any(fnmatch.fnmatchcase(view_name, pattern) for pattern in settings.DATABASE_REPLICA_VIEWS)


def _pinned(request) -> bool:
    raw = request.COOKIES.get(PIN_COOKIE, "")
    try:
        if float(raw) > time.time():
            return True
    except ValueError:
        pass
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from django.core.cache import cache

        until = cache.get(PIN_CACHE_KEY.format(user.pk))
        if until is not None and until > time.time():
            return True
    return False


def pin_to_primary(request, response) -> None:
    """The client (and the signed-in user on every device) reads the primary for the pin window."""
    seconds = settings.DATABASE_REPLICA_PIN_SECONDS
    until = time.time() + seconds
    response.set_cookie(
        PIN_COOKIE,
        f"{until:.0f}",
        max_age=seconds,
        httponly=True,
        samesite="Lax",
        secure=not settings.DEBUG,
    )
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        from django.core.cache import cache

        cache.set(PIN_CACHE_KEY.format(user.pk), until, seconds)


class ReplicaReadMiddleware:
    """Decides per request whether its reads may go to the replica, and pins writers to the primary.

    ``X-Read-From: replica`` on the response tells which database served an eligible request's reads
    (operators and the deployment test read it); ``primary`` when it was eligible but pinned or wrote.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _state.set(ReadState())
        try:
            response = self.get_response(request)
            state = _state.get()
            if request.method not in SAFE_METHODS or state.wrote:
                pin_to_primary(request, response)
            if state.eligible or getattr(request, "_replica_pinned", False):
                response["X-Read-From"] = REPLICA if state.replica_reads and not state.wrote else DEFAULT
            return response
        finally:
            _state.reset(token)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method not in ("GET", "HEAD"):
            return None
        match = getattr(request, "resolver_match", None)
        if not _view_is_eligible(match.view_name if match else None):
            return None
        if _pinned(request):
            request._replica_pinned = True
            COUNTERS["pinned_requests"] += 1
            return None
        _state.get().eligible = True
        COUNTERS["eligible_requests"] += 1
        return None
