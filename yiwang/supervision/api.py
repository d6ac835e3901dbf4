"""``/api/supervision/``: the plan's tasks and their progress, ledgers, indicators and the dashboard.

Every operation asks the same action of ``yiwang.org.scoping`` as the pages do; a task or ledger
item the caller may not read is 404; business-rule errors are ``{"code", "message", "details"}``.
Creating endpoints honour ``Idempotency-Key``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import window
from yiwang.org.models import Department
from yiwang.org.permissions import api_action_required

from . import selectors
from .models import LedgerItem, Milestone, PlanTask, SubMeasure
from .services.indicators import indicator_value_enter
from .services.tasks import milestone_create, progress_report, task_close

router = Router(tags=["督查督办与营商环境监测"])


class TaskOut(Schema):
    id: int
    reference: str
    title: str
    area: str | None
    leader: str | None
    lead_departments: list[str]
    co_departments: list[str]
    state: str
    percent_done: int


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    source: str
    state: str
    done_on: dt.date | None
    escalated: bool


class TaskDetailOut(TaskOut):
    text: str
    milestones: list[MilestoneOut]
    targets: list[dict]


class ReportIn(Schema):
    department_code: str = Field(..., max_length=64)
    text: str = Field(..., max_length=4000)
    percent_done: int = Field(..., ge=0, le=100)
    milestone_id: int | None = None


class ReportOut(Schema):
    id: int
    task_id: int
    percent_done: int
    task_state: str


class MilestoneIn(Schema):
    title: str = Field(..., max_length=300)
    due_on: dt.date


class CloseIn(Schema):
    note: str = Field("", max_length=500)


class LedgerOut(Schema):
    id: int
    number: str
    kind: str
    title: str
    department: str
    amount_owed: Decimal | None
    amount_paid: Decimal
    due_on: dt.date
    state: str


class MeasureOut(Schema):
    code: str
    indicator: str
    name: str
    unit: str
    value: float | None
    source: str
    target: float | None
    frontier: float
    worst: float
    score: float | None
    status: str


class ValueIn(Schema):
    month: dt.date
    value: Decimal
    evidence: str = Field(..., max_length=2000)


def _task_out(task: PlanTask) -> dict:
    assignments = list(task.assignments.all())
    return {
        "id": task.pk,
        "reference": task.reference,
        "title": task.title,
        "area": task.area.title if task.area_id else None,
        "leader": task.area.leader_name if task.area_id else None,
        "lead_departments": [a.department.short_name for a in assignments if a.role == "lead"],
        "co_departments": [a.department.short_name for a in assignments if a.role == "co"],
        "state": task.state,
        "percent_done": task.percent_done,
    }


def _get_task(request, pk: int) -> PlanTask:
    try:
        return selectors.task_get(user=request.user, pk=pk)
    except Http404:
        raise ApplicationError("supervision.not_found", "任务不存在或无权查看", status=404) from None


@router.get("/tasks", response=list[TaskOut])
@api_action_required("supervision.read")
def list_tasks(request, area: int | None = None, state: str | None = None):
    """The tasks the caller may read (a department: its own as lead or co-department)."""
    return [
        _task_out(t)
        for t in selectors.task_list(user=request.user, plan=selectors.current_plan(), area=area, state=state)
    ]


@router.get("/tasks/{pk}", response=TaskDetailOut)
@api_action_required("supervision.read")
def get_task(request, pk: int):
    task = _get_task(request, pk)
    return {
        **_task_out(task),
        "text": task.text,
        "milestones": list(task.milestones.order_by("due_on")),
        "targets": [
            {"text": t.text, "value": float(t.value), "unit": t.unit, "comparator": t.comparator}
            for t in task.targets.all()
        ],
    }


@router.post("/tasks/{pk}/reports", response={201: ReportOut})
@api_action_required("supervision.report")
@idempotent
def create_report(request, pk: int, payload: ReportIn):
    """A lead department reports progress (text, % done, optionally a milestone completed)."""
    task = _get_task(request, pk)
    department = Department.objects.filter(code=payload.department_code).first()
    if department is None:
        raise ApplicationError(
            "supervision.unknown_department",
            f"未知部门：{payload.department_code}",
            details={"field": "department_code"},
        )
    milestone = None
    if payload.milestone_id is not None:
        milestone = Milestone.objects.filter(pk=payload.milestone_id).first()
        if milestone is None:
            raise ApplicationError(
                "supervision.milestone_other_task", "该节点不属于此任务", details={"field": "milestone_id"}
            )
    report = progress_report(
        task=task,
        actor=request.user,
        department=department,
        text=payload.text,
        percent_done=payload.percent_done,
        milestone=milestone,
    )
    task.refresh_from_db()
    return Status(
        201, {"id": report.pk, "task_id": task.pk, "percent_done": report.percent_done, "task_state": task.state}
    )


@router.post("/tasks/{pk}/milestones", response={201: MilestoneOut})
@api_action_required("supervision.manage")
@idempotent
def create_milestone(request, pk: int, payload: MilestoneIn):
    task = _get_task(request, pk)
    return Status(201, milestone_create(task=task, title=payload.title, due_on=payload.due_on, actor=request.user))


@router.post("/tasks/{pk}/close", response=TaskOut)
@api_action_required("supervision.manage")
def close_task(request, pk: int, payload: CloseIn):
    task = task_close(task=_get_task(request, pk), actor=request.user, note=payload.note)
    return _task_out(PlanTask.objects.select_related("area").get(pk=task.pk))


@router.get("/ledgers", response=list[LedgerOut])
@api_action_required("supervision.read")
def list_ledgers(request, kind: str | None = None, state: str | None = None, limit: int = 500, offset: int = 0):
    """Ledger items the caller may read, ``limit`` (at most 500) from ``offset``: page on with ``offset``."""
    items = selectors.ledger_list(user=request.user, kind=kind, state=state)
    return [
        {
            **{f: getattr(i, f) for f in ("number", "kind", "title", "amount_owed", "amount_paid", "due_on", "state")},
            "id": i.pk,
            "department": i.department.short_name,
        }
        for i in window(items, offset=offset, limit=limit, most=500)
    ]


@router.get("/ledgers/{pk}", response=LedgerOut)
@api_action_required("supervision.read")
def get_ledger(request, pk: int):
    try:
        i: LedgerItem = selectors.ledger_get(user=request.user, pk=pk)
    except Http404:
        raise ApplicationError("supervision.not_found", "台账事项不存在或无权查看", status=404) from None
    return {
        **{f: getattr(i, f) for f in ("number", "kind", "title", "amount_owed", "amount_paid", "due_on", "state")},
        "id": i.pk,
        "department": i.department.short_name,
    }


@router.get("/indicators", response=list[MeasureOut])
@api_action_required("supervision.read")
def list_indicators(
    request, year: int | None = Query(None, ge=2000, le=2100), quarter: int | None = Query(None, ge=1, le=4)
):
    """Every sub-measure with its value, DTF score and red/amber/green for the period."""
    months = selectors.period_months(year=year, quarter=quarter)
    from .services.plan import county_region

    return [
        {
            "code": r.measure.code,
            "indicator": r.measure.indicator.name,
            "name": r.measure.name,
            "unit": r.measure.unit,
            "value": r.value,
            "source": r.source,
            "target": None if r.measure.target is None else float(r.measure.target),
            "frontier": float(r.measure.frontier),
            "worst": float(r.measure.worst),
            "score": r.score,
            "status": r.status,
        }
        for r in selectors.measure_rows(months=months, region=county_region())
    ]


@router.post("/indicators/{code}/values", response={201: dict})
@api_action_required("supervision.report", "supervision.manage")
@idempotent
def enter_value(request, code: str, payload: ValueIn):
    """The responsible department enters a month's value with evidence."""
    measure = get_object_or_404(SubMeasure.objects.select_related("indicator__department"), code=code)
    value = indicator_value_enter(
        measure=measure, month=payload.month, value=payload.value, evidence=payload.evidence, actor=request.user
    )
    return Status(201, {"measure": code, "month": value.month.isoformat(), "value": str(value.value)})


@router.get("/dashboard", response=dict)
@api_action_required("supervision.dashboard")
def dashboard(
    request,
    year: int | None = Query(None, ge=2000, le=2100),
    quarter: int | None = Query(None, ge=1, le=4),
    limit: int = 50,
    offset: int = 0,
):
    """The leader dashboard's figures (roll-ups only): per area status, counts, worst five, and the overdue
    milestones: ``overdue_total`` counts them all, ``overdue`` holds ``limit`` (at most 200) of them from
    ``offset``, the longest overdue first: page on with ``offset``."""
    plan = selectors.current_plan()
    if plan is None:
        return {"areas": [], "counts": {}, "worst": [], "overdue": [], "overdue_total": 0}
    data = selectors.dashboard(plan=plan, months=selectors.period_months(year=year, quarter=quarter))
    overdue = selectors.milestones_overdue(plan=plan)
    return {
        "counts": data["counts"],
        "areas": [
            {
                "no": r.area.no,
                "title": r.area.title,
                "leader": r.area.leader_name,
                "status": r.status,
                "tasks": r.tasks,
                "closed": r.closed,
                "overdue": r.overdue,
                "measures": [
                    {
                        "code": m.measure.code,
                        "value": m.value,
                        "target": None if m.measure.target is None else float(m.measure.target),
                        "status": m.status,
                    }
                    for m in r.measures
                ],
            }
            for r in data["areas"]
        ],
        "worst": [
            {"code": m.measure.code, "name": m.measure.name, "value": m.value, "score": m.score} for m in data["worst"]
        ],
        "overdue": [
            {"task": m.task_id, "milestone": m.title, "due_on": m.due_on.isoformat(), "escalated": m.escalated}
            for m in window(overdue, offset=offset, limit=limit, most=200)
        ],
        "overdue_total": overdue.count(),
    }
