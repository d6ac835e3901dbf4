"""Plans and draws: create, publish (with the seed commitment), draw (audited, unrepeatable), verify."""

from __future__ import annotations

import datetime as dt
import secrets

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, ToUser, notify
from yiwang.core.pii import pii_decrypt, pii_encrypt
from yiwang.credit.models import Entity
from yiwang.inspections import draw as drawing
from yiwang.inspections.conf import conf
from yiwang.inspections.models import Draw, InspectionItem, Inspector, InspectorConflict, Plan, Task, TaskInspector
from yiwang.inspections.workflow import check_plan_transition

CLASSES = drawing.CLASSES


def _error(code: str, message: str, field: str | None = None, status: int = 400) -> ApplicationError:
    return ApplicationError(code, message, details={"field": field} if field else {}, status=status)


def _clean_ratios(ratio_bp: dict | None) -> dict[str, int]:
    merged = {**conf("RATIO_BP"), **(ratio_bp or {})}
    out = {}
    for risk in CLASSES:
        value = merged.get(risk)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10000:
            raise _error("inspection.bad_ratio", f"{risk}类抽查比例应在 0%–100% 之间", "ratio_bp")
        out[risk] = value
    return out


def _clean_frequency(frequency: dict | None) -> dict[str, int]:
    merged = {**conf("FREQUENCY_PER_YEAR"), **(frequency or {})}
    out = {}
    for risk in CLASSES:
        value = merged.get(risk)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 12:
            raise _error("inspection.bad_frequency", f"{risk}类抽查频次应为每年 0–12 次", "frequency")
        out[risk] = value
    return out


def _clean_filter(pool_filter: dict | None) -> dict:
    pool_filter = dict(pool_filter or {})
    unknown = set(pool_filter) - {"towns", "industry_prefixes", "kinds"}
    if unknown:
        raise _error(
            "inspection.bad_filter", f"无法识别的抽查对象范围条件：{', '.join(sorted(unknown))}", "pool_filter"
        )
    towns = sorted({int(t) for t in pool_filter.get("towns") or []})
    prefixes = sorted({str(p).strip().upper() for p in pool_filter.get("industry_prefixes") or [] if str(p).strip()})
    kinds = sorted({str(k) for k in pool_filter.get("kinds") or []})
    if set(kinds) - set(Entity.Kind.values):
        raise _error("inspection.bad_filter", "主体类型只能是企业、个体工商户或农民专业合作社", "pool_filter")
    return {"towns": towns, "industry_prefixes": prefixes, "kinds": kinds}


def plan_create(
    *,
    number: str,
    title: str,
    region,
    lead_department,
    departments=(),
    items=(),
    pool_filter: dict | None = None,
    ratio_bp: dict | None = None,
    frequency: dict | None = None,
    full_coverage: bool = False,
    inspectors_per_entity: int | None = None,
    distinct_departments: bool = False,
    period_start: dt.date,
    period_end: dt.date,
    beacon_source: str = "",
    actor,
) -> Plan:
    """Draft a plan (plan 四(十七)1: ratio and frequency by credit risk class; joint plans across departments).

    Ratios default to the county defaults ``YIWANG_INSPECTIONS["RATIO_BP"]`` (A 3 %, B 5 %, C 20 %,
    D 100 %). ``full_coverage`` sets every class to 100 % and is allowed only when every item is a key
    item (重点检查事项). Each item must belong to one of the plan's departments. Errors:
    ``inspection.field_required``, ``inspection.plan_duplicate``, ``inspection.bad_period``,
    ``inspection.bad_ratio``, ``inspection.bad_frequency``, ``inspection.bad_filter``,
    ``inspection.items_required``, ``inspection.item_department``, ``inspection.full_coverage_general``,
    ``inspection.team_size``, ``inspection.joint_needs_departments``.
    """
    number = (number or "").strip()
    title = (title or "").strip()
    if not number:
        raise _error("inspection.field_required", "请填写计划编号", "number")
    if not title:
        raise _error("inspection.field_required", "请填写计划名称", "title")
    if Plan.objects.filter(number=number).exists():
        raise _error("inspection.plan_duplicate", f"计划编号 {number} 已存在", "number", status=409)
    if period_end < period_start:
        raise _error("inspection.bad_period", "检查结束日不能早于开始日", "period_end")
    department_list = list({d.pk: d for d in [lead_department, *departments]}.values())
    item_list = list(items)
    if not item_list:
        raise _error("inspection.items_required", "请至少选择一项抽查事项", "items")
    department_ids = {d.pk for d in department_list}
    for item in item_list:
        if item.department_id not in department_ids:
            raise _error("inspection.item_department", f"抽查事项“{item.name}”不属于参与部门", "items")
    ratios = _clean_ratios(ratio_bp)
    if full_coverage:
        if any(item.kind != InspectionItem.Kind.KEY for item in item_list):
            raise _error(
                "inspection.full_coverage_general", "只有全部为重点检查事项的计划才能全覆盖抽查", "full_coverage"
            )
        ratios = dict.fromkeys(CLASSES, 10000)
    team = int(inspectors_per_entity if inspectors_per_entity is not None else conf("INSPECTORS_PER_ENTITY"))
    if team < 2:
        raise _error("inspection.team_size", "每户检查人员不得少于 2 人", "inspectors_per_entity")
    if distinct_departments and len(department_list) < team:
        raise _error(
            "inspection.joint_needs_departments", f"检查组须来自不同部门时，参与部门不得少于 {team} 个", "departments"
        )
    with transaction.atomic():
        plan = Plan.objects.create(
            number=number,
            title=title,
            region=region,
            lead_department=lead_department,
            pool_filter=_clean_filter(pool_filter),
            ratio_bp=ratios,
            frequency=_clean_frequency(frequency),
            inspectors_per_entity=team,
            distinct_departments=distinct_departments,
            period_start=period_start,
            period_end=period_end,
            beacon_source=(beacon_source or "").strip(),
            created_by=actor,
        )
        plan.departments.set(department_list)
        plan.items.set(item_list)
        audit_record(
            actor=actor,
            action="inspection.plan_created",
            obj=plan,
            after={
                "number": number,
                "departments": sorted(department_ids),
                "items": sorted(i.pk for i in item_list),
                "ratio_bp": ratios,
                "pool_filter": plan.pool_filter,
            },
            region_code=region.code,
        )
    return plan


def _locked_plan(plan: Plan) -> Plan:
    return Plan.objects.select_for_update(of=("self",)).select_related("region", "lead_department").get(pk=plan.pk)


def plan_publish(*, plan: Plan, actor) -> Plan:
    """Publish the plan and fix the seed: a 256-bit secret is generated and sealed (SM4); only its
    SM3 commitment is published, before any draw. Errors: 409 ``inspection.plan_invalid_transition``."""
    with transaction.atomic():
        plan = _locked_plan(plan)
        check_plan_transition(plan, Plan.State.PUBLISHED)
        secret = secrets.token_hex(32)
        plan.commitment = drawing.commitment_of(secret)
        plan.secret_sealed = pii_encrypt(secret)
        plan.state = Plan.State.PUBLISHED
        plan.published_at = timezone.now()
        plan.save(update_fields=["commitment", "secret_sealed", "state", "published_at"])
        audit_record(
            actor=actor,
            action="inspection.plan_published",
            obj=plan,
            before={"state": Plan.State.DRAFT},
            after={"state": plan.state, "commitment": plan.commitment, "beacon_source": plan.beacon_source},
            region_code=plan.region.code,
        )
    return plan


# --- snapshots ------------------------------------------------------------------------------------


def pool_entities(plan: Plan):
    """The plan's pool: active entities registered in the plan's county, narrowed by its filter."""
    qs = Entity.objects.filter(region__path__startswith=plan.region.path, status=Entity.Status.ACTIVE)
    f = plan.pool_filter or {}
    if f.get("towns"):
        qs = qs.filter(town_id__in=f["towns"])
    if f.get("kinds"):
        qs = qs.filter(kind__in=f["kinds"])
    prefixes = f.get("industry_prefixes") or []
    if prefixes:
        from functools import reduce
        from operator import or_

        from django.db.models import Q

        qs = qs.filter(reduce(or_, (Q(industry_code__startswith=p) for p in prefixes)))
    return qs


def pool_snapshot(plan: Plan) -> list[list]:
    return [list(row) for row in pool_entities(plan).order_by("pk").values_list("pk", "risk_class")]


def roster_snapshot(plan: Plan, *, on: dt.date, pool_ids: set[int]) -> list[list]:
    """Active inspectors of the plan's departments whose certificate is valid to the end of the
    period, each with the pool entities they must not inspect: declared conflicts and entities they
    inspected within ``RECUSAL_WINDOW_DAYS`` (county default) before ``on``."""
    inspectors = list(
        Inspector.objects.filter(
            department__in=plan.departments.all(), is_active=True, certificate_expires_on__gte=plan.period_end
        )
        .order_by("pk")
        .values_list("pk", "department_id")
    )
    ids = [pk for pk, _ in inspectors]
    conflicts: dict[int, set[int]] = {pk: set() for pk in ids}
    for inspector_id, entity_id in InspectorConflict.objects.filter(inspector_id__in=ids).values_list(
        "inspector_id", "entity_id"
    ):
        if entity_id in pool_ids:
            conflicts[inspector_id].add(entity_id)
    since = on - dt.timedelta(days=int(conf("RECUSAL_WINDOW_DAYS")))
    recent = TaskInspector.objects.filter(
        inspector_id__in=ids,
        task__inspected_on__gte=since,
        task__state__in=(Task.State.RECORDED, Task.State.PUBLISHED),
    ).values_list("inspector_id", "task__entity_id")
    for inspector_id, entity_id in recent:
        if entity_id in pool_ids:
            conflicts[inspector_id].add(entity_id)
    return [[pk, department_id, sorted(conflicts[pk])] for pk, department_id in inspectors]


def draw_rules(plan: Plan) -> dict:
    return {
        "algorithm": drawing.ALGORITHM,
        "ratio_bp": dict(plan.ratio_bp),
        "team_size": plan.inspectors_per_entity,
        "distinct_departments": plan.distinct_departments,
        "count_rule": "ceil(ratio_bp × n / 10000), capped at n",
        "recusal_window_days": int(conf("RECUSAL_WINDOW_DAYS")),
    }


# --- the draw -------------------------------------------------------------------------------------


def plan_draw(*, plan: Plan, actor, beacon: str = "", reason: str = "") -> Draw:
    """Draw entities and inspection teams for a published plan (双随机), once.

    The seed comes from the secret committed at publication (and the declared public random value,
    if any); pool and roster are snapshotted and stored with the seed, rules and result. A second
    draw of the same plan needs a recorded ``reason``, is refused once any result has been recorded,
    cancels the earlier draw's tasks and keeps the earlier draw on record. Errors:
    409 ``inspection.plan_invalid_transition``, ``inspection.redraw_reason_required``,
    409 ``inspection.redraw_after_results``, ``inspection.beacon_required``, 409 ``inspection.empty_pool``,
    409 ``inspection.roster_too_small``.
    """
    beacon = (beacon or "").strip()
    reason = (reason or "").strip()
    with transaction.atomic():
        plan = _locked_plan(plan)
        check_plan_transition(plan, Plan.State.DRAWN)
        previous = Draw.objects.filter(plan=plan, is_current=True).first()
        if previous is not None:
            if not reason:
                raise _error("inspection.redraw_reason_required", "重新抽取须填写理由", "reason")
            if Task.objects.filter(draw=previous).exclude(state=Task.State.ASSIGNED).exists():
                raise _error("inspection.redraw_after_results", "已有检查结果录入，不能重新抽取", "reason", status=409)
        elif reason:
            reason = ""  # a first draw has nothing to explain
        if plan.beacon_source and not beacon:
            raise _error("inspection.beacon_required", f"请填写公开随机数（{plan.beacon_source}）", "beacon")
        attempt = (Draw.objects.filter(plan=plan).aggregate(n=Max("attempt"))["n"] or 0) + 1
        secret = pii_decrypt(plan.secret_sealed)
        seed = drawing.seed_of(secret=secret, beacon=beacon, plan_number=plan.number, attempt=attempt)
        now = timezone.now()
        pool = pool_snapshot(plan)
        if not pool:
            raise _error("inspection.empty_pool", "抽查对象范围内没有市场主体", "pool_filter", status=409)
        roster = roster_snapshot(plan, on=timezone.localdate(now), pool_ids={row[0] for row in pool})
        rules = draw_rules(plan)
        outcome = drawing.run_draw(seed=seed, pool=pool, roster=roster, rules=rules)

        if previous is not None:
            Draw.objects.filter(pk=previous.pk).update(is_current=False)
            Task.objects.filter(draw=previous).update(state=Task.State.CANCELLED)
            from yiwang.inspections.measures import on_draw_changed

            previous.is_current = False
            on_draw_changed(previous, was_current=True)
        draw = Draw.objects.create(
            plan=plan,
            attempt=attempt,
            reason=reason,
            algorithm=drawing.ALGORITHM,
            secret=secret,
            beacon=beacon,
            seed=seed,
            rules=rules,
            pool_snapshot=drawing.canonical({"entities": pool}),
            roster_snapshot=drawing.canonical({"inspectors": roster}),
            result=outcome.result_text,
            result_hash=outcome.result_hash,
            pool_counts=outcome.pool_counts,
            selected_counts=outcome.selected_counts,
            drawn_at=now,
            drawn_by=actor,
        )
        _create_tasks(plan, draw, outcome.result["entities"])
        before_state = plan.state
        plan.state = Plan.State.DRAWN
        plan.save(update_fields=["state"])
        audit_record(
            actor=actor,
            action="inspection.plan_drawn",
            obj=plan,
            before={"state": before_state},
            after={"state": plan.state, "draw": draw.pk, "attempt": attempt},
            details={
                "seed": seed,
                "secret": secret,
                "beacon": beacon,
                "result_hash": outcome.result_hash,
                "pool_counts": outcome.pool_counts,
                "selected_counts": outcome.selected_counts,
                "reason": reason,
            },
            region_code=plan.region.code,
        )
        from yiwang.inspections.measures import on_draw_changed

        on_draw_changed(draw, was_current=False)
        _notify_draw(plan, draw)
    return draw


def _create_tasks(plan: Plan, draw: Draw, rows: list) -> None:
    entities = {
        e.pk: e for e in Entity.objects.filter(pk__in=[row[0] for row in rows]).only("pk", "region_id", "town_id")
    }
    departments = dict(
        Inspector.objects.filter(pk__in={i for row in rows for i in row[2]}).values_list("pk", "department_id")
    )
    tasks = [
        Task(
            plan=plan,
            draw=draw,
            entity_id=entity_id,
            risk_class=risk,
            department=plan.lead_department,
            region_id=entities[entity_id].town_id or entities[entity_id].region_id,
        )
        for entity_id, risk, _team in rows
    ]
    Task.objects.bulk_create(tasks, batch_size=2000)
    task_ids = dict(Task.objects.filter(draw=draw).values_list("entity_id", "pk"))
    TaskInspector.objects.bulk_create(
        [
            TaskInspector(
                task_id=task_ids[entity_id],
                inspector_id=inspector_id,
                department_id=departments[inspector_id],
                position=position,
            )
            for entity_id, _risk, team in rows
            for position, inspector_id in enumerate(team, start=1)
        ],
        batch_size=2000,
    )


def _notify_draw(plan: Plan, draw: Draw) -> None:
    count = sum(draw.selected_counts.values())
    for department in plan.departments.all():
        notify(
            to=ToDepartment(department.pk),
            template="inspection.drawn",
            context={"number": plan.number, "title": plan.title, "count": count},
            key=f"inspection:draw:{draw.pk}:{department.pk}",
            link=f"/inspections/plans/{plan.pk}/",
        )
    users = (
        TaskInspector.objects.filter(task__draw=draw, inspector__user__isnull=False)
        .values_list("inspector__user_id", "task__entity__name")
        .order_by("inspector__user_id", "task_id")
    )
    seen: dict[int, str] = {}
    for user_id, entity_name in users:
        seen.setdefault(user_id, entity_name)
    for user_id, entity_name in seen.items():
        notify(
            to=ToUser(user_id),
            template="inspection.assigned",
            context={"number": plan.number, "entity": entity_name},
            key=f"inspection:draw:{draw.pk}:assigned",
            link="/inspections/tasks/",
        )


def draw_verify(*, draw: Draw) -> drawing.Verification:
    """Recompute ``draw`` from its stored seed parts, snapshots and rules; compare bytes (一致/不一致)."""
    plan = draw.plan
    return drawing.verify(
        commitment=plan.commitment,
        secret=draw.secret,
        beacon=draw.beacon,
        plan_number=plan.number,
        attempt=draw.attempt,
        seed=draw.seed,
        pool_text=draw.pool_snapshot,
        roster_text=draw.roster_snapshot,
        rules=draw.rules,
        result_text=draw.result,
        result_hash=draw.result_hash,
    )


def draw_verification_record(*, draw: Draw, actor) -> drawing.Verification:
    """Recompute ``draw`` (``draw_verify``) and store the outcome on it: when, by whom (None for the
    command line), 一致 or the problems found. Audited, under the draw's row lock."""
    with transaction.atomic():
        draw = Draw.objects.select_for_update(of=("self",)).select_related("plan__region").get(pk=draw.pk)
        before = {
            "verified_at": draw.verified_at.isoformat() if draw.verified_at else None,
            "verified_consistent": draw.verified_consistent,
        }
        result = draw_verify(draw=draw)
        draw.verified_at = timezone.now()
        draw.verified_by = actor
        draw.verified_consistent = result.consistent
        draw.verification_problems = list(result.problems)
        draw.save(update_fields=["verified_at", "verified_by", "verified_consistent", "verification_problems"])
        audit_record(
            actor=actor,
            action="inspection.draw_verified",
            obj=draw,
            before=before,
            after={
                "verified_at": draw.verified_at.isoformat(),
                "verified_consistent": result.consistent,
                "problems": list(result.problems),
            },
            region_code=draw.plan.region.code,
        )
    return result
