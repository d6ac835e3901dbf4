"""``/api/projects/``: a project with its stage clocks and blockers, projects at risk, applying for a
utility connection (``Idempotency-Key``), the utility's completion, and the public connection status.

The same actions of ``yiwang.org.scoping`` as the pages: a refusal is 403 ``auth.forbidden``; a project
or connection the caller may not read is 404. Errors are ``{"code", "message", "details"}``.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema, Status

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.org.models import Region
from yiwang.org.permissions import api_action_required, require_action
from yiwang.workdays.deadlines import Deadline

from . import selectors, services

router = Router(tags=["工程建设项目与公用报装"])


class DeadlineOut(Schema):
    label: str
    status: str
    due_on: dt.date | None
    workdays_left: int | None
    overdue_workdays: int
    paused: bool
    stopped: bool

    @staticmethod
    def build(d: Deadline | None) -> dict | None:
        if d is None:
            return None
        return {
            "label": d.label,
            "status": d.status,
            "due_on": d.due_on,
            "workdays_left": d.workdays_left,
            "overdue_workdays": d.overdue_workdays,
            "paused": d.paused,
            "stopped": d.stopped,
        }


class BlockerOut(Schema):
    item: str
    department: str
    state: str
    case_number: str
    case_state: str
    overdue_workdays: int
    note: str


class StageOut(Schema):
    code: str
    name: str
    state: str
    joint: str
    days: int
    used_workdays: int | None
    deadline: DeadlineOut | None
    blockers: list[BlockerOut]


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    category: str
    limit_days: int
    state: str
    approval_workdays: int | None
    steward: str | None
    deadline: DeadlineOut | None
    stages: list[StageOut]


def _blocker(b) -> dict:
    return {
        "item": b.item,
        "department": b.department,
        "state": b.state,
        "case_number": b.case_number,
        "case_state": b.case_state,
        "overdue_workdays": b.overdue_workdays,
        "note": b.note,
    }


def _project_out(project) -> dict:
    view = selectors.project_view(project)
    return {
        "id": project.pk,
        "code": project.code,
        "name": project.name,
        "category": project.category,
        "limit_days": project.limit_days,
        "state": project.state,
        "approval_workdays": project.approval_workdays,
        "steward": project.steward.display_name if project.steward_id else None,
        "deadline": DeadlineOut.build(view.deadline),
        "stages": [
            {
                "code": s.stage.code,
                "name": s.stage.get_code_display(),
                "state": s.stage.state,
                "joint": s.stage.joint,
                "days": s.stage.days,
                "used_workdays": s.stage.used_workdays,
                "deadline": DeadlineOut.build(s.deadline),
                "blockers": [_blocker(b) for b in s.blockers],
            }
            for s in view.stages
        ],
    }


@router.get("/projects/at-risk", response=list[ProjectOut])
@api_action_required("project.read", "project.measures")
def projects_at_risk(request):
    return [_project_out(r.project) for r in selectors.projects_at_risk(request.user)]


@router.get("/projects/{pk}", response=ProjectOut)
def project_detail(request, pk: int):
    user = getattr(request, "auth", None) or request.user
    if not getattr(user, "is_authenticated", False):
        raise ApplicationError("auth.required", "请先登录", status=401)
    project = selectors.projects_visible(user).filter(pk=pk).select_related("steward").first()
    if project is None:
        raise Http404("未找到该项目")
    return _project_out(project)


class ProjectIn(Schema):
    code: str = Field(..., max_length=32, description="投资项目统一代码")
    name: str = Field(..., max_length=200)
    category: str = Field(..., description="government / social / low_risk")
    builder_name: str = Field(..., max_length=200)
    builder_uscc: str = Field(..., max_length=18)
    region_code: str = Field(..., max_length=12, description="所属区县")
    town_code: str = Field("", max_length=12)
    area: str = Field("", max_length=64, description="所在园区（区域评估按园区共享）")
    site: str = Field(..., max_length=200)
    lead_department: str = Field("admin-approval", description="牵头部门编码")
    land_start: bool = False
    merged_permit: bool = False


@router.post("/projects", response={201: ProjectOut})
@idempotent
@api_action_required("project.manage")
def register_project(request, payload: ProjectIn):
    from yiwang.org.models import Department

    region = Region.objects.filter(code=payload.region_code).first()
    department = Department.objects.filter(code=payload.lead_department).first()
    if region is None or department is None:
        raise ApplicationError(
            "project.reference_unknown", "区划代码或牵头部门编码不存在", details={"field": "region_code"}
        )
    project = services.project_register(
        code=payload.code,
        name=payload.name,
        category=payload.category,
        builder_name=payload.builder_name,
        builder_uscc=payload.builder_uscc,
        region=region,
        town=Region.objects.filter(code=payload.town_code).first() if payload.town_code else None,
        area=payload.area,
        site=payload.site,
        lead_department=department,
        land_start=payload.land_start,
        merged_permit=payload.merged_permit,
        actor=request.user,
    )
    return Status(201, _project_out(project))


class ConnectionIn(Schema):
    kind: str = Field(..., description="electricity / water / gas")
    category: str = Field(
        ..., description="用电：resident / low_voltage_sanling / low_voltage / high_single / high_dual"
    )
    applicant_name: str = Field(..., max_length=200)
    applicant_phone: str = Field("", max_length=20)
    applicant_uscc: str = Field("", max_length=18)
    address: str = Field(..., max_length=200)
    capacity: str = Field("", max_length=64)
    region_code: str = Field(..., max_length=12)
    approvals: list[str] = Field(default_factory=list, description="road_digging / green_space / route_planning")


class ApprovalOut(Schema):
    kind: str
    case: str
    state: str
    result: str


class StatusOut(Schema):
    number: str
    query_code: str | None = None
    kind: str
    category: str
    applicant: str
    state: str
    accepted_on: dt.date
    days: int
    deadline: DeadlineOut | None
    connected_on: dt.date | None
    approvals: list[ApprovalOut]


def _status_out(status, code: str | None = None) -> dict:
    return {
        "number": status.number,
        "query_code": code,
        "kind": status.kind,
        "category": status.category,
        "applicant": status.applicant,
        "state": status.state,
        "accepted_on": status.accepted_on,
        "days": status.days,
        "deadline": DeadlineOut.build(status.deadline),
        "connected_on": status.connected_on,
        "approvals": [{k: a[k] for k in ("kind", "case", "state", "result")} for a in status.approvals],
    }


@router.post("/utilities", response={201: StatusOut})
@idempotent
@api_action_required("utility.apply")
def apply_connection(request, payload: ConnectionIn):
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None:
        raise ApplicationError(
            "utility.region_unknown", f"区划代码不存在：{payload.region_code}", details={"field": "region_code"}
        )
    connection = services.connection_apply(
        kind=payload.kind,
        category=payload.category,
        applicant_name=payload.applicant_name,
        applicant_phone=payload.applicant_phone,
        applicant_uscc=payload.applicant_uscc,
        address=payload.address,
        capacity=payload.capacity,
        region=region,
        approvals=payload.approvals,
        actor=request.user,
    )
    status = selectors.connection_status(number=connection.number, code=connection.query_code)
    return Status(201, _status_out(status, connection.query_code))


@router.get("/utilities/status", response=StatusOut, auth=None)
def connection_status(request, number: str, code: str):
    status = selectors.connection_status(number=number, code=code)
    if status is None:
        raise ApplicationError("utility.not_found", "未找到该报装，请核对报装编号和查询码", status=404)
    return _status_out(status)


@router.post("/utilities/{pk}/complete", response=StatusOut)
@api_action_required("utility.handle")
def complete_connection(request, pk: int):
    connection = selectors.connections_visible(request.user).filter(pk=pk).first()
    if connection is None:
        raise Http404("未找到该报装")
    require_action(request, "utility.handle", department=connection.utility)
    connection = services.connection_complete(connection=connection, actor=request.user)
    return _status_out(selectors.connection_status(number=connection.number, code=connection.query_code))
