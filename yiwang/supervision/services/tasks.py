"""Following the plan's tasks (督查督办, plan 五（二）): milestones, progress reports, 督办单, closing.

Rules:
- milestones and their due dates are set by the supervision office (or read from the plan's text);
  each is a working-day clock, so the one deadline sweep reminds before and marks overdue after;
- only a lead department of the task reports progress (text, attachment, % done); a report may
  mark a milestone done; 100 % means "reported complete", never closed;
- only the supervision office closes a task (销号); closing stops its open milestones;
- every change locks its row and writes an audit event in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, ToRegionQueue, ToUser, notify
from yiwang.measures.services import measures_apply
from yiwang.org.models import Role
from yiwang.org.scoping import scope_for
from yiwang.workdays.selectors import count_workdays
from yiwang.workdays.services import clock_start, clock_stop

from ..measures import milestone_facts
from ..models import Milestone, Notice, PlanTask, ProgressReport, TaskDepartment, TaskState

TASK_FIELDS = ("state", "percent_done", "closing_note")
MILESTONE_FIELDS = ("title", "due_on", "state", "done_on", "escalated")


def _context(task: PlanTask, milestone: Milestone | None = None, **extra) -> dict:
    return {
        "ref": task.reference,
        "title": task.title,
        "milestone": milestone.title if milestone else "",
        "due_on": f"{milestone.due_on:%Y年%m月%d日}" if milestone else "",
        **extra,
    }


def task_lead_department_ids(task: PlanTask) -> list[int]:
    return list(
        task.assignments.filter(role=TaskDepartment.Role.LEAD)
        .order_by("department_id")
        .values_list("department_id", flat=True)
    )


def _require(actor, action: str, *, region=None, department=None, message: str) -> None:
    scope = scope_for(actor)
    kwargs = {}
    if region is not None:
        kwargs["region"] = region
    if department is not None:
        kwargs["department"] = department
    if actor is None or not scope.can(action, **kwargs):
        raise ApplicationError("supervision.forbidden", message, status=403)


# --- milestones ----------------------------------------------------------------------------------


def milestone_create(
    *,
    task: PlanTask,
    title: str,
    due_on: dt.date,
    actor,
    source: str = Milestone.Source.OFFICE,
    on: dt.date | None = None,
    notify_department: bool = True,
) -> Milestone:
    """A due date for a task, set by the supervision office (or read from the plan by the import).

    Errors: ``supervision.forbidden`` (not the office), ``supervision.milestone_title``,
    ``supervision.milestone_past`` (a new due date before the day it is set), ``supervision.task_closed``.
    """
    on = on or timezone.localdate()
    title = (title or "").strip()
    if source == Milestone.Source.OFFICE:
        _require(actor, "supervision.manage", region=task.region, message="只有督查室可以设定任务节点")
    if not title:
        raise ApplicationError("supervision.milestone_title", "请填写节点内容", details={"field": "title"})
    if source == Milestone.Source.OFFICE and due_on < on:
        raise ApplicationError(
            "supervision.milestone_past", f"完成时限{due_on:%Y-%m-%d}早于设定日期", details={"field": "due_on"}
        )
    with transaction.atomic():
        task = PlanTask.objects.select_for_update().get(pk=task.pk)
        if task.state == TaskState.CLOSED:
            raise ApplicationError("supervision.task_closed", "任务已销号，不能再设定节点")
        existing = task.milestones.filter(title=title, due_on=due_on).first()
        if existing is not None:
            return existing  # a retried submission creates nothing twice
        milestone = Milestone.objects.create(task=task, title=title, due_on=due_on, source=source, set_by=actor)
        start = min(on, due_on)
        milestone.clock = clock_start(
            label=f"任务节点：{title[:150]}",
            started_at=start,
            days=max(count_workdays(start, due_on), 0),
            actor=actor,
            owner=milestone,
            region_code=task.region.code,
        )
        milestone.save(update_fields=["clock"])
        measures_apply(after=milestone_facts(milestone))
        audit_record(
            actor=actor,
            action="supervision.milestone_set",
            obj=milestone,
            after=snapshot(milestone, MILESTONE_FIELDS),
            region_code=task.region.code,
            details={"task": task.pk, "source": source},
        )
        if notify_department:
            notify(
                to=[ToDepartment(d) for d in task_lead_department_ids(task)],
                template="supervision.milestone_set",
                context=_context(task, milestone),
                key=f"supervision:milestone:{milestone.pk}:set",
                link=f"/supervision/tasks/{task.pk}/",
            )
    return milestone


def _milestone_finish(milestone: Milestone, *, on: dt.date, actor) -> None:
    before = snapshot(milestone, MILESTONE_FIELDS)
    facts_before = milestone_facts(milestone)
    milestone.state, milestone.done_on = Milestone.State.DONE, on
    milestone.save(update_fields=["state", "done_on"])
    measures_apply(before=facts_before, after=milestone_facts(milestone))
    if milestone.clock_id and milestone.clock.state != "stopped":
        clock_stop(clock=milestone.clock, actor=actor, on=on)
    audit_record(
        actor=actor,
        action="supervision.milestone_done",
        obj=milestone,
        before=before,
        after=snapshot(milestone, MILESTONE_FIELDS),
        region_code=milestone.task.region.code,
    )


# --- progress reports ----------------------------------------------------------------------------


def progress_report(
    *,
    task: PlanTask,
    actor,
    department,
    text: str,
    percent_done: int,
    attachment=None,
    milestone: Milestone | None = None,
    reported_at: dt.datetime | None = None,
) -> ProgressReport:
    """A lead department reports progress. Errors: ``supervision.forbidden`` (not a lead department
    of the task, or not the actor's department), ``supervision.report_text``, ``supervision.bad_percent``,
    ``supervision.task_closed``, ``supervision.milestone_other_task``."""
    text = (text or "").strip()
    if department is None or department.pk not in task_lead_department_ids(task):
        raise ApplicationError("supervision.forbidden", "只有任务的牵头部门可以报送进展", status=403)
    _require(actor, "supervision.report", department=department, message="您不属于该牵头部门，不能报送进展")
    if not text:
        raise ApplicationError("supervision.report_text", "请填写进展情况", details={"field": "text"})
    if isinstance(percent_done, bool) or not isinstance(percent_done, int) or not 0 <= percent_done <= 100:
        raise ApplicationError(
            "supervision.bad_percent", "完成进度应为 0 到 100 之间的整数", details={"field": "percent_done"}
        )
    if milestone is not None and milestone.task_id != task.pk:
        raise ApplicationError("supervision.milestone_other_task", "该节点不属于此任务", details={"field": "milestone"})
    reported_at = reported_at or timezone.now()
    with transaction.atomic():
        task = PlanTask.objects.select_for_update().get(pk=task.pk)
        if task.state == TaskState.CLOSED:
            raise ApplicationError("supervision.task_closed", "任务已销号，不再报送进展")
        before = snapshot(task, TASK_FIELDS)
        report = ProgressReport.objects.create(
            task=task,
            department=department,
            author=actor,
            text=text,
            percent_done=percent_done,
            reported_at=reported_at,
        )
        if attachment is not None:
            report.attachment.save(attachment.name, attachment, save=True)
        task.percent_done = percent_done
        task.state = TaskState.DONE if percent_done == 100 else TaskState.OPEN
        task.save(update_fields=["percent_done", "state", "updated_at"])
        if milestone is not None:
            milestone = Milestone.objects.select_for_update().get(pk=milestone.pk)
            if milestone.state == Milestone.State.OPEN:
                _milestone_finish(milestone, on=timezone.localtime(reported_at).date(), actor=actor)
        audit_record(
            actor=actor,
            action="supervision.progress_reported",
            obj=task,
            before=before,
            after=snapshot(task, TASK_FIELDS),
            region_code=task.region.code,
            details={"report": report.pk, "department": department.pk, "milestone": getattr(milestone, "pk", None)},
        )
        notify(
            to=ToRegionQueue(task.region.code, Role.SUPERVISOR.value),
            template="supervision.done" if percent_done == 100 else "supervision.reported",
            context=_context(task, department=department.short_name, percent=percent_done),
            key=f"supervision:report:{report.pk}",
            link=f"/supervision/tasks/{task.pk}/",
        )
    return report


# --- closing -------------------------------------------------------------------------------------


def task_close(*, task: PlanTask, actor, note: str = "") -> PlanTask:
    """The supervision office closes a task (销号). Errors: ``supervision.forbidden``,
    ``supervision.task_closed`` (already closed)."""
    _require(actor, "supervision.manage", region=task.region, message="只有督查室可以销号")
    with transaction.atomic():
        task = PlanTask.objects.select_for_update().get(pk=task.pk)
        if task.state == TaskState.CLOSED:
            raise ApplicationError("supervision.task_closed", "任务已销号", status=409)
        before = snapshot(task, TASK_FIELDS)
        today = timezone.localdate()
        for milestone in task.milestones.select_for_update().filter(state=Milestone.State.OPEN):
            _milestone_finish(milestone, on=today, actor=actor)
        task.state, task.closed_at, task.closed_by, task.closing_note = (
            TaskState.CLOSED,
            timezone.now(),
            actor,
            note[:500],
        )
        task.percent_done = 100
        task.save(update_fields=["state", "closed_at", "closed_by", "closing_note", "percent_done", "updated_at"])
        audit_record(
            actor=actor,
            action="supervision.task_closed",
            obj=task,
            before=before,
            after=snapshot(task, TASK_FIELDS),
            region_code=task.region.code,
        )
    return task


# --- notices (督办单) ------------------------------------------------------------------------------


def _notice_number(notice: Notice) -> str:
    prefix = {"reminder": "TX", "overdue": "DB", "escalation": "SJ"}[notice.kind]
    return f"{prefix}{notice.issued_on:%Y}-{notice.pk:05d}"


def notice_issue(
    *,
    task: PlanTask,
    kind: str,
    text: str,
    issued_on: dt.date,
    actor=None,
    milestone: Milestone | None = None,
    department_id: int | None = None,
) -> Notice:
    """Write one notice (in the caller's transaction) and send it. A reminder or 督办单 goes to the
    lead department; an escalation to the area's leader in charge (or the county's leaders)."""
    if milestone is not None:
        existing = Notice.objects.filter(milestone=milestone, kind=kind, department_id=department_id).first()
        if existing is not None:
            return existing
    notice = Notice.objects.create(
        number=uuid.uuid4().hex[:32],
        kind=kind,
        task=task,
        milestone=milestone,
        department_id=department_id,
        text=text,
        issued_on=issued_on,
        issued_by=actor,
    )
    notice.number = _notice_number(notice)
    notice.save(update_fields=["number"])
    audit_record(
        actor=actor,
        action=f"supervision.notice_{kind}",
        obj=notice,
        after={
            "number": notice.number,
            "task": task.pk,
            "milestone": getattr(milestone, "pk", None),
            "department": department_id,
        },
        region_code=task.region.code,
    )
    template = {
        "reminder": "supervision.reminder",
        "overdue": "supervision.overdue",
        "escalation": "supervision.escalated",
    }[kind]
    if kind == Notice.Kind.ESCALATION:
        leader = task.area.leader_user_id if task.area_id else None
        to = [ToUser(leader)] if leader else [ToRegionQueue(task.region.code, Role.LEADER.value)]
    else:
        to = (
            [ToDepartment(department_id)]
            if department_id
            else [ToDepartment(d) for d in task_lead_department_ids(task)]
        )
    notify(
        to=to,
        template=template,
        context=_context(task, milestone, number=notice.number),
        key=f"supervision:notice:{notice.pk}",
        link=f"/supervision/tasks/{task.pk}/",
    )
    return notice


def notice_issue_by_office(*, task: PlanTask, actor, text: str) -> Notice:
    """The office issues a 督办单 by hand (明查暗访 found a task stalled). Errors: ``supervision.forbidden``,
    ``supervision.notice_text``."""
    _require(actor, "supervision.manage", region=task.region, message="只有督查室可以签发督办单")
    text = (text or "").strip()
    if not text:
        raise ApplicationError("supervision.notice_text", "请填写督办事项", details={"field": "text"})
    with transaction.atomic():
        return notice_issue(task=task, kind=Notice.Kind.OVERDUE, text=text, issued_on=timezone.localdate(), actor=actor)
