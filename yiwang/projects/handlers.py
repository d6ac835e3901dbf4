"""Deadline handlers (``workdays.sweep``) and the case observer of ``projects``.

The sweep calls these when a stage, issue or connection clock changes status (and, for issues,
``ISSUE_REMIND_DAYS`` working days before the due day); the message goes through the outbox.
A stage item's case and a connection's approval case are followed through ``post_save`` on
``cases.Case``: only a decided or closed case is looked up, inside the case's transaction; a
stage clock follows its cases' pause ledger through ``post_save`` on ``workdays.ClockPause``.
"""

from __future__ import annotations

from yiwang.cases.models import CaseState
from yiwang.core.notify import ToDepartment, ToUser, notify
from yiwang.workdays.deadlines import DeadlineStatus
from yiwang.workdays.sweep import REMINDER

FINAL_CASE_STATES = {
    CaseState.DECIDED_APPROVED,
    CaseState.DECIDED_DENIED,
    CaseState.DELIVERED,
    CaseState.REJECTED,
    CaseState.WITHDRAWN,
}
ALARMS = {DeadlineStatus.WARNING: "临期", DeadlineStatus.DUE: "今日到期", DeadlineStatus.OVERDUE: "已超期"}


def on_case_saved(sender, instance, created, **kwargs) -> None:
    if created or instance.state not in FINAL_CASE_STATES:
        return
    from .services import project_case_changed, utility_case_changed

    project_case_changed(instance)
    utility_case_changed(instance)


def on_clock_pause_saved(sender, instance, created, **kwargs) -> None:
    """A case clock paused or resumed: a stage clock follows it (``stage_follow_case_pause``)."""
    if not created and instance.resumed_on is None:
        return
    from .services import stage_follow_case_pause

    stage_follow_case_pause(instance)


def on_stage_deadline(*, clock, owner, before, after, today) -> None:
    if after not in ALARMS:
        return
    project = owner.project
    recipients = [ToDepartment(project.lead_department_id)] + (
        [ToUser(project.steward_id)] if project.steward_id else []
    )
    notify(
        to=recipients,
        template="projects.stage_deadline",
        context={
            "project": project.name,
            "stage": owner.get_code_display(),
            "days": clock.days,
            "due_on": clock.due_on.isoformat(),
            "status": ALARMS[after],
        },
        key=f"stage:{owner.pk}:{after}:{clock.due_on.isoformat()}",
        link=f"/projects/{project.pk}/",
    )


def on_issue_deadline(*, clock, owner, before, after, today) -> None:
    status = "即将到期" if after == REMINDER else ALARMS.get(after)
    if status is None:
        return
    notify(
        to=ToDepartment(owner.department_id),
        template="projects.issue_deadline",
        context={
            "enterprise": owner.enterprise_name,
            "text": owner.text[:60],
            "due_on": clock.due_on.isoformat(),
            "status": status,
        },
        key=f"issue:{owner.pk}:{after}:{clock.due_on.isoformat()}",
        link="/projects/issues/",
    )


def on_connection_deadline(*, clock, owner, before, after, today) -> None:
    if after not in ALARMS:
        return
    from .conf import utility_categories

    category = utility_categories(owner.kind).get(owner.category, {}).get("label", owner.category)
    notify(
        to=ToDepartment(owner.utility_id),
        template="projects.utility_deadline",
        context={
            "number": owner.number,
            "category": category,
            "due_on": clock.due_on.isoformat(),
            "status": ALARMS[after],
        },
        key=f"connection:{owner.pk}:{after}:{clock.due_on.isoformat()}",
        link=f"/projects/utilities/{owner.pk}/",
    )


def register() -> None:
    from django.conf import settings  # noqa: F401
    from django.db.models.signals import post_save

    from yiwang.workdays.sweep import register_deadline_handler

    from .conf import setting

    post_save.connect(on_case_saved, sender="cases.Case", dispatch_uid="projects.case_saved")
    post_save.connect(on_clock_pause_saved, sender="workdays.ClockPause", dispatch_uid="projects.clock_pause_saved")
    register_deadline_handler("projects.ProjectStage", on_stage_deadline)
    register_deadline_handler(
        "projects.ServiceIssue", on_issue_deadline, remind_lead_workdays=int(setting("ISSUE_REMIND_DAYS"))
    )
    register_deadline_handler("projects.UtilityConnection", on_connection_deadline)
