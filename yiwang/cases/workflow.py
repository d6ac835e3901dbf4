"""Allowed case transitions, as data (STYLE: a dict from state to allowed next states).

submitted → accepted | accepted_deferred | correction_requested | rejected | withdrawn
correction_requested → submitted (materials supplied) | rejected | withdrawn
accepted / accepted_deferred → in_review (assigned to a handler)
in_review ⇄ paused (行政许可法 Art. 45) → decided_approved | decided_denied → delivered
"""

from yiwang.core.workflow import transition_check

from .models import CaseState

S = CaseState

CASE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.SUBMITTED: frozenset({S.ACCEPTED, S.ACCEPTED_DEFERRED, S.CORRECTION_REQUESTED, S.REJECTED, S.WITHDRAWN}),
    S.CORRECTION_REQUESTED: frozenset({S.SUBMITTED, S.REJECTED, S.WITHDRAWN}),
    S.ACCEPTED: frozenset({S.IN_REVIEW}),
    S.ACCEPTED_DEFERRED: frozenset({S.IN_REVIEW}),
    S.IN_REVIEW: frozenset({S.PAUSED, S.DECIDED_APPROVED, S.DECIDED_DENIED}),
    S.PAUSED: frozenset({S.IN_REVIEW}),
    S.DECIDED_APPROVED: frozenset({S.DELIVERED}),
    S.DECIDED_DENIED: frozenset({S.DELIVERED}),
    S.DELIVERED: frozenset(),
    S.REJECTED: frozenset(),
    S.WITHDRAWN: frozenset(),
}


def allowed_targets(state: str) -> frozenset[str]:
    return CASE_TRANSITIONS[state]


def can_transition(case, target: str) -> bool:
    return target in CASE_TRANSITIONS[case.state]


def check_case_transition(case, target: str) -> None:
    """Refuse (409 ``case.invalid_transition``) a move the workflow does not allow from the current state."""
    if target in CASE_TRANSITIONS[case.state]:
        return
    current, wanted = CaseState(case.state).label, CaseState(target).label
    transition_check(
        CASE_TRANSITIONS,
        entity="case",
        state=case.state,
        target=target,
        message=f"办件当前状态为“{current}”，不能转为“{wanted}”",
        case=case.number,
    )
