"""Helpers the project services share: errors, the permission check, the audit snapshot and the
project row lock."""

from __future__ import annotations

from yiwang.core.errors import ApplicationError
from yiwang.org.scoping import scope_for
from yiwang.projects.models import ConstructionProject, ProjectStage, StageItem

P = ConstructionProject.State
St = ProjectStage.State
It = StageItem.State


def _error(code: str, message: str, *, field: str | None = None, status: int = 400, **details) -> ApplicationError:
    if field:
        details["field"] = field
    return ApplicationError(code, message, status=status, details=details)


def _forbidden(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, status=403)


def _conflict(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, status=409, details=details)


def _check(actor, action: str, *, department, message: str) -> None:
    if not scope_for(actor).can(action, department=department):
        raise _forbidden("project.not_permitted", message)


def _snap(project: ConstructionProject) -> dict:
    return {
        "state": project.state,
        "steward": project.steward_id,
        "approval_workdays": project.approval_workdays,
        "stages": {s.code: s.state for s in project.stages.all()},
    }


def _locked_project(project: ConstructionProject) -> ConstructionProject:
    return ConstructionProject.objects.select_for_update(of=("self",)).select_related("region").get(pk=project.pk)
