"""``/api/inspections/``: plans, their publication and draw, the draw record with its verification,
tasks and results, and the public results.

Every operation asks the same action of ``yiwang.org.scoping`` as the web pages; an object outside
the caller's scope is 404. Creating a plan honours ``Idempotency-Key``. Errors are
``{"code", "message", "details"}``.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema, Status

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import window
from yiwang.inspections import actions, selectors, services
from yiwang.inspections.models import Draw, InspectionItem, Plan, Task
from yiwang.org.models import Department, Region
from yiwang.org.permissions import api_action_required, forbidden_error, require_action

router = Router(tags=["双随机、一公开"])


class PlanIn(Schema):
    number: str = Field(..., max_length=32)
    title: str = Field(..., max_length=200)
    department_codes: list[str] = Field(default_factory=list, description="joint departments besides the lead one")
    item_codes: list[str]
    town_codes: list[str] = Field(default_factory=list)
    kinds: list[str] = Field(default_factory=list)
    industry_prefixes: list[str] = Field(default_factory=list)
    ratio_bp: dict[str, int] = Field(default_factory=dict, description="basis points per class; default county values")
    full_coverage: bool = False
    distinct_departments: bool = False
    period_start: dt.date
    period_end: dt.date
    beacon_source: str = Field("", max_length=200)


class PlanOut(Schema):
    id: int
    number: str
    title: str
    state: str
    lead_department: str
    departments: list[str]
    ratio_bp: dict[str, int]
    period_start: dt.date
    period_end: dt.date
    commitment: str
    beacon_source: str


class DrawIn(Schema):
    beacon: str = Field("", max_length=128)
    reason: str = Field("", max_length=2000)


class DrawOut(Schema):
    id: int
    plan: str
    attempt: int
    reason: str
    algorithm: str
    secret: str
    beacon: str
    seed: str
    rules: dict
    result_hash: str
    pool_counts: dict[str, int]
    selected_counts: dict[str, int]
    drawn_at: dt.datetime
    is_current: bool
    consistent: bool
    problems: list[str]


class TaskOut(Schema):
    id: int
    plan: str
    entity: str
    uscc: str
    risk_class: str
    state: str
    result: str
    inspected_on: dt.date | None
    publish_due_on: dt.date | None
    published_on_time: bool | None
    inspectors: list[str]


class ResultIn(Schema):
    result: str
    inspected_on: dt.date
    findings: str = Field("", max_length=2000)


class PublicResultOut(Schema):
    entity: str
    uscc: str
    result: str
    inspected_on: dt.date | None
    published_at: dt.datetime | None
    team: list[str]


def _plan_out(plan: Plan) -> PlanOut:
    return PlanOut(
        id=plan.pk,
        number=plan.number,
        title=plan.title,
        state=plan.state,
        lead_department=plan.lead_department.name,
        departments=[d.name for d in plan.departments.order_by("pk")],
        ratio_bp=plan.ratio_bp,
        period_start=plan.period_start,
        period_end=plan.period_end,
        commitment=plan.commitment,
        beacon_source=plan.beacon_source,
    )


def _task_out(task: Task) -> TaskOut:
    return TaskOut(
        id=task.pk,
        plan=task.plan.number,
        entity=task.entity.name,
        uscc=task.entity.uscc,
        risk_class=task.risk_class,
        state=task.state,
        result=task.result,
        inspected_on=task.inspected_on,
        publish_due_on=task.publish_clock.due_on if task.publish_clock_id else None,
        published_on_time=task.published_on_time,
        inspectors=[a.inspector.name for a in task.assignments.select_related("inspector")],
    )


def _draw_out(draw: Draw) -> DrawOut:
    verification = services.draw_verify(draw=draw)
    return DrawOut(
        id=draw.pk,
        plan=draw.plan.number,
        attempt=draw.attempt,
        reason=draw.reason,
        algorithm=draw.algorithm,
        secret=draw.secret,
        beacon=draw.beacon,
        seed=draw.seed,
        rules=draw.rules,
        result_hash=draw.result_hash,
        pool_counts=draw.pool_counts,
        selected_counts=draw.selected_counts,
        drawn_at=draw.drawn_at,
        is_current=draw.is_current,
        consistent=verification.consistent,
        problems=verification.problems,
    )


def _managed(request, pk: int) -> Plan:
    scope = require_action(request, actions.PLAN)
    try:
        plan = selectors.plan_get(scope, pk)
    except Http404:
        raise ApplicationError("inspection.plan_not_found", "计划不存在或无权查看", status=404) from None
    if not selectors.plan_can_manage(scope, plan):
        raise forbidden_error(actions.PLAN)
    return plan


@router.get("/plans", response=list[PlanOut])
@api_action_required(actions.READ, actions.PLAN)
def list_plans(request, limit: int = 200, offset: int = 0):
    """Plans the caller may read, ``limit`` (at most 200) from ``offset``: page on with ``offset``."""
    return [_plan_out(p) for p in window(selectors.plans_visible(request.scope), offset=offset, limit=limit, most=200)]


@router.post("/plans", response={201: PlanOut})
@idempotent(deduplicate=True)
def create_plan(request, payload: PlanIn):
    """Draft a plan led by the caller's department."""
    scope = require_action(request, actions.PLAN)
    lead = scope.departments(actions.PLAN).select_related("region").order_by("pk").first()
    if lead is None:
        raise forbidden_error(actions.PLAN)
    departments = list(Department.objects.filter(code__in=payload.department_codes))
    if len(departments) != len(set(payload.department_codes)):
        raise ApplicationError("inspection.unknown_department", "部门编码有误", details={"field": "department_codes"})
    items = list(InspectionItem.objects.filter(code__in=payload.item_codes, is_active=True))
    if len(items) != len(set(payload.item_codes)):
        raise ApplicationError("inspection.unknown_item", "抽查事项编码有误", details={"field": "item_codes"})
    towns = list(Region.objects.filter(code__in=payload.town_codes, level=Region.Level.TOWN))
    if len(towns) != len(set(payload.town_codes)):
        raise ApplicationError("inspection.unknown_town", "镇（街道）代码有误", details={"field": "town_codes"})
    plan = services.plan_create(
        number=payload.number,
        title=payload.title,
        region=lead.region,
        lead_department=lead,
        departments=departments,
        items=items,
        pool_filter={
            "towns": [t.pk for t in towns],
            "kinds": payload.kinds,
            "industry_prefixes": payload.industry_prefixes,
        },
        ratio_bp=payload.ratio_bp,
        full_coverage=payload.full_coverage,
        distinct_departments=payload.distinct_departments,
        period_start=payload.period_start,
        period_end=payload.period_end,
        beacon_source=payload.beacon_source,
        actor=request.user,
    )
    return Status(201, _plan_out(plan))


@router.get("/plans/{pk}", response=PlanOut)
@api_action_required(actions.READ, actions.PLAN)
def get_plan(request, pk: int):
    try:
        return _plan_out(selectors.plan_get(request.scope, pk))
    except Http404:
        raise ApplicationError("inspection.plan_not_found", "计划不存在或无权查看", status=404) from None


@router.post("/plans/{pk}/publish", response=PlanOut)
def publish_plan(request, pk: int):
    plan = services.plan_publish(plan=_managed(request, pk), actor=request.user)
    return _plan_out(plan)


@router.post("/plans/{pk}/draw", response={201: DrawOut})
def draw_plan(request, pk: int, payload: DrawIn):
    draw = services.plan_draw(
        plan=_managed(request, pk), actor=request.user, beacon=payload.beacon, reason=payload.reason
    )
    return Status(201, _draw_out(draw))


@router.get("/draws/{pk}", response=DrawOut, auth=None)
def get_draw(request, pk: int):
    """A draw is public once made (一公开): seed, rules, counts and the recomputation check."""
    draw = Draw.objects.select_related("plan").filter(pk=pk).first()
    if draw is None:
        raise ApplicationError("inspection.draw_not_found", "抽取记录不存在", status=404)
    return _draw_out(draw)


@router.get("/tasks", response=list[TaskOut])
@api_action_required(actions.READ, actions.RESULT)
def list_tasks(request, state: str | None = None, mine: bool = False, limit: int = 500, offset: int = 0):
    """Tasks the caller may read, ``limit`` (at most 500) from ``offset``: page on with ``offset``."""
    tasks = selectors.tasks_visible(request.user, request.scope, state=state or None, mine=mine)
    return [_task_out(t) for t in window(tasks, offset=offset, limit=limit, most=500)]


def _task(request, pk: int) -> Task:
    scope = request.scope
    try:
        return selectors.task_get(request.user, scope, pk)
    except Http404:
        raise ApplicationError("inspection.task_not_found", "检查任务不存在或无权查看", status=404) from None


@router.post("/tasks/{pk}/result", response=TaskOut)
@api_action_required(actions.RESULT, actions.PLAN)
def record_result(request, pk: int, payload: ResultIn):
    task = _task(request, pk)
    if not selectors.task_can_record(request.user, request.scope, task):
        raise forbidden_error(actions.RESULT)
    task = services.task_result_record(
        task=task,
        result=payload.result,
        inspected_on=payload.inspected_on,
        findings=payload.findings,
        actor=request.user,
    )
    return _task_out(task)


@router.post("/tasks/{pk}/publish", response=TaskOut)
@api_action_required(actions.PLAN)
def publish_result(request, pk: int):
    task = _task(request, pk)
    if not selectors.plan_can_manage(request.scope, task.plan):
        raise forbidden_error(actions.PLAN)
    return _task_out(services.task_publish(task=task, actor=request.user))


@router.get("/public/plans/{pk}/results", response=list[PublicResultOut], auth=None)
def public_plan_results(request, pk: int):
    try:
        plan = selectors.public_plan_get(pk)
    except Http404:
        raise ApplicationError("inspection.plan_not_found", "计划不存在", status=404) from None
    return [PublicResultOut(**{k: r[k] for k in PublicResultOut.model_fields}) for r in selectors.public_results(plan)]
