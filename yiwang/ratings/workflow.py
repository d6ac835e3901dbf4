"""Allowed moves of a rectification, as data (STYLE 3).

verify (call the person back) → classify (fix now / fix within the deadline → rectify; explain → reply;
appeal as mistaken or malicious → the supervisor decides) → rectify → reply → revisit → the supervisor
accepts (closed) or sends it back (rectify again). A check finding starts at rectify: it was seen on
site by the check itself, so there is nobody to call back and nothing to classify or appeal
(services.rectifications.rectification_open_for_finding).
"""

from yiwang.core.workflow import transition_check

from .models import Rectification

S = Rectification.State

TRANSITIONS: dict[str, frozenset[str]] = {
    S.VERIFYING: frozenset({S.CLASSIFYING}),
    S.CLASSIFYING: frozenset({S.RECTIFYING, S.REPLYING, S.APPEALED}),
    S.APPEALED: frozenset({S.ANNULLED, S.CLASSIFYING}),
    S.RECTIFYING: frozenset({S.REPLYING}),
    S.REPLYING: frozenset({S.REVISITING}),
    S.REVISITING: frozenset({S.REVIEWING}),
    S.REVIEWING: frozenset({S.CLOSED, S.RECTIFYING}),
    S.CLOSED: frozenset(),
    S.ANNULLED: frozenset(),
}

# What a department does next in each state (labels of the queue's buttons).
NEXT_STEP = {
    S.VERIFYING: "回访核实",
    S.CLASSIFYING: "定性",
    S.RECTIFYING: "整改",
    S.REPLYING: "答复",
    S.REVISITING: "回访",
}
SUPERVISOR_STATES = (S.APPEALED, S.REVIEWING)


def check_rectification_transition(rectification: Rectification, target: str) -> None:
    transition_check(
        TRANSITIONS,
        entity="rectification",
        state=rectification.state,
        target=target,
        message=f"整改当前为“{rectification.get_state_display()}”，不能进行此操作",
        number=rectification.number,
    )
