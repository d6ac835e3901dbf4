"""Applying for a stage and following its cases: the items of a stage run in parallel, each a case
in ``yiwang.cases``; the stage clock pauses with its cases (行政许可法 Art. 45) and the project clock
while a finished stage waits for the builder to apply for the next one."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from yiwang.cases.models import AgentKind, ApplicantKind, Case, CaseState
from yiwang.catalog.models import ServiceItem
from yiwang.core.audit import audit_record
from yiwang.core.notify import ToDepartment, ToUser, notify
from yiwang.org.scoping import scope_for
from yiwang.projects import measures
from yiwang.projects.models import ConstructionProject, ProjectStage, StageItem
from yiwang.projects.services._common import It, P, St, _conflict, _forbidden, _locked_project, _snap
from yiwang.workdays.calendar import as_date
from yiwang.workdays.deadlines import clock_used_workdays
from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_pause_open, clock_resume, clock_start, clock_stop

WAITING_REASON = "阶段已完成，等待建设单位申报下一阶段（不计入审批时限）"


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
