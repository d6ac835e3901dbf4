"""The cases API: submit (with Idempotency-Key), read, and each step of the path, mapped to the services.

Errors come back as ``{"code", "message", "details"}`` (``ApplicationError``); a retried submission with
the same ``Idempotency-Key`` replays the first response and never creates a second case.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import F, Prefetch
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from yiwang.catalog.models import Bundle, BundleStatus, ItemStatus, ServiceItem
from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.limits import text_limit
from yiwang.core.paging import window
from yiwang.core.ratelimits import rate_limit
from yiwang.org.models import ServiceHall
from yiwang.org.permissions import api_action_required, require_action

from . import selectors, services
from .models import Case, CaseMaterial, CaseState, Channel, DeliveryMethod
from .services import ApplicantInput

router = Router(tags=["cases"])

NOTE_MAX = text_limit("NOTE")  # reasons, opinions, notes (YIWANG_TEXT_LIMITS)


class ApplicantIn(Schema):
    kind: str
    name: str = Field(..., max_length=100)
    id_number: str = Field("", max_length=32)
    uscc: str = Field("", max_length=32)
    phone: str = Field("", max_length=32)


class CaseIn(Schema):
    item_code: str | None = None
    bundle_code: str | None = None
    applicant: ApplicantIn
    form_data: dict[str, str] = Field({}, max_length=100)  # at most 100 fields; each typed by the item
    delivery_method: str = DeliveryMethod.WINDOW
    postal_address: str = Field("", max_length=200)
    channel: str = Channel.ONLINE
    hall_id: int | None = None


class MaterialOut(Schema):
    code: str
    name: str
    required: bool
    key: bool
    status: str


class SubCaseOut(Schema):
    number: str
    title: str
    state: str
    department: str


class CaseOut(Schema):
    number: str
    verification_code: str
    title: str
    state: str
    state_label: str
    channel: str
    department: str
    item_code: str | None
    item_version: int | None
    bundle_code: str | None
    submitted_at: dt.datetime
    accepted_at: dt.datetime | None
    decided_at: dt.datetime | None
    due_on: dt.date | None
    due_provisional: bool
    deadline_status: str
    materials: list[MaterialOut]
    sub_cases: list[SubCaseOut]


class StatusOut(Schema):
    number: str
    title: str
    state: str
    state_label: str
    department: str
    submitted_on: dt.date
    accepted_on: dt.date | None
    due_on: dt.date | None
    decided_on: dt.date | None


class ErrorOut(Schema):
    code: str
    message: str
    details: dict


def _with_response_rows(queryset):
    """Only what the response carries: the cases, their clocks, checklists and sub-cases — three queries
    whatever the number of cases."""
    return queryset.select_related(
        "department", "item", "item_version", "bundle", "clock", "intake_clock"
    ).prefetch_related(
        Prefetch("materials", queryset=CaseMaterial.objects.order_by("position")),
        Prefetch("children", queryset=Case.objects.select_related("department").order_by("number")),
    )


def _out(case: Case) -> dict:
    case = _with_response_rows(Case.objects.filter(pk=case.pk)).get()
    return _case_dict(case, materials=case.materials.all(), sub_cases=case.children.all())


def _out_list(queryset, limit: int, offset: int = 0) -> list[dict]:
    """A list response: ``limit`` cases (at most 200) from ``offset`` — a client pages on with ``offset`` —
    with one read for the window's cases, not one per case."""
    cases = window(_with_response_rows(queryset), offset=offset, limit=limit, most=200)
    return [_case_dict(case, materials=case.materials.all(), sub_cases=case.children.all()) for case in cases]


def _submitted_out(case: Case) -> dict:
    """The response to a submission, from the case ``case_submit`` just wrote (its related rows, its
    checklist and its intake clock in hand): no second read. A new case has no sub-cases yet (they are
    opened at acceptance)."""
    return _case_dict(case, materials=services.submitted_materials(case), sub_cases=[])


def _case_dict(case: Case, *, materials, sub_cases) -> dict:
    deadline = selectors.case_deadline(case)  # the clock's status (workdays.deadlines), never a copy
    return {
        "number": case.number,
        "verification_code": case.verification_code,
        "title": case.title,
        "state": case.state,
        "state_label": str(CaseState(case.state).label),
        "channel": case.channel,
        "department": str(case.department),
        "item_code": case.item.code if case.item_id else None,
        "item_version": case.item_version.number if case.item_version_id else None,
        "bundle_code": case.bundle.code if case.bundle_id else None,
        "submitted_at": case.submitted_at,
        "accepted_at": case.accepted_at,
        "decided_at": case.decided_at,
        "due_on": case.due_on,
        "due_provisional": case.due_provisional,
        "deadline_status": deadline.status if deadline else "normal",
        "materials": [
            {"code": m.code, "name": m.name, "required": m.required, "key": m.key, "status": m.status}
            for m in materials
        ],
        "sub_cases": [
            {"number": c.number, "title": c.title, "state": c.state, "department": str(c.department)} for c in sub_cases
        ],
    }


def _not_found(number: str) -> ApplicationError:
    return ApplicationError("case.not_found", f"没有找到办件 {number}", details={"number": number}, status=404)


def _visible(request, number: str) -> Case:
    """The case if the user may read it: the applicant, the window, the department, or a leader of the region."""
    case = selectors.case_visible(request.user, number)
    if case is None:
        raise _not_found(number)
    return case


def _acting_on(request, number: str, action: str, *, by_hall: bool = False) -> Case:
    """The case if the user may do ``action`` on it — the same action the web page asks.

    Department acts are anchored on the case's department; the window's (``by_hall``) on its hall, or
    its region while no hall has taken it in. Refused: 403 ``auth.forbidden`` and nothing changes.
    """
    require_action(request, action)  # role level first: without the role, a case's existence is not told
    case = selectors.case_by_number(number)
    if case is None:
        raise _not_found(number)
    if by_hall:
        require_action(request, action, region=case.region, hall=case.hall)
    else:
        require_action(request, action, department=case.department)
    return case


# The web page and the API ask the same action of ``yiwang.org.scoping`` for the same operation. The
# checks run in the body (``require_action``): a decorator would hide the payload schemas' string
# annotations from django-ninja.
ERRORS = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 413: ErrorOut, 415: ErrorOut, 422: ErrorOut}


@router.post("/cases", response={201: CaseOut, **ERRORS}, summary="提交申请（支持 Idempotency-Key）")
@idempotent(deduplicate=True)
def create_case(request, payload: CaseIn):
    item = bundle = hall = None
    if payload.item_code:
        # With the rows case_submit needs: it reads the item once, here.
        item = (
            ServiceItem.objects.select_related("region", "implementing_department")
            .filter(code=payload.item_code, status=ItemStatus.PUBLISHED)
            .first()
        )
        if item is None:
            raise ApplicationError("case.item_not_available", f"事项 {payload.item_code} 不存在或已停用", status=404)
    if payload.bundle_code:
        bundle = Bundle.objects.filter(code=payload.bundle_code, status=BundleStatus.PUBLISHED).first()
        if bundle is None:
            raise ApplicationError(
                "case.item_not_available", f"一件事 {payload.bundle_code} 不存在或已停用", status=404
            )
    if payload.hall_id is not None:
        hall = ServiceHall.objects.filter(pk=payload.hall_id).first()
        if hall is None:
            raise ApplicationError("case.hall_unknown", f"没有编号为 {payload.hall_id} 的大厅", status=404)
    case = services.case_submit(
        actor=request.user,
        applicant=ApplicantInput(**payload.applicant.dict()),
        item=item,
        bundle=bundle,
        channel=payload.channel,
        hall=hall,
        form_data=payload.form_data,
        delivery_method=payload.delivery_method,
        postal_address=payload.postal_address,
    )
    return Status(201, _submitted_out(case))


@router.get("/cases", response=list[CaseOut], summary="我的办件")
def list_my_cases(request, limit: int = 50, offset: int = 0):
    return _out_list(selectors.applicant_cases(request.user), limit, offset)


@router.get("/queue", response=list[CaseOut], summary="部门待办（按期限）")
@api_action_required("case.review")
def department_queue(request, status: str | None = None, limit: int = 50, offset: int = 0):
    # nearest deadline first, the key last so that windows never overlap
    queue = selectors.handler_queue(request.user, status=status).order_by(
        F("due_on").asc(nulls_last=True), "accepted_at", "pk"
    )
    return _out_list(queue, limit, offset)


@router.get("/cases/{number}", response={200: CaseOut, **ERRORS}, summary="办件详情")
def get_case(request, number: str):
    return _out(_visible(request, number))


@router.get(
    "/status", response={200: StatusOut, 404: ErrorOut, 429: ErrorOut}, auth=None, summary="公开进度查询（无个人信息）"
)
def public_status(request, number: str, code: str):
    rate_limit(request, "cases.status", target=number)  # 429 rate_limited: codes are not to be guessed
    result = selectors.public_status(number, code)
    if result is None:
        return Status(404, {"code": "case.not_found", "message": "没有找到该办件，请核对编号和查询码", "details": {}})
    return Status(200, result)


@router.post("/cases/{number}/materials/{code}", response={201: MaterialOut, **ERRORS}, summary="上传材料")
@idempotent
def upload_material(request, number: str, code: str, file: UploadedFile = File(...)):  # noqa: B008 — ninja declares parameters this way
    case = _visible(request, number)
    row = services.case_material_upload(case=case, material_code=code, upload=file, actor=request.user)
    m = row.material
    m.refresh_from_db()
    return Status(201, {"code": m.code, "name": m.name, "required": m.required, "key": m.key, "status": m.status})


class AcceptIn(Schema):
    received: list[str] = []
    deferred_materials: list[str] = []
    pledged_materials: list[str] = []
    pledge_text: str = Field("", max_length=NOTE_MAX)


class CorrectionEntryIn(Schema):
    code: str
    problem: str = "missing"
    note: str = Field("", max_length=NOTE_MAX)


class CorrectionIn(Schema):
    entries: list[CorrectionEntryIn]
    note: str = Field("", max_length=NOTE_MAX)


class RejectIn(Schema):
    reason: str = Field(..., max_length=NOTE_MAX)
    legal_basis: str = Field(..., max_length=NOTE_MAX)


class OpinionIn(Schema):
    opinion: str = Field(..., max_length=NOTE_MAX)


class PauseIn(Schema):
    kind: str
    reason: str = Field(..., max_length=NOTE_MAX)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=NOTE_MAX)


class DecisionIn(Schema):
    outcome: str
    reasons: str = Field("", max_length=NOTE_MAX)
    legal_basis: str = Field("", max_length=NOTE_MAX)


class DeliveryIn(Schema):
    method: str | None = None
    tracking_number: str = ""
    recipient: str = ""


@router.post("/cases/{number}/accept", response={200: CaseOut, **ERRORS}, summary="受理（可容缺、告知承诺）")
@idempotent
def accept_case(request, number: str, payload: AcceptIn):
    case = services.case_accept(
        case=_acting_on(request, number, "case.accept", by_hall=True), actor=request.user, **payload.dict()
    )
    return Status(200, _out(case))


@router.post("/cases/{number}/correction", response={200: CaseOut, **ERRORS}, summary="一次性告知补正")
@idempotent
def request_correction(request, number: str, payload: CorrectionIn):
    correction = services.case_correction_request(
        case=_acting_on(request, number, "case.accept", by_hall=True),
        actor=request.user,
        entries=[e.dict() for e in payload.entries],
        note=payload.note,
    )
    return Status(200, _out(correction.case))


@router.post("/cases/{number}/correction/supplied", response={200: CaseOut, **ERRORS}, summary="补正完成")
def correction_supplied(request, number: str):
    return Status(200, _out(services.case_correction_supply(case=_visible(request, number), actor=request.user)))


@router.post("/cases/{number}/reject", response={200: CaseOut, **ERRORS}, summary="不予受理")
@idempotent
def reject_case(request, number: str, payload: RejectIn):
    return Status(
        200,
        _out(
            services.case_reject(
                case=_acting_on(request, number, "case.accept", by_hall=True), actor=request.user, **payload.dict()
            )
        ),
    )


@router.post("/cases/{number}/assign", response={200: CaseOut, **ERRORS}, summary="签收办理")
def assign_case(request, number: str):
    return Status(200, _out(services.case_assign(case=_acting_on(request, number, "case.review"), actor=request.user)))


@router.post("/cases/{number}/steps/complete", response={200: CaseOut, **ERRORS}, summary="完成当前审批环节")
def complete_step(request, number: str, payload: OpinionIn):
    case = _acting_on(request, number, "case.review")
    services.review_step_complete(case=case, actor=request.user, opinion=payload.opinion)
    return Status(200, _out(case))


@router.post("/cases/{number}/pause", response={200: CaseOut, **ERRORS}, summary="暂停计时（行政许可法第四十五条）")
def pause_case(request, number: str, payload: PauseIn):
    case = _acting_on(request, number, "case.pause")
    services.case_pause(case=case, actor=request.user, kind=payload.kind, reason=payload.reason)
    return Status(200, _out(case))


@router.post("/cases/{number}/resume", response={200: CaseOut, **ERRORS}, summary="恢复计时")
def resume_case(request, number: str):
    return Status(200, _out(services.case_resume(case=_acting_on(request, number, "case.pause"), actor=request.user)))


@router.post("/cases/{number}/extension", response={201: dict, **ERRORS}, summary="申请延期")
@idempotent
def request_extension(request, number: str, payload: ReasonIn):
    extension = services.case_extension_request(
        case=_acting_on(request, number, "case.extend"), actor=request.user, reason=payload.reason
    )
    return Status(201, {"extension": extension.pk, "days": extension.days, "state": extension.state})


@router.post("/cases/{number}/decision", response={200: CaseOut, **ERRORS}, summary="作出决定（须写明理由）")
@idempotent
def decide_case(request, number: str, payload: DecisionIn):
    case = _acting_on(request, number, "case.decide")
    services.case_decide(case=case, actor=request.user, **payload.dict())
    return Status(200, _out(case))


@router.post("/cases/{number}/delivery", response={200: CaseOut, **ERRORS}, summary="出件")
@idempotent
def deliver_case(request, number: str, payload: DeliveryIn):
    # Where the result is handed out (the pickup hall, the case's hall or department) the service decides.
    require_action(request, "case.deliver")
    case = selectors.case_by_number(number)
    if case is None:
        raise _not_found(number)
    services.case_deliver(case=case, actor=request.user, **payload.dict())
    return Status(200, _out(case))
