"""One deadline shape and one status rule for every app (DESIGN: "one ``DeadlineStatus``, one
threshold, one sweep").

    from yiwang.workdays.deadlines import DeadlineStatus, deadline_of_clock, deadline_in_hours, worst

    deadline = deadline_of_clock(case.clock, label="办理期限")   # working days, from a stored clock
    deadline = deadline_in_hours(started_at=a, due_at=b, label="答复时限")  # urgent: wall-clock hours
    {% load deadlines %}{% deadline_badge deadline %}           # the one badge

A working-day deadline has four states: *normal*; *warning* once ``WARNING_RATIO`` (county
default 80 %) of its working days are used; *due* on the due day; *overdue* after it. An hours
deadline (urgent matters, handled round the clock) has normal, warning (80 % of the hours used)
and overdue. Counts shown to people are never negative: ``workdays_left`` is 0 once due or
overdue, and ``overdue_workdays`` counts the working days after the due day.

A paused clock is judged on its pause day (it stands still), a stopped one on the day it stopped.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from yiwang.core.conf import app_settings
from yiwang.workdays import calendar
from yiwang.workdays.calendar import as_date

if TYPE_CHECKING:  # models.py imports DeadlineStatus from here for Clock.status
    from yiwang.workdays.models import Clock

RUNNING, PAUSED, STOPPED = "running", "paused", "stopped"  # Clock.State values

DEFAULTS = {
    # County default (the plan gives no number): warn once 80 % of a deadline is used.
    "WARNING_RATIO": 0.8,
    # Clocks loaded per database round trip by the sweep.
    "SWEEP_BATCH": 500,
}

workdays_settings = app_settings("YIWANG_WORKDAYS", DEFAULTS)


def warning_ratio() -> float:
    """The one warning threshold (share of a deadline used), ``YIWANG_WORKDAYS["WARNING_RATIO"]``."""
    return float(workdays_settings.get("WARNING_RATIO"))


class DeadlineStatus(models.TextChoices):
    NORMAL = "normal", _("正常")
    WARNING = "warning", _("临期")
    DUE = "due", _("今日到期")
    OVERDUE = "overdue", _("已超期")


SEVERITY = {
    DeadlineStatus.NORMAL: 0,
    DeadlineStatus.WARNING: 1,
    DeadlineStatus.DUE: 2,
    DeadlineStatus.OVERDUE: 3,
}


def _count(start, end) -> int:
    # The same engine the selectors answer from (working days in (start, end]).
    return calendar.call("count_workdays", start, end)


def workday_status(*, reference: dt.date, due_on: dt.date, used: int, days: int, ratio: float) -> DeadlineStatus:
    """The rule: overdue after the due day, due on it, warning once ``ratio`` of ``days`` is used."""
    if reference > due_on:
        return DeadlineStatus.OVERDUE
    if reference == due_on:
        return DeadlineStatus.DUE
    if days and used >= ratio * days:
        return DeadlineStatus.WARNING
    return DeadlineStatus.NORMAL


def clock_reference_day(clock: Clock, today: dt.date) -> dt.date:
    """The day a clock is judged on: a paused clock stands still on its pause day, a stopped one
    is judged on the day it stopped."""
    if clock.state == PAUSED and clock.paused_since:
        return min(today, clock.paused_since)
    if clock.state == STOPPED and clock.stopped_on:
        return clock.stopped_on
    return today


def clock_used_workdays(clock: Clock, today: dt.date | None = None) -> int:
    """Working days of the clock used by ``today`` (paused working days are not used)."""
    reference = clock_reference_day(clock, as_date(today) if today else timezone.localdate())
    return max(0, _count(clock.started_at, reference) - clock.paused_workdays)


def clock_status(clock: Clock, today: dt.date | None = None) -> DeadlineStatus:
    """The status of a stored clock on ``today`` (default: local today), by the one rule."""
    reference = clock_reference_day(clock, as_date(today) if today else timezone.localdate())
    used = max(0, _count(clock.started_at, reference) - clock.paused_workdays)
    return workday_status(
        reference=reference, due_on=clock.due_on, used=used, days=clock.days, ratio=clock.warning_ratio
    )


@dataclass(frozen=True)
class Deadline:
    """A deadline as pages, queues and notices see it, in working days (``due_on``) or hours (``due_at``).

    ``workdays_left``/``hours_left`` are None when they do not apply (a stopped clock, the other
    unit); every count is ≥ 0 — a negative one is refused at construction.
    """

    label: str
    status: str  # a DeadlineStatus value
    due_on: dt.date | None = None
    due_at: dt.datetime | None = None
    provisional: bool = False
    workdays_left: int | None = None
    overdue_workdays: int = 0
    hours_left: int | None = None
    overdue_hours: int = 0
    paused: bool = False
    stopped: bool = False

    def __post_init__(self):
        if (self.due_on is None) == (self.due_at is None):
            raise ValueError("a Deadline has exactly one of due_on (working days) or due_at (hours)")
        if self.status not in DeadlineStatus.values:
            raise ValueError(f"unknown deadline status {self.status!r}")
        for name in ("workdays_left", "overdue_workdays", "hours_left", "overdue_hours"):
            value = getattr(self, name)
            if value is not None and value < 0:
                raise ValueError(f"{name} cannot be negative: {value}")

    @property
    def in_hours(self) -> bool:
        return self.due_at is not None

    @property
    def is_overdue(self) -> bool:
        return self.status == DeadlineStatus.OVERDUE

    @property
    def status_label(self) -> str:
        return str(DeadlineStatus(self.status).label)

    @property
    def sort_key(self) -> dt.datetime:
        """Earliest deadline first; a day deadline ends at the end of its due day."""
        if self.due_at is not None:
            return self.due_at
        return timezone.make_aware(dt.datetime.combine(self.due_on, dt.time.max))

    def display(self) -> str:
        """The due time as printed: ``2026-03-16`` (``（暂定）`` when provisional) or ``2026-03-16 17:30``."""
        if self.due_at is not None:
            return timezone.localtime(self.due_at).strftime("%Y-%m-%d %H:%M")
        return self.due_on.isoformat() + ("（暂定）" if self.provisional else "")


def deadline_of_clock(clock: Clock, *, label: str | None = None, today: dt.date | None = None) -> Deadline:
    """The deadline of a stored clock on ``today`` (default local today); ``label`` defaults to the clock's."""
    today = as_date(today) if today else timezone.localdate()
    reference = clock_reference_day(clock, today)
    status = clock_status(clock, today)
    stopped = clock.state == STOPPED
    left = max(0, _count(reference, clock.due_on))
    return Deadline(
        label=clock.label if label is None else label,
        status=status,
        due_on=clock.due_on,
        provisional=clock.provisional,
        workdays_left=None if stopped else left,
        overdue_workdays=max(0, _count(clock.due_on, reference)),
        paused=clock.state == PAUSED,
        stopped=stopped,
    )


def _whole_hours(delta: dt.timedelta) -> int:
    # "剩 3 小时" while 2 h 10 min remain: round up so a deadline never shows 0 before it passes.
    return max(0, math.ceil(delta.total_seconds() / 3600))


def deadline_in_hours(
    *,
    started_at: dt.datetime,
    due_at: dt.datetime,
    label: str,
    now: dt.datetime | None = None,
    stopped_at: dt.datetime | None = None,
    ratio: float | None = None,
) -> Deadline:
    """An hours deadline (urgent matters, counted round the clock): warning once ``ratio`` (default
    ``WARNING_RATIO``) of the hours are used, overdue after ``due_at``. A stopped one is judged at
    ``stopped_at``."""
    ratio = warning_ratio() if ratio is None else ratio
    reference = stopped_at or now or timezone.now()
    if reference > due_at:
        status = DeadlineStatus.OVERDUE
    elif (reference - started_at) >= ratio * (due_at - started_at):
        status = DeadlineStatus.WARNING
    else:
        status = DeadlineStatus.NORMAL
    stopped = stopped_at is not None
    return Deadline(
        label=label,
        status=status,
        due_at=due_at,
        hours_left=None if stopped else _whole_hours(due_at - reference),
        overdue_hours=_whole_hours(reference - due_at),
        stopped=stopped,
    )


def worst(deadlines: Iterable[Deadline | None]) -> Deadline | None:
    """The most urgent of some deadlines (highest status, then the earliest); None if there are none."""
    present = [d for d in deadlines if d is not None]
    if not present:
        return None
    return min(present, key=lambda d: (-SEVERITY[DeadlineStatus(d.status)], d.sort_key))
