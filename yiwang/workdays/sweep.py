"""The one deadline sweep: every owned, running or paused clock, one status rule, each owner's handler.

An owning app registers a handler for its model once (in its ``AppConfig.ready``)::

    from yiwang.workdays.sweep import register_deadline_handler

    def on_deadline(*, clock, owner, before, after, today):
        ...  # mark, notify through the outbox; runs in the sweep's transaction, clock row locked

    register_deadline_handler("cases.Case", on_deadline)
    register_deadline_handler("hotline.Appeal", on_appeal_deadline, remind_lead_workdays=1)

``clocks_sweep`` walks the clocks that have an owner and are running or paused, computes each
one's status (``deadlines.clock_status``) and, when it differs from the stored ``Clock.status``,
saves it, audits it and calls the handler with ``before``/``after`` (``DeadlineStatus`` values; a
resumed or extended clock can go back, e.g. ``warning`` → ``normal``) — all in one transaction per
clock with the clock row locked. A handler that registered ``remind_lead_workdays=N`` is also
called once per due day with ``after="reminder"`` when a running clock's due day is N working days
away or nearer (催办; a new due day after an extension reminds again). The sweep is idempotent:
a second run on the same day calls nothing. A handler that raises is logged and counted, and its
clock's change is rolled back so the next run retries it; the sweep goes on. Clocks whose owner
registered no handler are still status-updated.

Deadlines that are not working-day clocks (urgent appeals counted in wall-clock hours) join the same
run through ``register_sweep_hook(name, hook)``: after the clocks, each hook is called with
``now=…`` and its result kept in the report, so one beat entry and one command cover every deadline.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, is_dataclass

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.workdays.calendar import as_date
from yiwang.workdays.deadlines import DeadlineStatus, clock_status, deadline_of_clock, workdays_settings
from yiwang.workdays.models import Clock

logger = logging.getLogger(__name__)

REMINDER = "reminder"

Handler = Callable[..., None]


@dataclass(frozen=True)
class Registration:
    handler: Handler
    remind_lead_workdays: int | None = None
    on_due_change: Handler | None = None


_handlers: dict[str, Registration] = {}
_hooks: dict[str, Callable[..., object]] = {}


def register_sweep_hook(name: str, hook: Callable[..., object]) -> None:
    """Run ``hook(now=…)`` on every sweep after the clocks (deadlines kept in hours, not clocks).
    One hook per name; registering again replaces it. The hook must be idempotent."""
    _hooks[name] = hook


def unregister_sweep_hook(name: str) -> None:
    _hooks.pop(name, None)


def _owner_key(model_or_label) -> str:
    """``"app_label.modelname"`` (lower case) for a model class, an instance or ``"app.Model"``."""
    if isinstance(model_or_label, str):
        app_label, _, model_name = model_or_label.partition(".")
        if not model_name:
            raise ValueError(f"expected 'app_label.Model', got {model_or_label!r}")
        return f"{app_label.lower()}.{model_name.lower()}"
    meta = model_or_label._meta
    return f"{meta.app_label}.{meta.model_name}"


def register_deadline_handler(
    model_or_label: type[models.Model] | str,
    handler: Handler,
    *,
    remind_lead_workdays: int | None = None,
    on_due_change: Handler | None = None,
) -> None:
    """Call ``handler(*, clock, owner, before, after, today)`` when a clock owned by an instance of
    ``model_or_label`` changes status (and, with ``remind_lead_workdays``, once per due day with
    ``after="reminder"``). ``on_due_change(*, clock, owner)`` is called when a calendar import moves
    the clock's due day, in the same transaction (an owner keeping a copy of the due day refreshes
    it). One handler per model; registering again replaces it."""
    if remind_lead_workdays is not None and remind_lead_workdays < 0:
        raise ValueError("remind_lead_workdays cannot be negative")
    _handlers[_owner_key(model_or_label)] = Registration(handler, remind_lead_workdays, on_due_change)


def unregister_deadline_handler(model_or_label: type[models.Model] | str) -> None:
    _handlers.pop(_owner_key(model_or_label), None)


def deadline_handler_for(model_or_label) -> Registration | None:
    return _handlers.get(_owner_key(model_or_label))


@dataclass
class SweepReport:
    date: dt.date
    checked: int = 0
    changed: int = 0  # clocks whose stored status changed
    by_status: dict[str, int] = field(default_factory=dict)  # new status → clocks
    handled: int = 0  # handler calls that succeeded (status changes and reminders)
    reminders: int = 0
    failed: int = 0
    failures: list[str] = field(default_factory=list)  # "clock <pk>: <error>"
    hooks: dict[str, object] = field(default_factory=dict)  # hook name → what it returned

    def as_dict(self) -> dict:
        data = asdict(self)
        data["date"] = self.date.isoformat()
        return data

    def summary(self) -> str:
        marked = "，".join(f"{DeadlineStatus(k).label} {v}" for k, v in sorted(self.by_status.items())) or "无变化"
        return (
            f"{self.date.isoformat()} 巡检期限 {self.checked} 个；状态变化 {self.changed} 个（{marked}）；"
            f"催办 {self.reminders} 个；处理失败 {self.failed} 个"
        )


def sweepable_clocks():
    """The clocks the sweep walks: owned by an object, running or paused."""
    return Clock.objects.filter(
        content_type__isnull=False, state__in=[Clock.State.RUNNING, Clock.State.PAUSED]
    ).order_by("pk")


def _wants_reminder(clock: Clock, registration: Registration | None, today: dt.date) -> bool:
    if registration is None or registration.remind_lead_workdays is None:
        return False
    if clock.state != Clock.State.RUNNING or clock.reminded_for == clock.due_on or today > clock.due_on:
        return False
    deadline = deadline_of_clock(clock, today=today)
    return deadline.workdays_left is not None and deadline.workdays_left <= registration.remind_lead_workdays


def _owner_registration(clock: Clock) -> Registration | None:
    content_type = clock.content_type
    return _handlers.get(f"{content_type.app_label}.{content_type.model}")


def clock_due_changed(clock: Clock) -> None:
    """Tell the clock's owner that its due day moved (called by the recompute after a calendar import)."""
    if clock.content_type_id is None:
        return
    registration = _owner_registration(clock)
    if registration is None or registration.on_due_change is None:
        return
    owner = _owner(clock)
    if owner is not None:
        registration.on_due_change(clock=clock, owner=owner)


def _owner(clock: Clock):
    model = apps.get_model(clock.content_type.app_label, clock.content_type.model)
    return model._default_manager.filter(pk=clock.object_id).first()


def _sweep_one(clock: Clock, today: dt.date, report: SweepReport, *, call_handlers: bool) -> None:
    with transaction.atomic():
        clock = Clock.objects.select_for_update(of=("self",)).select_related("content_type").get(pk=clock.pk)
        if clock.state not in (Clock.State.RUNNING, Clock.State.PAUSED):
            return  # stopped meanwhile
        registration = _owner_registration(clock) if call_handlers else None
        after = clock_status(clock, today)
        before = clock.status
        changed = after != before
        remind = _wants_reminder(clock, registration, today)
        if not changed and not remind:
            return  # a concurrent sweep did it
        fields = []
        if changed:
            clock.status = after
            fields.append("status")
        if remind:
            clock.reminded_for = clock.due_on
            fields.append("reminded_for")
        clock.save(update_fields=fields)
        audit_record(
            actor=None,
            action="workdays.clock_status_changed" if changed else "workdays.clock_reminded",
            obj=clock,
            before={"status": before},
            after={"status": clock.status, "reminded_for": clock.reminded_for.isoformat() if remind else None},
            region_code=clock.region_code or None,
            details={"date": today.isoformat(), "due_on": clock.due_on.isoformat()},
        )
        calls = 0
        if registration is not None:
            owner = _owner(clock)
            if owner is not None:
                if changed:
                    registration.handler(clock=clock, owner=owner, before=before, after=after, today=today)
                    calls += 1
                if remind:
                    registration.handler(clock=clock, owner=owner, before=clock.status, after=REMINDER, today=today)
                    calls += 1
    if changed:
        report.changed += 1
        report.by_status[str(after)] = report.by_status.get(str(after), 0) + 1
    report.reminders += int(remind)
    report.handled += calls


def clocks_sweep(
    *,
    today: dt.date | None = None,
    progress: Callable[[int], None] | None = None,
    call_handlers: bool = True,
) -> SweepReport:
    """Bring every owned running or paused clock's stored status up to ``today`` (default local
    today) and tell its owner's handler (DESIGN: one sweep in workdays calls the handler each owning
    app registers). Idempotent per day. ``call_handlers=False`` stores statuses without calling any
    handler or sending reminders (a baseline after deploying, so old alarms are not sent again).
    ``progress(n)`` is called as clocks are checked."""
    today = as_date(today) if today else timezone.localdate()
    report = SweepReport(date=today)
    batch = int(workdays_settings.get("SWEEP_BATCH"))
    for clock in sweepable_clocks().select_related("content_type").iterator(chunk_size=batch):
        report.checked += 1
        registration = _owner_registration(clock) if call_handlers else None
        # Read without a lock first: most clocks have not changed, and those take no lock at all.
        if clock_status(clock, today) != clock.status or _wants_reminder(clock, registration, today):
            try:
                _sweep_one(clock, today, report, call_handlers=call_handlers)
            except Exception as error:  # a handler's failure must not stop the county's sweep
                logger.exception("deadline sweep failed for clock %s", clock.pk)
                report.failed += 1
                report.failures.append(f"clock {clock.pk}: {error}")
        if progress:
            progress(1)
    if call_handlers:
        _run_hooks(today, report)
    return report


def _run_hooks(today: dt.date, report: SweepReport) -> None:
    now = timezone.now()
    if timezone.localdate(now) != today:  # a sweep "as of" another day judges hours at this time of that day
        now = timezone.make_aware(dt.datetime.combine(today, timezone.localtime(now).time()))
    for name, hook in list(_hooks.items()):
        try:
            result = hook(now=now)
        except Exception as error:  # like a handler: logged, counted, the sweep goes on
            logger.exception("deadline sweep hook %s failed", name)
            report.failed += 1
            report.failures.append(f"hook {name}: {error}")
            continue
        report.hooks[name] = asdict(result) if is_dataclass(result) else result
