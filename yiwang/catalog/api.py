"""``/api/catalog/``: search and read published items and bundles (public), propose and review changes.

Reads are public reference data (auth=None), like the guides. Proposals and reviews need a session
and the same actions as the staff pages (``catalog.propose``, ``catalog.review``); a proposal honours
``Idempotency-Key``. The review endpoints never return the proposer (交叉盲审).
"""

import datetime as dt

from django.urls import reverse
from ninja import Field, Path, Query, Router, Schema, Status

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.lookups import MAX_ID
from yiwang.org.permissions import api_action_required

from . import selectors, services
from .models import ItemChange, ServiceItem

router = Router(tags=["catalog"])


# --- schemas -------------------------------------------------------------------------------------


class MaterialOut(Schema):
    code: str
    name: str
    form: str
    form_label: str
    copies: int | None  # None: not listed (未列明)
    required: bool
    key: bool
    deferrable: bool
    pledge_replaceable: bool
    licence_type: str
    note: str


class FormFieldOut(Schema):
    key: str
    label: str
    type: str
    required: bool


class ItemSummaryOut(Schema):
    code: str
    name: str
    kind: str
    kind_label: str
    level: str
    level_label: str
    audience: str
    competent_department: str
    competent_department_name: str
    implementing_department: str
    implementing_department_name: str
    legal_days: int | None  # None: no statutory limit (无法定时限)
    promised_days: int
    limit_unit: str  # workdays | calendar_days
    handling_type: str
    online_depth: int
    visits_required: int
    kiosk_available: bool
    cross_region: bool
    pledge_allowed: bool
    reform_mode: str
    version: int
    url: str

    @staticmethod
    def fields_of(item: ServiceItem) -> dict:
        return {
            "code": item.code,
            "name": item.name,
            "kind": item.kind,
            "kind_label": str(item.get_kind_display()),
            "level": item.level,
            "level_label": str(item.get_level_display()),
            "audience": item.audience,
            "competent_department": item.competent_department.code,
            "competent_department_name": item.competent_department.name,
            "implementing_department": item.implementing_department.code,
            "implementing_department_name": item.implementing_department.name,
            "legal_days": item.legal_days,
            "promised_days": item.promised_days,
            "limit_unit": item.limit_unit,
            "handling_type": item.handling_type,
            "online_depth": item.online_depth,
            "visits_required": item.visits_required,
            "kiosk_available": item.kiosk_available,
            "cross_region": item.cross_region,
            "pledge_allowed": item.pledge_allowed,
            "reform_mode": item.reform_mode,
            "version": item.version,
            "url": reverse("catalog:guide", args=[item.code]),
        }


class ItemDetailOut(ItemSummaryOut):
    legal_basis: str
    conditions: str
    visits_reason: str
    fee_charged: bool | None  # None: not listed (未列明)
    fee_description: str
    online_payment: bool
    delivery_modes: list[str]
    where_to_apply: str
    when_to_apply: str
    consult_phone: str
    complaint_phone: str
    keywords: str
    published_at: dt.datetime | None
    materials: list[MaterialOut]
    form_fields: list[FormFieldOut]
    bundles: list[str]


class ItemPageOut(Schema):
    count: int
    page: int
    pages: int
    fuzzy: bool
    results: list[ItemSummaryOut]


class ItemFilters(Schema):
    q: str = Field("", max_length=100)  # the search box's own limit (catalog.forms.SearchForm)
    department: str | None = None
    level: str | None = None
    kind: str | None = None
    bundle: str | None = None
    online_depth: int | None = Field(None, ge=1, le=4)
    audience: str | None = None
    page: int = Field(1, ge=1, le=100_000)
    page_size: int = Field(20, ge=1, le=100)


class VersionOut(Schema):
    code: str
    number: int
    published_at: dt.datetime
    reason: str
    elements: dict


class MergedMaterialOut(Schema):
    name: str
    form: str
    form_label: str
    copies: int | None  # None: not listed (未列明)
    required: bool
    key: bool
    deferrable: bool
    pledge_replaceable: bool
    licence_type: str
    items: list[str]
    sources: list[list[str]]


class BundleSummaryOut(Schema):
    code: str
    name: str
    description: str
    audience: str
    lead_department: str
    target_days: int | None
    item_count: int


class BundleDetailOut(BundleSummaryOut):
    items: list[ItemSummaryOut]
    materials: list[MergedMaterialOut]
    form_fields: list[dict]


class MaterialIn(Schema):
    code: str
    name: str
    form: str = "original"
    copies: int | None = 1
    required: bool = True
    key: bool = False
    deferrable: bool = False
    pledge_replaceable: bool = False
    licence_type: str = ""
    blank_form: str = ""
    sample: str = ""
    note: str = ""


class FormFieldIn(Schema):
    key: str
    label: str
    type: str = "text"
    required: bool = True


class ElementsIn(Schema):
    code: str
    name: str
    kind: str
    competent_department: str
    implementing_department: str
    level: str = "county"
    audience: str = "both"
    on_application: bool = True
    legal_basis: str = ""
    conditions: str = ""
    region: str = ""
    legal_days: int | None = Field(..., ge=0)
    promised_days: int = Field(..., ge=0)
    limit_unit: str = "workdays"
    handling_type: str
    online_depth: int = Field(..., ge=1, le=4)
    visits_required: int = Field(..., ge=0)
    visits_reason: str = ""
    fee_charged: bool | None = False
    fee_description: str = ""
    online_payment: bool = False
    delivery_window: bool = True
    delivery_post: bool = False
    delivery_electronic: bool = False
    where_to_apply: str = ""
    when_to_apply: str = ""
    consult_phone: str = ""
    complaint_phone: str = ""
    reform_mode: str = ""
    pledge_allowed: bool = False
    kiosk_available: bool = False
    cross_region: bool = False
    keywords: str = ""
    materials: list[MaterialIn] = []
    form_fields: list[FormFieldIn] = []


class ChangeIn(Schema):
    elements: ElementsIn
    reason: str


class ChangeOut(Schema):
    id: int
    item_code: str
    kind: str
    status: str
    base_version: int


class ReviewOut(Schema):
    id: int
    item_code: str
    item_name: str
    kind: str
    reason: str
    proposed_at: dt.datetime
    changes: list[dict]


class NoteIn(Schema):
    note: str = ""


def _change_out(change: ItemChange) -> dict:
    return {
        "id": change.pk,
        "item_code": change.item.code,
        "kind": change.kind,
        "status": change.status,
        "base_version": change.base_version,
    }


def _not_found(what: str, code) -> ApplicationError:
    return ApplicationError(
        f"catalog.{what}_not_found", "未找到该事项" if what == "item" else "未找到", details={"code": code}, status=404
    )


# --- public reads --------------------------------------------------------------------------------


@router.get("/items", response=ItemPageOut, auth=None, summary="搜索已发布事项")
def list_items(request, filters: Query[ItemFilters]):
    outcome = selectors.item_search(
        query=filters.q,
        department=filters.department,
        level=filters.level,
        kind=filters.kind,
        bundle=filters.bundle,
        online_depth=filters.online_depth,
        audience=filters.audience,
    )
    page = outcome.page(filters.page, filters.page_size)
    return {
        "count": outcome.count,
        "page": page.number,
        "pages": page.paginator.num_pages,
        "fuzzy": outcome.fuzzy,
        "results": [ItemSummaryOut.fields_of(item) for item in page.object_list],
    }


@router.get("/items/{code}", response=ItemDetailOut, auth=None, summary="事项办事指南")
def get_item(request, code: str):
    item = selectors.item_guide(code)
    if item is None:
        raise _not_found("item", code)
    return {
        **ItemSummaryOut.fields_of(item),
        "legal_basis": item.legal_basis,
        "conditions": item.conditions,
        "visits_reason": item.visits_reason,
        "fee_charged": item.fee_charged,
        "fee_description": item.fee_description,
        "online_payment": item.online_payment,
        "delivery_modes": [
            mode
            for mode, on in (
                ("window", item.delivery_window),
                ("post", item.delivery_post),
                ("electronic", item.delivery_electronic),
            )
            if on
        ],
        "where_to_apply": item.where_to_apply,
        "when_to_apply": item.when_to_apply,
        "consult_phone": item.consult_phone,
        "complaint_phone": item.complaint_phone,
        "keywords": item.keywords,
        "published_at": item.published_at,
        "materials": [
            {
                **{f: getattr(m, f) for f in MaterialOut.model_fields if f != "form_label"},
                "form_label": str(m.get_form_display()),
            }
            for m in item.materials.all()
        ],
        "form_fields": item.form_fields,
        "bundles": [b.code for b in item.bundles.all()],
    }


@router.get("/items/{code}/versions/{number}", response=VersionOut, auth=None, summary="事项某一版本的办理要素")
def get_item_version(request, code: str, number: int = Path(..., ge=1, le=MAX_ID)):  # noqa: B008
    item = selectors.item_listed(code)
    version = selectors.item_version(item, number) if item else None
    if version is None:
        raise _not_found("version", f"{code}/v{number}")
    return {
        "code": code,
        "number": version.number,
        "published_at": version.published_at,
        "reason": version.reason,
        "elements": version.elements,
    }


def _bundle_summary(bundle) -> dict:
    return {
        "code": bundle.code,
        "name": bundle.name,
        "description": bundle.description,
        "audience": bundle.audience,
        "lead_department": bundle.lead_department.code,
        "target_days": bundle.target_days,
        "item_count": getattr(bundle, "item_count", None) or bundle.bundle_items.count(),
    }


@router.get("/bundles", response=list[BundleSummaryOut], auth=None, summary="“一件事”列表")
def list_bundles(request, q: str = ""):
    return [_bundle_summary(b) for b in selectors.bundle_list(query=q)]


@router.get("/bundles/{code}", response=BundleDetailOut, auth=None, summary="“一件事”：事项、合并材料与合并表单")
def get_bundle(request, code: str):
    bundle = selectors.bundle_detail(code)
    if bundle is None:
        raise _not_found("bundle", code)
    return {
        **_bundle_summary(bundle),
        "items": [ItemSummaryOut.fields_of(bi.item) for bi in bundle.bundle_items.all()],
        "materials": [
            {
                "name": m.name,
                "form": m.form,
                "form_label": str(m.form_label),
                "copies": m.copies,
                "required": m.required,
                "key": m.key,
                "deferrable": m.deferrable,
                "pledge_replaceable": m.pledge_replaceable,
                "licence_type": m.licence_type,
                "items": m.item_names,
                "sources": [list(s) for s in m.sources],
            }
            for m in selectors.bundle_merged_materials(bundle)
        ],
        "form_fields": selectors.bundle_merged_form(bundle),
    }


# --- proposals and review (signed in) ------------------------------------------------------------


@router.post("/changes", response={201: ChangeOut}, summary="提出事项新增或调整（待交叉盲审）")
@idempotent  # directly under the router: it hands ninja the function below it
@api_action_required("catalog.propose")
def propose_change(request, payload: ChangeIn):
    elements = payload.elements.model_dump()
    item = selectors.item_by_code(elements["code"])
    change = services.item_change_propose(elements=elements, reason=payload.reason, actor=request.user, item=item)
    return Status(201, _change_out(change))


@router.get("/reviews", response=list[ReviewOut], summary="待我交叉盲审的调整申请（不含提出人）")
@api_action_required("catalog.review")
def list_reviews(request):
    result = []
    for change in selectors.review_queue(reviewer=request.user):
        view = selectors.review_detail(change=change, reviewer=request.user)
        result.append(
            {
                "id": change.pk,
                "item_code": change.item.code,
                "item_name": change.item.name,
                "kind": change.kind,
                "reason": change.reason,
                "proposed_at": change.proposed_at,
                "changes": view["diff"] if view else [],
            }
        )
    return result


def _pending_change(pk: int) -> ItemChange:
    change = selectors.change_get(pk)
    if change is None:
        raise _not_found("change", pk)
    return change


@router.post("/changes/{pk}/approve", response=VersionOut, summary="审核通过并发布新版本")
@api_action_required("catalog.review")
def approve_change(request, payload: NoteIn, pk: int = Path(..., ge=1, le=MAX_ID)):  # noqa: B008
    version = services.item_change_approve(change=_pending_change(pk), actor=request.user, note=payload.note)
    return {
        "code": version.item.code,
        "number": version.number,
        "published_at": version.published_at,
        "reason": version.reason,
        "elements": version.elements,
    }


@router.post("/changes/{pk}/reject", response=ChangeOut, summary="退回调整申请")
@api_action_required("catalog.review")
def reject_change(request, payload: NoteIn, pk: int = Path(..., ge=1, le=MAX_ID)):  # noqa: B008
    change = services.item_change_reject(change=_pending_change(pk), actor=request.user, note=payload.note)
    return _change_out(change)
