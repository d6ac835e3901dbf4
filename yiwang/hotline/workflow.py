"""The appeal's life as data: which state may follow which (STYLE: a dict state → next states).

    received ─┬─ answered (直接办结, the knowledge base answers a consultation)
              ├─ declined (110/119/120/122, litigation, arbitration, discipline, reconsideration, 信访)
              ├─ merged (a duplicate of another open appeal)
              └─ dispatched ─┬─ signed_off ── replied ── revisited ─┬─ closed
                             │                   ▲                  └─ reopened (重办, new clock)
                             ├─ returned ── dispatched (re-dispatch or return refused)   │
                             └─ merged                           replied ◄──────────────┘

Extensions are requested while signed off (or reopened) and change the deadline, not the state.
"""

from yiwang.core.workflow import transition_check
from yiwang.hotline.models import Appeal

S = Appeal.State

APPEAL_TRANSITIONS: dict[str, frozenset[str]] = {
    S.RECEIVED: frozenset({S.ANSWERED, S.DECLINED, S.DISPATCHED, S.MERGED}),
    S.DISPATCHED: frozenset({S.SIGNED_OFF, S.RETURNED, S.MERGED}),
    S.RETURNED: frozenset({S.DISPATCHED}),
    S.SIGNED_OFF: frozenset({S.REPLIED}),
    S.REPLIED: frozenset({S.REVISITED}),
    S.REVISITED: frozenset({S.CLOSED, S.REOPENED}),
    S.REOPENED: frozenset({S.REPLIED}),
    S.ANSWERED: frozenset(),
    S.DECLINED: frozenset(),
    S.CLOSED: frozenset(),
    S.MERGED: frozenset(),
}

# States in which the lead department may ask for more time.
EXTENSION_STATES = frozenset({S.SIGNED_OFF, S.REOPENED})


def can_transition(appeal: Appeal, target: str) -> bool:
    return target in APPEAL_TRANSITIONS.get(appeal.state, frozenset())


def check_transition(appeal: Appeal, target: str) -> None:
    """Raise 409 ``appeal.invalid_transition`` unless ``target`` may follow the current state."""
    if not can_transition(appeal, target):
        current = Appeal.State(appeal.state).label
        wanted = Appeal.State(target).label
        transition_check(
            APPEAL_TRANSITIONS,
            entity="appeal",
            state=appeal.state,
            target=target,
            message=f"诉求当前状态为“{current}”，不能变更为“{wanted}”",
            code=appeal.code,
        )
