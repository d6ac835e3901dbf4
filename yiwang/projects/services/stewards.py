"""Plan 三、3: one steward per project (一项目一管家) with a service log, and 企业服务日 issues
tracked to an answer within working days (county default)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.notify import ToDepartment, ToUser, notify
from yiwang.org.models import Department, Role
from yiwang.org.scoping import scope_for
from yiwang.projects.conf import setting
from yiwang.projects.models import ConstructionProject, ServiceDay, ServiceIssue, StewardLog
from yiwang.projects.services._common import _check, _conflict, _error, _forbidden, _locked_project
from yiwang.workdays.calendar import as_date
from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_start, clock_stop


def project_steward_assign(*, project: ConstructionProject, steward, actor) -> ConstructionProject:
    """一项目一管家: one named official of the county per project. Errors: ``project.not_permitted`` (403),
    ``project.steward_not_staff``."""
    _check(actor, "project.manage", department=project.lead_department, message="只有牵头部门可以指定项目管家")
    if steward is None or not steward.memberships.exclude(role__in=[Role.CITIZEN, Role.ENTERPRISE]).exists():
        raise _error("project.steward_not_staff", "项目管家须为本县工作人员", field="steward")
    with transaction.atomic():
        project = _locked_project(project)
        before = {"steward": project.steward_id}
        project.steward = steward
        project.save(update_fields=["steward"])
        audit_record(
            actor=actor, action="projects.steward_assigned", obj=project, before=before, after={"steward": steward.pk}
        )
    return project


def steward_log_add(
    *, project: ConstructionProject, kind: str, text: str, actor, on: dt.date | None = None
) -> StewardLog:
    """The steward's service log (visits, problems, solutions). The steward or the lead department writes.
    Errors: ``project.not_permitted`` (403), ``project.log_kind_invalid``, ``project.log_text_required``."""
    if not (
        actor.pk == project.steward_id or scope_for(actor).can("project.manage", department=project.lead_department)
    ):
        raise _forbidden("project.not_permitted", "只有项目管家或牵头部门可以填写服务记录")
    if kind not in StewardLog.Kind.values:
        raise _error("project.log_kind_invalid", "记录类型应为走访、问题或解决措施", field="kind")
    text = (text or "").strip()
    if not text:
        raise _error("project.log_text_required", "请填写记录内容", field="text")
    with transaction.atomic():
        log = StewardLog.objects.create(
            project=project, kind=kind, text=text, on=on or timezone.localdate(), author=actor
        )
        audit_record(
            actor=actor,
            action="projects.steward_logged",
            obj=project,
            after={"kind": kind, "log": log.pk},
            details={"on": log.on},
        )
    return log


# --- 企业服务日 -----------------------------------------------------------------------------------


def service_day_hold(*, region, held_on: dt.date, place: str, host: Department, actor) -> ServiceDay:
    """Record a 企业服务日 (frequency: ``SERVICE_DAY_EVERY_MONTHS``, county default). Idempotent per day.
    Errors: ``project.not_permitted`` (403), ``project.place_required``."""
    _check(actor, "project.manage", department=host, message="只有牵头部门可以组织企业服务日")
    place = (place or "").strip()
    if not place:
        raise _error("project.place_required", "请填写地点", field="place")
    with transaction.atomic():
        day, created = ServiceDay.objects.get_or_create(
            region=region, held_on=held_on, defaults={"place": place, "host": host}
        )
        if created:
            audit_record(actor=actor, action="projects.service_day_held", obj=day, region_code=region.code)
    return day


def service_issue_raise(
    *,
    enterprise_name: str,
    text: str,
    department: Department,
    actor,
    region=None,
    project: ConstructionProject | None = None,
    service_day: ServiceDay | None = None,
    raised_at: dt.datetime | None = None,
) -> ServiceIssue:
    """A problem raised on a 企业服务日 (or to a steward) becomes a tracked item for the responsible
    department, due in ``ISSUE_DAYS`` working days (county default), with reminders.
    Errors: ``project.not_permitted`` (403), ``project.issue_text_required``, ``project.enterprise_required``."""
    if not (
        (project is not None and actor.pk == project.steward_id)
        or scope_for(actor).can("project.manage", department=project.lead_department if project else None)
        or (service_day is not None and scope_for(actor).can("project.manage", department=service_day.host))
    ):
        raise _forbidden("project.not_permitted", "只有项目管家或牵头部门可以登记企业问题")
    text, enterprise_name = (text or "").strip(), (enterprise_name or "").strip()
    if not enterprise_name:
        raise _error("project.enterprise_required", "请填写反映问题的企业", field="enterprise_name")
    if not text:
        raise _error("project.issue_text_required", "请填写问题内容", field="text")
    region = region or (project.region if project else service_day.region)
    raised_at = raised_at or timezone.now()
    days = int(setting("ISSUE_DAYS"))
    with transaction.atomic():
        issue = ServiceIssue.objects.create(
            service_day=service_day,
            project=project,
            region=region,
            enterprise_name=enterprise_name,
            text=text,
            department=department,
            days=days,
            raised_at=raised_at,
            raised_by=actor,
        )
        issue.clock = clock_start(
            label=f"企业问题 {issue.pk} 办理时限",
            started_at=raised_at,
            days=days,
            actor=actor,
            owner=issue,
            region_code=region.code,
        )
        issue.save(update_fields=["clock"])
        audit_record(
            actor=actor,
            action="projects.issue_raised",
            obj=issue,
            after={"department": department.pk, "days": days, "due_on": issue.clock.due_on},
            region_code=region.code,
        )
        notify(
            to=ToDepartment(department.pk),
            template="projects.issue_raised",
            context={
                "enterprise": enterprise_name,
                "text": text,
                "days": days,
                "due_on": issue.clock.due_on.isoformat(),
            },
            key=f"issue:{issue.pk}:raised",
            link="/projects/issues/",
        )
    return issue


def service_issue_resolve(
    *, issue: ServiceIssue, resolution: str, actor, on: dt.datetime | None = None
) -> ServiceIssue:
    """The responsible department answers the issue; its clock stops.
    Errors: ``project.not_permitted`` (403), ``project.resolution_required``, ``project.issue_closed`` (409)."""
    _check(actor, "issue.handle", department=issue.department, message="只有责任部门可以办结该问题")
    resolution = (resolution or "").strip()
    if not resolution:
        raise _error("project.resolution_required", "请填写解决情况", field="resolution")
    now = on or timezone.now()
    with transaction.atomic():
        issue = ServiceIssue.objects.select_for_update().get(pk=issue.pk)
        if issue.state != ServiceIssue.State.OPEN:
            raise _conflict("project.issue_closed", "该问题已办结")
        issue.state = ServiceIssue.State.RESOLVED
        issue.resolution = resolution
        issue.resolved_at = now
        issue.save(update_fields=["state", "resolution", "resolved_at"])
        if issue.clock_id:
            clock_stop(clock=Clock.objects.get(pk=issue.clock_id), actor=actor, on=as_date(now))
        audit_record(
            actor=actor,
            action="projects.issue_resolved",
            obj=issue,
            before={"state": "open"},
            after={"state": "resolved"},
        )
        if issue.raised_by_id:
            notify(
                to=ToUser(issue.raised_by_id),
                template="projects.issue_resolved",
                context={"resolution": resolution},
                key=f"issue:{issue.pk}:resolved",
                link="/projects/issues/",
            )
    return issue
