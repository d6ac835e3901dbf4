"""The appeal's own deadlines, built with the one deadline engine (``yiwang.workdays.deadlines``).

Working-day deadlines are stored clocks (民法典 Art. 201: counting starts the working day after the
start event; the due day is a whole day). Urgent deadlines are wall-clock hours: an urgent matter is
handled round the clock, so ``due_at`` is an instant (``deadline_in_hours``). What is left here is
only which clock or instant belongs to which step of an appeal.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yiwang.workdays.deadlines import Deadline, deadline_in_hours, deadline_of_clock

# States in which the reply clock still runs (after them the reply time is the stop).
_REPLY_RUNNING = ("signed_off", "dispatched", "reopened", "returned")


def reply_deadline(appeal, now: dt.datetime | None = None) -> Deadline | None:
    """The handling (reply) deadline of the current dispatch or reopening, if any."""
    now = now or timezone.now()
    if appeal.reply_due_at is not None:
        started = appeal.dispatched_at or appeal.received_at
        stopped = appeal.replied_at if appeal.state not in _REPLY_RUNNING else None
        return deadline_in_hours(
            started_at=started, due_at=appeal.reply_due_at, label="答复时限", now=now, stopped_at=stopped
        )
    if appeal.handling_clock_id:
        return deadline_of_clock(appeal.handling_clock, label="答复时限", today=timezone.localtime(now).date())
    return None


def sign_off_deadline(dispatch, now: dt.datetime | None = None) -> Deadline | None:
    """The sign-off (签收) deadline of a dispatch, if any."""
    now = now or timezone.now()
    if dispatch.sign_off_due_at is not None:
        return deadline_in_hours(
            started_at=dispatch.dispatched_at,
            due_at=dispatch.sign_off_due_at,
            label="签收时限",
            now=now,
            stopped_at=dispatch.signed_off_at,
        )
    if dispatch.sign_off_clock_id:
        return deadline_of_clock(dispatch.sign_off_clock, label="签收时限", today=timezone.localtime(now).date())
    return None


def unresolved_deadline(matter, today: dt.date | None = None) -> Deadline | None:
    """The handling deadline of a 办不成事 matter, if it has a clock."""
    if matter.clock_id is None:
        return None
    return deadline_of_clock(matter.clock, label="办理时限", today=today)


def within(deadline: Deadline | None, now: dt.datetime | None = None) -> bool:
    """Whether ``now`` is not past the deadline (the whole due day counts for a day deadline)."""
    if deadline is None:
        return True
    now = now or timezone.now()
    if deadline.due_at is not None:
        return now <= deadline.due_at
    return timezone.localtime(now).date() <= deadline.due_on
