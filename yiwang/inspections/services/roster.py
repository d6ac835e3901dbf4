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


ROSTER_COLUMNS = ("姓名", "执法证号", "执法证有效期至")


def _import_date(value) -> dt.date | None:
    """A date cell as staff type it: a real date, 2027-06-30, 2027/6/30, 2027.6.30 or 2027年6月30日."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value or "").strip().translate(str.maketrans("０１２３４５６７８９／－．", "0123456789/-."))
    for sep in ("年", "月", "/", "."):
        text = text.replace(sep, "-")
    text = text.replace("日", "").strip("-").replace(" ", "")
    try:
        year, month, day = (int(part) for part in text.split("-"))
        return dt.date(year, month, day)
    except (ValueError, TypeError):
        return None


def inspector_import(*, department, file, actor) -> int:
    """Import the department's roster from an xlsx (first sheet; header 姓名, 执法证号, 执法证有效期至).

    All or nothing: any bad row and nothing is added; ``inspection.import_invalid`` (400) carries
    ``details["errors"]``, each located by sheet, row and column. Each person added is audited as
    ``inspector_create`` does. Returns the number added."""
    from yiwang.core.xlsx import CellError, UnreadableWorkbook, read_workbook

    try:
        sheets = read_workbook(file)
    except UnreadableWorkbook:
        raise ApplicationError(
            "inspection.import_unreadable", "无法读取文件，请上传 Excel（.xlsx）文件", details={"field": "file"}
        ) from None
    sheet, rows = next(iter(sheets.items()), ("", []))
    errors: list[CellError] = []
    header = [str(c or "").strip() for c in (rows[0] if rows else ())]
    missing = [c for c in ROSTER_COLUMNS if c not in header]
    if missing:
        errors.append(CellError(sheet, 1, None, "缺少列：" + "、".join(missing)))
    parsed, seen = [], {}
    if not missing:
        index = {name: header.index(name) for name in ROSTER_COLUMNS}
        existing = set(Inspector.objects.values_list("certificate_no", flat=True))
        for number, row in enumerate(rows[1:], start=2):
            cells = {name: (row[i] if i < len(row) else None) for name, i in index.items()}
            if all(v in (None, "") for v in cells.values()):
                continue
            name = str(cells["姓名"] or "").strip()
            cert = str(cells["执法证号"] or "").strip().replace(" ", "").upper()
            expires = _import_date(cells["执法证有效期至"])
            if not name:
                errors.append(CellError(sheet, number, "姓名", "姓名不能为空"))
            if not cert:
                errors.append(CellError(sheet, number, "执法证号", "执法证号不能为空"))
            elif cert in existing:
                errors.append(CellError(sheet, number, "执法证号", f"执法证号 {cert} 已在名录库中"))
            elif cert in seen:
                errors.append(CellError(sheet, number, "执法证号", f"执法证号 {cert} 与第{seen[cert]}行重复"))
            else:
                seen[cert] = number
            if expires is None:
                errors.append(
                    CellError(sheet, number, "执法证有效期至", f"无法识别的日期“{cells['执法证有效期至'] or ''}”")
                )
            parsed.append((name, cert, expires))
        if not parsed and not errors:
            errors.append(CellError(sheet, None, None, "表中没有人员"))
    if errors:
        raise ApplicationError(
            "inspection.import_invalid",
            f"导入失败，共 {len(errors)} 处错误，未导入任何人员",
            details={"field": "file", "errors": [e.as_dict() for e in errors]},
        )
    with transaction.atomic():
        for name, cert, expires in parsed:
            inspector_create(
                department=department, name=name, certificate_no=cert, certificate_expires_on=expires, actor=actor
            )
    return len(parsed)
