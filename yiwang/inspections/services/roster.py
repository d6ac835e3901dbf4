"""The item list (抽查事项清单) and the inspector roster (执法检查人员名录库) with declared conflicts."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.inspections.models import InspectionItem, Inspector, InspectorConflict


def _required(value: str, field: str, label: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ApplicationError("inspection.field_required", f"请填写{label}", details={"field": field})
    return value


def inspection_item_create(
    *,
    code: str,
    name: str,
    department,
    legal_basis: str,
    kind: str = InspectionItem.Kind.GENERAL,
    method: str = "",
    actor,
) -> InspectionItem:
    """Add one line to the 抽查事项清单. Errors: ``inspection.field_required``, ``inspection.item_duplicate``."""
    code = _required(code, "code", "事项编码")
    name = _required(name, "name", "抽查事项名称")
    legal_basis = _required(legal_basis, "legal_basis", "检查依据")
    if kind not in InspectionItem.Kind.values:
        raise ApplicationError(
            "inspection.bad_kind", "事项类别只能是一般检查事项或重点检查事项", details={"field": "kind"}
        )
    if InspectionItem.objects.filter(code=code).exists():
        raise ApplicationError(
            "inspection.item_duplicate", f"事项编码 {code} 已存在", details={"field": "code"}, status=409
        )
    with transaction.atomic():
        item = InspectionItem.objects.create(
            code=code, name=name, department=department, legal_basis=legal_basis, kind=kind, method=method
        )
        audit_record(
            actor=actor,
            action="inspection.item_created",
            obj=item,
            after={"code": code, "name": name, "department": department.pk, "kind": kind},
            region_code=department.region.code,
        )
    return item


def inspector_create(
    *, department, name: str, certificate_no: str, certificate_expires_on: dt.date, user=None, actor
) -> Inspector:
    """Add a person to the department's roster. Errors: ``inspection.field_required``,
    ``inspection.certificate_duplicate``."""
    name = _required(name, "name", "姓名")
    certificate_no = _required(certificate_no, "certificate_no", "执法证号")
    if Inspector.objects.filter(certificate_no=certificate_no).exists():
        raise ApplicationError(
            "inspection.certificate_duplicate",
            f"执法证号 {certificate_no} 已在名录库中",
            details={"field": "certificate_no"},
            status=409,
        )
    with transaction.atomic():
        inspector = Inspector.objects.create(
            department=department,
            name=name,
            certificate_no=certificate_no,
            certificate_expires_on=certificate_expires_on,
            user=user,
        )
        audit_record(
            actor=actor,
            action="inspection.inspector_added",
            obj=inspector,
            after={"department": department.pk, "certificate_no": certificate_no, "expires": certificate_expires_on},
            region_code=department.region.code,
        )
    return inspector


def inspector_conflict_declare(*, inspector: Inspector, entity, kind: str, note: str = "", actor) -> InspectorConflict:
    """Record a conflict of interest (回避): the inspector is never drawn for ``entity`` afterwards.
    A repeated declaration of the same conflict returns the existing one."""
    if kind not in InspectorConflict.Kind.values:
        raise ApplicationError("inspection.bad_conflict_kind", "请选择回避事由", details={"field": "kind"})
    existing = InspectorConflict.objects.filter(inspector=inspector, entity=entity, kind=kind).first()
    if existing:
        return existing
    try:
        with transaction.atomic():
            conflict = InspectorConflict.objects.create(inspector=inspector, entity=entity, kind=kind, note=note)
            audit_record(
                actor=actor,
                action="inspection.conflict_declared",
                obj=conflict,
                after={"inspector": inspector.pk, "entity": entity.pk, "kind": kind},
                region_code=inspector.department.region.code,
            )
    except IntegrityError:
        return InspectorConflict.objects.get(inspector=inspector, entity=entity, kind=kind)
    return conflict
