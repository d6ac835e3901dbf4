"""Every write on the catalog. Each runs in one transaction, locks what it changes, checks the
workflow and writes its audit event there.

Rules and their sources:
- 动态调整 (plan 四（十五）2 and the county's 政务服务事项动态调整管理办法): a published item changes only
  through a proposal (``ItemChange``) that a reviewer approves; approval publishes a new immutable
  version. A case keeps the version it was filed under.
- 交叉盲审 (same clause): the reviewer belongs to none of the proposer's departments nor the item's
  own, is not the proposer, and is never shown who proposed (``selectors.review_queue``).
- Publishing and withdrawing are audited (``catalog.item.published`` / ``catalog.item.withdrawn``)
  and recompute the ``catalog.items`` roll-up of the departments touched, in the same transaction.
- Who may: the catalog actions of ``yiwang.org.scoping`` (``catalog.propose``, ``catalog.review``,
  ``catalog.withdraw``); publishing a baseline and bundles are for administrators.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import AuditEntry, audit_record, audit_record_many
from yiwang.core.errors import ApplicationError
from yiwang.org.models import Department, Region, Role
from yiwang.org.scoping import scope_for
from yiwang.org.selectors import user_departments

from . import excel
from .elements import ITEM_FIELDS, Problem, elements_clean, item_elements
from .measures import on_item_changed, on_items_changed
from .models import (
    Bundle,
    BundleItem,
    BundleStatus,
    ChangeStatus,
    ItemChange,
    ItemMaterial,
    ItemStatus,
    ServiceItem,
    ServiceItemVersion,
)
from .rules import blocking, elements_problems
from .search import build_search_fields, vector_write
from .workflow import check_bundle_transition, check_change_transition, check_item_transition

# --- helpers -------------------------------------------------------------------------------------


def _is_admin(actor) -> bool:
    return Role.ADMIN in scope_for(actor).roles


def _can_maintain(actor, department: Department) -> bool:
    return scope_for(actor).can("catalog.propose", department=department)


def _problems_error(problems: list[Problem]) -> ApplicationError:
    first = problems[0]
    message = "；".join(p.message for p in problems)
    return ApplicationError(
        first.code,
        message,
        details={"field": first.field, "problems": [p.as_dict() for p in problems]},
        status=400,
    )


def elements_validate(raw: dict, *, departments: dict[str, Department] | None = None) -> tuple[dict, list[Problem]]:
    """Clean ``raw`` and check every consistency rule; raise on the first blocking problem set.

    Returns (clean elements, warnings). Errors: ``catalog.field_required``, ``catalog.enum_invalid``,
    ``catalog.department_unknown``, and each rule code in ``rules.py``.
    """
    clean, problems = elements_clean(raw, departments=departments)
    if problems:
        raise _problems_error(problems)
    found = elements_problems(clean)
    errors = blocking(found)
    if errors:
        raise _problems_error(errors)
    return clean, [p for p in found if p.severity == "warning"]


def _departments_for(elements: dict) -> dict[str, Department]:
    codes = {elements["competent_department"], elements["implementing_department"]}
    return {d.code: d for d in Department.objects.select_related("region").filter(code__in=codes)}


def _check_can_maintain(actor, departments: Iterable[Department]) -> None:
    if not any(_can_maintain(actor, d) for d in departments):
        names = "、".join(sorted({str(d) for d in departments}))
        raise ApplicationError(
            "catalog.not_permitted",
            f"只有{names}的工作人员或管理员可以调整该事项",
            details={"departments": sorted({d.code for d in departments})},
            status=403,
        )


def _search_fields(item: ServiceItem, elements: dict, departments: dict[str, Department]) -> None:
    names = []
    for key in ("competent_department", "implementing_department"):
        department = departments[elements[key]]
        names += [department.name, department.short_name]
    # Conditions and legal bases are long and mention everything; they would only add noise.
    body = [item.get_kind_display(), item.get_level_display()]
    for material in elements["materials"]:
        body.append(material["name"])
        if material["licence_type"]:
            body.append(material["licence_type"])
    item.search_name, item.search_text = build_search_fields(
        name=elements["name"], keywords=elements["keywords"], code=elements["code"], departments=names, body=body
    )


def _set_elements(
    item: ServiceItem, elements: dict, departments: dict[str, Department], regions: dict[str, Region] | None = None
) -> None:
    """Write ``elements`` onto ``item`` in memory (``regions`` caches the regions looked up by code)."""
    for spec in ITEM_FIELDS:
        if spec.type == "department":
            setattr(item, spec.key, departments[elements[spec.key]])
        elif spec.type != "region":
            setattr(item, spec.key, elements[spec.key])
    item.form_fields = [dict(f) for f in elements["form_fields"]]
    competent_region = departments[elements["competent_department"]].region
    region_code = elements.get("region") or competent_region.code
    if region_code == competent_region.code:
        item.region = competent_region
    else:
        regions = {} if regions is None else regions
        if region_code not in regions:
            regions[region_code] = Region.objects.get(code=region_code)
        item.region = regions[region_code]
    _search_fields(item, elements, departments)


def _apply(item: ServiceItem, elements: dict, departments: dict[str, Department]) -> None:
    """Write ``elements`` onto ``item`` and replace its materials (the caller saves and audits)."""
    _set_elements(item, elements, departments)
    item.save()
    ItemMaterial.objects.filter(item=item).delete()
    ItemMaterial.objects.bulk_create(
        [
            ItemMaterial(item=item, position=position, **material)
            for position, material in enumerate(elements["materials"], start=1)
        ]
    )


def _item_audit_view(elements: dict | None) -> dict | None:
    if elements is None:
        return None
    view = {k: v for k, v in elements.items() if k not in ("materials", "form_fields")}
    view["materials"] = [m["code"] for m in elements["materials"]]
    return view


def _recused_departments(actor, departments: Iterable[Department]) -> list[int]:
    ids = set(user_departments(actor).values_list("pk", flat=True)) if actor is not None else set()
    ids |= {d.pk for d in departments}
    return sorted(ids)


# --- proposals and review ------------------------------------------------------------------------


def item_change_propose(*, elements: dict, reason: str, actor, item: ServiceItem | None = None) -> ItemChange:
    """Propose a new item, an adjustment of a published one, or the republication of a withdrawn one.

    Rules: a reason is required; the elements pass every consistency rule; the actor works for the
    item's competent or implementing department (old and new) or administers the region; one
    pending proposal per item; a proposal identical to the version in force is refused.
    Errors: ``catalog.reason_required``, rule codes, ``catalog.not_permitted`` (403),
    ``catalog.code_mismatch``, ``catalog.change_pending`` (409), ``catalog.change_empty``.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("catalog.reason_required", "请说明调整理由", details={"field": "reason"})
    if item is not None and elements.get("code", item.code) != item.code:
        raise ApplicationError(
            "catalog.code_mismatch", "事项编码不能修改；如需新编码请新增事项", details={"field": "code"}
        )
    if item is not None:
        elements = {**elements, "code": item.code}
    departments = _departments_for({**{"competent_department": "", "implementing_department": ""}, **elements})
    clean, _warnings = elements_validate(elements, departments=departments)
    involved = [departments[clean["competent_department"]], departments[clean["implementing_department"]]]
    _check_can_maintain(actor, involved)

    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().filter(code=clean["code"]).first()
        now = timezone.now()
        if item is None:
            item = ServiceItem(status=ItemStatus.DRAFT, version=0)
            _apply(item, clean, departments)
            kind = ItemChange.Kind.CREATE
            before = None
        else:
            current = [item.competent_department, item.implementing_department]
            _check_can_maintain(actor, current)
            involved += current
            if item.changes.filter(status=ChangeStatus.PENDING).exists():
                raise ApplicationError(
                    "catalog.change_pending",
                    "该事项已有一份待审核的调整申请，请等待审核结束后再提出",
                    details={"item": item.code},
                    status=409,
                )
            before = item_elements(item)
            if item.status == ItemStatus.DRAFT:
                _apply(item, clean, departments)
                kind = ItemChange.Kind.CREATE
            elif item.status == ItemStatus.WITHDRAWN:
                kind = ItemChange.Kind.REPUBLISH
            else:
                if before == clean:
                    raise ApplicationError(
                        "catalog.change_empty", "拟调整的要素与现行版本完全相同，无需调整", details={"item": item.code}
                    )
                kind = ItemChange.Kind.UPDATE
        change = ItemChange.objects.create(
            item=item,
            kind=kind,
            elements=clean,
            base_version=item.version,
            reason=reason,
            proposed_by=actor,
            recused_departments=_recused_departments(actor, involved),
            proposed_at=now,
            region=item.region,
        )
        audit_record(
            actor=actor,
            action="catalog.change.proposed",
            obj=change,
            before=_item_audit_view(before) if before and kind != ItemChange.Kind.CREATE else None,
            after=_item_audit_view(clean),
            details={"item": item.code, "kind": kind, "reason": reason, "base_version": item.version},
        )
    return change


def review_refusal(change: ItemChange, actor) -> ApplicationError | None:
    """Why ``actor`` may not review ``change`` (交叉盲审), or None when they may."""
    # Who may sit on a cross review (catalog.review): department staff, supervisors (督查室) and
    # administrators — always from a department other than the proposer's and the item's.
    if not scope_for(actor).can("catalog.review"):
        return ApplicationError(
            "catalog.not_reviewer", "只有部门工作人员、督查人员或管理员可以审核事项调整", status=403
        )
    if change.proposed_by_id is not None and change.proposed_by_id == actor.pk:
        return ApplicationError("catalog.reviewer_is_proposer", "不能审核本人提出的调整申请", status=403)
    departments = set(user_departments(actor).values_list("pk", flat=True))
    if not departments:
        return ApplicationError(
            "catalog.reviewer_without_department", "交叉审核须由其他部门的工作人员进行，您未隶属任何部门", status=403
        )
    if departments & set(change.recused_departments):
        return ApplicationError(
            "catalog.reviewer_same_department",
            "交叉盲审须由提出部门和事项所属部门以外的工作人员审核",
            status=403,
        )
    return None


def _locked_change(change: ItemChange) -> ItemChange:
    return ItemChange.objects.select_for_update().select_related("item").get(pk=change.pk)


def _publish(
    *,
    item: ServiceItem,
    elements: dict,
    departments: dict[str, Department],
    reason: str,
    actor,
    proposed_by,
    proposed_at,
    review_note: str = "",
    change: ItemChange | None = None,
) -> ServiceItemVersion:
    """Apply ``elements`` to the locked ``item`` and freeze them as its next version (in a transaction)."""
    check_item_transition(item, ItemStatus.PUBLISHED)
    before = item_elements(item) if item.status != ItemStatus.DRAFT else None
    previous_status = item.status
    now = timezone.now()
    item.status = ItemStatus.PUBLISHED
    item.version += 1
    item.published_at = now
    item.withdrawn_at = None
    _apply(item, elements, departments)
    vector_write([item])  # PostgreSQL's text search reads the published version's words
    version = ServiceItemVersion.objects.create(
        item=item,
        number=item.version,
        elements=elements,
        reason=reason,
        proposed_by=proposed_by,
        proposed_at=proposed_at,
        reviewed_by=actor if change is not None else None,
        review_note=review_note,
        published_at=now,
        change=change,
        region=item.region,
    )
    audit_record(
        actor=actor,
        action="catalog.item.published",
        obj=item,
        before={"status": previous_status, **(_item_audit_view(before) or {})},
        after={"status": item.status, **_item_audit_view(elements)},
        details={"version": version.number, "change": change.pk if change else None, "reason": reason},
    )
    return version


def item_change_approve(*, change: ItemChange, actor, note: str = "") -> ServiceItemVersion:
    """Approve a pending proposal and publish it as the item's next version.

    Rules: 交叉盲审 (``review_refusal``); the proposal must still be based on the version in force
    (``catalog.change_stale`` otherwise, 409); the elements are re-checked against the rules and the
    departments as they are now. Errors: ``change.invalid_transition`` (409) and the above.
    """
    with transaction.atomic():
        change = _locked_change(change)
        check_change_transition(change, ChangeStatus.APPROVED)
        refusal = review_refusal(change, actor)
        if refusal:
            raise refusal
        item = ServiceItem.objects.select_for_update().get(pk=change.item_id)
        if change.base_version != item.version:
            raise ApplicationError(
                "catalog.change_stale",
                f"该申请基于第{change.base_version}版，事项现行为第{item.version}版，请提出人重新提交",
                details={"change": change.pk, "base_version": change.base_version, "version": item.version},
                status=409,
            )
        departments = _departments_for(change.elements)
        clean, _warnings = elements_validate(change.elements, departments=departments)
        previous_department = item.competent_department_id
        version = _publish(
            item=item,
            elements=clean,
            departments=departments,
            reason=change.reason,
            actor=actor,
            proposed_by=change.proposed_by,
            proposed_at=change.proposed_at,
            review_note=(note or "").strip(),
            change=change,
        )
        change.status = ChangeStatus.APPROVED
        change.reviewed_by = actor
        change.reviewed_at = version.published_at
        change.review_note = (note or "").strip()
        change.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        on_item_changed(item, previous_department=previous_department)
        audit_record(
            actor=actor,
            action="catalog.change.approved",
            obj=change,
            before={"status": ChangeStatus.PENDING},
            after={"status": change.status},
            details={"item": item.code, "version": version.number, "note": change.review_note},
        )
    return version


def item_change_reject(*, change: ItemChange, actor, note: str) -> ItemChange:
    """Send a pending proposal back with the reviewer's reasons (required). Same reviewer rules."""
    note = (note or "").strip()
    if not note:
        raise ApplicationError("catalog.review_note_required", "退回时请填写审核意见", details={"field": "note"})
    with transaction.atomic():
        change = _locked_change(change)
        check_change_transition(change, ChangeStatus.REJECTED)
        refusal = review_refusal(change, actor)
        if refusal:
            raise refusal
        change.status = ChangeStatus.REJECTED
        change.reviewed_by = actor
        change.reviewed_at = timezone.now()
        change.review_note = note
        change.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
        audit_record(
            actor=actor,
            action="catalog.change.rejected",
            obj=change,
            before={"status": ChangeStatus.PENDING},
            after={"status": change.status},
            details={"item": change.item.code, "note": note},
        )
    return change


def item_change_cancel(*, change: ItemChange, actor) -> ItemChange:
    """The proposer (or an administrator) withdraws a pending proposal."""
    with transaction.atomic():
        change = _locked_change(change)
        check_change_transition(change, ChangeStatus.CANCELLED)
        if change.proposed_by_id != actor.pk and not _is_admin(actor):
            raise ApplicationError("catalog.not_permitted", "只有提出人或管理员可以撤回调整申请", status=403)
        change.status = ChangeStatus.CANCELLED
        change.save(update_fields=["status"])
        audit_record(
            actor=actor,
            action="catalog.change.cancelled",
            obj=change,
            before={"status": ChangeStatus.PENDING},
            after={"status": change.status},
            details={"item": change.item.code},
        )
    return change


def item_withdraw(*, item: ServiceItem, reason: str, actor) -> ServiceItem:
    """Withdraw a published item from the public catalog (停用), e.g. after 直接取消审批.

    Only an administrator whose region covers the item may (``catalog.withdraw``); a reason is
    required. Cases already filed keep their version.
    Errors: ``catalog.reason_required``, ``catalog.not_permitted`` (403), ``item.invalid_transition`` (409).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("catalog.reason_required", "请说明停用理由", details={"field": "reason"})
    with transaction.atomic():
        item = ServiceItem.objects.select_for_update().select_related("region").get(pk=item.pk)
        if not scope_for(actor).can("catalog.withdraw", region=item.region):
            raise ApplicationError("catalog.not_permitted", "只有管理员可以停用事项", status=403)
        check_item_transition(item, ItemStatus.WITHDRAWN)
        if item.changes.filter(status=ChangeStatus.PENDING).exists():
            raise ApplicationError("catalog.change_pending", "该事项有待审核的调整申请，请先处理后再停用", status=409)
        item.status = ItemStatus.WITHDRAWN
        item.withdrawn_at = timezone.now()
        item.save(update_fields=["status", "withdrawn_at", "updated_at"])
        on_item_changed(item)
        audit_record(
            actor=actor,
            action="catalog.item.withdrawn",
            obj=item,
            before={"status": ItemStatus.PUBLISHED},
            after={"status": item.status},
            details={"version": item.version, "reason": reason},
        )
    return item


def _publish_new_many(
    *, cleaned: list[dict], departments: dict[str, Department], reason: str, actor
) -> list[ServiceItem]:
    """Publish new items as version 1 in a few statements (in a transaction).

    Writes what ``_publish`` writes for one item — the item, its materials, its version, its
    search vector and one ``catalog.item.published`` event per item — with bulk inserts, so
    that a list of thousands of items loads in seconds. The caller recomputes the roll-up once.
    """
    now = timezone.now()
    regions: dict[str, Region] = {}
    items = []
    for clean in cleaned:
        item = ServiceItem(status=ItemStatus.PUBLISHED, version=1, published_at=now)
        _set_elements(item, clean, departments, regions)
        items.append(item)
    ServiceItem.objects.bulk_create(items, batch_size=500)
    if any(item.pk is None for item in items):  # a database that returns no ids from a bulk insert
        ids = dict(ServiceItem.objects.filter(code__in=[i.code for i in items]).values_list("code", "pk"))
        for item in items:
            item.pk = ids[item.code]
    vector_write(items)  # PostgreSQL's text search reads the published version's words
    ItemMaterial.objects.bulk_create(
        [
            ItemMaterial(item=item, position=position, **material)
            for item, clean in zip(items, cleaned, strict=True)
            for position, material in enumerate(clean["materials"], start=1)
        ],
        batch_size=1000,
    )
    ServiceItemVersion.objects.bulk_create(
        [
            ServiceItemVersion(
                item=item,
                number=1,
                elements=clean,
                reason=reason,
                proposed_by=actor,
                proposed_at=now,
                published_at=now,
                region=item.region,
            )
            for item, clean in zip(items, cleaned, strict=True)
        ],
        batch_size=500,
    )
    audit_record_many(
        actor=actor,
        action="catalog.item.published",
        entries=[
            AuditEntry(
                item,
                before={"status": ItemStatus.DRAFT},
                after={"status": item.status, **_item_audit_view(clean)},
                details={"version": 1, "change": None, "reason": reason},
            )
            for item, clean in zip(items, cleaned, strict=True)
        ],
    )
    return items


def items_publish_baseline(
    *, elements_list: list[dict], reason: str, actor, progress: Callable[[int], None] | None = None
) -> list[ServiceItem]:
    """Publish a list the county government has adopted (初始清单) as version 1 of each new item.

    Rules: administrators only; a reason (the adopting document) is required; every item passes
    every consistency rule; codes must be new — a published item changes only through review.
    All or nothing. Errors: ``catalog.not_permitted`` (403), ``catalog.reason_required``,
    ``catalog.item_exists`` (409), rule codes (with ``details["code"]`` naming the item).
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("catalog.reason_required", "请说明发布依据（如文件文号）", details={"field": "reason"})
    if not _is_admin(actor):
        raise ApplicationError("catalog.not_permitted", "只有管理员可以发布初始清单", status=403)
    codes = {d.get("code") for d in elements_list}
    departments = {d.code: d for d in Department.objects.select_related("region")}
    cleaned = []
    for raw in elements_list:
        try:
            clean, _warnings = elements_validate(raw, departments=departments)
        except ApplicationError as error:
            error.details["code"] = raw.get("code")
            error.message = f"事项“{raw.get('code')}”：{error.message}"
            raise
        cleaned.append(clean)
    if len(codes) != len(elements_list):
        raise ApplicationError("catalog.import_duplicate_code", "清单中有重复的事项编码")
    existing = list(ServiceItem.objects.filter(code__in=codes).values_list("code", flat=True))
    if existing:
        raise ApplicationError(
            "catalog.item_exists",
            f"以下事项已存在，调整须经交叉审核：{'、'.join(sorted(existing)[:10])}",
            details={"codes": sorted(existing)},
            status=409,
        )
    with transaction.atomic():
        items = _publish_new_many(cleaned=cleaned, departments=departments, reason=reason, actor=actor)
        if progress:
            progress(len(items))
        on_items_changed(departments=[item.competent_department_id for item in items])
    return items


# --- import --------------------------------------------------------------------------------------


@dataclass
class ImportReport:
    """What an import did (or, with errors, would have refused)."""

    proposed_new: list[str] = field(default_factory=list)
    proposed_changes: list[str] = field(default_factory=list)
    published: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.proposed_new) + len(self.proposed_changes) + len(self.published) + len(self.unchanged)


_DELIVERY_KEYS = {"delivery_window", "delivery_post", "delivery_electronic"}
_HEADER_BY_KEY = {c.key: c.header for c in excel.ITEM_COLUMNS}
_MATERIAL_HEADER_BY_KEY = {c.key: c.header for c in excel.MATERIAL_COLUMNS}


def _problem_cell(parsed: excel.ParsedItem, problem: Problem) -> excel.CellError:
    if problem.material is not None and problem.material in parsed.material_rows:
        row = parsed.material_rows[problem.material]
        column = problem.field if problem.field in _MATERIAL_HEADER_BY_KEY else "name"
        return excel.CellError(
            excel.SHEET_MATERIALS, row, _MATERIAL_HEADER_BY_KEY[column], problem.message, problem.code
        )
    if problem.field == "form_fields":
        row = parsed.form_field_rows[0] if parsed.form_field_rows else None
        return excel.CellError(excel.SHEET_FORM_FIELDS, row, "字段标识", problem.message, problem.code)
    if problem.field in _DELIVERY_KEYS:
        column = "出件方式"
    elif problem.field == "materials":
        # No material row names the item: point at the item's own row, the one line a clerk can find.
        column = "事项编码"
    else:
        column = _HEADER_BY_KEY.get(problem.field, problem.field)
    return excel.CellError(excel.SHEET_ITEMS, parsed.row, column, problem.message, problem.code)


def catalog_import(
    *,
    file,
    actor,
    reason: str,
    baseline: bool = False,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import a filled-in Excel template, all or nothing.

    Every row is checked first (shape, departments, consistency rules, permission, pending
    proposals); any error refuses the whole file with ``catalog.import_invalid`` and every error's
    sheet, row, column and reason in ``details["errors"]`` — nothing is changed.

    Then, in one transaction: a new code becomes a proposal for a new item, a changed published item
    a proposal for its next version (both wait for 交叉盲审), an identical row changes nothing.
    ``baseline`` loads a list the county government has already adopted (初始清单): new items are
    published directly as version 1, by an administrator only, and existing codes are refused —
    adjusting a published item always goes through review.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError(
            "catalog.reason_required", "请说明导入依据或调整理由（如文件文号）", details={"field": "reason"}
        )
    if baseline and not _is_admin(actor):
        raise ApplicationError("catalog.not_permitted", "只有管理员可以导入初始清单并直接发布", status=403)
    parsed = excel.workbook_parse(file)
    errors = list(parsed.errors)
    report = ImportReport()
    departments = dict(parsed.departments)
    existing = {
        item.code: item
        for item in ServiceItem.objects.filter(code__in=[p.elements.get("code") for p in parsed.items]).select_related(
            "competent_department", "implementing_department"
        )
    }
    pending = set(
        ItemChange.objects.filter(item__code__in=list(existing), status=ChangeStatus.PENDING).values_list(
            "item__code", flat=True
        )
    )
    admin = _is_admin(actor)
    region_codes = set(Region.objects.values_list("code", flat=True))
    plan: list[tuple[str, excel.ParsedItem, dict]] = []
    for parsed_item in parsed.items:
        if parsed_item.has_errors:
            continue  # its cells are reported already; the rules would only repeat them
        code = parsed_item.elements.get("code")
        clean, shape_problems = elements_clean(parsed_item.elements, departments=departments, regions=region_codes)
        row_problems = shape_problems or elements_problems(clean)
        for problem in row_problems:
            cell = _problem_cell(parsed_item, problem)
            if problem.severity == "error":
                errors.append(cell)
            else:
                report.warnings.append(cell.as_dict())
        if any(p.severity == "error" for p in row_problems):
            continue
        involved = [departments[clean["competent_department"]], departments[clean["implementing_department"]]]
        item = existing.get(code)
        if item is not None:
            involved += [item.competent_department, item.implementing_department]
        if not admin and not any(_can_maintain(actor, d) for d in involved):
            errors.append(
                excel.CellError(
                    excel.SHEET_ITEMS, parsed_item.row, "主管部门", "您无权调整该部门的事项", "catalog.not_permitted"
                )
            )
            continue
        if item is None:
            plan.append(("publish" if baseline else "new", parsed_item, clean))
            continue
        if code in pending:
            errors.append(
                excel.CellError(
                    excel.SHEET_ITEMS,
                    parsed_item.row,
                    "事项编码",
                    "该事项已有待审核的调整申请",
                    "catalog.change_pending",
                )
            )
            continue
        if baseline:
            errors.append(
                excel.CellError(
                    excel.SHEET_ITEMS,
                    parsed_item.row,
                    "事项编码",
                    "事项已存在：初始清单只能新增事项，调整已有事项须经交叉审核",
                    "catalog.import_baseline_exists",
                )
            )
            continue
        if item.status == ItemStatus.PUBLISHED and item_elements(item) == clean:
            report.unchanged.append(code)
            continue
        plan.append(("change", parsed_item, clean))

    if errors:
        raise ApplicationError(
            "catalog.import_invalid",
            f"导入文件有{len(errors)}处错误，清单未做任何修改",
            details={"errors": [e.as_dict() for e in errors]},
        )

    with transaction.atomic():
        to_publish = [clean for action, _parsed_item, clean in plan if action == "publish"]
        published = _publish_new_many(cleaned=to_publish, departments=departments, reason=reason, actor=actor)
        report.published = [item.code for item in published]
        if progress and published:
            progress(len(published))
        for action, _parsed_item, clean in plan:
            if action == "publish":
                continue
            code = clean["code"]
            item_change_propose(elements=clean, reason=reason, actor=actor, item=existing.get(code))
            (report.proposed_new if action == "new" else report.proposed_changes).append(code)
            if progress:
                progress(1)
        on_items_changed(departments={item.competent_department_id for item in published})
        audit_record(
            actor=actor,
            action="catalog.import",
            obj=None,
            region_code=None,
            details={
                "reason": reason,
                "baseline": baseline,
                "published": len(report.published),
                "proposed_new": len(report.proposed_new),
                "proposed_changes": len(report.proposed_changes),
                "unchanged": len(report.unchanged),
            },
        )
    return report


# --- bundles -------------------------------------------------------------------------------------


def bundle_create(
    *,
    code: str,
    name: str,
    lead_department: Department,
    item_codes: list[str],
    actor,
    description: str = "",
    audience: str = "both",
    target_days: int | None = None,
    keywords: str = "",
) -> Bundle:
    """Publish a 一件事 made of at least two published items (plan 四（十五）3).

    Only an administrator may. Errors: ``catalog.not_permitted`` (403), ``catalog.bundle_exists`` (409),
    ``catalog.bundle_too_small``, ``catalog.bundle_item_unknown``, ``catalog.bundle_item_duplicate``.
    """
    if not _is_admin(actor):
        raise ApplicationError("catalog.not_permitted", "只有管理员可以发布“一件事”", status=403)
    code, name = (code or "").strip(), (name or "").strip()
    if not code or not name:
        raise ApplicationError("catalog.field_required", "请填写一件事的编码和名称", details={"field": "name"})
    if len(item_codes) != len(set(item_codes)):
        raise ApplicationError("catalog.bundle_item_duplicate", "同一事项不能重复加入", details={"field": "items"})
    if len(item_codes) < 2:
        raise ApplicationError("catalog.bundle_too_small", "“一件事”至少包含两个事项", details={"field": "items"})
    items = {i.code: i for i in ServiceItem.objects.filter(code__in=item_codes, status=ItemStatus.PUBLISHED)}
    unknown = [c for c in item_codes if c not in items]
    if unknown:
        raise ApplicationError(
            "catalog.bundle_item_unknown",
            f"以下事项不存在或未发布：{'、'.join(unknown)}",
            details={"field": "items", "codes": unknown},
        )
    with transaction.atomic():
        if Bundle.objects.filter(code=code).exists() or Bundle.objects.filter(name=name).exists():
            raise ApplicationError("catalog.bundle_exists", f"一件事“{name}”已存在", status=409)
        bundle = Bundle.objects.create(
            code=code,
            name=name,
            description=description,
            audience=audience,
            region=lead_department.region,
            lead_department=lead_department,
            target_days=target_days,
            keywords=keywords,
            status=BundleStatus.PUBLISHED,
        )
        BundleItem.objects.bulk_create(
            [BundleItem(bundle=bundle, item=items[c], position=n) for n, c in enumerate(item_codes, start=1)]
        )
        audit_record(
            actor=actor,
            action="catalog.bundle.published",
            obj=bundle,
            after={"name": name, "items": item_codes, "target_days": target_days},
        )
    return bundle


def bundle_withdraw(*, bundle: Bundle, reason: str, actor) -> Bundle:
    """Withdraw a published 一件事 (administrators; reason required)."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("catalog.reason_required", "请说明停用理由", details={"field": "reason"})
    if not _is_admin(actor):
        raise ApplicationError("catalog.not_permitted", "只有管理员可以停用“一件事”", status=403)
    with transaction.atomic():
        bundle = Bundle.objects.select_for_update().get(pk=bundle.pk)
        check_bundle_transition(bundle, BundleStatus.WITHDRAWN)
        bundle.status = BundleStatus.WITHDRAWN
        bundle.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="catalog.bundle.withdrawn",
            obj=bundle,
            before={"status": BundleStatus.PUBLISHED},
            after={"status": bundle.status},
            details={"reason": reason},
        )
    return bundle
