"""A licence's life as data: valid → expired (the sweep) or revoked (注销); expired → revoked."""

from yiwang.core.workflow import transition_check

from .models import Licence, LicenceState

S = LicenceState

LICENCE_TRANSITIONS: dict[str, frozenset[str]] = {
    S.VALID: frozenset({S.EXPIRED, S.REVOKED}),
    S.EXPIRED: frozenset({S.REVOKED}),
    S.REVOKED: frozenset(),
}


def check_licence_transition(licence: Licence, target: str) -> None:
    """Raise 409 ``licence.invalid_transition`` unless ``target`` may follow the current state."""
    transition_check(
        LICENCE_TRANSITIONS,
        entity="licence",
        state=licence.state,
        target=target,
        message=f"证照当前状态为“{S(licence.state).label}”，不能变更为“{S(target).label}”",
        number=licence.number,
    )
