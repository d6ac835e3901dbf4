"""Every read of the random inspections: scoped lists, one object at a time, public results, figures."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404

from yiwang.core.pii import mask_name
from yiwang.inspections import actions
from yiwang.inspections.conf import conf, inspections_settings
from yiwang.inspections.draw import CLASSES
from yiwang.inspections.measures import DRAWN, PUBLISHED, RESULTS
from yiwang.inspections.models import Draw, FollowUp, InspectionItem, Inspector, Plan, Task, TaskInspector
from yiwang.measures.selectors import fact_total, facts, rate
from yiwang.org.models import Department
from yiwang.workdays.deadlines import deadline_of_clock


def _plan_q(scope) -> Q | None:
    own = scope.q(actions.READ, department="lead_department", region="region")
    joint = Q(departments__in=scope.departments(actions.READ))
    if own is None:
        return Q(pk__in=Plan.objects.filter(joint).values("pk"))
    return own | Q(pk__in=Plan.objects.filter(joint).values("pk"))


def plans_visible(scope):
    """Plans the user may read: led by or joined by their department; a county's for its leaders."""
    return (
        Plan.objects.filter(_plan_q(scope))
        .select_related("lead_department", "region")
        .annotate(
            n_departments=Count("departments", distinct=True),
            n_tasks=Count("tasks", filter=~Q(tasks__state=Task.State.CANCELLED), distinct=True),
        )
        .order_by("-period_start", "-id")
    )


def plan_get(scope, pk: int) -> Plan:
    plan = Plan.objects.filter(_plan_q(scope), pk=pk).select_related("lead_department", "region").first()
    if plan is None:
        raise Http404("计划不存在或无权查看")
    return plan


def plan_can_manage(scope, plan: Plan) -> bool:
    return scope.can(actions.PLAN, department=plan.lead_department)


def plan_current_draw(plan: Plan) -> Draw | None:
    return Draw.objects.filter(plan=plan, is_current=True).first()


def plan_tasks(plan: Plan):
    return (
        Task.objects.filter(plan=plan)
        .exclude(state=Task.State.CANCELLED)
        .select_related("entity", "region", "publish_clock")
        .prefetch_related(
            Prefetch("assignments", queryset=TaskInspector.objects.select_related("inspector", "department"))
        )
        .order_by("risk_class", "entity__name", "pk")
    )


def _task_q(user, scope) -> Q:
    mine = Exists(TaskInspector.objects.filter(task=OuterRef("pk"), inspector__user_id=getattr(user, "pk", None)))
    condition = scope.q(actions.READ, department="department", region="region")
    return mine if condition is None else (condition | Q(mine))


def tasks_visible(user, scope, *, state: str | None = None, mine: bool = False):
    """Tasks of the user's department (leaders: their region) and tasks they were drawn for."""
    qs = Task.objects.exclude(state=Task.State.CANCELLED).filter(_task_q(user, scope))
    if mine:
        qs = qs.filter(assignments__inspector__user=user)
    if state:
        qs = qs.filter(state=state)
    return qs.select_related("plan", "entity", "region", "department", "publish_clock").order_by(
        "state", "plan_id", "pk"
    )


def task_get(user, scope, pk: int) -> Task:
    task = (
        Task.objects.filter(_task_q(user, scope), pk=pk)
        .select_related("plan", "entity", "region", "department", "publish_clock", "draw")
        .first()
    )
    if task is None:
        raise Http404("检查任务不存在或无权查看")
    return task


def task_can_record(user, scope, task: Task) -> bool:
    """The lead department's handlers and inspectors, and the inspectors drawn for the task."""
    if task.state not in (Task.State.ASSIGNED, Task.State.RECORDED):
        return False
    if scope.can(actions.RESULT, department=task.department):
        return True
    return scope.can(actions.RESULT) and task.assignments.filter(inspector__user=user).exists()


def task_deadline(task: Task):
    if task.publish_clock_id is None:
        return None
    return deadline_of_clock(task.publish_clock, label="公示时限")


def task_follow_ups(task: Task):
    return FollowUp.objects.filter(task=task).order_by("pk")


def items_for(departments):
    return InspectionItem.objects.filter(department__in=departments, is_active=True).select_related("department")


def roster_for(departments):
    return (
        Inspector.objects.filter(department__in=departments)
        .select_related("department", "user")
        .annotate(n_conflicts=Count("conflicts"))
        .order_by("department_id", "pk")
    )


# --- public (一公开): no personal data ----------------------------------------------------------------


def public_plans():
    """Plans published (commitment shown) or drawn, newest first."""
    return (
        Plan.objects.exclude(state=Plan.State.DRAFT)
        .select_related("lead_department")
        .prefetch_related("departments")
        .order_by("-period_start", "-id")
    )


def public_plan_get(pk: int) -> Plan:
    plan = public_plans().filter(pk=pk).first()
    if plan is None:
        raise Http404("计划不存在")
    return plan


def public_results(plan: Plan):
    """Published results: the entity (a registered market entity is public by law; an individual
    business's operator name is masked within it, as credit's public pages do), the result and the
    team with the inspectors' names masked and their departments; the risk class is not shown."""
    from yiwang.credit.selectors import public_subject

    rows = []
    for task in (
        Task.objects.filter(plan=plan, state=Task.State.PUBLISHED)
        .select_related("entity")
        .prefetch_related(
            Prefetch("assignments", queryset=TaskInspector.objects.select_related("inspector", "department"))
        )
        .order_by("entity__name", "pk")
    ):
        name, uscc = public_subject(task.entity)
        rows.append(
            {
                "entity": name,
                "uscc": uscc,
                "result": task.get_result_display(),
                "problem": task.result in Task.PROBLEM_RESULTS,
                "inspected_on": task.inspected_on,
                "published_at": task.published_at,
                "team": [f"{mask_name(a.inspector.name)}（{a.department.short_name}）" for a in task.assignments.all()],
            }
        )
    return rows


def public_draws(plan: Plan):
    return Draw.objects.filter(plan=plan).order_by("attempt")


# --- figures from the roll-ups ------------------------------------------------------------------------


def settings_shown() -> dict:
    """The numbers in force, each labelled as the county default (县级默认值) when it is one."""
    return {
        "ratio_bp": conf("RATIO_BP"),
        "frequency": conf("FREQUENCY_PER_YEAR"),
        "publish_workdays": conf("PUBLISH_WORKDAYS"),
        "recusal_days": conf("RECUSAL_WINDOW_DAYS"),
        "ratio_is_default": inspections_settings.is_default("RATIO_BP"),
        "publish_is_default": inspections_settings.is_default("PUBLISH_WORKDAYS"),
    }


def inspection_figures(*, region=None, months=None, year: int | None = None) -> dict:
    """Coverage by class and by department, joint-inspection share, publication timeliness, and the
    rounds of inspection of each class in ``year`` (default this year) against the frequency per
    class (plan 四(十七)1: frequency follows the risk class; county default numbers)."""
    import datetime as dt

    from django.utils import timezone

    year = year or timezone.localdate().year
    frequency = conf("FREQUENCY_PER_YEAR")
    rounds = {
        row["key"]: row["rounds"]
        for row in facts(DRAWN, region=region, months=(dt.date(year, 1, 1), dt.date(year, 12, 1)), group_by=("key",))
    }
    by_class = []
    for row in facts(DRAWN, region=region, months=months, group_by=("key",)):
        by_class.append(
            {
                **row,
                "coverage": rate(row["count"], row["pool"]),
                "year_rounds": rounds.get(row["key"], 0),
                "frequency": frequency.get(row["key"]),
            }
        )
    departments = dict(Department.objects.values_list("pk", "short_name"))
    by_department = []
    for row in facts(DRAWN, region=region, months=months, group_by=("department",)):
        published = fact_total(PUBLISHED, region=region, months=months, department=row["department"])
        by_department.append(
            {
                **row,
                "name": departments.get(row["department"], "—"),
                "coverage": rate(row["count"], row["pool"]),
                "published": published["count"],
                "on_time": rate(published["on_time"], published["count"]),
            }
        )
    drawn = fact_total(DRAWN, region=region, months=months)
    published = fact_total(PUBLISHED, region=region, months=months)
    results = fact_total(RESULTS, region=region, months=months)
    return {
        "by_class": by_class,
        "by_department": by_department,
        "drawn": drawn["count"],
        "pool": drawn["pool"],
        "joint_share": rate(drawn["joint"], drawn["count"]),
        "published": published["count"],
        "on_time_share": rate(published["on_time"], published["count"]),
        "results": results["count"],
        "problems_share": rate(results["problems"], results["count"]),
        "year": year,
        "months": [
            {**row, "on_time_rate": rate(row["on_time"], row["count"])}
            for row in facts(PUBLISHED, region=region, months=months, group_by=("month",))
        ],
    }


def frequency_shortfalls(plans) -> list[dict]:
    """Where a lead department's rounds in a year fall short of the frequency its plans set.

    Plan 四(十七)1: the frequency follows the credit risk class. A plan is one round (one draw with
    its own committed seed) for each class it samples (ratio > 0); the required rounds for a class in
    a year are the largest frequency any of that department's plans of the year sets for it. Rounds
    count published, drawn and closed plans whose period starts in the year; drafts do not count.
    Returns rows {year, department, risk, frequency, rounds}, ordered by year, department and class.
    """
    wanted: dict[tuple, int] = {}
    rounds: dict[tuple, int] = {}
    names: dict[int, str] = {}
    for plan in plans:
        year = plan.period_start.year
        names[plan.lead_department_id] = plan.lead_department.short_name or plan.lead_department.name
        for risk in CLASSES:
            if not (plan.ratio_bp or {}).get(risk):
                continue
            key = (year, plan.lead_department_id, risk)
            wanted[key] = max(wanted.get(key, 0), int((plan.frequency or {}).get(risk) or 0))
            if plan.state != Plan.State.DRAFT:
                rounds[key] = rounds.get(key, 0) + 1
    return [
        {"year": key[0], "department": names[key[1]], "risk": key[2], "frequency": need, "rounds": rounds.get(key, 0)}
        for key, need in sorted(wanted.items())
        if rounds.get(key, 0) < need
    ]
