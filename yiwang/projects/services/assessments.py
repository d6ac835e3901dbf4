"""Area assessments (plan 四(二)3: 区域评估, results published and reused by every project of the area)
and 多测合并 joint surveys (plan 四(二)5)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.notify import ToDepartment, notify
from yiwang.org.models import Department
from yiwang.org.scoping import scope_for
from yiwang.projects.models import AreaAssessment, ConstructionProject, JointSurvey, ProjectStage, StageItem
from yiwang.projects.services._common import It, St, _check, _error, _forbidden, _locked_project
from yiwang.projects.services.stages import _complete_if_done

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
