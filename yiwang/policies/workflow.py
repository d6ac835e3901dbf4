"""Allowed policy transitions, as data.

draft → published (matched against every entity) → expired; an expired policy may be published
again (e.g. extended by a new notice), which matches again but never pushes twice.
"""

from yiwang.core.workflow import transition_check

from .models import PolicyState

S = PolicyState

POLICY_TRANSITIONS: dict[str, frozenset[str]] = {
    S.DRAFT: frozenset({S.PUBLISHED}),
    S.PUBLISHED: frozenset({S.EXPIRED}),
    S.EXPIRED: frozenset({S.PUBLISHED}),
}


def check_policy_transition(policy, target: str) -> None:
    transition_check(
        POLICY_TRANSITIONS,
        entity="policy",
        state=policy.state,
        target=target,
        message=f"政策当前为“{policy.get_state_display()}”，不能改为“{PolicyState(target).label}”",
    )
