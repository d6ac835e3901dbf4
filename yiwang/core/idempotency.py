"""``Idempotency-Key``: a retried submission never creates a second case or appeal.

Rules (after draft-ietf-httpapi-idempotency-key-header, scoped per user):

- Without the header, or for GET/HEAD/OPTIONS, the view simply runs.
- The first request with a key claims it and runs. A successful outcome (status < 400) is stored
  in the same transaction as the view's own writes, so either both commit or neither does.
- A retry with the same key, method, path and body gets the stored response unchanged (same status
  and body) plus ``Idempotent-Replayed: true``.
- The same key with a different request → 422 ``idempotency.key_reused``.
- A retry while the first is still running → 409 ``idempotency.in_progress``. A claim older than
  ``IDEMPOTENCY_LOCK_SECONDS`` (default 300) is taken as abandoned (its process died, and with
  it its uncommitted writes) and the retry runs.
- An error response (4xx/5xx) or an exception releases the key: errors change nothing, so the
  request may be corrected and sent again under the same key.
- Keys are scoped per user; anonymous requests share one scope (``user_id`` NULL). A form that
  carries a key in a hidden field should render a fresh key each time it is shown.

The view runs inside ``transaction.atomic()``; with ``ATOMIC_REQUESTS`` on, the claim would only
become visible to concurrent requests at commit, so leave it off (the default).
"""

import datetime as dt
import functools
import hashlib
import inspect
import json
import re
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from yiwang.core.errors import ApplicationError, application_error_response
from yiwang.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII; a UUID fits
STORED_HEADERS = ("Location",)
DEFAULT_LOCK_SECONDS = 300


def idempotent(view):
    """Honour ``Idempotency-Key`` on a plain Django view or a django-ninja operation function.

    Put it directly under the router decorator::

        @router.post("/appeals", response={201: AppealOut})
        @idempotent
        def create_appeal(request, payload: AppealIn): ...
    """
    if inspect.iscoroutinefunction(view):
        raise TypeError("idempotent supports synchronous views only")
    return _IdempotentView(view)


class _IdempotentView:
    """Callable wrapper rather than a closure: django-ninja resolves string annotations in the
    wrapped function's ``__globals__``, which a closure would hide."""

    def __init__(self, view):
        functools.update_wrapper(self, view)
        self.__globals__ = getattr(view, "__globals__", {})
        self._view = view
        # As a ninja operation the guard must see the final HttpResponse, so it wraps the
        # operation's run(); the operation then calls the undecorated function.
        contribute_operation_callback(self, self._unwrap_for_ninja)
        decorate_view(_ninja_run_guard)(self)

    def _unwrap_for_ninja(self, operation) -> None:
        operation.view_func = self._view

    def __call__(self, request: HttpRequest, *args, **kwargs):
        return run_idempotent(request, lambda: self._view(request, *args, **kwargs))


def _ninja_run_guard(run):
    @functools.wraps(run)
    def guarded(request, **kwargs):
        return run_idempotent(request, lambda: run(request, **kwargs))

    return guarded


def run_idempotent(request: HttpRequest, call) -> HttpResponse:
    """Apply the rules above around ``call()``, which produces the view's response."""
    if request.method in SAFE_METHODS:
        return call()
    key = request.headers.get(HEADER)
    if key is None:
        return call()
    try:
        record, claimed = _claim(request, key)
    except ApplicationError as error:
        return application_error_response(error)
    if not claimed:
        return _replay(record)
    return _execute(record, call)


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the body; for multipart forms, of the fields and files (boundaries differ per send)."""
    digest = hashlib.sha256()
    if request.content_type == "multipart/form-data":
        for name, values in sorted(request.POST.lists()):
            for value in values:
                digest.update(json.dumps(["field", name, value]).encode())
        for name, files in sorted(request.FILES.lists()):
            for upload in files:
                digest.update(json.dumps(["file", name, upload.name, upload.size]).encode())
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        digest.update(request.body)
    return digest.hexdigest()


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _lock_timeout() -> dt.timedelta:
    return dt.timedelta(seconds=getattr(settings, "IDEMPOTENCY_LOCK_SECONDS", DEFAULT_LOCK_SECONDS))


def _in_progress(key: str) -> ApplicationError:
    return ApplicationError(
        "idempotency.in_progress", "同一请求正在处理中，请稍后再试", details={"key": key}, status=409
    )


def _claim(request: HttpRequest, key: str) -> tuple[IdempotencyRecord, bool]:
    """The key's record and whether this request now owns it (False: replay the stored response)."""
    if not KEY_PATTERN.fullmatch(key):
        raise ApplicationError(
            "idempotency.bad_key",
            "Idempotency-Key 应为 1–255 个可见 ASCII 字符（不含空格）",
            details={"header": HEADER},
            status=400,
        )
    user_id = _user_id(request)
    method, path = request.method, request.path[:500]
    fingerprint = request_fingerprint(request)
    for _ in range(3):  # the holder may release the key between our insert and our read
        now, token = timezone.now(), secrets.token_hex(16)
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    key=key,
                    user_id=user_id,
                    method=method,
                    path=path,
                    request_fingerprint=fingerprint,
                    claim_token=token,
                    created_at=now,
                    locked_at=now,
                )
            return record, True
        except IntegrityError:
            pass
        record = IdempotencyRecord.objects.filter(key=key, user_id=user_id).first()
        if record is None:
            continue
        if (record.method, record.path, record.request_fingerprint) != (method, path, fingerprint):
            raise ApplicationError(
                "idempotency.key_reused",
                "该 Idempotency-Key 已用于另一个请求；新的请求请使用新的 Key",
                details={"key": key},
                status=422,
            )
        if record.state == IdempotencyRecord.State.DONE:
            return record, False
        if record.locked_at > now - _lock_timeout():
            raise _in_progress(key)
        taken = IdempotencyRecord.objects.filter(
            pk=record.pk, state=IdempotencyRecord.State.IN_PROGRESS, claim_token=record.claim_token
        ).update(claim_token=token, locked_at=now)
        if not taken:
            raise _in_progress(key)
        record.claim_token, record.locked_at = token, now
        return record, True
    raise _in_progress(key)


class _ClaimLost(Exception):
    pass


def _storable(response) -> bool:
    return not getattr(response, "streaming", False) and response.status_code < 400


def _execute(record: IdempotencyRecord, call) -> HttpResponse:
    mine = IdempotencyRecord.objects.filter(pk=record.pk, claim_token=record.claim_token)
    try:
        with transaction.atomic():
            response = call()
            if getattr(response, "is_rendered", True) is False:
                response.render()  # a TemplateResponse: its body is needed now
            if _storable(response):
                stored = mine.update(
                    state=IdempotencyRecord.State.DONE,
                    status_code=response.status_code,
                    response_body=response.content,
                    content_type=response.get("Content-Type", ""),
                    response_headers={h: response[h] for h in STORED_HEADERS if response.has_header(h)},
                )
                if not stored:
                    # Our claim was judged abandoned and taken over: undo our writes.
                    raise _ClaimLost
    except _ClaimLost:
        return application_error_response(_in_progress(record.key))
    except BaseException:
        mine.delete()
        raise
    if not _storable(response):
        mine.delete()
    return response


def _replay(record: IdempotencyRecord) -> HttpResponse:
    response = HttpResponse(
        bytes(record.response_body or b""),
        status=record.status_code,
        content_type=record.content_type or None,
    )
    for name, value in record.response_headers.items():
        response[name] = value
    response[REPLAYED_HEADER] = "true"
    return response


def purge_idempotency_records(*, older_than_hours: int = 24) -> int:
    """Delete records older than the retry window; returns how many went."""
    cutoff = timezone.now() - dt.timedelta(hours=older_than_hours)
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=cutoff).delete()
    return deleted
