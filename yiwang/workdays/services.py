"""Writes on the calendar and on stored deadlines (clocks). Each one is atomic, locks the row it
changes and writes its audit event in the same transaction.

The pause ledger (行政许可法 Art. 45) is kept here, once: ``clock_pause_open`` returns the
``ClockPause`` row it opened and ``clock_pause_close`` (or ``clock_resume`` / ``clock_stop``) closes
that row and stores its excluded working days. An owning app that keeps its own pause record (a
case's 补正 or expert review) points it at that ``ClockPause`` row instead of counting paused days
again; ``pause.clock`` is the clock as changed. ``clock_pause``/``clock_resume`` do the same and
return the clock.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.workflow import transition_refused
from yiwang.workdays import calendar, deadlines
from yiwang.workdays.calendar import FIRST_YEAR, LAST_YEAR, as_date
from yiwang.workdays.importing import DayEntry, ImportErrors, import_error, validate_entries
from yiwang.workdays.models import CalendarDay, CalendarYear, Clock, ClockPause
from yiwang.workdays.selectors import add_workdays, clocks_touching_year, count_workdays
from yiwang.workdays.sweep import clock_due_changed
from yiwang.workdays.workflow import check_clock_transition

State = Clock.State


def _clock_snapshot(clock: Clock) -> dict:
    return {
        "state": clock.state,
        "days": clock.days,
        "due_on": clock.due_on.isoformat(),
        "provisional": clock.provisional,
        "paused_since": clock.paused_since.isoformat() if clock.paused_since else None,
        "paused_workdays": clock.paused_workdays,
    }


def _locked(clock: Clock) -> Clock:
    return Clock.objects.select_for_update().get(pk=clock.pk)


def _start_datetime(started_at: dt.datetime | dt.date) -> dt.datetime:
    if isinstance(started_at, dt.datetime):
        if timezone.is_naive(started_at):
            return timezone.make_aware(started_at)
        return started_at
    if isinstance(started_at, dt.date):
        return timezone.make_aware(dt.datetime.combine(started_at, dt.time.min))
    raise ApplicationError("workdays.bad_date", f"起算时间无效：{started_at!r}", details={"field": "started_at"})


def _apply_due(clock: Clock) -> None:
    due = add_workdays(clock.started_at, clock.days + clock.paused_workdays)
    clock.due_on = due.due
    clock.provisional = due.provisional


def clock_start(
    *,
    label: str,
    started_at: dt.datetime | dt.date,
    days: int,
    actor,
    owner=None,
    warning_ratio: float | None = None,
    region_code: str = "",
) -> Clock:
    """Start a deadline of ``days`` working days after the start event (民法典 Art. 201).

    ``owner`` is the object the deadline belongs to (a case, an appeal…); ``days = 0`` means the
    same day (即办件). ``warning_ratio`` defaults to the one threshold,
    ``YIWANG_WORKDAYS["WARNING_RATIO"]`` (county default 80 %). Errors: ``workdays.negative_days``,
    ``workdays.label_required``, ``workdays.bad_warning_ratio``.
    """
    if warning_ratio is None:
        warning_ratio = deadlines.warning_ratio()
    label = (label or "").strip()
    if not label:
        raise ApplicationError("workdays.label_required", "请填写期限名称", details={"field": "label"})
    if isinstance(days, bool) or not isinstance(days, int):
        raise ApplicationError("workdays.bad_days", f"工作日数必须是整数：{days!r}", details={"field": "days"})
    if days < 0:
        raise ApplicationError("workdays.negative_days", f"工作日数不能为负数：{days}", details={"field": "days"})
    if not 0 < warning_ratio <= 1:
        raise ApplicationError(
            "workdays.bad_warning_ratio", "预警比例应在 0 到 1 之间", details={"field": "warning_ratio"}
        )
    clock = Clock(
        label=label,
        started_at=_start_datetime(started_at),
        days=days,
        warning_ratio=warning_ratio,
        region_code=region_code,
    )
    if owner is not None:
        clock.content_type = ContentType.objects.get_for_model(owner)
        clock.object_id = owner.pk
    _apply_due(clock)
    with transaction.atomic():
        clock.save()
        audit_record(
            actor=actor,
            action="workdays.clock_started",
            obj=clock,
            after={"label": clock.label, "started_at": clock.started_at.isoformat(), **_clock_snapshot(clock)},
            region_code=region_code or None,
        )
    return clock


def clock_pause(*, clock: Clock, on: dt.date, reason: str, actor) -> Clock:
    """Pause a running clock from ``on``; returns the clock. See ``clock_pause_open``."""
    return clock_pause_open(clock=clock, on=on, reason=reason, actor=actor).clock


def clock_pause_open(*, clock: Clock, on: dt.date, reason: str, actor) -> ClockPause:
    """Pause a running clock from ``on`` and return the pause-ledger row opened (``pause.clock`` is
    the paused clock). 行政许可法 Art. 45: hearings, tenders, testing, inspection, expert review are
    not counted. The pause day itself still counts. Refused with 409 ``clock.invalid_transition``
    unless running; ``workdays.reason_required`` without a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("workdays.reason_required", "请填写暂停原因", details={"field": "reason"})
    on = as_date(on)
    with transaction.atomic():
        clock = _locked(clock)
        check_clock_transition(clock, State.PAUSED)
        if on < as_date(clock.started_at):
            raise ApplicationError(
                "workdays.bad_pause_date",
                f"暂停日 {on.isoformat()} 早于起算日 {as_date(clock.started_at).isoformat()}",
                details={"field": "on"},
            )
        last_resume = (
            clock.pauses.filter(resumed_on__isnull=False)
            .order_by("-resumed_on")
            .values_list("resumed_on", flat=True)
            .first()
        )
        if last_resume and on < last_resume:
            raise ApplicationError(
                "workdays.bad_pause_date",
                f"暂停日 {on.isoformat()} 早于上一次恢复计时的日期 {last_resume.isoformat()}",
                details={"field": "on"},
            )
        before = _clock_snapshot(clock)
        pause = ClockPause.objects.create(
            clock=clock, region_code=clock.region_code, paused_on=on, reason=reason, actor=actor
        )
        clock.state = State.PAUSED
        clock.paused_since = on
        clock.save(update_fields=["state", "paused_since"])
        audit_record(
            actor=actor,
            action="workdays.clock_paused",
            obj=clock,
            before=before,
            after=_clock_snapshot(clock),
            region_code=clock.region_code or None,
            details={"reason": reason, "pause": pause.pk},
        )
    pause.clock = clock
    return pause


def _close_pause(clock: Clock, on: dt.date) -> ClockPause:
    if on < clock.paused_since:
        raise ApplicationError(
            "workdays.bad_resume_date",
            f"恢复日 {on.isoformat()} 早于暂停日 {clock.paused_since.isoformat()}",
            details={"field": "on"},
        )
    pause = clock.pauses.select_for_update().get(resumed_on__isnull=True)
    pause.resumed_on = on
    # Counting resumes the working day after the resume day, as after a start event.
    pause.workdays = count_workdays(pause.paused_on, on)
    pause.save(update_fields=["resumed_on", "workdays"])
    clock.paused_workdays += pause.workdays
    clock.paused_since = None
    _apply_due(clock)
    return pause


def clock_resume(*, clock: Clock, on: dt.date, actor) -> Clock:
    """Resume a paused clock on ``on``; returns the clock. See ``clock_pause_close``."""
    return clock_pause_close(clock=clock, on=on, actor=actor).clock


def clock_pause_close(*, clock: Clock, on: dt.date, actor) -> ClockPause:
    """Resume a paused clock on ``on`` and return the pause-ledger row it closed (``pause.workdays``
    = the working days excluded, ``pause.clock`` = the running clock). The due day moves later by
    exactly the working days in (paused_on, on]. Refused with 409 ``clock.invalid_transition``
    unless paused."""
    on = as_date(on)
    with transaction.atomic():
        clock = _locked(clock)
        check_clock_transition(clock, State.RUNNING)
        before = _clock_snapshot(clock)
        pause = _close_pause(clock, on)
        clock.state = State.RUNNING
        clock.save(update_fields=["state", "paused_since", "paused_workdays", "due_on", "provisional"])
        audit_record(
            actor=actor,
            action="workdays.clock_resumed",
            obj=clock,
            before=before,
            after=_clock_snapshot(clock),
            region_code=clock.region_code or None,
            details={
                "paused_on": pause.paused_on.isoformat(),
                "resumed_on": on.isoformat(),
                "workdays": pause.workdays,
                "pause": pause.pk,
            },
        )
    pause.clock = clock
    return pause


def clock_extend(*, clock: Clock, days: int, reason: str, actor) -> Clock:
    """Give a running or paused clock ``days`` more working days (an approved extension,
    e.g. 行政许可法 Art. 42: +10 working days). The due day is recounted from the start, the new
    total and the pause ledger. Refused: ``workdays.negative_days`` (days < 1),
    ``workdays.reason_required``, 409 ``clock.invalid_transition``."""
    if days < 1:
        raise ApplicationError("workdays.negative_days", "延长的工作日数必须大于零", details={"days": days})
    if not (reason or "").strip():
        raise ApplicationError("workdays.reason_required", "请填写延期理由")
    with transaction.atomic():
        clock = _locked(clock)
        if clock.state == State.STOPPED:
            raise transition_refused(
                entity="clock", state=clock.state, target="extended", message="期限已结束，不能再延长", clock=clock.pk
            )
        before = _clock_snapshot(clock)
        clock.days += days
        _apply_due(clock)
        clock.save(update_fields=["days", "due_on", "provisional"])
        audit_record(
            actor=actor,
            action="workdays.clock_extended",
            obj=clock,
            before=before,
            after=_clock_snapshot(clock),
            region_code=clock.region_code or None,
            details={"reason": reason.strip(), "days": days},
        )
    return clock


def clock_stop(*, clock: Clock, actor, on: dt.date | None = None) -> Clock:
    """Stop a clock (the work is done) on ``on`` (default today). A paused clock's open pause is
    closed on that day first. Refused with 409 ``clock.invalid_transition`` if already stopped."""
    on = as_date(on) if on is not None else timezone.localdate()
    with transaction.atomic():
        clock = _locked(clock)
        check_clock_transition(clock, State.STOPPED)
        before = _clock_snapshot(clock)
        if clock.state == State.PAUSED:
            _close_pause(clock, on)
        clock.state = State.STOPPED
        clock.stopped_on = on
        clock.save(update_fields=["state", "stopped_on", "paused_since", "paused_workdays", "due_on", "provisional"])
        audit_record(
            actor=actor,
            action="workdays.clock_stopped",
            obj=clock,
            before=before,
            after={**_clock_snapshot(clock), "stopped_on": on.isoformat()},
            region_code=clock.region_code or None,
        )
    return clock


def _recompute_locked(clock: Clock) -> bool:
    """Recount the pause ledger and the due day on the current calendar; save and audit a change."""
    before = _clock_snapshot(clock)
    total = 0
    for pause in clock.pauses.filter(resumed_on__isnull=False):
        workdays = count_workdays(pause.paused_on, pause.resumed_on)
        if workdays != pause.workdays:
            pause.workdays = workdays
            pause.save(update_fields=["workdays"])
        total += workdays
    clock.paused_workdays = total
    _apply_due(clock)
    after = _clock_snapshot(clock)
    if after == before:
        return False
    clock.save(update_fields=["paused_workdays", "due_on", "provisional"])
    audit_record(
        actor=None,
        action="workdays.clock_recomputed",
        obj=clock,
        before=before,
        after=after,
        region_code=clock.region_code or None,
    )
    clock_due_changed(clock)
    return True


def clock_recompute(*, clock: Clock) -> Clock:
    """Recompute a clock's due day from its start, its days and its pause ledger on the current
    calendar (after a calendar import). A system action: audited with no actor when it changes."""
    with transaction.atomic():
        clock = _locked(clock)
        _recompute_locked(clock)
    return clock


@dataclass(frozen=True)
class ImportResult:
    calendar_year: CalendarYear
    holidays: int
    workdays: int
    recomputed: int  # clocks whose span reaches into the year, recounted on the new data
    changed: int  # of those, the ones whose due day or provisional flag changed


def _as_entries(entries: Iterable) -> list[DayEntry]:
    result = []
    for item in entries:
        if isinstance(item, DayEntry):
            result.append(item)
        elif isinstance(item, dict):
            result.append(DayEntry(as_date(item["date"]), item["kind"], item.get("name", ""), item.get("line", 0)))
        else:
            day, kind, *rest = item
            result.append(DayEntry(as_date(day), kind, rest[0] if rest else "", 0))
    return result


def calendar_import_year(
    *, year: int, entries: Iterable, actor, source_text: str = "", source: str = CalendarYear.Source.IMPORT
) -> ImportResult:
    """Replace one year's holidays and 调休 workdays with the State Council's official data.

    The year becomes official, the in-memory calendar is reloaded, and every stored clock whose
    span reaches into the year is recounted — provisional deadlines (counted on the statutory
    fallback) become final (DESIGN: "importing the official year recomputes them"). All in one
    transaction; ``workdays.import_invalid`` with line-numbered errors changes nothing.
    """
    entries = _as_entries(entries)
    errors = ImportErrors()
    if not isinstance(year, int) or not FIRST_YEAR <= year <= LAST_YEAR:
        raise import_error([{"line": 0, "reason": f"年份 {year} 超出支持范围（{FIRST_YEAR}—{LAST_YEAR}）"}])
    for entry in entries:
        if entry.kind not in CalendarDay.Kind.values:
            errors.add(entry.line, f"未知类型“{entry.kind}”，应为 holiday（放假）或 workday（上班）")
    errors.raise_if_any()
    entries = validate_entries(entries, year, errors)
    errors.raise_if_any()

    try:
        with transaction.atomic():
            calendar_year, _created = CalendarYear.objects.select_for_update().get_or_create(
                year=year, defaults={"official": False, "source": source}
            )
            owned_elsewhere = dict(
                CalendarDay.objects.filter(date__in=[e.date for e in entries])
                .exclude(year=year)
                .values_list("date", "year")
            )
            for entry in entries:
                if entry.date in owned_elsewhere:
                    errors.add(
                        entry.line,
                        f"日期 {entry.date.isoformat()} 已属于 {owned_elsewhere[entry.date]} 年的节假日安排",
                    )
            errors.raise_if_any()

            previous = CalendarDay.objects.filter(year=year)
            before = {
                "official": calendar_year.official if not _created else False,
                "source": calendar_year.source if not _created else None,
                "holidays": previous.filter(kind=CalendarDay.Kind.HOLIDAY).count(),
                "workdays": previous.filter(kind=CalendarDay.Kind.WORKDAY).count(),
            }
            previous.delete()
            CalendarDay.objects.bulk_create(
                CalendarDay(date=e.date, kind=e.kind, name=e.name[:100], year=year) for e in entries
            )
            calendar_year.official = True
            calendar_year.source = source
            calendar_year.imported_at = timezone.now()
            calendar_year.imported_by = actor
            calendar_year.notice = source_text
            calendar_year.save()
            calendar.reset()

            first_day = min([dt.date(year, 1, 1), *(e.date for e in entries)])
            clocks = clocks_touching_year(year, first_day=first_day).select_for_update().order_by("pk")
            recomputed = changed = 0
            for clock in clocks:
                recomputed += 1
                changed += _recompute_locked(clock)

            holidays = sum(1 for e in entries if e.kind == CalendarDay.Kind.HOLIDAY)
            workdays = len(entries) - holidays
            audit_record(
                actor=actor,
                action="workdays.calendar_imported",
                obj=calendar_year,
                before=before,
                after={"official": True, "source": source, "holidays": holidays, "workdays": workdays},
                details={"year": year, "recomputed": recomputed, "changed": changed},
            )
            transaction.on_commit(calendar.reset)
    finally:
        # A rolled-back import must not leave its rows in this process's memory.
        calendar.reset()
    return ImportResult(calendar_year, holidays, workdays, recomputed, changed)
