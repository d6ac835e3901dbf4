"""Every write on construction projects, stewards, 企业服务日 issues, area assessments and utility
connections. Each state change runs in one transaction, locks the row it changes, and writes its
audit event (and outbox message) there. Rules and their sources:

- Plan 二(三)(1): whole approval within 90 / 50 / 15 working days for 政府投资 / 社会投资 / 小型低风险.
  The project clock counts from the day after the first stage is applied for (民法典 Art. 201) and
  pauses while a finished stage waits for the builder to apply for the next one.
- Four stages 立项用地规划许可 → 工程建设许可 → 施工许可 → 竣工验收; the items of a stage run in
  parallel, each a case in ``yiwang.cases``; a stage has its own clock; 联审 and 联合验收 stages are
  applied for with one submission and capped by a county limit (plan 四(二)1, 6).
- Plan 四(二)7: 拿地即开工 (工程建设许可 and 施工许可 run together) and a merged planning +
  construction permit, each only for the categories the settings make eligible.
- Plan 四(二)3: a published area assessment (区域评估) satisfies the matching item of every project
  in the area.
- Plan 三、3: one steward per project (一项目一管家), a service log, and 企业服务日 issues tracked to an
  answer within working days (county default).
- Plan 四(三)1: electricity connections within 5 / 20 / 6 / 22 / 32 working days by category; 四(三)2, 3:
  the approvals a connection needs run in parallel as cases, results sent to the utility automatically.
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.cases.models import AgentKind, ApplicantKind, Case, CaseState
from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import is_valid_uscc
from yiwang.core.notify import ToDepartment, ToPhone, ToUser, notify
from yiwang.org.models import Department, Role
from yiwang.org.scoping import scope_for
from yiwang.workdays.calendar import as_date
from yiwang.workdays.deadlines import clock_used_workdays
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays
from yiwang.workdays.services import clock_pause_open, clock_resume, clock_start, clock_stop

from . import measures
from .conf import setting, utility_categories
from .models import (
    STAGE_ORDER,
    AreaAssessment,
    Category,
    ConstructionProject,
    JointSurvey,
    ProjectStage,
    ServiceDay,
    ServiceIssue,
    StageItem,
    StewardLog,
    UtilityApproval,
    UtilityConnection,
    UtilityKind,
)

P = ConstructionProject.State
St = ProjectStage.State
It = StageItem.State
CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
WAITING_REASON = "阶段已完成，等待建设单位申报下一阶段（不计入审批时限）"


def _error(code: str, message: str, *, field: str | None = None, status: int = 400, **details) -> ApplicationError:
    if field:
        details["field"] = field
    return ApplicationError(code, message, status=status, details=details)


def _forbidden(code: str, message: str) -> ApplicationError:
    return ApplicationError(code, message, status=403)


def _conflict(code: str, message: str, **details) -> ApplicationError:
    return ApplicationError(code, message, status=409, details=details)


def _check(actor, action: str, *, department, message: str) -> None:
    if not scope_for(actor).can(action, department=department):
        raise _forbidden("project.not_permitted", message)


def _snap(project: ConstructionProject) -> dict:
    return {
        "state": project.state,
        "steward": project.steward_id,
        "approval_workdays": project.approval_workdays,
        "stages": {s.code: s.state for s in project.stages.all()},
    }


def _locked_project(project: ConstructionProject) -> ConstructionProject:
    return ConstructionProject.objects.select_for_update(of=("self",)).select_related("region").get(pk=project.pk)


# --- projects ------------------------------------------------------------------------------------


def stage_days(category: str, stage_code: str) -> int:
    """A stage's limit: the category's share (county default), capped for 联审/联合验收 stages."""
    days = int(setting("STAGE_DAYS")[category][stage_code])
    joint = setting("JOINT_DAYS").get(stage_code)
    return min(days, int(joint)) if joint else days


def whole_limit(category: str) -> int:
    """Plan 二(三)(1): 90 / 50 / 15 working days (``WHOLE_LIMIT_DAYS``)."""
    return int(setting("WHOLE_LIMIT_DAYS")[category])


def project_register(
    *,
    code: str,
    name: str,
    category: str,
    builder_name: str,
    builder_uscc: str,
    region,
    site: str,
    lead_department: Department,
    actor,
    builder=None,
    builder_user=None,
    town=None,
    area: str = "",
    steward=None,
    land_start: bool = False,
    merged_permit: bool = False,
    investment=None,
) -> ConstructionProject:
    """Register a project with its four stages and their items (from ``STAGE_ITEMS``).

    Items an area assessment of the project's area covers are satisfied at once. The first stage is
    ready to apply for. Errors: ``project.category_invalid``, ``project.code_required``,
    ``project.name_required``, ``project.uscc_invalid``, ``project.duplicate_code`` (409),
    ``project.option_not_eligible``, ``project.item_not_in_catalog`` (409), ``project.not_permitted`` (403).
    """
    code, name, builder_name, site = (
        (code or "").strip(),
        (name or "").strip(),
        (builder_name or "").strip(),
        (site or "").strip(),
    )
    if category not in Category.values:
        raise _error("project.category_invalid", "项目类别应为政府投资、社会投资或小型低风险", field="category")
    if not code:
        raise _error("project.code_required", "请填写项目代码", field="code")
    if not name:
        raise _error("project.name_required", "请填写项目名称", field="name")
    if not builder_name:
        raise _error("project.builder_required", "请填写建设单位", field="builder_name")
    if not site:
        raise _error("project.site_required", "请填写建设地点", field="site")
    builder_uscc = (builder_uscc or "").strip().upper()
    if not is_valid_uscc(builder_uscc):
        raise _error("project.uscc_invalid", "建设单位统一社会信用代码不正确", field="builder_uscc")
    if land_start and category not in setting("LAND_START_CATEGORIES"):
        raise _error(
            "project.option_not_eligible",
            f"{Category(category).label}项目不适用“拿地即开工”（实施方案 四(二)7）",
            field="land_start",
        )
    if merged_permit and category not in setting("MERGED_PERMIT_CATEGORIES"):
        raise _error(
            "project.option_not_eligible",
            f"{Category(category).label}项目不适用规划许可与施工许可合并办理（实施方案 四(二)7）",
            field="merged_permit",
        )
    _check(actor, "project.manage", department=lead_department, message="只有牵头部门可以登记工程建设项目")
    wanted = setting("STAGE_ITEMS")[category]
    codes = list(dict.fromkeys(c for s in STAGE_ORDER for c in wanted.get(s, [])))
    items = {
        i.code: i
        for i in ServiceItem.objects.filter(code__in=codes, status=ItemStatus.PUBLISHED).select_related(
            "implementing_department"
        )
    }
    missing = [c for c in codes if c not in items]
    if missing:
        raise _conflict(
            "project.item_not_in_catalog", f"事项清单中缺少本类项目所需事项：{'、'.join(missing)}", codes=missing
        )
    if ConstructionProject.objects.filter(code=code).exists():
        raise _conflict("project.duplicate_code", f"项目代码 {code} 已登记", project_code=code)
    with transaction.atomic():
        project = ConstructionProject.objects.create(
            code=code,
            name=name,
            category=category,
            builder=builder,
            builder_name=builder_name,
            builder_uscc=builder_uscc,
            builder_user=builder_user,
            region=region,
            town=town,
            area=(area or "").strip(),
            site=site,
            lead_department=lead_department,
            steward=steward,
            land_start=land_start,
            merged_permit=merged_permit,
            investment=investment,
            limit_days=whole_limit(category),
        )
        assessments = _assessments_for(project)
        joint = setting("JOINT_STAGES")
        for position, stage_code in enumerate(STAGE_ORDER, start=1):
            merged_away = merged_permit and stage_code == "construction"
            days = stage_days(category, stage_code)
            if merged_permit and stage_code == "engineering":
                days = stage_days(category, "engineering") + int(setting("STAGE_DAYS")[category]["construction"])
            stage = ProjectStage.objects.create(
                project=project,
                code=stage_code,
                position=position,
                joint=joint.get(stage_code, ""),
                days=0 if merged_away else days,
                state=St.MERGED if merged_away else (St.READY if position == 1 else St.WAITING),
            )
            stage_codes = list(wanted.get(stage_code, []))
            if merged_permit and stage_code == "engineering":
                stage_codes += [c for c in wanted.get("construction", []) if c not in stage_codes]
            if merged_away:
                continue
            for item_code in stage_codes:
                item = items[item_code]
                assessment = assessments.get(item_code)
                StageItem.objects.create(
                    stage=stage,
                    item_code=item_code,
                    name=item.name,
                    department=item.implementing_department,
                    assessment=assessment,
                    state=It.SATISFIED if assessment else It.WAITING,
                )
        audit_record(
            actor=actor,
            action="projects.project_registered",
            obj=project,
            after={**_snap(project), "category": category, "limit_days": project.limit_days},
            region_code=region.code,
            details={"land_start": land_start, "merged_permit": merged_permit, "assessments": len(assessments)},
        )
    return project


def _assessments_for(project: ConstructionProject) -> dict[str, AreaAssessment]:
    if not project.area:
        return {}
    today = timezone.localdate()
    found = AreaAssessment.objects.filter(area=project.area, published_at__isnull=False).exclude(valid_until__lt=today)
    return {a.item_code: a for a in found}


def _applicant_form(project: ConstructionProject) -> dict:
    return {
        "entity_name": project.builder_name,
        "entity_uscc": project.builder_uscc,
        "entity_address": project.site,
        "project_code": project.code,
    }


def _submit_item(project: ConstructionProject, item: StageItem, actor) -> Case:
    from yiwang.cases import services as case_services

    applicant = case_services.ApplicantInput(
        kind=ApplicantKind.ENTERPRISE, name=project.builder_name, uscc=project.builder_uscc, user=project.builder_user
    )
    agent = "" if (project.builder_user_id and actor.pk == project.builder_user_id) else AgentKind.PROXY
    return case_services.case_submit(
        actor=actor,
        applicant=applicant,
        item=ServiceItem.objects.get(code=item.item_code),
        form_data=_applicant_form(project),
        agent_kind=agent,
    )


def _may_apply(project: ConstructionProject, actor) -> bool:
    if project.builder_user_id and actor.pk == project.builder_user_id:
        return True
    if project.steward_id and actor.pk == project.steward_id:
        return True
    return scope_for(actor).can("project.manage", department=project.lead_department)


def project_stage_open(*, stage: ProjectStage, actor, on: dt.datetime | None = None) -> ProjectStage:
    """Apply for a ready stage: one case per item, submitted together (联审/联合验收: one submission),
    the stage clock started and the project clock started or resumed. With 拿地即开工 the 施工许可
    stage is applied for together with 工程建设许可.

    Who: the builder's account, the project's steward (代办) or the lead department.
    Errors: ``project.not_permitted`` (403), ``project.stage_not_ready`` (409).
    """
    now = on or timezone.now()
    with transaction.atomic():
        project = _locked_project(stage.project)
        if not _may_apply(project, actor):
            raise _forbidden("project.not_permitted", "只有建设单位、项目管家或牵头部门可以申报")
        stage = ProjectStage.objects.select_for_update().get(pk=stage.pk)
        if stage.state != St.READY:
            raise _conflict(
                "project.stage_not_ready",
                f"{stage.get_code_display()}阶段当前为“{stage.get_state_display()}”，不能申报",
                stage=stage.code,
            )
        before = _snap(project)
        opened = [stage]
        if project.land_start and stage.code == "engineering":
            extra = project.stages.select_for_update().filter(code="construction", state=St.WAITING).first()
            if extra is not None:
                opened.append(extra)
        for current in opened:
            _open_one(project, current, actor, now)
        if project.clock_id is None:
            project.clock = clock_start(
                label=f"{project.code} 全流程审批时限",
                started_at=now,
                days=project.limit_days,
                actor=actor,
                owner=project,
                region_code=project.region.code,
            )
            project.started_at = now
            project.state = P.IN_APPROVAL
            project.save(update_fields=["clock", "started_at", "state"])
        else:
            clock = Clock.objects.get(pk=project.clock_id)
            if clock.state == Clock.State.PAUSED:
                clock_resume(clock=clock, on=max(as_date(now), clock.paused_since), actor=actor)
        audit_record(
            actor=actor,
            action="projects.stage_opened",
            obj=project,
            before=before,
            after=_snap(project),
            details={"stages": [s.code for s in opened]},
        )
        for current in opened:
            _complete_if_done(project, current, actor, now)
    stage.refresh_from_db()
    return stage


def _open_one(project, stage: ProjectStage, actor, now) -> None:
    for item in stage.items.select_for_update().filter(state__in=[It.WAITING, It.DENIED]):
        case = _submit_item(project, item, actor)
        item.case = case
        item.state = It.OPEN
        item.save(update_fields=["case", "state"])
    stage.clock = clock_start(
        label=f"{project.code} {stage.get_code_display()}阶段时限",
        started_at=now,
        days=stage.days,
        actor=actor,
        owner=stage,
        region_code=project.region.code,
    )
    stage.state = St.RUNNING
    stage.opened_at = now
    stage.save(update_fields=["clock", "state", "opened_at"])


def _complete_if_done(project: ConstructionProject, stage: ProjectStage, actor, now) -> bool:
    """Close a running stage whose items are all approved or satisfied; then make the next stage ready
    (pausing the project clock) or complete the project."""
    if stage.state != St.RUNNING:
        return False
    if stage.items.exclude(state__in=[It.APPROVED, It.SATISFIED]).exists():
        return False
    clock = Clock.objects.get(pk=stage.clock_id)
    clock = clock_stop(clock=clock, actor=actor, on=as_date(now))
    stage.state = St.DONE
    stage.completed_at = now
    stage.used_workdays = clock_used_workdays(clock, as_date(now))
    stage.save(update_fields=["state", "completed_at", "used_workdays"])
    stages = list(project.stages.select_for_update().order_by("position"))
    if any(s.state == St.RUNNING for s in stages):
        return True
    following = [s for s in stages if s.state == St.WAITING]
    project_clock = Clock.objects.get(pk=project.clock_id)
    if following:
        nxt = following[0]
        nxt.state = St.READY
        nxt.save(update_fields=["state"])
        if project_clock.state == Clock.State.RUNNING:
            clock_pause_open(clock=project_clock, on=as_date(now), reason=WAITING_REASON, actor=actor)
        recipients = [ToDepartment(project.lead_department_id)]
        recipients += [ToUser(u) for u in (project.steward_id, project.builder_user_id) if u]
        notify(
            to=recipients,
            template="projects.stage_ready",
            context={"project": project.name, "previous": stage.get_code_display(), "stage": nxt.get_code_display()},
            key=f"project:{project.pk}:ready:{nxt.code}",
            link=f"/projects/{project.pk}/",
        )
        return True
    before = _snap(project)
    project_clock = clock_stop(clock=project_clock, actor=actor, on=as_date(now))
    project.state = P.COMPLETED
    project.completed_at = now
    project.approval_workdays = clock_used_workdays(project_clock, as_date(now))
    project.save(update_fields=["state", "completed_at", "approval_workdays"])
    measures.on_project_completed(project)
    audit_record(actor=actor, action="projects.project_completed", obj=project, before=before, after=_snap(project))
    notify(
        to=[ToDepartment(project.lead_department_id)]
        + ([ToUser(project.builder_user_id)] if project.builder_user_id else []),
        template="projects.project_completed",
        context={"project": project.name, "workdays": project.approval_workdays, "limit": project.limit_days},
        key=f"project:{project.pk}:completed",
        link=f"/projects/{project.pk}/",
    )
    return True


def project_case_changed(case: Case) -> None:
    """Follow a stage item's case: approved → item done (the stage may complete), denied → the item
    blocks its stage until applied for again. Called in the case's own transaction."""
    item = StageItem.objects.filter(case_id=case.pk).select_related("stage").first()
    if item is None:
        return
    if case.state in (CaseState.DECIDED_APPROVED, CaseState.DELIVERED):
        target = It.APPROVED
    elif case.state in (CaseState.DECIDED_DENIED, CaseState.REJECTED, CaseState.WITHDRAWN):
        target = It.DENIED
    else:
        return
    project = _locked_project(item.stage.project)
    item = StageItem.objects.select_for_update().select_related("stage").get(pk=item.pk)
    if item.state == target:
        return
    item.state = target
    item.done_at = case.decided_at or case.closed_at or timezone.now()
    item.save(update_fields=["state", "done_at"])
    audit_record(
        actor=None,
        action="projects.item_" + target,
        obj=project,
        after={"item": item.item_code, "state": target, "case": case.number},
    )
    if target == It.APPROVED:
        stage = ProjectStage.objects.select_for_update().get(pk=item.stage_id)
        _complete_if_done(project, stage, None, item.done_at)


STAGE_PAUSE_REASON = "阶段内事项暂停计时（补正、专家评审等，行政许可法第四十五条）"


def stage_follow_case_pause(pause) -> None:
    """Follow a pause-ledger row of a stage item's case clock (or its intake clock, paused for 补正):
    while any case of a running stage is paused (补正, expert review…), the stage clock is paused
    from the same day; when the last of them resumes, the stage clock resumes on that day. Called
    in the pause's own transaction."""
    item = (
        StageItem.objects.filter(
            Q(case__clock_id=pause.clock_id) | Q(case__intake_clock_id=pause.clock_id),
            stage__state=ProjectStage.State.RUNNING,
        )
        .select_related("stage")
        .first()
    )
    if item is None or item.stage.clock_id is None:
        return
    stage = ProjectStage.objects.select_for_update().get(pk=item.stage_id)
    clock = Clock.objects.get(pk=stage.clock_id)
    if pause.resumed_on is None:
        if clock.state == Clock.State.RUNNING:
            clock_pause_open(clock=clock, on=pause.paused_on, reason=STAGE_PAUSE_REASON, actor=pause.actor)
        return
    if clock.state != Clock.State.PAUSED:
        return
    still_paused = (
        StageItem.objects.filter(stage_id=stage.pk)
        .filter(Q(case__clock__state=Clock.State.PAUSED) | Q(case__intake_clock__state=Clock.State.PAUSED))
        .exclude(Q(case__clock_id=pause.clock_id) | Q(case__intake_clock_id=pause.clock_id))
    )
    if not still_paused.exists():
        clock_resume(clock=clock, on=max(pause.resumed_on, clock.paused_since), actor=pause.actor)


def project_item_reapply(*, item: StageItem, actor) -> StageItem:
    """Apply again for an item whose case was denied, rejected or withdrawn (a new case, same stage clock).
    Errors: ``project.not_permitted`` (403), ``project.item_not_denied`` (409)."""
    with transaction.atomic():
        project = _locked_project(item.stage.project)
        if not _may_apply(project, actor):
            raise _forbidden("project.not_permitted", "只有建设单位、项目管家或牵头部门可以重新申报")
        item = StageItem.objects.select_for_update().get(pk=item.pk)
        if item.state != It.DENIED:
            raise _conflict("project.item_not_denied", f"“{item.name}”不是未获许可的事项，不能重新申报")
        case = _submit_item(project, item, actor)
        old = item.case.number if item.case_id else None
        item.case = case
        item.state = It.OPEN
        item.save(update_fields=["case", "state"])
        audit_record(
            actor=actor,
            action="projects.item_reapplied",
            obj=project,
            after={"item": item.item_code, "case": case.number, "previous_case": old},
        )
    return item


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


# --- area assessments ----------------------------------------------------------------------------


def assessment_publish(
    *,
    area: str,
    region,
    kind: str,
    item_code: str,
    department: Department,
    summary: str,
    actor,
    valid_until: dt.date | None = None,
) -> AreaAssessment:
    """Publish an area assessment's result (plan 四(二)3: 及时公开评估结果). Every project of the area
    whose matching item has not been applied for is marked satisfied by it (its stage may complete).
    Errors: ``project.not_permitted`` (403), ``project.summary_required``, ``project.assessment_kind_invalid``."""
    _check(actor, "assessment.publish", department=department, message="只有组织评估的部门可以公布区域评估结果")
    if kind not in AreaAssessment.Kind.values:
        raise _error("project.assessment_kind_invalid", "区域评估事项不正确", field="kind")
    summary, area = (summary or "").strip(), (area or "").strip()
    if not summary:
        raise _error("project.summary_required", "请填写评估结论", field="summary")
    if not area:
        raise _error("project.area_required", "请填写评估区域", field="area")
    now = timezone.now()
    with transaction.atomic():
        assessment, _created = AreaAssessment.objects.select_for_update().update_or_create(
            area=area,
            kind=kind,
            defaults={
                "region": region,
                "item_code": item_code,
                "department": department,
                "summary": summary,
                "valid_until": valid_until,
                "published_at": now,
            },
        )
        items = list(
            StageItem.objects.select_related("stage__project").filter(
                item_code=item_code, state=It.WAITING, stage__project__area=area
            )
        )
        StageItem.objects.filter(pk__in=[i.pk for i in items]).update(assessment=assessment, state=It.SATISFIED)
        audit_record(
            actor=actor,
            action="projects.assessment_published",
            obj=assessment,
            after={"area": area, "kind": kind, "item_code": item_code, "reused_by": len(items)},
            region_code=region.code,
        )
        for stage_id in {i.stage_id for i in items}:
            stage = ProjectStage.objects.select_for_update().select_related("project").get(pk=stage_id)
            if stage.state == St.RUNNING:
                _complete_if_done(_locked_project(stage.project), stage, actor, now)
    return assessment


def joint_survey_record(
    *, project: ConstructionProject, surveyor: str, kinds: list[str], summary: str, actor, delivered_at=None
) -> JointSurvey:
    """多测合并 (plan 四(二)5): one survey delivers several measurements; the result is shared with the
    departments of the project's 竣工验收 items (an inbox message to each), so none asks for it again.
    Errors: ``project.not_permitted`` (403), ``project.surveyor_required``, ``project.survey_kinds_required``
    (at least two measurements — otherwise nothing is merged), ``project.survey_kind_invalid``."""
    if not (
        actor.pk == project.steward_id or scope_for(actor).can("project.manage", department=project.lead_department)
    ):
        raise _forbidden("project.not_permitted", "只有项目管家或牵头部门可以登记联合测绘成果")
    surveyor, summary = (surveyor or "").strip(), (summary or "").strip()
    if not surveyor:
        raise _error("project.surveyor_required", "请填写测绘单位", field="surveyor")
    kinds = list(dict.fromkeys(kinds or []))
    unknown = [k for k in kinds if k not in JointSurvey.Kind.values]
    if unknown:
        raise _error("project.survey_kind_invalid", f"测绘事项不正确：{'、'.join(unknown)}", field="kinds")
    if len(kinds) < 2:
        raise _error("project.survey_kinds_required", "多测合并至少包含两项测绘事项", field="kinds")
    if not summary:
        raise _error("project.summary_required", "请填写成果摘要", field="summary")
    departments = sorted(
        set(
            StageItem.objects.filter(
                stage__project=project, stage__code="acceptance", department__isnull=False
            ).values_list("department_id", flat=True)
        )
    )
    with transaction.atomic():
        survey = JointSurvey.objects.create(
            project=project,
            surveyor=surveyor,
            kinds=kinds,
            summary=summary,
            delivered_at=delivered_at or timezone.now(),
            shared_with=departments,
            recorded_by=actor,
        )
        audit_record(
            actor=actor,
            action="projects.joint_survey_recorded",
            obj=project,
            after={"survey": survey.pk, "kinds": kinds, "shared_with": departments},
        )
        if departments:
            notify(
                to=[ToDepartment(d) for d in departments],
                template="projects.survey_shared",
                context={"project": project.name, "kinds": "、".join(survey.kind_labels()), "surveyor": surveyor},
                key=f"survey:{survey.pk}:shared",
                link=f"/projects/{project.pk}/",
            )
    return survey


# --- utility connections -------------------------------------------------------------------------


def utility_department(kind: str) -> Department:
    return Department.objects.get(code=setting("UTILITY_DEPARTMENTS")[kind])


def connection_apply(
    *,
    kind: str,
    category: str,
    applicant_name: str,
    address: str,
    region,
    actor,
    applicant_phone: str = "",
    applicant_uscc: str = "",
    capacity: str = "",
    project: ConstructionProject | None = None,
    approvals: tuple[str, ...] | list[str] = (),
    accepted_at: dt.datetime | None = None,
    utility: Department | None = None,
) -> UtilityConnection:
    """Accept a connection application and start its clock: the category's limit from the settings
    (electricity: plan 四(三)1; water and gas: county defaults). The approvals it needs (占掘路, 占用绿地,
    规划路由) are applied for at once as cases, in parallel (plan 四(三)3), in the name of the applicant
    enterprise. Errors: ``utility.kind_invalid``, ``utility.category_invalid``, ``utility.name_required``,
    ``utility.address_required``, ``utility.approval_invalid``, ``utility.uscc_required``."""
    from yiwang.cases import services as case_services

    if kind not in UtilityKind.values:
        raise _error("utility.kind_invalid", "报装类型应为用电、用水或用气", field="kind")
    categories = utility_categories(kind)
    if category not in categories:
        raise _error(
            "utility.category_invalid", f"{UtilityKind(kind).label}报装类别不正确：{category}", field="category"
        )
    applicant_name, address = (applicant_name or "").strip(), (address or "").strip()
    if not applicant_name:
        raise _error("utility.name_required", "请填写申请人", field="applicant_name")
    if not address:
        raise _error("utility.address_required", "请填写用户地址", field="address")
    approval_items = setting("UTILITY_APPROVAL_ITEMS")
    unknown = [a for a in approvals if a not in approval_items]
    if unknown:
        raise _error("utility.approval_invalid", f"未知的配套审批：{'、'.join(unknown)}", field="approvals")
    applicant_uscc = (applicant_uscc or "").strip().upper()
    if approvals and not is_valid_uscc(applicant_uscc):
        raise _error(
            "utility.uscc_required", "需办理配套审批时，请填写申请单位正确的统一社会信用代码", field="applicant_uscc"
        )
    utility = utility or utility_department(kind)
    days = int(categories[category]["days"])
    now = accepted_at or timezone.now()
    with transaction.atomic():
        connection = UtilityConnection(
            number=f"T{secrets.token_hex(8)}",
            query_code="".join(secrets.choice(CODE_ALPHABET) for _ in range(6)),
            kind=kind,
            category=category,
            utility=utility,
            region=region,
            project=project,
            applicant_name=applicant_name,
            applicant_phone=applicant_phone or None,
            address=address,
            capacity=capacity,
            days=days,
            accepted_at=now,
            applicant_user=actor if scope_for(actor).can("utility.apply") else None,
        )
        connection.save(force_insert=True)
        prefix = {"electricity": "YD", "water": "YS", "gas": "YQ"}[kind]
        connection.number = f"{prefix}{timezone.localtime(now):%Y%m%d}{connection.pk:06d}"
        connection.clock = clock_start(
            label=f"{connection.number} {categories[category]['label']}报装时限",
            started_at=now,
            days=days,
            actor=actor,
            owner=connection,
            region_code=region.code,
        )
        connection.save(update_fields=["number", "clock"])
        for approval_kind in approvals:
            spec = approval_items[approval_kind]
            case = case_services.case_submit(
                actor=actor,
                applicant=case_services.ApplicantInput(
                    kind=ApplicantKind.ENTERPRISE, name=applicant_name, uscc=applicant_uscc, phone=applicant_phone
                ),
                item=ServiceItem.objects.get(code=spec["item"]),
                form_data={"entity_name": applicant_name, "entity_uscc": applicant_uscc, "entity_address": address},
                agent_kind="" if connection.applicant_user_id else AgentKind.PROXY,
            )
            UtilityApproval.objects.create(connection=connection, kind=approval_kind, item_code=spec["item"], case=case)
        audit_record(
            actor=actor,
            action="projects.connection_accepted",
            obj=connection,
            after={"kind": kind, "category": category, "days": days, "due_on": connection.clock.due_on},
            region_code=region.code,
            details={"approvals": list(approvals)},
        )
        recipients = [ToDepartment(utility.pk)]
        if applicant_phone:
            recipients.append(ToPhone(applicant_phone))
        notify(
            to=recipients,
            template="projects.utility_accepted",
            context={
                "kind": UtilityKind(kind).label,
                "number": connection.number,
                "code": connection.query_code,
                "days": days,
            },
            key=f"connection:{connection.pk}:accepted",
            region_code=region.code,
        )
        measures.on_connection_changed(connection, before=[])
    return connection


def connection_complete(*, connection: UtilityConnection, actor, on: dt.datetime | None = None) -> UtilityConnection:
    """The utility's staff record the connection (装表接电 / 通水 / 通气); the clock stops and the working
    days used are compared with the limit. Errors: ``project.not_permitted`` (403),
    ``utility.invalid_transition`` (409), ``utility.approvals_pending`` (409)."""
    _check(actor, "utility.handle", department=connection.utility, message="只有供应企业的工作人员可以办结报装")
    now = on or timezone.now()
    with transaction.atomic():
        connection = UtilityConnection.objects.select_for_update().get(pk=connection.pk)
        if connection.state != UtilityConnection.State.ACCEPTED:
            raise _conflict("utility.invalid_transition", f"报装当前为“{connection.get_state_display()}”，不能办结")
        pending = [a.get_kind_label() for a in connection.approvals.all() if a.result != "approved"]
        if pending:
            raise _conflict("utility.approvals_pending", f"配套审批尚未办结：{'、'.join(pending)}")
        before = measures.connection_facts(connection)
        clock = clock_stop(clock=Clock.objects.get(pk=connection.clock_id), actor=actor, on=as_date(now))
        connection.state = UtilityConnection.State.CONNECTED
        connection.connected_at = now
        connection.used_workdays = clock_used_workdays(clock, as_date(now))
        connection.on_time = as_date(now) <= clock.due_on
        connection.save(update_fields=["state", "connected_at", "used_workdays", "on_time"])
        audit_record(
            actor=actor,
            action="projects.connection_completed",
            obj=connection,
            before={"state": "accepted"},
            after={"state": "connected", "used_workdays": connection.used_workdays, "on_time": connection.on_time},
        )
        measures.on_connection_changed(connection, before=before)
    return connection


def utility_case_changed(case: Case) -> None:
    """Send an approval's result to the utility automatically (plan 四(三)2: 审批结果自动反馈供电企业)."""
    approval = UtilityApproval.objects.filter(case_id=case.pk).select_related("connection").first()
    if approval is None:
        return
    if case.state in (CaseState.DECIDED_APPROVED, CaseState.DELIVERED):
        result = "approved"
    elif case.state in (CaseState.DECIDED_DENIED, CaseState.REJECTED, CaseState.WITHDRAWN):
        result = "denied"
    else:
        return
    approval = UtilityApproval.objects.select_for_update().select_related("connection").get(pk=approval.pk)
    if approval.result == result:
        return
    approval.result = result
    approval.result_sent_at = timezone.now()
    approval.save(update_fields=["result", "result_sent_at"])
    connection = approval.connection
    audit_record(
        actor=None,
        action="projects.approval_result_sent",
        obj=connection,
        after={"approval": approval.kind, "result": result, "case": case.number},
    )
    notify(
        to=ToDepartment(connection.utility_id),
        template="projects.utility_approval_result",
        context={
            "number": connection.number,
            "address": connection.address,
            "approval": approval.get_kind_label(),
            "result": "准予许可" if result == "approved" else "不予许可",
            "case": case.number,
        },
        key=f"approval:{approval.pk}:{result}",
        link=f"/projects/utilities/{connection.pk}/",
    )


def connection_due_on(connection: UtilityConnection) -> dt.date:
    return add_workdays(connection.accepted_at, connection.days).due
