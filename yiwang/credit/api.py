"""``/api/credit/``: entity credit reports, records, the public announcement, clues, the financing board.

Every operation asks the same action of ``yiwang.org.scoping`` as the web page; a refusal is 403
``auth.forbidden``; an object outside the caller's scope is 404. Creating endpoints honour
``Idempotency-Key``. Errors are ``{"code", "message", "details"}``.
"""

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import window
from yiwang.credit import selectors, services
from yiwang.credit.models import Clue, Entity
from yiwang.org.permissions import api_action_required, require_action

router = Router(tags=["信用"])


class RecordOut(Schema):
    id: int
    kind: str
    kind_label: str
    named_list: str
    key_field: str
    severity: str
    title: str
    department: str
    decided_on: dt.date
    expires_on: dt.date | None
    legal_basis: str
    state: str


class ClassChangeOut(Schema):
    from_class: str
    to_class: str
    score: int
    reason: str
    changed_at: dt.datetime


class EntityOut(Schema):
    uscc: str
    name: str
    kind: str
    industry_code: str
    town: str | None
    status: str
    risk_class: str


class ReportOut(Schema):
    entity: EntityOut
    score: int
    reasons: list[str]
    records: list[RecordOut]
    history: list[ClassChangeOut]


class RecordIn(Schema):
    kind: str = Field(..., description="commendation / penalty / dishonesty / inspection / blacklist")
    title: str = Field(..., max_length=200)
    decided_on: dt.date
    severity: str = "general"
    named_list: str = ""
    key_field: str = ""
    legal_basis: str = Field("", max_length=300)
    document_number: str = Field("", max_length=64)
    expires_on: dt.date | None = None
    department: str = Field("", max_length=64, description="部门代码；属于多个部门的用户须指明以哪个部门的名义录入")


class PublicOut(Schema):
    subject: str
    uscc: str
    kind: str
    named_list: str
    title: str
    department: str
    decided_on: dt.date
    expires_on: dt.date | None


class ClueOut(Schema):
    id: int
    entity: str
    uscc: str
    rule_code: str
    rule_label: str
    summary: str
    department: str
    state: str
    due_on: dt.date
    pushed_at: dt.datetime


class ClueHandleIn(Schema):
    measures_taken: str = Field(..., max_length=2000)


class ClueFeedbackIn(Schema):
    finding: str
    feedback: str = Field(..., max_length=2000)


def _record_out(r) -> dict:
    return {
        "id": r.pk,
        "kind": r.kind,
        "kind_label": r.get_kind_display(),
        "named_list": r.named_list,
        "key_field": r.key_field,
        "severity": r.severity,
        "title": r.title,
        "department": r.department.name,
        "decided_on": r.decided_on,
        "expires_on": r.expires_on,
        "legal_basis": r.legal_basis,
        "state": r.state,
    }


def _entity_out(e: Entity) -> dict:
    return {
        "uscc": e.uscc,
        "name": e.name,
        "kind": e.kind,
        "industry_code": e.industry_code,
        "town": e.town.name if e.town_id else None,
        "status": e.status,
        "risk_class": e.risk_class,
    }


def _entity(request, uscc: str) -> Entity:
    scope = require_action(request, "credit.read")
    entity = selectors.entity_for(scope, uscc)
    if entity is None:
        raise ApplicationError("credit.entity_not_found", "市场主体不存在或不在您的查看范围内", status=404)
    return entity


def _clue(request, pk: int) -> Clue:
    scope = require_action(request, "credit.clue_read")
    clue = selectors.clue_for(scope, pk)
    if clue is None:
        raise ApplicationError("credit.clue_not_found", "线索不存在或不在您的查看范围内", status=404)
    return clue


def _clue_out(c: Clue) -> dict:
    return {
        "id": c.pk,
        "entity": c.entity.name,
        "uscc": c.entity.uscc,
        "rule_code": c.rule_code,
        "rule_label": c.rule_label,
        "summary": c.summary,
        "department": c.department.name,
        "state": c.state,
        "due_on": c.due_on,
        "pushed_at": c.pushed_at,
    }


@router.get("/public", response=list[PublicOut], auth=None)
def public(request: HttpRequest, list_code: str = "", q: str = "", limit: int = 100, offset: int = 0):
    """The public announcement (no personal data): red list, blacklists, penalties in their period;
    ``limit`` (at most 500) from ``offset``: page on with ``offset``."""
    records = window(selectors.public_list(list_code, q[:60]), offset=offset, limit=limit, most=500)
    return [row.__dict__ for row in selectors.public_rows(records)]


@router.get("/entities/{uscc}", response=ReportOut)
@api_action_required("credit.read")
def entity_report(request: HttpRequest, uscc: str):
    """An entity's credit report: records, current score and class history."""
    report = selectors.entity_report(_entity(request, uscc))
    return {
        "entity": _entity_out(report["entity"]),
        "score": report["assessment"].score,
        "reasons": list(report["assessment"].reasons),
        "records": [_record_out(r) for r in report["records"]],
        "history": report["history"],
    }


@router.post("/entities/{uscc}/records", response={201: RecordOut})
@api_action_required("credit.record")
@idempotent(deduplicate=True)
def record_create(request: HttpRequest, uscc: str, payload: RecordIn):
    """Record a credit fact decided by the caller's department; the risk class is recomputed."""
    entity = _entity(request, uscc)
    scope = require_action(request, "credit.record")
    allowed = scope.departments("credit.record").order_by("code")
    data = payload.dict()
    code = data.pop("department").strip()
    if code:
        department = allowed.filter(code=code).first()
        if department is None:
            raise ApplicationError(
                "credit.department_invalid", "不能以该部门的名义录入", details={"field": "department"}, status=403
            )
    else:
        only = list(allowed[:2])
        if not only:
            raise ApplicationError("auth.forbidden", "您无权执行此操作", status=403)
        if len(only) > 1:
            raise ApplicationError(
                "credit.department_required", "您属于多个部门，请指明录入部门", details={"field": "department"}
            )
        department = only[0]
    record = services.credit_record_create(entity=entity, department=department, actor=request.user, **data)
    return Status(201, _record_out(record))


@router.get("/clues", response=list[ClueOut])
@api_action_required("credit.clue_read")
def clue_list(request: HttpRequest, state: str = "", limit: int = 200, offset: int = 0):
    """Clues the caller may read, ``limit`` (at most 200) from ``offset``: page on with ``offset``."""
    scope = require_action(request, "credit.clue_read")
    return [_clue_out(c) for c in window(selectors.clues_for(scope, state=state), offset=offset, limit=limit, most=200)]


@router.get("/clues/{pk}", response=ClueOut)
@api_action_required("credit.clue_read")
def clue_get(request: HttpRequest, pk: int):
    return _clue_out(_clue(request, pk))


@router.post("/clues/{pk}/handle", response=ClueOut)
@api_action_required("credit.clue")
def clue_handle(request: HttpRequest, pk: int, payload: ClueHandleIn):
    return _clue_out(
        services.clue_handle(clue=_clue(request, pk), actor=request.user, measures_taken=payload.measures_taken)
    )


@router.post("/clues/{pk}/feedback", response=ClueOut)
@api_action_required("credit.clue")
def clue_feedback(request: HttpRequest, pk: int, payload: ClueFeedbackIn):
    return _clue_out(
        services.clue_feedback(
            clue=_clue(request, pk), actor=request.user, finding=payload.finding, feedback=payload.feedback
        )
    )


# --- credit repair ---------------------------------------------------------------------------------


class RepairIn(Schema):
    statement: str = Field(..., max_length=2000)
    commitment: bool = False


class RepairDecideIn(Schema):
    approve: bool
    opinion: str = Field(..., max_length=2000)


class RepairOut(Schema):
    id: int
    record: int
    state: str
    due_on: dt.date
    opinion: str


def _repair_out(r) -> dict:
    return {"id": r.pk, "record": r.record_id, "state": r.state, "due_on": r.due_on, "opinion": r.opinion}


@router.post("/records/{pk}/repair", response={201: RepairOut})
@api_action_required("credit.repair_request", "credit.repair")
@idempotent(deduplicate=True)
def repair_request(request: HttpRequest, pk: int, payload: RepairIn):
    """信用修复: the entity's own account (or a handler of the deciding department) asks."""
    from yiwang.credit.models import CreditRecord

    record = CreditRecord.objects.select_related("entity", "department").filter(pk=pk).first()
    uscc = (getattr(request.user, "uscc", "") or "").upper()
    visible = record is not None and (
        (record.entity_id and record.entity.uscc == uscc)
        or _can(request, "credit.repair", department=record.department)
    )
    if not visible:
        raise ApplicationError("credit.record_not_found", "信用记录不存在", status=404)
    repair = services.credit_repair_request(
        record=record, statement=payload.statement, commitment=payload.commitment, actor=request.user
    )
    return Status(201, _repair_out(repair))


@router.post("/repairs/{pk}/decide", response=RepairOut)
@api_action_required("credit.repair")
def repair_decide(request: HttpRequest, pk: int, payload: RepairDecideIn):
    scope = require_action(request, "credit.repair")
    repair = selectors.repairs_for(scope, state="").filter(pk=pk).first()
    if repair is None:
        raise ApplicationError("credit.repair_not_found", "修复申请不存在", status=404)
    return _repair_out(
        services.credit_repair_decide(
            repair=repair, approve=payload.approve, opinion=payload.opinion, actor=request.user
        )
    )


def _can(request, action: str, **where) -> bool:
    from yiwang.org.scoping import scope_for

    return scope_for(request.user).can(action, **where)


# --- financing board -------------------------------------------------------------------------------


class ProductOut(Schema):
    id: int
    bank: str
    name: str
    min_amount: int
    max_amount: int
    term_months: int
    rate_text: str
    industries: list[str]
    classes: list[str]
    collateral_free: bool


class NeedIn(Schema):
    amount: int = Field(..., gt=0, le=10_000_000, description="万元")
    term_months: int = Field(12, gt=0, le=360)
    purpose: str = Field(..., max_length=200)


class NeedOut(Schema):
    id: int
    amount: int
    term_months: int
    purpose: str
    state: str
    matched_products: list[ProductOut]


@router.get("/products", response=list[ProductOut], auth=None)
def products(request: HttpRequest):
    """Loan products on the financing board (信易贷)."""
    return list(selectors.loan_products())


@router.post("/financing-needs", response={201: NeedOut})
@api_action_required("credit.financing_need")
@idempotent(deduplicate=True)
def financing_need(request: HttpRequest, payload: NeedIn):
    """An enterprise publishes a financing need for its own entity (by the account's USCC); matched at once."""
    uscc = (getattr(request.user, "uscc", "") or "").upper()
    entity = Entity.objects.filter(uscc=uscc).first() if uscc else None
    if entity is None:
        raise ApplicationError("credit.entity_not_found", "账户未关联已建档的市场主体", status=404)
    need = services.financing_need_publish(
        entity=entity,
        amount=payload.amount,
        term_months=payload.term_months,
        purpose=payload.purpose,
        actor=request.user,
    )
    out = {
        "id": need.pk,
        "amount": need.amount,
        "term_months": need.term_months,
        "purpose": need.purpose,
        "state": need.state,
        "matched_products": [m.product for m in need.matches.select_related("product")],
    }
    return Status(201, out)
