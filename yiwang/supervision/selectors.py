"""Every read of supervision: scoped task lists, the indicator board, the leader dashboard, assessment.

A handler sees only the tasks, ledger items and indicators of their own department; the supervision
office and leaders see the county (``yiwang.org.scoping``). Figures come from roll-ups
(``measuring``) and from values entered with evidence — never from a scan of history.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from yiwang.measures.registry import month_of, months_between
from yiwang.org.scoping import scope_for

from .conf import supervision_setting
from .indicators import AREA_INDICATORS, dtf_score
from .measuring import MEASUREMENTS, measure, prefetch_metrics
from .models import (
    Area,
    Indicator,
    IndicatorValue,
    LedgerItem,
    Milestone,
    Notice,
    Plan,
    PlanTask,
    SubMeasure,
    TaskDepartment,
    TaskState,
)

# --- tasks ---------------------------------------------------------------------------------------


def current_plan() -> Plan | None:
    return Plan.objects.order_by("-year", "-pk").first()


def task_list(
    *, user, plan: Plan | None = None, area: int | None = None, state: str | None = None
) -> QuerySet[PlanTask]:
    """The tasks ``user`` may read: their departments' (lead or co) for a handler, all for the office
    and leaders."""
    scope = scope_for(user)
    qs = PlanTask.objects.select_related("area", "region")
    qs = scope.filter(qs, "supervision.read", department="assignments__department", region="region").distinct()
    if plan is not None:
        qs = qs.filter(plan=plan)
    if area:
        qs = qs.filter(area__no=area)
    if state:
        qs = qs.filter(state=state)
    return qs.prefetch_related(
        Prefetch(
            "assignments",
            queryset=TaskDepartment.objects.select_related("department").order_by("role", "department_id"),
        )
    ).order_by("part", "area__no", "no")


def task_get(*, user, pk: int) -> PlanTask:
    """One task if ``user`` may read it, else 404 (no hint that it exists)."""
    task = task_list(user=user).filter(pk=pk).first()
    if task is None:
        raise Http404("任务不存在或无权查看")
    return task


def task_reporting_departments(*, user, task: PlanTask) -> list:
    """The lead departments of ``task`` the user may report for (empty: they cannot report)."""
    scope = scope_for(user)
    return [
        a.department
        for a in task.assignments.all()
        if a.role == TaskDepartment.Role.LEAD and scope.can("supervision.report", department=a.department)
    ]


def milestones_overdue(*, user=None, plan: Plan | None = None, today: dt.date | None = None) -> QuerySet[Milestone]:
    """Open milestones past their due day (of ``plan``'s tasks, of the tasks ``user`` may read), the longest
    overdue first and the key last, so the dashboard's pages of them never overlap."""
    today = today or timezone.localdate()
    qs = Milestone.objects.filter(state=Milestone.State.OPEN, due_on__lt=today).select_related("task__area")
    if plan is not None:
        qs = qs.filter(task__plan=plan)
    if user is not None:
        qs = qs.filter(task__in=task_list(user=user).values("pk"))
    return qs.order_by("due_on", "pk")


def notice_list(*, user, kind: str | None = None) -> QuerySet[Notice]:
    qs = Notice.objects.filter(task__in=task_list(user=user).values("pk")).select_related("task__area", "department")
    scope = scope_for(user)
    if not scope.can("supervision.dashboard"):
        # a department sees the notices addressed to it (and escalations are for leaders)
        qs = qs.filter(department__in=scope.departments("supervision.report"))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-issued_on", "-pk")


def task_counts(*, plan: Plan, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    overdue_tasks = Milestone.objects.filter(task__plan=plan, state=Milestone.State.OPEN, due_on__lt=today).values(
        "task"
    )
    totals = PlanTask.objects.filter(plan=plan).aggregate(
        total=Count("pk"),
        closed=Count("pk", filter=Q(state=TaskState.CLOSED)),
        done=Count("pk", filter=Q(state=TaskState.DONE)),
        overdue=Count("pk", filter=Q(pk__in=overdue_tasks)),
    )
    return totals


# --- ledgers -------------------------------------------------------------------------------------


def ledger_list(*, user, kind: str | None = None, state: str | None = None) -> QuerySet[LedgerItem]:
    qs = scope_for(user).filter(LedgerItem.objects.select_related("department", "task"), "supervision.read")
    if kind:
        qs = qs.filter(kind=kind)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("state", "due_on", "pk")


def ledger_get(*, user, pk: int) -> LedgerItem:
    item = ledger_list(user=user).filter(pk=pk).first()
    if item is None:
        raise Http404("台账事项不存在或无权查看")
    return item


def ledger_totals(*, kind: str = LedgerItem.Kind.ARREARS) -> dict:
    from django.db.models import Sum

    return LedgerItem.objects.filter(kind=kind).aggregate(
        items=Count("pk"),
        cleared=Count("pk", filter=Q(state=LedgerItem.State.CLEARED)),
        owed=Sum("amount_owed"),
        paid=Sum("amount_paid"),
    )


# --- indicators ----------------------------------------------------------------------------------


def period_months(
    *, year: int | None = None, quarter: int | None = None, today: dt.date | None = None
) -> tuple[dt.date, dt.date]:
    """A year, a quarter of it, or (neither) the twelve months up to today."""
    today = today or timezone.localdate()
    if year and quarter:
        first = dt.date(year, 3 * quarter - 2, 1)
        return first, dt.date(year, 3 * quarter, 1)
    if year:
        return dt.date(year, 1, 1), dt.date(year, 12, 1)
    last = month_of(today)
    first = dt.date(last.year - 1, last.month, 1)
    first = (first + dt.timedelta(days=32)).replace(day=1)
    return first, last


@dataclass
class MeasureRow:
    measure: SubMeasure
    value: float | None
    source: str  # "measured" / "entered" / ""
    source_text: str
    trend: list[tuple[dt.date, float | None]]
    score: float | None
    status: str  # green / amber / red / none
    evidence: str = ""
    drill: str = ""

    @property
    def lower_is_better(self) -> bool:
        return self.measure.worst > self.measure.frontier


def rag_status(*, value: float | None, target, frontier, worst, score: float | None) -> str:
    """Red/amber/green (县级默认值 margins, ``AMBER_MARGIN``): against the plan's target when it has one,
    else against the score (≥ 80 green, ≥ 60 amber)."""
    if value is None:
        return "none"
    if target is not None:
        target, margin = float(target), float(supervision_setting("AMBER_MARGIN"))
        if float(worst) > float(frontier):  # lower is better
            return "green" if value <= target else "amber" if value <= target * (1 + margin) else "red"
        return "green" if value >= target else "amber" if value >= target * (1 - margin) else "red"
    if score is None:
        return "none"
    return "green" if score >= 80 else "amber" if score >= 60 else "red"


def measure_rows(*, months: tuple[dt.date, dt.date], region=None, measures=None) -> list[MeasureRow]:
    """Every sub-measure with its value for ``months``: measured from the roll-ups where Yiwang has
    the data, else the latest value entered in the period; its DTF score and status."""
    measures = list(measures if measures is not None else SubMeasure.objects.select_related("indicator"))
    entered: dict[int, list[IndicatorValue]] = {}
    for value in IndicatorValue.objects.filter(
        measure__in=measures, month__gte=month_of(months[0]), month__lte=month_of(months[1])
    ).order_by("month"):
        entered.setdefault(value.measure_id, []).append(value)
    rows = []
    cache: dict = {}  # every metric read at once (two queries), then each sub-measure computed from it
    prefetch_metrics([m.metric for m in measures if m.metric], months=months, region=region, cache=cache)
    for m in measures:
        measured = measure(m.metric, months=months, region=region, cache=cache) if m.metric else None
        if measured is not None:
            value, source, source_text, trend, evidence, drill = (
                measured.value,
                "measured",
                measured.source,
                measured.trend,
                "",
                measured.drill,
            )
        else:
            values = entered.get(m.pk, [])
            value = float(values[-1].value) if values else None
            source, source_text = ("entered", "责任部门填报") if values else ("", "待填报")
            trend = [(v.month, float(v.value)) for v in values]
            evidence = values[-1].evidence if values else ""
            drill = ""
        score = dtf_score(value, m.frontier, m.worst)
        status = rag_status(value=value, target=m.target, frontier=m.frontier, worst=m.worst, score=score)
        rows.append(MeasureRow(m, value, source, source_text, trend, score, status, evidence, drill))
    return rows


@dataclass
class IndicatorRow:
    indicator: Indicator
    measures: list[MeasureRow] = field(default_factory=list)

    @property
    def score(self) -> float | None:
        scores = [r.score for r in self.measures if r.score is not None]
        return sum(scores) / len(scores) if scores else None


def indicator_board(*, months, region=None) -> list[IndicatorRow]:
    rows = measure_rows(months=months, region=region)
    board: dict[int, IndicatorRow] = {}
    for indicator in Indicator.objects.select_related("department").order_by("no"):
        board[indicator.pk] = IndicatorRow(indicator)
    for row in rows:
        board[row.measure.indicator_id].measures.append(row)
    return list(board.values())


def worst_five(rows: list[MeasureRow]) -> list[MeasureRow]:
    scored = [r for r in rows if r.score is not None]
    return sorted(scored, key=lambda r: (r.score, r.measure.code))[:5]


# --- the leader dashboard ------------------------------------------------------------------------


@dataclass
class AreaRow:
    area: Area
    measures: list[MeasureRow]
    tasks: int
    closed: int
    overdue: int

    @property
    def status(self) -> str:
        statuses = [m.status for m in self.measures if m.status != "none"]
        if self.overdue or "red" in statuses:
            return "red"
        if "amber" in statuses:
            return "amber"
        return "green" if statuses or self.tasks else "none"


def dashboard(*, plan: Plan, months, today: dt.date | None = None, fresh: bool = False) -> dict:
    """Per area: target vs measured with the monthly trend, red/amber/green, task counts; the worst five
    sub-measures. A fixed number of queries whatever the data's size. The overdue milestones are not part
    of it: the page counts and pages them (``milestones_overdue``), as many as there are.

    The result is reused for ``DASHBOARD_CACHE_SECONDS`` (县级默认值 60 s) per plan, period and day;
    ``fresh=True`` computes it anew."""
    from django.core.cache import cache

    today = today or timezone.localdate()
    seconds = int(supervision_setting("DASHBOARD_CACHE_SECONDS"))
    key = f"supervision:dashboard:{plan.pk}:{months[0]:%Y%m}:{months[1]:%Y%m}:{today:%Y%m%d}"
    if seconds and not fresh:
        cached = cache.get(key)
        if cached is not None:
            return cached
    data = _dashboard(plan=plan, months=months, today=today)
    if seconds:
        cache.set(key, data, seconds)
    return data


def _dashboard(*, plan: Plan, months, today: dt.date) -> dict:
    rows = measure_rows(months=months, region=plan.region)
    by_indicator: dict[str, list[MeasureRow]] = {}
    for row in rows:
        by_indicator.setdefault(row.measure.indicator.code, []).append(row)
    overdue_ms = Milestone.objects.filter(task__plan=plan, state=Milestone.State.OPEN, due_on__lt=today)
    task_stats = {
        r["area"]: r
        for r in PlanTask.objects.filter(plan=plan, area__isnull=False)
        .values("area")
        .annotate(
            tasks=Count("pk"),
            closed=Count("pk", filter=Q(state=TaskState.CLOSED)),
            overdue=Count("pk", filter=Q(pk__in=overdue_ms.values("task")), distinct=True),
        )
    }
    areas = []
    for area in Area.objects.filter(plan=plan).order_by("no"):
        stats = task_stats.get(area.pk, {"tasks": 0, "closed": 0, "overdue": 0})
        measures = by_indicator.get(AREA_INDICATORS.get(area.no, ""), [])
        areas.append(AreaRow(area, measures, stats["tasks"], stats["closed"], stats["overdue"]))
    return {
        "areas": areas,
        "worst": worst_five(rows),
        "months": months,
        "month_labels": [m.strftime("%Y-%m") for m in months_between(*months)],
        "counts": task_counts(plan=plan, today=today),
    }


def measurable_names() -> list[str]:
    """Measurements whose module is installed (the rest are entered by hand)."""
    return sorted(name for name, spec in MEASUREMENTS.items() if spec.available)


# --- 督办 on overdue cases and appeals -------------------------------------------------------------

URGE_FILTERS = {
    "awaiting": Q(answer_state=Notice.AnswerState.AWAITING, overdue=False),
    "overdue": Q(answer_state=Notice.AnswerState.AWAITING, overdue=True),
    "answered": Q(answer_state=Notice.AnswerState.ANSWERED),
    "late": Q(answer_state=Notice.AnswerState.ANSWERED, answered_on_time=False),
}


def urge_list(*, user, state: str | None = None, department=None, subject: str | None = None) -> QuerySet[Notice]:
    """督办 on cases and appeals the user may read: the office and leaders their region's, a department
    the ones addressed to it. ``state``: awaiting, overdue (unanswered past the deadline), answered,
    late (answered after the deadline); ``subject``: case or appeal."""
    qs = Notice.objects.exclude(answer_state=Notice.AnswerState.NONE)
    qs = scope_for(user).filter(qs, "supervision.read", department="department", region="region")
    if state in URGE_FILTERS:
        qs = qs.filter(URGE_FILTERS[state])
    if department is not None:
        qs = qs.filter(department=department)
    if subject == "case":
        qs = qs.filter(case__isnull=False)
    elif subject == "appeal":
        qs = qs.filter(appeal__isnull=False)
    return qs.select_related("case__item", "appeal", "department", "clock", "issued_by", "answered_by").order_by(
        "-issued_on", "-pk"
    )


def urge_visible(user, pk: int) -> Notice:
    notice = urge_list(user=user).filter(pk=pk).first()
    if notice is None:
        raise Http404
    return notice


def _open_urges(field: str, ids: list[int]) -> dict[int, Notice]:
    """The latest 督办 of each case or appeal (awaiting, overdue or answered)."""
    if not ids:
        return {}
    qs = (
        Notice.objects.filter(**{f"{field}__in": ids})
        .exclude(answer_state=Notice.AnswerState.NONE)
        .select_related("clock")
        .order_by("pk")
    )
    return {getattr(n, f"{field}_id"): n for n in qs}  # the last one wins


def open_urges_by_case(case_ids: list[int]) -> dict[int, Notice]:
    return _open_urges("case", case_ids)


def open_urges_by_appeal(appeal_ids: list[int]) -> dict[int, Notice]:
    return _open_urges("appeal", appeal_ids)


def urges_of(*, case=None, appeal=None) -> QuerySet[Notice]:
    """Every 督办 on one case or appeal (the handler's item shows them), newest first."""
    qs = Notice.objects.exclude(answer_state=Notice.AnswerState.NONE)
    qs = qs.filter(case=case) if case is not None else qs.filter(appeal=appeal)
    return qs.select_related("clock", "issued_by", "answered_by").order_by("-issued_on", "-pk")


def awaiting_urges_count(user) -> int:
    """督办 addressed to the user's departments still awaiting an answer (the handler's queues)."""
    scope = scope_for(user)
    return Notice.objects.filter(
        answer_state=Notice.AnswerState.AWAITING, department__in=scope.departments("supervision.answer")
    ).count()
