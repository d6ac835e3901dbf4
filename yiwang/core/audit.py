"""The audit log: append-only, SM3 hash-chained, written in the same transaction as the change.

Events are chained per *stream* — one region's events of one day (Asia/Shanghai), key
``"<region code or 000000>:<YYYY-MM-DD>"``. Recording an event never waits on another write: the
event is inserted *unlinked* (no sequence number, no hash) in the caller's transaction, and one
sequencer (``audit_seal``: the periodic task ``core.seal_audit`` every second, ``manage.py audit
seal``, and the first step of ``audit_verify``) links the committed events of each stream in order —
it locks the stream's head row, numbers the new events after the head, chains their hashes and moves
the head, in one short transaction of its own. A per-region-per-day head row locked until each
intake commits would queue every intake of the county behind it.

Each event's hash is SM3 over a canonical JSON serialisation (sorted keys, no whitespace, UTF-8)
of its stream key, sequence number, time, actor, action, object, before/after/details and the
previous event's hash (``GENESIS_HASH`` for the first). ``audit_verify`` recomputes every chain
and reports edited events (hash mismatch), deleted events (sequence gaps) and a deleted tail
(the head disagrees with the last event). The database refuses DELETE and every UPDATE except the
sequencer's one link of an unlinked event (migration ``core.0004_audit_sequencer``). Like any hash
chain it cannot on its own notice a rewrite of a whole stream from some event onward together with
its head; publishing the day's stream heads elsewhere (``AuditStream.last_hash``) closes that gap.
"""

import datetime as dt
import json
import math
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal
from enum import Enum
from pathlib import PurePath
from zoneinfo import ZoneInfo

from django.db import DEFAULT_DB_ALIAS, connections, models, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.duration import duration_iso_string
from django.utils.functional import Promise

from yiwang.core import gm
from yiwang.core.fields import EncryptedCharField, PiiHashField
from yiwang.core.models import AuditEvent, AuditStream
from yiwang.core.pii import pii_lookup_hash

GENESIS_HASH = "0" * 64
NATIONAL_REGION = "000000"
STREAM_TZ = ZoneInfo("Asia/Shanghai")
SYSTEM_LABEL = "系统"
ANONYMOUS_LABEL = "匿名用户"
HASH_VERSION = 1


# --- JSON-safe values ---------------------------------------------------------------------------


def json_safe(value):
    """The value as plain JSON data: dates and times as ISO strings, Decimals as strings, etc.

    What is stored is exactly what is hashed, so anything JSON cannot hold faithfully is turned
    into a string here rather than left to a JSON encoder.
    """
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"audit values must be finite numbers, got {value!r}")
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return duration_iso_string(value)
    if isinstance(value, Enum):  # TextChoices / IntegerChoices included
        return json_safe(value.value)
    if isinstance(value, uuid.UUID | PurePath | Promise):
        return str(value)
    if isinstance(value, models.Model):
        return json_safe(value.pk)
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted((json_safe(v) for v in value), key=lambda v: json.dumps(v, sort_keys=True))
    raise TypeError(f"{type(value).__name__} is not JSON-safe for the audit log")


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict:
    """A model's fields as a JSON-safe dict for ``before``/``after``.

    Foreign keys give the related primary key; many-to-many fields a sorted list of keys.
    Encrypted personal data never enters the log in clear: it appears as ``hmac-sm3:<lookup hash>``,
    enough to see that it changed and to match a known value, and companion hash columns are
    skipped. ``fields=None`` takes every concrete field except the primary key.
    """
    meta = obj._meta
    if fields is None:
        names = [f.name for f in meta.concrete_fields if not f.primary_key and not isinstance(f, PiiHashField)] + [
            f.name for f in meta.many_to_many
        ]
    else:
        names = list(fields)
    data = {}
    for name in names:
        model_field = meta.get_field(name)
        if model_field.many_to_many:
            value = sorted(getattr(obj, name).values_list("pk", flat=True)) if obj.pk is not None else []
        elif model_field.is_relation:
            value = getattr(obj, model_field.attname)
        elif isinstance(model_field, EncryptedCharField):
            plain = getattr(obj, name)
            value = f"hmac-sm3:{pii_lookup_hash(plain)}" if plain else plain
        else:
            value = getattr(obj, name)
        data[name] = json_safe(value)
    return data


# --- Hashing -------------------------------------------------------------------------------------


def _canonical_numbers(value):
    # PostgreSQL's jsonb reads 1.0 back as 1 and 1e20 as an integer; hashing integral floats as
    # integers keeps the hash the same before and after the round trip.
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _canonical_numbers(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_canonical_numbers(v) for v in value]
    return value


def _format_time(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def event_hash(event: AuditEvent, stream_key: str) -> str:
    """SM3 over the canonical serialisation of an event and its predecessor's hash."""
    payload = {
        "v": HASH_VERSION,
        "stream": stream_key,
        "seq": event.seq,
        "occurred_at": _format_time(event.occurred_at),
        "actor_id": event.actor_id,
        "actor_label": event.actor_label,
        "action": event.action,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_label": event.object_label,
        "before": event.before,
        "after": event.after,
        "details": event.details,
        "prev_hash": event.prev_hash,
    }
    canonical = json.dumps(_canonical_numbers(payload), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return gm.sm3_hex(canonical.encode("utf-8"))


# --- Recording -----------------------------------------------------------------------------------


def stream_key_for(region_code: str | None, moment: dt.datetime) -> str:
    return f"{region_code or NATIONAL_REGION}:{moment.astimezone(STREAM_TZ).date().isoformat()}"


def _region_of(obj) -> str | None:
    if obj is None:
        return None
    code = getattr(obj, "region_code", None)
    if code:
        return str(code)
    region = getattr(obj, "region", None)
    code = getattr(region, "code", None)
    return str(code) if code else None


def _actor_fields(actor) -> tuple[int | None, str]:
    if actor is None:
        return None, SYSTEM_LABEL
    if getattr(actor, "is_authenticated", True) is False or actor.pk is None:
        return None, ANONYMOUS_LABEL
    return actor.pk, str(actor)[:150]


# Stream ids known to be committed, per database: (alias, key) → id. A stream is a region's day, so a
# process knows a few hundred at most; the map is emptied when it grows past that bound, and by
# ``audit_maintenance`` (a flush or an archive may delete streams).
_committed_streams: dict[tuple[str, str], int] = {}
MAX_CACHED_STREAMS = 4096


class _StreamKnown:
    """The ``on_commit`` callback that files a stream id as committed once the transaction that found
    or created the row commits. While it waits in the transaction's callbacks it also vouches for the
    id within that transaction: Django drops it with the savepoint or the transaction that rolls back,
    and with it any use of an id whose row was rolled back."""

    __slots__ = ("cache_key", "stream_id")

    def __init__(self, cache_key: tuple[str, str], stream_id: int):
        self.cache_key, self.stream_id = cache_key, stream_id

    def __call__(self) -> None:
        if connections[self.cache_key[0]].in_atomic_block:
            return  # run by hand inside a transaction (a test capturing callbacks): nothing committed
        if len(_committed_streams) >= MAX_CACHED_STREAMS:
            _committed_streams.clear()
        _committed_streams[self.cache_key] = self.stream_id


def _stream_id(key: str, region_code: str, day: dt.date) -> int:
    """The stream's head row, created by the first event of the day; never locked here.

    Read once per process: a committed id from ``_committed_streams``, one found or created earlier in
    the open transaction from the callback that will file it at commit."""
    connection = transaction.get_connection()
    cache_key = (connection.alias, key)
    found = _committed_streams.get(cache_key)
    if found is not None:
        return found
    for _, callback, _ in connection.run_on_commit:
        if isinstance(callback, _StreamKnown) and callback.cache_key == cache_key:
            return callback.stream_id
    found = AuditStream.objects.filter(key=key).values_list("pk", flat=True).first()
    if found is None:
        # Unless a concurrent first event just did (it then waits only for that insert's commit).
        AuditStream.objects.bulk_create([AuditStream(key=key, region_code=region_code, day=day)], ignore_conflicts=True)
        found = AuditStream.objects.filter(key=key).values_list("pk", flat=True).get()
    transaction.on_commit(_StreamKnown(cache_key, found))
    return found


def _require_transaction(name: str) -> None:
    if not transaction.get_connection().in_atomic_block:
        raise TransactionManagementError(
            f"{name}() must run inside transaction.atomic(), together with the change it records"
        )


def _unlinked(
    *, stream_id: int, region_code: str, now: dt.datetime, actor_id, actor_label, action, obj, before, after, details
):
    return AuditEvent(
        stream_id=stream_id,
        region_code=region_code,
        seq=None,
        occurred_at=now,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        object_label=str(obj)[:200] if obj is not None else "",
        before=json_safe(before),
        after=json_safe(after),
        details=json_safe(details or {}),
        prev_hash="",
        hash="",
    )


def audit_record(
    *,
    actor,
    action: str,
    obj=None,
    before: dict | None = None,
    after: dict | None = None,
    region_code: str | None = None,
    details: dict | None = None,
) -> AuditEvent:
    """Append one event to its stream, inside the caller's transaction; the sequencer links it.

    ``actor`` is the acting user, or None for the system. The stream's region is ``region_code``,
    else the object's ``region_code`` or ``region.code``, else the national stream "000000".
    Raises TransactionManagementError outside ``transaction.atomic()``: an audit event must
    commit or roll back together with the change it records. The event returned is unlinked
    (``seq`` None) until ``audit_seal`` has run after the commit.
    """
    _require_transaction("audit_record")
    if obj is not None and obj.pk is None:
        raise ValueError("audit_record() needs a saved object (its primary key is None)")

    now = timezone.now()
    region = region_code or _region_of(obj) or NATIONAL_REGION
    key = stream_key_for(region, now)
    actor_id, actor_label = _actor_fields(actor)
    event = _unlinked(
        stream_id=_stream_id(key, region, now.astimezone(STREAM_TZ).date()),
        region_code=region,
        now=now,
        actor_id=actor_id,
        actor_label=actor_label,
        action=action,
        obj=obj,
        before=before,
        after=after,
        details=details,
    )
    event.save(force_insert=True)
    _seal_after_commit()
    return event


@dataclass(frozen=True)
class AuditEntry:
    """One event of ``audit_record_many``: the saved object and what changed on it."""

    obj: models.Model
    before: dict | None = None
    after: dict | None = None
    details: dict | None = None
    region_code: str | None = None


def audit_record_many(*, actor, action: str, entries: Iterable[AuditEntry]) -> list[AuditEvent]:
    """Append one event per entry, as ``audit_record`` would one by one, in a few statements.

    For bulk writes (a catalog list of thousands of items): the events are inserted together, in the
    order given within each stream (streams in key order), and the sequencer links them in that order.
    Same rules as ``audit_record``: inside the caller's transaction, saved objects only.
    """
    _require_transaction("audit_record_many")
    entries = list(entries)
    if any(entry.obj.pk is None for entry in entries):
        raise ValueError("audit_record_many() needs saved objects (a primary key is None)")
    now = timezone.now()
    actor_id, actor_label = _actor_fields(actor)
    by_key: dict[str, list[AuditEntry]] = {}
    for entry in entries:
        region = entry.region_code or _region_of(entry.obj) or NATIONAL_REGION
        by_key.setdefault(stream_key_for(region, now), []).append(entry)
    events = []
    for key in sorted(by_key):
        region = key.split(":", 1)[0]
        stream_id = _stream_id(key, region, now.astimezone(STREAM_TZ).date())
        for entry in by_key[key]:
            events.append(
                _unlinked(
                    stream_id=stream_id,
                    region_code=region,
                    now=now,
                    actor_id=actor_id,
                    actor_label=actor_label,
                    action=action,
                    obj=entry.obj,
                    before=entry.before,
                    after=entry.after,
                    details=entry.details,
                )
            )
    AuditEvent.objects.bulk_create(events, batch_size=1000)
    if events:
        _seal_after_commit()
    return events


# --- The sequencer -------------------------------------------------------------------------------


def audit_seal(*, stream_key: str | None = None, batch: int = 5000) -> int:
    """Link every committed unlinked event into its stream's chain; returns how many were linked.

    Per stream, in a short transaction of its own: lock the head row (only sequencers lock it, so two
    running at once take turns and the second finds nothing left), read the stream's unlinked events
    in insertion order, give each the next sequence number and chain its hash on the previous one,
    and move the head. Events of transactions still open are not visible yet; the next run links
    them after the ones linked now.
    """
    pending = AuditEvent.objects.filter(seq__isnull=True)
    if stream_key:
        pending = pending.filter(stream__key=stream_key)
    stream_ids = sorted(set(pending.values_list("stream_id", flat=True)))
    linked = 0
    for stream_id in stream_ids:
        with transaction.atomic():
            stream = AuditStream.objects.select_for_update().get(pk=stream_id)
            while True:
                events = list(AuditEvent.objects.filter(stream_id=stream_id, seq__isnull=True).order_by("id")[:batch])
                if not events:
                    break
                seq, prev_hash = stream.last_seq, stream.last_hash or GENESIS_HASH
                for event in events:
                    seq += 1
                    event.seq, event.prev_hash = seq, prev_hash
                    event.hash = prev_hash = event_hash(event, stream.key)
                _link(events)
                stream.last_seq, stream.last_hash = seq, prev_hash
                AuditStream.objects.filter(pk=stream.pk).update(
                    last_seq=seq, last_hash=prev_hash, updated_at=timezone.now()
                )
                linked += len(events)
                if len(events) < batch:
                    break
    return linked


def _link(events: list[AuditEvent]) -> None:
    """The one UPDATE the database allows on the log: linking unlinked events (their ``seq``,
    ``prev_hash`` and ``hash`` set), a statement per thousand events (``core.bulk.update_fields``;
    Django's ``bulk_update`` cost the sequencer more CPU than the hashing)."""
    from yiwang.core.bulk import update_fields

    update_fields(events, ["seq", "prev_hash", "hash"])


def _seal_soon() -> None:
    from yiwang.core.tasks import seal_audit

    seal_audit.delay()


def _seal_after_commit() -> None:
    """With tasks run in-process (no broker, no periodic worker), link right after the commit;
    with a worker, the periodic task links every second and nothing is queued per commit."""
    from django.conf import settings

    if not getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
        return
    connection = transaction.get_connection()
    if any(callback is _seal_soon for _, callback, _ in connection.run_on_commit):
        return  # once per transaction
    transaction.on_commit(_seal_soon, robust=True)


# --- Reading -------------------------------------------------------------------------------------


def audit_history(*, object_type: str, object_id: str):
    """An object's events, oldest first (``object_type`` is "app_label.model")."""
    return (
        AuditEvent.objects.filter(object_type=object_type.lower(), object_id=str(object_id))
        .select_related("stream")
        .order_by("occurred_at", "id")
    )


# --- Verification --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditProblem:
    stream: str
    seq: int | None
    event_id: int | None
    kind: str  # edited | deleted | relinked | tail
    message: str


@dataclass
class AuditVerification:
    streams: int = 0
    events: int = 0
    problems: list[AuditProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def audit_streams(*, stream_key: str | None = None, since: dt.date | None = None):
    streams = AuditStream.objects.order_by("day", "key")
    if stream_key:
        streams = streams.filter(key=stream_key)
    if since:
        streams = streams.filter(day__gte=since)
    return streams


def audit_verify(
    *,
    stream_key: str | None = None,
    since: dt.date | None = None,
    on_event: Callable[[], None] | None = None,
) -> AuditVerification:
    """Link what is waiting (``audit_seal``), then recompute the chain of every selected stream and
    report each break, naming the event."""
    audit_seal(stream_key=stream_key)
    result = AuditVerification()
    for stream in audit_streams(stream_key=stream_key, since=since).iterator():
        result.streams += 1
        _verify_stream(stream, result, on_event)
    return result


def _verify_stream(stream: AuditStream, result: AuditVerification, on_event) -> None:
    key = stream.key
    problems = result.problems
    expected_seq, previous_hash = 1, GENESIS_HASH
    last = None
    # Events committed since the seal above are not linked yet: the next seal chains them.
    linked = AuditEvent.objects.filter(stream=stream, seq__isnull=False)
    for event in linked.order_by("seq").iterator(chunk_size=2000):
        result.events += 1
        if on_event:
            on_event()
        where = f"流 {key} 第 {event.seq} 条（id={event.id}）"
        if event.seq != expected_seq:
            missing = (
                f"第 {expected_seq} 条" if event.seq == expected_seq + 1 else f"第 {expected_seq}–{event.seq - 1} 条"
            )
            problems.append(AuditProblem(key, event.seq, event.id, "deleted", f"{where}之前缺少{missing}：记录被删除"))
        elif event.prev_hash != previous_hash:
            problems.append(
                AuditProblem(key, event.seq, event.id, "relinked", f"{where}的前序哈希与上一条不符：链被改写")
            )
        if event_hash(event, key) != event.hash:
            problems.append(AuditProblem(key, event.seq, event.id, "edited", f"{where}的内容与哈希不符：记录被修改"))
        expected_seq, previous_hash, last = event.seq + 1, event.hash, event

    if last is None:
        if stream.last_seq:
            problems.append(
                AuditProblem(
                    key, None, None, "tail", f"流 {key} 应有 {stream.last_seq} 条，实际没有任何事件：记录被删除"
                )
            )
    elif last.seq != stream.last_seq or last.hash != stream.last_hash:
        problems.append(
            AuditProblem(
                key,
                last.seq,
                last.id,
                "tail",
                f"流 {key} 头记录为第 {stream.last_seq} 条，实际最后一条为第 {last.seq} 条（id={last.id}）："
                "末尾记录被删除或头记录被改动",
            )
        )


# --- Maintenance ---------------------------------------------------------------------------------

_maintenance = ContextVar("audit_maintenance", default=False)


def audit_deletes_allowed() -> bool:
    """Read by the SQLite trigger guard (registered per connection in ``CoreConfig.ready``)."""
    return _maintenance.get()


@contextmanager
def audit_maintenance(using: str = DEFAULT_DB_ALIAS):
    """Lift the database's refusal to DELETE/TRUNCATE audit events; UPDATE stays refused.

    Only for wiping a whole database (``flush``, which the test suite uses between transactional
    tests) or archiving closed streams. The ORM keeps refusing either way.
    """
    connection = connections[using]
    token = _maintenance.set(True)
    _committed_streams.clear()  # streams may be deleted: ids are read again
    try:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('yiwang.audit_unlocked', 'on', false)")
        yield
    finally:
        _maintenance.reset(token)
        _committed_streams.clear()
        if connection.vendor == "postgresql" and connection.connection is not None:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('yiwang.audit_unlocked', '', false)")
