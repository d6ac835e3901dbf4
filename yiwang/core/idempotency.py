"""``Idempotency-Key``: a retried submission never creates a second case or appeal.

Rules (after draft-ietf-httpapi-idempotency-key-header, scoped per user):

- Without the header, or for GET/HEAD/OPTIONS, the view simply runs — except on creating
  endpoints marked ``@idempotent(deduplicate=True)``, see below.
- The first request with a key claims it and runs. The claim is written in the same transaction
  as the view's own writes and its stored outcome (status < 400), so either all commit or none does.
- A retry with the same key, method, path and body gets the stored response unchanged (same status
  and body) plus ``Idempotent-Replayed: true``.
- The same key with a different request → 422 ``idempotency.key_reused``.
- A retry while the first is still running waits for it (``CLAIM_WAIT_SECONDS``) and then gets its
  outcome; if the first is still running after that → 409 ``idempotency.in_progress``.
- A crash never blocks a retry: the claim lives in the first request's transaction, so a process
  that dies (or a connection that drops) takes its claim with it and the retry runs at once. A
  committed claim still marked in progress can only be a leftover, and is taken over.
- An error response (4xx/5xx) or an exception releases the key: errors change nothing, so the
  request may be corrected and sent again under the same key.
- Keys are scoped per user; anonymous requests share one scope (``user_id`` NULL). A form that
  carries a key in a hidden field should render a fresh key each time it is shown.

Repeats without a key (``deduplicate=True``, creating endpoints only): a submission that repeats one
from the same client — the same user, or for anonymous visitors the same IP address — with the same
content within ``REPEAT_WINDOW_SECONDS`` (county default 120 s) is answered with the first one's
response (same number, same status) instead of creating a second. Content is compared without the
per-render form fields (CSRF token, submission token) and with JSON keys in any order; only
creating outcomes (201 or a redirect) are remembered. After the window the same content creates anew.

The view runs inside ``transaction.atomic()``; with ``ATOMIC_REQUESTS`` on, the claim would only
become visible to concurrent requests at commit, so leave it off (the default).
"""

import contextlib
import datetime as dt
import functools
import hashlib
import inspect
import json
import re
import secrets

from django.db import OperationalError, connection, transaction
from django.db.models.constants import OnConflict
from django.http import HttpRequest, HttpResponse
from django.http.multipartparser import MultiPartParserError
from django.utils import timezone
from ninja.decorators import decorate_view
from ninja.utils import contribute_operation_callback

from yiwang.core.conf import app_settings
from yiwang.core.errors import ApplicationError, application_error_response
from yiwang.core.models import IdempotencyRecord

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
KEY_PATTERN = re.compile(r"[\x21-\x7e]{1,255}")  # visible ASCII; a UUID fits
# Keys derived for repeats without a header contain a space, which no client key may.
REPEAT_KEY_PREFIX = "repeat "
STORED_HEADERS = ("Location",)
# Form fields that differ each time the same form is shown; they say nothing about the content.
PER_RENDER_FIELDS = frozenset({"csrfmiddlewaretoken", "submission_key", "submission_token"})

DEFAULTS = {
    # County default (the plan gives no number): identical submissions this close together are one.
    "REPEAT_WINDOW_SECONDS": 120,
    # How long a retry waits for a running first request before answering 409.
    "CLAIM_WAIT_SECONDS": 5,
}


def idempotency_setting(key: str):
    return app_settings("YIWANG_IDEMPOTENCY", DEFAULTS).get(key)


def idempotent(view=None, *, deduplicate: bool = False):
    """Honour ``Idempotency-Key`` on a plain Django view or a django-ninja operation function.

    Put it directly under the router decorator::

        @router.post("/appeals", response={201: AppealOut})
        @idempotent(deduplicate=True)  # also answer keyless repeats with the first outcome
        def create_appeal(request, payload: AppealIn): ...
    """
    if view is None:
        return functools.partial(idempotent, deduplicate=deduplicate)
    if inspect.iscoroutinefunction(view):
        raise TypeError("idempotent supports synchronous views only")
    return _IdempotentView(view, deduplicate=deduplicate)


class _IdempotentView:
    """Callable wrapper rather than a closure: django-ninja resolves string annotations in the
    wrapped function's ``__globals__``, which a closure would hide."""

    def __init__(self, view, *, deduplicate: bool):
        functools.update_wrapper(self, view)
        self.__globals__ = getattr(view, "__globals__", {})
        self._view = view
        self._deduplicate = deduplicate
        # As a ninja operation the guard must see the final HttpResponse, so it wraps the
        # operation's run(); the operation then calls the undecorated function.
        contribute_operation_callback(self, self._unwrap_for_ninja)
        decorate_view(functools.partial(_ninja_run_guard, deduplicate=deduplicate))(self)

    def _unwrap_for_ninja(self, operation) -> None:
        operation.view_func = self._view

    def __call__(self, request: HttpRequest, *args, **kwargs):
        return run_idempotent(request, lambda: self._view(request, *args, **kwargs), deduplicate=self._deduplicate)


def _ninja_run_guard(run, *, deduplicate: bool):
    @functools.wraps(run)
    def guarded(request, **kwargs):
        return run_idempotent(request, lambda: run(request, **kwargs), deduplicate=deduplicate)

    return guarded


class _Claim:
    """What a request claims: a client's key, or the key derived for a keyless repeat."""

    def __init__(self, *, key, user_id, method, path, fingerprint, repeat_window=None):
        self.key, self.user_id, self.method, self.path = key, user_id, method, path
        self.fingerprint = fingerprint
        self.repeat_window: dt.timedelta | None = repeat_window

    def matches(self, record: IdempotencyRecord) -> bool:
        return (record.method, record.path, record.request_fingerprint) == (self.method, self.path, self.fingerprint)


def run_idempotent(request: HttpRequest, call, *, deduplicate: bool = False) -> HttpResponse:
    """Apply the rules above around ``call()``, which produces the view's response."""
    if request.method in SAFE_METHODS:
        return call()
    key = request.headers.get(HEADER)
    if key is None and not deduplicate:
        return call()
    try:
        claim = _client_claim(request, key) if key is not None else _repeat_claim(request)
    except ApplicationError as error:
        return application_error_response(error)
    try:
        with transaction.atomic():
            try:
                record = _claim(claim)
            except ApplicationError as error:
                raise _Refused(error) from None  # out of the transaction: a timed-out wait aborted it
            if record.state == IdempotencyRecord.State.DONE:
                return _replay(record)
            response = call()
            if getattr(response, "is_rendered", True) is False:
                response.render()  # a TemplateResponse: its body is needed now
            mine = IdempotencyRecord.objects.filter(pk=record.pk, claim_token=record.claim_token)
            if _keeps(response, claim):
                stored = mine.update(
                    state=IdempotencyRecord.State.DONE,
                    status_code=response.status_code,
                    response_body=response.content,
                    content_type=response.get("Content-Type", ""),
                    response_headers={h: response[h] for h in STORED_HEADERS if response.has_header(h)},
                )
                if not stored:
                    raise _ClaimLost  # someone else holds the key now: undo our writes
            else:
                mine.delete()  # errors change nothing: the key is free for a corrected request
    except _Refused as refused:
        return application_error_response(refused.error)
    except _ClaimLost:
        return application_error_response(_in_progress(claim.key))
    return response


def request_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of the body; for multipart forms, of the fields and files (boundaries differ per send)."""
    if request.content_type == "multipart/form-data":
        return _form_fingerprint(request, skip=frozenset())
    return hashlib.sha256(request.body).hexdigest()


def content_fingerprint(request: HttpRequest) -> str:
    """SHA-256 of what was submitted, the same for the same content however it was sent: form fields
    without the per-render ones (any encoding, any order), JSON with its keys sorted."""
    if request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
        return _form_fingerprint(request, skip=PER_RENDER_FIELDS)
    body = request.body
    if request.content_type == "application/json":
        with contextlib.suppress(ValueError, RecursionError):  # not JSON after all: the raw bytes count
            body = json.dumps(json.loads(body), sort_keys=True, ensure_ascii=False).encode()
    return hashlib.sha256(body).hexdigest()


def _form_fingerprint(request: HttpRequest, *, skip: frozenset) -> str:
    digest = hashlib.sha256()
    try:
        fields, files = request.POST, request.FILES
    except MultiPartParserError:
        return hashlib.sha256(request.body).hexdigest()  # the view will refuse it; nothing to compare
    for name, values in sorted(fields.lists()):
        if name in skip:
            continue
        for value in values:
            digest.update(json.dumps(["field", name, value]).encode())
    for name, uploads in sorted(files.lists()):
        for upload in uploads:
            digest.update(json.dumps(["file", name, upload.name, upload.size]).encode())
            for chunk in upload.chunks():
                digest.update(chunk)
            upload.seek(0)
    return digest.hexdigest()


def _user_id(request: HttpRequest) -> int | None:
    user = getattr(request, "user", None)
    return user.pk if user is not None and user.is_authenticated else None


def _in_progress(key: str) -> ApplicationError:
    return ApplicationError(
        "idempotency.in_progress",
        "同一请求正在处理中，请稍后再试",
        details={"key": key if not key.startswith(REPEAT_KEY_PREFIX) else None},
        status=409,
    )


def _client_claim(request: HttpRequest, key: str) -> _Claim:
    if not KEY_PATTERN.fullmatch(key):
        raise ApplicationError(
            "idempotency.bad_key",
            "Idempotency-Key 应为 1–255 个可见 ASCII 字符（不含空格）",
            details={"header": HEADER},
            status=400,
        )
    return _Claim(
        key=key,
        user_id=_user_id(request),
        method=request.method,
        path=request.path[:500],
        fingerprint=request_fingerprint(request),
    )


def _repeat_claim(request: HttpRequest) -> _Claim:
    """The claim of a keyless submission: the client (user, or IP for anonymous visitors — the
    contact is part of the content), the endpoint with its query, and the content."""
    user_id = _user_id(request)
    client = f"user:{user_id}" if user_id is not None else f"ip:{request.META.get('REMOTE_ADDR', '')}"
    full_path = request.get_full_path()
    fingerprint = content_fingerprint(request)
    identity = json.dumps([client, request.method, full_path, fingerprint])
    return _Claim(
        key=REPEAT_KEY_PREFIX + hashlib.sha256(identity.encode()).hexdigest(),
        user_id=user_id,
        method=request.method,
        path=full_path[:500],
        fingerprint=fingerprint,
        repeat_window=dt.timedelta(seconds=idempotency_setting("REPEAT_WINDOW_SECONDS")),
    )


def _lock_timed_out(error: OperationalError) -> bool:
    return getattr(error.__cause__, "sqlstate", None) == "55P03"  # lock_not_available


# PostgreSQL: the claim in one statement. The row's SELECT sets ``lock_timeout`` for the wait on the
# unique index (the inner set_config, an argument of the outer one, keeps the setting it replaces in
# a variable of the transaction), and RETURNING puts it back once the row is in. Without a row (the
# key was taken) the caller puts it back.
_PG_CLAIM = (
    "INSERT INTO {table} ({columns}) SELECT {values}"
    " WHERE set_config('lock_timeout', %s,"
    " set_config('yiwang.claim_lock_timeout', current_setting('lock_timeout'), true) IS NOT NULL) IS NOT NULL"
    " ON CONFLICT DO NOTHING"
    " RETURNING {pk}, set_config('lock_timeout', current_setting('yiwang.claim_lock_timeout'), true)"
)
_PG_RESTORE = "SELECT set_config('lock_timeout', current_setting('yiwang.claim_lock_timeout'), true)"


def _insert_claim(record: IdempotencyRecord) -> bool:
    """``INSERT … ON CONFLICT DO NOTHING RETURNING``: whether the key was free (the record now holds it).

    One statement in the request's transaction. On PostgreSQL an insert of a key held by a live
    transaction waits for it on the unique index (at most ``CLAIM_WAIT_SECONDS``): its commit means
    no row here, its rollback lets the row in.
    """
    meta = IdempotencyRecord._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    if connection.vendor != "postgresql":
        rows = IdempotencyRecord._base_manager._insert(
            [record], fields=fields, returning_fields=[meta.pk], using=connection.alias, on_conflict=OnConflict.IGNORE
        )
        inserted = rows[0] if rows else None
    else:
        quote = connection.ops.quote_name
        sql = _PG_CLAIM.format(
            table=quote(meta.db_table),
            columns=", ".join(quote(f.column) for f in fields),
            values=", ".join(["%s"] * len(fields)),
            pk=quote(meta.pk.column),
        )
        params = [f.get_db_prep_save(f.pre_save(record, True), connection) for f in fields]
        milliseconds = max(1, int(float(idempotency_setting("CLAIM_WAIT_SECONDS")) * 1000))
        with connection.cursor() as cursor:
            try:
                cursor.execute(sql, [*params, f"{milliseconds}ms"])
            except OperationalError as error:
                if _lock_timed_out(error):
                    raise _in_progress(record.key) from None
                raise
            inserted = cursor.fetchone()
            if inserted is None:
                cursor.execute(_PG_RESTORE)
    if inserted is None:
        return False
    record.pk = inserted[0]
    record._state.adding, record._state.db = False, connection.alias
    return True


def _claim(claim: _Claim) -> IdempotencyRecord:
    """The key's record: a new one this request now holds, or a finished one to replay.

    Runs inside the request's transaction, and raises ``idempotency.in_progress`` (the transaction is
    then to be rolled back) when a live holder keeps the key past the wait.
    """
    for _ in range(3):  # a finished or stale record may go between our insert and our read
        now = timezone.now()
        record = IdempotencyRecord(
            key=claim.key,
            user_id=claim.user_id,
            method=claim.method,
            path=claim.path,
            request_fingerprint=claim.fingerprint,
            claim_token=secrets.token_hex(16),
            created_at=now,
            locked_at=now,
        )
        if _insert_claim(record):
            return record
        record = IdempotencyRecord.objects.filter(key=claim.key, user_id=claim.user_id).first()
        if record is None:
            continue
        if not claim.matches(record):
            raise ApplicationError(
                "idempotency.key_reused",
                "该 Idempotency-Key 已用于另一个请求；新的请求请使用新的 Key",
                details={"key": claim.key},
                status=422,
            )
        stale = (
            # A claim is only ever visible once its transaction committed: one still in progress was
            # left by a process that no longer runs.
            record.state == IdempotencyRecord.State.IN_PROGRESS
            or (claim.repeat_window is not None and record.created_at <= now - claim.repeat_window)
        )
        if not stale:
            return record
        IdempotencyRecord.objects.filter(pk=record.pk, claim_token=record.claim_token).delete()
    raise _in_progress(claim.key)


class _Refused(Exception):
    def __init__(self, error: ApplicationError):
        super().__init__(error)
        self.error = error


class _ClaimLost(Exception):
    pass


def _keeps(response, claim: _Claim) -> bool:
    """Whether the outcome is remembered: any success for a client key; for a keyless repeat only
    a creation (201 or the redirect after a form), not a form shown again."""
    if getattr(response, "streaming", False) or response.status_code >= 400:
        return False
    return claim.repeat_window is None or response.status_code == 201 or 300 <= response.status_code < 400


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
