"""Every read of ``projects``: scoped lists, the project page (stage clocks and what blocks each
stage), the leader's list of projects at risk, the applicant's connection status, and the figures
leaders read (from roll-ups only)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.core.pii import mask_name
from yiwang.measures.selectors import facts
from yiwang.org.scoping import scope_for
from yiwang.workdays.deadlines import SEVERITY, Deadline, DeadlineStatus, deadline_of_clock, worst
from yiwang.workdays.models import Clock

from .conf import setting, utility_categories
from .measures import APPROVED, CONNECTIONS
from .models import (
    Category,
    ConstructionProject,
    ProjectStage,
    ServiceIssue,
    StageItem,
    UtilityConnection,
    UtilityKind,
)

St = ProjectStage.State
It = StageItem.State


def projects_visible(user) -> QuerySet[ConstructionProject]:
    """Projects the user may read: the lead department's handlers, the handlers of a department with an
    item in the project, leaders and supervisors of the region, the project's steward and builder."""
    scope = scope_for(user)
    qs = ConstructionProject.objects.all()
    condition = scope.q("project.read", department="lead_department", region="region")
    departments = (
        list(scope.departments("project.read").values_list("pk", flat=True)) if scope.can("project.read") else []
    )
    parts = Q(pk__in=[])
    if condition is not None:
        parts |= condition
    if departments:
        parts |= Q(pk__in=StageItem.objects.filter(department_id__in=departments).values("stage__project_id"))
    if getattr(user, "is_authenticated", False):
        parts |= Q(steward_id=user.pk) | Q(builder_user_id=user.pk)
    return qs.filter(parts)


def project_may_read(user, project: ConstructionProject) -> bool:
    return projects_visible(user).filter(pk=project.pk).exists()


@dataclass
class Blocker:
    item: str
    department: str
    state: str
    case_number: str = ""
    case_state: str = ""
    deadline: Deadline | None = None
    note: str = ""

    @property
    def overdue_workdays(self) -> int:
        return self.deadline.overdue_workdays if self.deadline else 0


@dataclass
class StageView:
    stage: ProjectStage
    deadline: Deadline | None
    items: list[StageItem]
    blockers: list[Blocker] = field(default_factory=list)


@dataclass
class ProjectView:
    project: ConstructionProject
    deadline: Deadline | None
    stages: list[StageView]
    limit_days: int
    limit_source: str

    @property
    def blockers(self) -> list[Blocker]:
        return [b for s in self.stages for b in s.blockers]


def _clocks(ids) -> dict[int, Clock]:
    return {c.pk: c for c in Clock.objects.filter(pk__in=[i for i in ids if i])}


def project_view(project: ConstructionProject, *, today: dt.date | None = None) -> ProjectView:
    """The project page: each stage's clock and items, and for each open stage what blocks it — which
    case, which department, how late (the case's own deadline)."""
    today = today or timezone.localdate()
    stages = list(project.stages.order_by("position"))
    items = list(
        StageItem.objects.filter(stage__project=project)
        .select_related("department", "case", "case__clock", "case__intake_clock", "assessment")
        .order_by("stage__position", "id")
    )
    clocks = _clocks([project.clock_id] + [s.clock_id for s in stages])
    views = []
    for stage in stages:
        stage_items = [i for i in items if i.stage_id == stage.pk]
        clock = clocks.get(stage.clock_id)
        view = StageView(
            stage=stage,
            deadline=deadline_of_clock(clock, label=f"{stage.get_code_display()}阶段", today=today) if clock else None,
            items=stage_items,
        )
        if stage.state == St.READY:
            view.blockers.append(
                Blocker(
                    item=stage.get_code_display(),
                    department=project.builder_name,
                    state="待申报",
                    note="等待建设单位（或项目管家代办）申报本阶段",
                )
            )
        if stage.state == St.RUNNING:
            for item in stage_items:
                if item.state in (It.APPROVED, It.SATISFIED):
                    continue
                case = item.case
                case_clock = (case.clock or case.intake_clock) if case else None
                view.blockers.append(
                    Blocker(
                        item=item.name,
                        department=str(item.department or ""),
                        state=item.get_state_display(),
                        case_number=case.number if case else "",
                        case_state=case.get_state_display() if case else "",
                        deadline=deadline_of_clock(case_clock, today=today) if case_clock else None,
                        note="不予许可，需重新申报" if item.state == It.DENIED else "",
                    )
                )
            view.blockers.sort(key=lambda b: (-b.overdue_workdays, b.item))
        views.append(view)
    clock = clocks.get(project.clock_id)
    return ProjectView(
        project=project,
        deadline=deadline_of_clock(clock, label="全流程审批", today=today) if clock else None,
        stages=views,
        limit_days=project.limit_days,
        limit_source="实施方案 二(三)(1)",
    )


@dataclass
class RiskRow:
    project: ConstructionProject
    stage: ProjectStage | None
    deadline: Deadline
    blockers: list[Blocker]


def projects_at_risk(user, *, today: dt.date | None = None) -> list[RiskRow]:
    """Projects in approval whose running stage or whole clock is in warning, due or overdue, the most
    urgent first (bounded by projects in approval, not by history)."""
    today = today or timezone.localdate()
    projects = list(
        projects_visible(user)
        .filter(state=ConstructionProject.State.IN_APPROVAL)
        .select_related("lead_department", "steward")
    )
    stages = list(ProjectStage.objects.filter(project__in=projects, state=St.RUNNING))
    clocks = _clocks([p.clock_id for p in projects] + [s.clock_id for s in stages])
    rows = []
    for project in projects:
        own = [s for s in stages if s.project_id == project.pk]
        candidates = []
        for stage in own:
            clock = clocks.get(stage.clock_id)
            if clock:
                candidates.append(
                    (deadline_of_clock(clock, label=f"{stage.get_code_display()}阶段", today=today), stage)
                )
        clock = clocks.get(project.clock_id)
        if clock:
            candidates.append((deadline_of_clock(clock, label="全流程审批", today=today), None))
        urgent = worst([d for d, _ in candidates])
        if urgent is None or urgent.status == DeadlineStatus.NORMAL:
            continue
        stage = next((s for d, s in candidates if d is urgent), None)
        view = project_view(project, today=today)
        rows.append(RiskRow(project=project, stage=stage, deadline=urgent, blockers=view.blockers))
    rows.sort(
        key=lambda r: (-SEVERITY[DeadlineStatus(r.deadline.status)], -r.deadline.overdue_workdays, r.deadline.sort_key)
    )
    return rows


def issues_visible(user) -> QuerySet[ServiceIssue]:
    scope = scope_for(user)
    qs = ServiceIssue.objects.select_related("department", "project", "clock")
    condition = scope.q("issue.handle", department="department", region="region")
    read = scope.q("project.read", department="department", region="region")
    parts = Q(pk__in=[])
    for c in (condition, read):
        if c is not None:
            parts |= c
    if getattr(user, "is_authenticated", False):
        parts |= Q(raised_by_id=user.pk) | Q(project__steward_id=user.pk)
    return qs.filter(parts)


@dataclass
class ServiceDayPlan:
    last: dt.date | None
    next_month: dt.date  # first day of the month the next 企业服务日 is due in
    every_months: int
    overdue: bool


def service_day_plan(region, *, today: dt.date | None = None) -> ServiceDayPlan:
    """When the next 企业服务日 is due: ``SERVICE_DAY_EVERY_MONTHS`` (county default 1; the plan gives no
    frequency) after the month of the last one; overdue once that month has passed without one."""
    from .models import ServiceDay

    today = today or timezone.localdate()
    every = int(setting("SERVICE_DAY_EVERY_MONTHS"))
    last = ServiceDay.objects.filter(region=region).order_by("-held_on").values_list("held_on", flat=True).first()
    if last is None:
        return ServiceDayPlan(last=None, next_month=today.replace(day=1), every_months=every, overdue=False)
    months = last.year * 12 + last.month - 1 + every
    next_month = dt.date(months // 12, months % 12 + 1, 1)
    this_month = today.replace(day=1)
    return ServiceDayPlan(last=last, next_month=next_month, every_months=every, overdue=next_month < this_month)


def connections_visible(user) -> QuerySet[UtilityConnection]:
    scope = scope_for(user)
    return scope.filter(
        UtilityConnection.objects.select_related("utility", "clock", "region"),
        "utility.read",
        department="utility",
        region="region",
    )


def category_label(kind: str, category: str) -> str:
    return utility_categories(kind).get(category, {}).get("label", category)


@dataclass
class PublicStatus:
    number: str
    kind: str
    category: str
    applicant: str
    state: str
    accepted_on: dt.date
    days: int
    deadline: Deadline | None
    connected_on: dt.date | None
    approvals: list[dict]


def connection_status(*, number: str, code: str) -> PublicStatus | None:
    """The applicant's online status (plan 四(三)2: 用户可在线查询): by number and query code; the name is
    masked and no phone is shown. None when the pair does not match."""
    number, code = (number or "").strip().upper(), (code or "").strip().upper()
    if not number or not code:
        return None
    connection = UtilityConnection.objects.filter(number=number, query_code=code).select_related("clock").first()
    if connection is None:
        return None
    approvals = [
        {
            "kind": a.get_kind_label(),
            "case": a.case.number if a.case_id else "",
            "state": a.case.get_state_display() if a.case_id else "",
            "result": {"approved": "准予许可", "denied": "不予许可"}.get(a.result, "办理中"),
            "sent": a.result_sent_at,
        }
        for a in connection.approvals.select_related("case")
    ]
    return PublicStatus(
        number=connection.number,
        kind=connection.get_kind_display(),
        category=category_label(connection.kind, connection.category),
        applicant=mask_name(connection.applicant_name),
        state=connection.get_state_display(),
        accepted_on=timezone.localtime(connection.accepted_at).date(),
        days=connection.days,
        deadline=deadline_of_clock(connection.clock, label="报装时限") if connection.clock_id else None,
        connected_on=timezone.localtime(connection.connected_at).date() if connection.connected_at else None,
        approvals=approvals,
    )


# --- figures for leaders (roll-ups only) ---------------------------------------------------------


def _region_scope(user):
    regions = list(scope_for(user).regions("project.measures"))
    return regions or None


def approval_measures(user, *, months=None) -> list[dict]:
    """Per category: projects completed, average working days, share within the plan's limit."""
    regions = _region_scope(user)
    if regions is None:
        return []
    by_key = {row["key"]: row for row in facts(APPROVED, months=months, region=regions, group_by=("key",))}
    limits = setting("WHOLE_LIMIT_DAYS")
    rows = []
    for category in Category:
        row = by_key.get(category.value, {"count": 0, "workdays": 0, "within_limit": 0})
        n = row["count"]
        rows.append(
            {
                "category": category.value,
                "label": str(category.label),
                "limit": limits[category.value],
                "count": n,
                "avg_workdays": round(row["workdays"] / n, 1) if n else None,
                "within_share": round(row["within_limit"] / n * 100, 1) if n else None,
            }
        )
    return rows


def connection_measures(user, *, months=None) -> list[dict]:
    """Per kind and category: connections completed, average working days vs the limit, on-time share."""
    regions = _region_scope(user)
    if regions is None:
        return []
    by_key = {row["key"]: row for row in facts(CONNECTIONS, months=months, region=regions, group_by=("key",))}
    rows = []
    for kind in UtilityKind:
        for category, spec in utility_categories(kind.value).items():
            row = by_key.get(f"{kind.value}:{category}", {"count": 0, "workdays": 0, "on_time": 0})
            n = row["count"]
            rows.append(
                {
                    "kind": str(kind.label),
                    "category": spec["label"],
                    "limit": spec["days"],
                    "steps": spec["steps"],
                    "plan": kind == UtilityKind.ELECTRICITY,
                    "count": n,
                    "avg_workdays": round(row["workdays"] / n, 1) if n else None,
                    "on_time_share": round(row["on_time"] / n * 100, 1) if n else None,
                }
            )
    return rows
