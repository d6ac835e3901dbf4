"""One rule for refused state transitions, used by every app's ``workflow.py``.

Each app keeps its allowed transitions as data (a dict from state to the allowed next states); a
move the table does not allow is refused with HTTP 409 and the code ``<entity>.invalid_transition``
(``case.invalid_transition``, ``appeal.invalid_transition``, ``item.invalid_transition``,
``clock.invalid_transition`` …), with the current and wanted state in ``details``, so an API client
handles every refusal of every module the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from yiwang.core.errors import ApplicationError


def transition_refused(*, entity: str, state: str, target: str, message: str, **details) -> ApplicationError:
    """The error for a refused move of ``entity`` from ``state`` to ``target``."""
    return ApplicationError(
        f"{entity}.invalid_transition",
        message,
        details={"state": str(state), "target": str(target), **details},
        status=409,
    )


def transition_check(
    table: Mapping[str, frozenset[str]], *, entity: str, state: str, target: str, message: str, **details
) -> None:
    """Raise ``transition_refused`` unless ``target`` may follow ``state`` in ``table``."""
    if target not in table.get(state, frozenset()):
        raise transition_refused(entity=entity, state=state, target=target, message=message, **details)
