"""The 18 indicators as rows, values entered with evidence, and the scoring bounds the office configures."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.measures.registry import month_of
from yiwang.org.scoping import scope_for
from yiwang.org.selectors import department_resolve

from ..indicators import INDICATORS
from ..models import Indicator, IndicatorValue, SubMeasure
from .plan import county_region
from .tasks import _require


def indicators_load() -> int:
    """Create or refresh the 18 indicators and their sub-measures from ``indicators.INDICATORS``.
    Idempotent; bounds the office has changed are kept. Returns the number of sub-measures."""
    region = county_region()
    count = 0
    with transaction.atomic():
        for spec in INDICATORS:
            department = department_resolve(spec.department, region=region)
            indicator, _ = Indicator.objects.update_or_create(
                code=spec.code, defaults={"no": spec.no, "name": spec.name, "department": department}
            )
            for order, m in enumerate(spec.measures):
                SubMeasure.objects.update_or_create(
                    code=m.code,
                    defaults={
                        "indicator": indicator,
                        "name": m.name,
                        "unit": m.unit,
                        "target": None if m.target is None else Decimal(str(m.target)),
                        "target_source": m.target_source,
                        "metric": m.metric,
                        "sort_order": order,
                    },
                    create_defaults={
                        "indicator": indicator,
                        "name": m.name,
                        "unit": m.unit,
                        "frontier": Decimal(str(m.frontier)),
                        "worst": Decimal(str(m.worst)),
                        "target": None if m.target is None else Decimal(str(m.target)),
                        "target_source": m.target_source,
                        "metric": m.metric,
                        "sort_order": order,
                    },
                )
                count += 1
    return count


def _decimal(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError, AttributeError):
        raise ApplicationError("supervision.bad_value", f"数值格式不正确：{value}", details={"field": field}) from None
    if not number.is_finite():
        raise ApplicationError("supervision.bad_value", f"数值格式不正确：{value}", details={"field": field})
    return number


def indicator_value_enter(
    *, measure: SubMeasure, month: dt.date, value, evidence: str, actor, department=None, attachment=None
) -> IndicatorValue:
    """The responsible department (or the office) enters a month's value with its evidence.
    Entering the same month again replaces the value (audited before → after). Errors:
    ``supervision.forbidden``, ``supervision.bad_value``, ``supervision.evidence_required``,
    ``supervision.value_measured`` (Yiwang measures this one itself)."""
    from ..measuring import MEASUREMENTS

    indicator = measure.indicator
    department = department or indicator.department
    scope = scope_for(actor)
    allowed = (
        department is not None
        and department.pk == indicator.department_id
        and scope.can("supervision.report", department=department)
    ) or scope.can("supervision.manage", region=county_region())
    if not allowed:
        raise ApplicationError("supervision.forbidden", "只有该指标的责任部门或督查室可以填报", status=403)
    if measure.metric and measure.metric in MEASUREMENTS and MEASUREMENTS[measure.metric].available:
        raise ApplicationError("supervision.value_measured", f"“{measure.name}”由系统根据业务数据自动计算，无需填报")
    number = _decimal(value, "value")
    evidence = (evidence or "").strip()
    if not evidence:
        raise ApplicationError(
            "supervision.evidence_required", "请填写佐证说明（数据来源、统计口径）", details={"field": "evidence"}
        )
    month = month_of(month)
    with transaction.atomic():
        existing = IndicatorValue.objects.select_for_update().filter(measure=measure, month=month).first()
        before = snapshot(existing, ("value", "evidence")) if existing else None
        if existing is None:
            existing = IndicatorValue(measure=measure, month=month)
        existing.value, existing.evidence, existing.department, existing.entered_by = (
            number,
            evidence,
            department or indicator.department,
            actor,
        )
        existing.save()
        if attachment is not None:
            existing.attachment.save(attachment.name, attachment, save=True)
        audit_record(
            actor=actor,
            action="supervision.indicator_entered",
            obj=existing,
            before=before,
            after=snapshot(existing, ("value", "evidence")),
            region_code=county_region().code,
            details={"measure": measure.code, "month": month.isoformat()},
        )
    return existing


def submeasure_configure(*, measure: SubMeasure, frontier, worst, actor) -> SubMeasure:
    """The office sets a sub-measure's frontier and worst. Errors: ``supervision.forbidden``,
    ``supervision.bad_value``, ``supervision.bounds_equal``."""
    _require(actor, "supervision.manage", region=county_region(), message="只有督查室可以设置评分前沿值与最差值")
    frontier, worst = _decimal(frontier, "frontier"), _decimal(worst, "worst")
    if frontier == worst:
        raise ApplicationError("supervision.bounds_equal", "前沿值与最差值不能相同", details={"field": "worst"})
    with transaction.atomic():
        measure = SubMeasure.objects.select_for_update().get(pk=measure.pk)
        before = snapshot(measure, ("frontier", "worst"))
        measure.frontier, measure.worst = frontier, worst
        measure.save(update_fields=["frontier", "worst"])
        audit_record(
            actor=actor,
            action="supervision.bounds_set",
            obj=measure,
            before=before,
            after=snapshot(measure, ("frontier", "worst")),
            region_code=county_region().code,
        )
    return measure
