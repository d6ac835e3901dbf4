"""Importing the plan: its text → Plan, Areas, PlanTasks with departments, PlanTargets and Milestones.

Department names are resolved through the org alias table (``org.selectors.department_resolve``
with the county's prefix rules: 县人社局 and 人社局 are 眉县人社局); an unknown or ambiguous name is
reported with its line and nothing is written — a unit is never invented. The JSON names the units
by their canonical short names (县市场监管局). Re-importing the same text changes nothing (its hash
is kept); an edited text updates the rows in place by their numbers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

from django.db import transaction

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.org.models import Department, Region, User
from yiwang.org.selectors import department_resolve

from ..conf import supervision_setting
from ..models import Area, Milestone, Plan, PlanTarget, PlanTask, TaskDepartment
from ..planparse import LineError, ParsedPlan, ParsedTask, PlanParseError, parse_plan


@dataclass
class PlanImport:
    """What an import found (``as_json``) and did (``created``/``unchanged``)."""

    parsed: ParsedPlan
    departments: dict[str, Department]
    plan: Plan | None = None
    created: bool = False
    unchanged: bool = False
    warnings: list[str] = field(default_factory=list)

    def names(self, written: list[str]) -> list[str]:
        seen: list[str] = []
        for name in written:
            canonical = self.departments[name].short_name
            if canonical not in seen:
                seen.append(canonical)
        return seen

    def _task(self, task: ParsedTask) -> dict:
        return {
            "no": task.no,
            "title": task.title,
            "lead_departments": self.names(task.lead),
            "co_departments": [n for n in self.names(task.co) if n not in self.names(task.lead)],
        }

    def as_json(self) -> dict:
        p = self.parsed
        targets, milestones = [], []
        for _area, task in p.all_tasks():
            for t in task.targets:
                targets.append(
                    {
                        "task": task.title,
                        "text": t.text,
                        "value": int(t.value) if t.value == t.value.to_integral() else float(t.value),
                        "unit": t.unit,
                        "comparator": t.comparator,
                    }
                )
            for m in task.milestones:
                milestones.append({"task": task.title, "text": m.text, "due_on": m.due_on.isoformat()})
        return {
            "title": p.title,
            "year": p.year,
            "key_tasks": [self._task(t) for t in p.key_tasks],
            "highlights": [self._task(t) for t in p.highlights],
            "areas": [
                {
                    "no": a.no,
                    "title": a.title,
                    "leader": a.leader,
                    "leader_title": a.leader_title,
                    "lead_departments": self.names(a.lead),
                    "tasks": [self._task(t) for t in a.tasks],
                }
                for a in p.areas
            ],
            "safeguards": [{"no": s.no, "title": s.title} for s in p.safeguards],
            "targets": targets,
            "milestones": milestones,
            "warnings": self.warnings,
        }


def county_region() -> Region:
    return Region.objects.get(code=supervision_setting("COUNTY_CODE"))


def plan_parse_and_resolve(*, text: str, region: Region | None = None) -> PlanImport:
    """Parse the text and resolve every department name. Errors: ``supervision.plan_invalid`` with
    ``details["errors"]`` = ["第N行：…", …]."""
    try:
        parsed = parse_plan(text)
    except PlanParseError as error:
        raise _invalid(error.errors) from None
    region = region or county_region()
    departments: dict[str, Department] = {}
    errors: list[LineError] = []
    warnings: list[str] = []
    lines: dict[str, int] = {}
    for area in parsed.areas:
        for name in area.lead:
            lines.setdefault(name, area.line)
    for _area, task in parsed.all_tasks():
        for name in task.lead + task.co:
            lines.setdefault(name, task.line)
        for group in task.lead_groups:
            members = list(
                Department.objects.filter(
                    region__path__startswith=region.path,
                    short_name__endswith=group.removeprefix("园区"),
                    is_active=True,
                ).order_by("code")
            )
            if not members:
                errors.append(LineError(task.line, f"“各{group}”在组织机构中没有对应单位"))
            for member in members:
                departments[member.short_name] = member
                if member.short_name not in task.lead:
                    task.lead.append(member.short_name)
        if not task.lead and task.part != 5:
            warnings.append(f"第{task.line}行：任务“{task.title}”没有写明牵头单位")
    for name, line in lines.items():
        department = department_resolve(name, region=region)
        if department is None:
            errors.append(LineError(line, f"未知部门“{name}”：请在组织机构中登记该单位或其别名"))
        else:
            departments[name] = department
    if errors:
        raise _invalid(errors)
    return PlanImport(parsed=parsed, departments=departments, warnings=warnings)


def _invalid(errors: list[LineError]) -> ApplicationError:
    return ApplicationError(
        "supervision.plan_invalid",
        "方案文本有误，未导入：" + "；".join(str(e) for e in errors[:5]) + ("…" if len(errors) > 5 else ""),
        details={"errors": [str(e) for e in errors]},
    )


def _leader_user(name: str) -> User | None:
    matches = list(User.objects.filter(display_name=name, memberships__role="leader").distinct()[:2])
    return matches[0] if len(matches) == 1 else None


def plan_import(*, text: str, actor, source_name: str = "", dry_run: bool = False) -> PlanImport:
    """Import (or, with ``dry_run``, only read) a plan. Idempotent: the same text changes nothing."""
    region = county_region()
    result = plan_parse_and_resolve(text=text, region=region)
    if dry_run:
        return result
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    parsed = result.parsed
    with transaction.atomic():
        plan = Plan.objects.select_for_update().filter(region=region, year=parsed.year, title=parsed.title).first()
        if plan is not None and plan.text_hash == digest:
            result.plan, result.unchanged = plan, True
            return result
        result.created = plan is None
        if plan is None:
            plan = Plan.objects.create(
                region=region,
                year=parsed.year,
                title=parsed.title,
                goal=parsed.goal,
                text_hash=digest,
                source_name=source_name,
            )
        else:
            plan.goal, plan.text_hash, plan.source_name = parsed.goal, digest, source_name
            plan.save(update_fields=["goal", "text_hash", "source_name"])
        for parsed_area in parsed.areas:
            area, _ = Area.objects.update_or_create(
                plan=plan,
                no=parsed_area.no,
                defaults={
                    "title": parsed_area.title,
                    "leader_name": parsed_area.leader,
                    "leader_title": parsed_area.leader_title,
                    "leader_user": _leader_user(parsed_area.leader),
                },
            )
            area.lead_departments.set([result.departments[n] for n in parsed_area.lead])
            for parsed_task in parsed_area.tasks:
                _write_task(plan, region, area, parsed_task, result, actor)
        for parsed_task in parsed.key_tasks + parsed.highlights + parsed.safeguards:
            _write_task(plan, region, None, parsed_task, result, actor)
        audit_record(
            actor=actor,
            action="supervision.plan_imported",
            obj=plan,
            after={
                "title": plan.title,
                "year": plan.year,
                "tasks": plan.tasks.count(),
                "areas": plan.areas.count(),
                "text_hash": digest,
            },
            region_code=region.code,
            details={"created": result.created, "source": source_name},
        )
    result.plan = plan
    return result


def _write_task(plan: Plan, region: Region, area: Area | None, parsed: ParsedTask, result: PlanImport, actor) -> None:
    task, _ = PlanTask.objects.update_or_create(
        plan=plan,
        part=parsed.part,
        area=area,
        no=parsed.no,
        defaults={"title": parsed.title[:200], "text": parsed.text, "line": parsed.line, "region": region},
    )
    wanted: dict[int, str] = {}
    for name in parsed.lead:
        wanted.setdefault(result.departments[name].pk, TaskDepartment.Role.LEAD)
    for name in parsed.co:
        wanted.setdefault(result.departments[name].pk, TaskDepartment.Role.CO)
    current = {a.department_id: a for a in task.assignments.all()}
    for department_id, assignment in current.items():
        if department_id not in wanted:
            assignment.delete()
    for department_id, role in wanted.items():
        if department_id not in current:
            TaskDepartment.objects.create(task=task, department_id=department_id, role=role)
        elif current[department_id].role != role:
            TaskDepartment.objects.filter(pk=current[department_id].pk).update(role=role)
    # Targets from the text: replaced as a whole (they have no life of their own).
    task.targets.all().delete()
    PlanTarget.objects.bulk_create(
        PlanTarget(task=task, seq=i, text=t.text[:300], value=t.value, unit=t.unit, comparator=t.comparator)
        for i, t in enumerate(parsed.targets, start=1)
    )
    from .tasks import milestone_create

    for parsed_milestone in parsed.milestones:
        if not task.milestones.filter(title=parsed_milestone.text[:300], due_on=parsed_milestone.due_on).exists():
            milestone_create(
                task=task,
                title=parsed_milestone.text[:300],
                due_on=parsed_milestone.due_on,
                actor=actor,
                source=Milestone.Source.PLAN,
                notify_department=False,
            )
