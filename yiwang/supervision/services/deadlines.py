"""The deadline sweep's handlers for milestones and ledger items (``yiwang.workdays.sweep``).

- a running milestone clock ``REMIND_LEAD_WORKDAYS`` working days before its due day → a reminder
  (提醒函) to each lead department;
- overdue → a 督办单 to each lead department;
- still open ``ESCALATE_AFTER_WORKDAYS`` working days after the due day → an escalation to the
  area's leader in charge (a sweep hook, run after the clocks);
- an open ledger item overdue → its owner department is told.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.notify import ToDepartment, notify
from yiwang.workdays.deadlines import DeadlineStatus
from yiwang.workdays.selectors import count_workdays
from yiwang.workdays.sweep import REMINDER

from ..conf import supervision_setting
from ..models import LedgerItem, Milestone, Notice
from .tasks import notice_issue, task_lead_department_ids
from .urging import urge_deadline_changed


def milestone_deadline_changed(*, clock, owner: Milestone, before, after, today: dt.date) -> None:
    if owner is None or owner.state != Milestone.State.OPEN:
        return
    task = owner.task
    if after == REMINDER:
        kind, text = Notice.Kind.REMINDER, f"节点“{owner.title}”将于{owner.due_on:%Y年%m月%d日}到期，请抓紧推进。"
    elif after == DeadlineStatus.OVERDUE:
        kind, text = (
            Notice.Kind.OVERDUE,
            f"节点“{owner.title}”已于{owner.due_on:%Y年%m月%d日}逾期，请立即办理并书面报送。",
        )
    else:
        return
    for department_id in task_lead_department_ids(task):
        notice_issue(task=task, kind=kind, text=text, issued_on=today, milestone=owner, department_id=department_id)


def ledger_deadline_changed(*, clock, owner: LedgerItem, before, after, today: dt.date) -> None:
    if owner is None or owner.state != LedgerItem.State.OPEN or after != DeadlineStatus.OVERDUE:
        return
    notify(
        to=ToDepartment(owner.department_id),
        template="supervision.ledger_overdue",
        context={"number": owner.number, "title": owner.title, "due_on": f"{owner.due_on:%Y年%m月%d日}"},
        key=f"supervision:ledger:{owner.pk}:overdue:{owner.due_on:%Y%m%d}",
        link=f"/supervision/ledgers/{owner.pk}/",
    )


def milestones_escalate(*, now: dt.datetime | None = None) -> dict:
    """Escalate open milestones overdue for ``ESCALATE_AFTER_WORKDAYS`` working days (idempotent)."""
    today = timezone.localdate(now) if now else timezone.localdate()
    after = int(supervision_setting("ESCALATE_AFTER_WORKDAYS"))
    escalated = 0
    candidates = Milestone.objects.filter(state=Milestone.State.OPEN, escalated=False, due_on__lt=today).values_list(
        "pk", flat=True
    )
    for pk in list(candidates):
        with transaction.atomic():
            milestone = (
                Milestone.objects.select_for_update(of=("self",))
                .select_related("task__area", "task__region")
                .get(pk=pk)
            )
            if milestone.escalated or milestone.state != Milestone.State.OPEN:
                continue
            if count_workdays(milestone.due_on, today) < after:
                continue
            milestone.escalated = True
            milestone.save(update_fields=["escalated"])
            audit_record(
                actor=None,
                action="supervision.milestone_escalated",
                obj=milestone,
                before={"escalated": False},
                after={"escalated": True},
                region_code=milestone.task.region.code,
            )
            notice_issue(
                task=milestone.task,
                kind=Notice.Kind.ESCALATION,
                milestone=milestone,
                issued_on=today,
                text=f"节点“{milestone.title}”逾期{count_workdays(milestone.due_on, today)}个工作日仍未完成，报请包抓领导协调督促。",
            )
            escalated += 1
    return {"escalated": escalated}


def register() -> None:
    """Called from ``SupervisionConfig.ready``."""
    from yiwang.workdays.sweep import register_deadline_handler, register_sweep_hook

    lead = int(supervision_setting("REMIND_LEAD_WORKDAYS"))
    register_deadline_handler("supervision.Milestone", milestone_deadline_changed, remind_lead_workdays=lead)
    register_deadline_handler("supervision.LedgerItem", ledger_deadline_changed)
    register_deadline_handler("supervision.Notice", urge_deadline_changed)
    register_sweep_hook("supervision.escalate", milestones_escalate)
