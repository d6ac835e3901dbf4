"""Allowed clock transitions, as data (STYLE: a dict from state to allowed next states)."""

from yiwang.core.workflow import transition_refused
from yiwang.workdays.models import Clock

State = Clock.State

CLOCK_TRANSITIONS: dict[str, frozenset[str]] = {
    State.RUNNING: frozenset({State.PAUSED, State.STOPPED}),
    State.PAUSED: frozenset({State.RUNNING, State.STOPPED}),
    State.STOPPED: frozenset(),
}

# What a refused transition tells the user, by the state it needed.
_REFUSALS = {
    State.PAUSED: "只有计时中的期限才能暂停",
    State.RUNNING: "只有已暂停的期限才能恢复计时",
    State.STOPPED: "期限已结束，不能再次结束",
}


def check_clock_transition(clock: Clock, target: str) -> None:
    """Refuse (409 ``clock.invalid_transition``) a move the workflow does not allow from the clock's state."""
    if target in CLOCK_TRANSITIONS[clock.state]:
        return
    message = "期限已结束，不能再更改" if clock.state == State.STOPPED else _REFUSALS[target]
    raise transition_refused(entity="clock", state=clock.state, target=target, message=message, clock=clock.pk)
