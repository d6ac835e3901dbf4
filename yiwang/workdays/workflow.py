"""Allowed clock transitions, as data (STYLE: a dict from state to allowed next states)."""

from yiwang.core.errors import ApplicationError
from yiwang.workdays.models import Clock

State = Clock.State

CLOCK_TRANSITIONS: dict[str, frozenset[str]] = {
    State.RUNNING: frozenset({State.PAUSED, State.STOPPED}),
    State.PAUSED: frozenset({State.RUNNING, State.STOPPED}),
    State.STOPPED: frozenset(),
}

# The error a refused transition answers with, by the state it needed.
_REFUSALS = {
    State.PAUSED: ("workdays.clock_not_running", "只有计时中的期限才能暂停"),
    State.RUNNING: ("workdays.clock_not_paused", "只有已暂停的期限才能恢复计时"),
    State.STOPPED: ("workdays.clock_stopped", "期限已结束，不能再次结束"),
}


def check_clock_transition(clock: Clock, target: str) -> None:
    """Refuse (409) a transition the workflow does not allow from the clock's current state."""
    if target in CLOCK_TRANSITIONS[clock.state]:
        return
    code, message = _REFUSALS[target]
    if clock.state == State.STOPPED:
        code, message = "workdays.clock_stopped", "期限已结束，不能再更改"
    raise ApplicationError(
        code,
        message,
        details={"clock": clock.pk, "state": clock.state, "target": str(target)},
        status=409,
    )
