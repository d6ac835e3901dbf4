"""Registering a construction project with its four stages and their items, and the limits by
category: plan 二(三)(1) (90 / 50 / 15 working days), 四(二)7 (拿地即开工, the merged permit),
四(二)3 (items an area assessment already satisfies)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.catalog.models import ItemStatus, ServiceItem
from yiwang.core.audit import audit_record
from yiwang.core.identifiers import is_valid_uscc
from yiwang.org.models import Department
from yiwang.projects.conf import setting
from yiwang.projects.models import STAGE_ORDER, AreaAssessment, Category, ConstructionProject, ProjectStage, StageItem
from yiwang.projects.services._common import It, St, _check, _conflict, _error, _snap

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
