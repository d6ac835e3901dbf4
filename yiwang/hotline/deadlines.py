"""Deadlines of an appeal as one shape, whether counted in working days or (urgent) in hours.

Working-day deadlines are ``yiwang.workdays`` clocks (民法典 Art. 201: counting starts the working
day after the start event; the due day is a whole day). Urgent deadlines are wall-clock hours:
an urgent matter is handled round the clock, so ``due_at`` is an instant and the status follows
the same 80 % warning rule as a clock.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import clock_status, count_workdays

WARNING_RATIO = 0.8


@dataclass(frozen=True)
class Deadline:
    label: str
    status: str  # normal | warning | due | overdue
    due_on: dt.date | None = None
    due_at: dt.datetime | None = None
    provisional: bool = False
    workdays_left: int | None = None

    @property
    def in_hours(self) -> bool:
        return self.due_at is not None

    @property
    def sort_key(self) -> dt.datetime:
        if self.due_at is not None:
            return self.due_at
        return timezone.make_aware(dt.datetime.combine(self.due_on, dt.time.max))

    def display(self) -> str:
        if self.due_at is not None:
            return timezone.localtime(self.due_at).strftime("%Y-%m-%d %H:%M")
        return self.due_on.isoformat() + ("（暂定）" if self.provisional else "")


def clock_deadline(clock: Clock, label: str, today: dt.date | None = None) -> Deadline:
    today = today or timezone.localdate()
    return Deadline(
        label=label,
        status=clock_status(clock, today),
        due_on=clock.due_on,
        provisional=clock.provisional,
        workdays_left=count_workdays(today, clock.due_on) if clock.state != Clock.State.STOPPED else None,
    )


def hours_deadline(
    started_at: dt.datetime, due_at: dt.datetime, label: str, now: dt.datetime | None = None, stopped_at=None
) -> Deadline:
    reference = stopped_at or now or timezone.now()
    if reference > due_at:
        status = "overdue"
    elif (reference - started_at) >= WARNING_RATIO * (due_at - started_at):
        status = "warning"
    else:
        status = "normal"
    return Deadline(label=label, status=status, due_at=due_at)


def reply_deadline(appeal, now: dt.datetime | None = None) -> Deadline | None:
    """The handling (reply) deadline of the current dispatch or reopening, if any."""
    now = now or timezone.now()
    if appeal.reply_due_at is not None:
        started = appeal.dispatched_at or appeal.received_at
        stopped = (
            appeal.replied_at if appeal.state not in ("signed_off", "dispatched", "reopened", "returned") else None
        )
        return hours_deadline(started, appeal.reply_due_at, "答复时限", now, stopped_at=stopped)
    if appeal.handling_clock_id:
        return clock_deadline(appeal.handling_clock, "答复时限", timezone.localtime(now).date())
    return None


def sign_off_deadline(dispatch, now: dt.datetime | None = None) -> Deadline | None:
    now = now or timezone.now()
    if dispatch.sign_off_due_at is not None:
        return hours_deadline(
            dispatch.dispatched_at, dispatch.sign_off_due_at, "签收时限", now, stopped_at=dispatch.signed_off_at
        )
    if dispatch.sign_off_clock_id:
        return clock_deadline(dispatch.sign_off_clock, "签收时限", timezone.localtime(now).date())
    return None


def within(deadline: Deadline | None, now: dt.datetime | None = None) -> bool:
    """Whether ``now`` is not past the deadline (the whole due day counts for a day deadline)."""
    if deadline is None:
        return True
    now = now or timezone.now()
    if deadline.due_at is not None:
        return now <= deadline.due_at
    return timezone.localtime(now).date() <= deadline.due_on
