"""Tasks: results, follow-up actions, publication within 20 working days (county default), credit feed."""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, notify
from yiwang.inspections.conf import conf
from yiwang.inspections.models import FollowUp, Plan, Task
from yiwang.inspections.workflow import check_task_transition
from yiwang.workdays.deadlines import DeadlineStatus, deadline_of_clock
from yiwang.workdays.services import clock_start, clock_stop

logger = logging.getLogger(__name__)

PUBLISH_LABEL = "抽查结果公示时限"


def _locked_task(task: Task) -> Task:
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("plan", "entity", "department", "region", "publish_clock")
        .get(pk=task.pk)
    )


def _snapshot(task: Task) -> dict:
    return {"state": task.state, "result": task.result, "inspected_on": task.inspected_on}


def task_result_record(*, task: Task, result: str, findings: str = "", inspected_on: dt.date, actor) -> Task:
    """Record (or, before publication, correct) the result of one inspection. The first record starts
    the publication clock: ``PUBLISH_WORKDAYS`` working days (county default 20) after the inspection
    day. Errors: ``inspection.bad_result``, ``inspection.findings_required``, ``inspection.date_in_future``,
    ``inspection.date_outside_period``, 409 ``inspection.task_invalid_transition``."""
    if result not in Task.Result.values:
        raise ApplicationError("inspection.bad_result", "请选择检查结果", details={"field": "result"})
    findings = (findings or "").strip()
    if result in Task.PROBLEM_RESULTS and not findings:
        raise ApplicationError(
            "inspection.findings_required", "发现问题或无法联系时须填写检查情况", details={"field": "findings"}
        )
    if inspected_on is None or inspected_on > timezone.localdate():
        raise ApplicationError("inspection.date_in_future", "检查日期不能晚于今天", details={"field": "inspected_on"})
    with transaction.atomic():
        task = _locked_task(task)
        if inspected_on < task.plan.period_start:
            raise ApplicationError(
                "inspection.date_outside_period", "检查日期不能早于计划开始日", details={"field": "inspected_on"}
            )
        check_task_transition(task, Task.State.RECORDED)
        from yiwang.inspections.measures import on_task_changed, task_facts

        before_facts = task_facts(task)
        before = _snapshot(task)
        task.state = Task.State.RECORDED
        task.result = result
        task.findings = findings
        task.inspected_on = inspected_on
        task.recorded_at = timezone.now()
        task.recorded_by = actor
        if task.publish_clock_id is None:
            task.publish_clock = clock_start(
                label=PUBLISH_LABEL,
                started_at=inspected_on,
                days=int(conf("PUBLISH_WORKDAYS")),
                actor=actor,
                owner=task,
                region_code=task.region.code,
            )
        task.save(
            update_fields=["state", "result", "findings", "inspected_on", "recorded_at", "recorded_by", "publish_clock"]
        )
        audit_record(
            actor=actor,
            action="inspection.result_recorded",
            obj=task,
            before=before,
            after=_snapshot(task),
            region_code=task.region.code,
        )
        on_task_changed(task, before=before_facts)
    return task


def follow_up_add(*, task: Task, kind: str, note: str = "", actor) -> FollowUp:
    """Record a follow-up action on a result with problems. Errors: ``inspection.bad_follow_up``,
    409 ``inspection.follow_up_without_problem``."""
    if kind not in FollowUp.Kind.values:
        raise ApplicationError("inspection.bad_follow_up", "请选择后续处置措施", details={"field": "kind"})
    with transaction.atomic():
        task = _locked_task(task)
        if task.result not in Task.PROBLEM_RESULTS:
            raise ApplicationError(
                "inspection.follow_up_without_problem",
                "只有发现问题或无法联系的检查结果才能登记后续处置",
                details={"field": "kind"},
                status=409,
            )
        follow_up = FollowUp.objects.create(task=task, kind=kind, note=(note or "").strip(), created_by=actor)
        audit_record(
            actor=actor,
            action="inspection.follow_up_added",
            obj=task,
            after={"follow_up": follow_up.pk, "kind": kind},
            region_code=task.region.code,
        )
    return follow_up


def task_publish(*, task: Task, actor, on: dt.date | None = None) -> Task:
    """Make one recorded result public (一公开): stop the publication clock, note whether it was on time
    and, for a result with problems, add a credit record (``credit_record_create``, source
    ``inspections.task:<id>``, idempotent). Errors: 409 ``inspection.task_invalid_transition``."""
    with transaction.atomic():
        task = _locked_task(task)
        check_task_transition(task, Task.State.PUBLISHED)
        from yiwang.inspections.measures import on_task_changed, task_facts

        before_facts = task_facts(task)
        before = _snapshot(task)
        now = timezone.now()
        day = on or timezone.localdate(now)
        task.state = Task.State.PUBLISHED
        task.published_at = now if on is None else timezone.make_aware(dt.datetime.combine(on, dt.time(10)))
        clock = task.publish_clock
        task.published_on_time = clock is None or day <= clock.due_on
        if clock is not None and clock.state != clock.State.STOPPED:
            clock_stop(clock=clock, actor=actor, on=day)
        if task.result in Task.PROBLEM_RESULTS:
            task.credit_record_id = _credit_record(task)
        task.save(update_fields=["state", "published_at", "published_on_time", "credit_record_id"])
        audit_record(
            actor=actor,
            action="inspection.result_published",
            obj=task,
            before=before,
            after={**_snapshot(task), "on_time": task.published_on_time, "credit_record": task.credit_record_id},
            region_code=task.region.code,
        )
        on_task_changed(task, before=before_facts)
    return task


def plan_results_publish(*, plan: Plan, actor, departments=None) -> int:
    """Publish every recorded result of ``plan`` (of ``departments`` when given); returns how many."""
    qs = Task.objects.filter(plan=plan, state=Task.State.RECORDED).order_by("pk")
    if departments is not None:
        qs = qs.filter(department__in=departments)
    count = 0
    for task in qs:
        task_publish(task=task, actor=actor)
        count += 1
    return count


def _credit_record(task: Task) -> int:
    """A published result with problems becomes a credit record of the entity (record kind
    ``inspection``, source ``inspections.task:<id>``, so a repeated publication adds nothing). The
    record is made by the system on the lead department's behalf: the publication event names the
    person."""
    from yiwang.credit import services as credit
    from yiwang.credit.models import RecordKind

    record = credit.credit_record_create(
        entity=task.entity,
        kind=RecordKind.INSPECTION,
        title=f"双随机抽查（{task.plan.number}）：{task.get_result_display()}",
        department=task.department,
        decided_on=task.inspected_on,
        legal_basis="；".join(task.plan.items.values_list("legal_basis", flat=True)),
        source=f"inspections.task:{task.pk}",
        actor=None,
    )
    return record.pk


# --- the one deadline sweep ------------------------------------------------------------------------


def publish_deadline_changed(*, clock, owner: Task, before, after, today: dt.date) -> None:
    """A recorded result not yet public: a reminder before the due day and an overdue notice after it,
    to the lead department."""
    from yiwang.workdays.sweep import REMINDER

    if owner.state != Task.State.RECORDED or owner.publish_clock_id != clock.pk:
        return
    if after not in (REMINDER, DeadlineStatus.OVERDUE):
        return
    overdue = after == DeadlineStatus.OVERDUE
    plan = owner.plan
    notify(
        to=ToDepartment(owner.department_id),
        template="inspection.publish_overdue" if overdue else "inspection.publish_reminder",
        context={
            "number": plan.number,
            "entity": owner.entity.name,
            "due": deadline_of_clock(clock, label=PUBLISH_LABEL, today=today).display(),
        },
        key=f"inspection:{owner.pk}:publish:{clock.due_on.isoformat()}:{'overdue' if overdue else 'remind'}",
        link=reverse("inspections:plan", args=[plan.pk]),
    )


def register_deadline_handlers() -> None:
    from yiwang.workdays.sweep import register_deadline_handler

    register_deadline_handler(
        "inspections.Task", publish_deadline_changed, remind_lead_workdays=int(conf("REMINDER_LEAD_WORKDAYS"))
    )
