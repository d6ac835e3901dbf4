"""``/api/hotline/``: appeals from intake to revisit, the routing suggestion, 办不成事, the rates.

Creating endpoints honour ``Idempotency-Key`` (a retried submission never creates a second
appeal). Every operation asks the same action of ``yiwang.org.scoping`` as the web page does
(``require_action`` / ``api_action_required``): a refusal is 403 ``auth.forbidden`` and changes
nothing; an appeal the caller may not read is 404. Contact data is returned only to the 12345 staff
and the lead department (``appeal.read_contact``), masked for everyone else. Errors are
``{"code", "message", "details"}``.
"""

import datetime as dt
import time

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Path, Query, Router, Schema, Status

from yiwang.api.schemas import ErrorOut
from yiwang.core.errors import ApplicationError
from yiwang.core.fields import revealed
from yiwang.core.idempotency import idempotent
from yiwang.core.limits import text_limit
from yiwang.core.lookups import MAX_ID
from yiwang.core.periods import period_check
from yiwang.core.pii import mask_name, mask_phone
from yiwang.hotline import selectors, services
from yiwang.hotline.models import Appeal, Category, ExtensionRequest, KnowledgeEntry, ReturnRequest, UnresolvedMatter
from yiwang.hotline.services import STAFF_CHANNELS
from yiwang.org.models import Department, Region
from yiwang.org.permissions import api_action_required, forbidden_error, require_action

router = Router(tags=["hotline"])


# --- schemas -------------------------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str
    group: str
    description: str


class DeadlineOut(Schema):
    label: str
    status: str
    due_on: dt.date | None
    due_at: dt.datetime | None
    provisional: bool


NOTE_MAX = text_limit("NOTE")
REPLY_MAX = text_limit("REPLY")


class AppealIn(Schema):
    kind: str = Field(..., description="consultation 咨询 / help 求助 / complaint 投诉 / report 举报 / suggestion 建议")
    title: str = Field(..., max_length=120)
    content: str = Field(..., max_length=text_limit("APPEAL_CONTENT"))
    channel: str = Field("api", description="api / portal; staff: phone / counter / letter")
    town_code: str | None = None
    village_code: str | None = None
    address: str = ""
    latitude: float | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    longitude: float | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    anonymous: bool = False
    contact_name: str = ""
    contact_phone: str = ""
    public_consent: bool = False
    category_code: str | None = None
    tier: str | None = None
    confirm_not_emergency: bool = False


class BatchAppealIn(AppealIn):
    key: str = Field(
        ...,
        min_length=1,
        max_length=64,
        description="提交标识：该诉求在推送方系统中的唯一编号，重发时不变（重发的诉求不会登记第二次）",
    )


class BatchIn(Schema):
    appeals: list[BatchAppealIn] = Field(..., description="本批诉求（每批最多 HOTLINE['INTAKE_BATCH_MAX'] 条）")


class BatchItemOut(Schema):
    index: int = Field(..., description="该条在本批中的位置，从 0 起")
    key: str
    status: str = Field(..., description="created 已登记 / existing 此前已登记（重发） / error 未登记")
    code: str | None = Field(None, description="受理编号（created、existing）")
    error: ErrorOut | None = None


class BatchOut(Schema):
    created: int
    existing: int
    failed: int
    items: list[BatchItemOut]


class AppealOut(Schema):
    code: str
    state: str
    state_label: str
    kind: str
    channel: str
    tier: str
    title: str
    content: str
    category: str | None
    town: str | None
    village: str | None
    address: str
    anonymous: bool
    contact_name: str
    contact_phone: str
    lead_department: str | None
    suggested_department: str | None
    suggestion_confidence: float | None
    suggestion_low_confidence: bool
    screening: str
    decline_advice: str
    received_at: dt.datetime
    reply_deadline: DeadlineOut | None
    merged_into: str | None

    @staticmethod
    def build(appeal: Appeal, *, full_contact: bool) -> "AppealOut":
        deadline = selectors.deadlines.reply_deadline(appeal)
        name, phone = appeal.contact_name or "", appeal.contact_phone or ""
        return AppealOut(
            code=appeal.code,
            state=appeal.state,
            state_label=str(appeal.get_state_display()),
            kind=appeal.kind,
            channel=appeal.channel,
            tier=appeal.tier,
            # numbers typed into the text: as typed for those who may call back, masked for others
            title=revealed(appeal, "title") if full_contact else appeal.title,
            content=revealed(appeal, "content") if full_contact else appeal.content,
            category=appeal.category.code if appeal.category_id else None,
            town=appeal.town.code if appeal.town_id else None,
            village=appeal.village.code if appeal.village_id else None,
            address=appeal.address,
            anonymous=appeal.anonymous,
            contact_name=name if full_contact else mask_name(name),
            contact_phone=phone if full_contact else mask_phone(phone),
            lead_department=appeal.lead_department.code if appeal.lead_department_id else None,
            suggested_department=appeal.suggested_department.code if appeal.suggested_department_id else None,
            suggestion_confidence=appeal.suggestion_confidence,
            suggestion_low_confidence=appeal.suggestion_low_confidence,
            screening=appeal.screening,
            decline_advice=appeal.decline_advice,
            received_at=appeal.received_at,
            reply_deadline=DeadlineOut(
                label=deadline.label,
                status=deadline.status,
                due_on=deadline.due_on,
                due_at=deadline.due_at,
                provisional=deadline.provisional,
            )
            if deadline
            else None,
            merged_into=appeal.merged_into.code if appeal.merged_into_id else None,
        )


class AppealListQuery(Schema):
    state: str | None = Field(None, max_length=32)
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=100_000)


class AppealPage(Schema):
    count: int
    items: list[AppealOut]


class SuggestIn(Schema):
    title: str
    content: str
    town_code: str | None = None


class AlternativeOut(Schema):
    department: str
    name: str
    confidence: float


class SuggestionOut(Schema):
    department: str | None
    department_name: str | None
    category: str | None
    confidence: float | None
    low_confidence: bool
    source: str
    alternatives: list[AlternativeOut]
    elapsed_ms: float


class SimilarOut(Schema):
    code: str
    title: str
    state: str
    score: float


class DispatchIn(Schema):
    department: str
    co_departments: list[str] = []
    tier: str | None = None
    category_code: str | None = None
    note: str = Field("", max_length=NOTE_MAX)


class ReasonIn(Schema):
    reason: str = Field(..., max_length=NOTE_MAX)


class DecisionIn(Schema):
    approve: bool
    department: str | None = None
    co_departments: list[str] = []
    days: int | None = None
    note: str = Field("", max_length=NOTE_MAX)


class ExtensionIn(Schema):
    days: int
    reason: str = Field(..., max_length=NOTE_MAX)


class ExtensionOut(Schema):
    id: int
    state: str
    days: int
    previous_due_on: dt.date
    new_due_on: dt.date | None


class ReturnOut(Schema):
    id: int
    state: str
    reason: str = Field(..., max_length=NOTE_MAX)


class ReplyIn(Schema):
    content: str = Field(..., max_length=REPLY_MAX)
    result: str = "resolved"


class RevisitIn(Schema):
    resolved: bool
    satisfaction: int = Field(..., description="5 非常满意 … 1 非常不满意")
    comment: str = Field("", max_length=NOTE_MAX)
    within_power: bool = False


class MergeIn(Schema):
    into: str
    note: str = Field("", max_length=NOTE_MAX)


class DeclineIn(Schema):
    reason: str = Field(..., max_length=NOTE_MAX)
    note: str = Field("", max_length=NOTE_MAX)


class AnswerIn(Schema):
    content: str = Field("", max_length=REPLY_MAX)
    knowledge_entry_id: int | None = Field(None, ge=1, le=MAX_ID)


class UnresolvedIn(Schema):
    channel: str
    summary: str = Field(..., max_length=120)
    description: str = Field(..., max_length=NOTE_MAX)
    tier: str
    department: str | None = None
    category_code: str | None = None
    town_code: str | None = None
    reporter_name: str = ""
    reporter_phone: str = ""
    resolution: str = ""
    resolution_note: str = Field("", max_length=NOTE_MAX)


class UnresolvedOut(Schema):
    code: str
    state: str
    tier: str
    due_on: dt.date | None
    resolution: str


class SummaryOut(Schema):
    month: dt.date
    total: int
    resolved: int
    on_time_rate: float | None
    by_tier: dict[str, int]
    by_channel: dict[str, int]
    by_resolution: dict[str, int]
    top_categories: list[tuple[str, int]]


class KpiQuery(Schema):
    start: dt.date | None = None
    end: dt.date | None = None


class KpiOut(Schema):
    department: str
    department_name: str
    dispatched: int
    response_rate: float | None
    revisited: int
    resolution_rate: float | None
    satisfaction_rate: float | None
    replies: int
    on_time_rate: float | None
    returns: int
    extensions: int
    reopened: int


# --- helpers -------------------------------------------------------------------------------------


def _department(code: str | None) -> Department | None:
    if not code:
        return None
    department = Department.objects.filter(code=code, is_active=True).first()
    if department is None:
        raise ApplicationError("appeal.unknown_department", f"未知的部门编码：{code}", details={"field": "department"})
    return department


def _category(code: str | None) -> Category | None:
    if not code:
        return None
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        raise ApplicationError("appeal.unknown_category", f"未知的类别编码：{code}", details={"field": "category_code"})
    return category


def _region(code: str | None, field: str) -> Region | None:
    if not code:
        return None
    # With its parent: the county of a town (appeal_submit needs it) comes in the same read.
    region = Region.objects.select_related("parent").filter(code=code).first()
    if region is None:
        raise ApplicationError("appeal.unknown_region", f"未知的区划代码：{code}", details={"field": field})
    return region


def _get(request, code: str) -> Appeal:
    return selectors.appeal_get_for_user(user=request.user, code=code)


def _get_for(request, code: str, action: str) -> Appeal:
    """The appeal, if the caller may do ``action`` on it: 403 for a role without the action, 404 for
    an appeal out of their reading scope, 403 for one they read but may not act on (a co-department
    signing off, an inspector replying)."""
    require_action(request, action)
    appeal = _get(request, code)
    if not selectors.appeal_can(request.user, action, appeal):
        raise forbidden_error(action)
    return appeal


def _out(request, appeal: Appeal) -> AppealOut:
    appeal = Appeal.objects.select_related(
        "region",
        "category",
        "town",
        "village",
        "lead_department",
        "handling_clock",
        "merged_into",
        "suggested_department",
    ).get(pk=appeal.pk)
    return AppealOut.build(appeal, full_contact=selectors.user_sees_contact(user=request.user, appeal=appeal))


# --- appeals -------------------------------------------------------------------------------------


@router.get("/categories", response=list[CategoryOut], auth=None)
def list_categories(request):
    return list(selectors.categories())


@router.post("/appeals", response={201: AppealOut})
@idempotent(deduplicate=True)
def create_appeal(request: HttpRequest, payload: AppealIn):
    """Submit an appeal (mini-program, partner systems; operators may use staff channels)."""
    if payload.channel in STAFF_CHANNELS:
        require_action(request, "appeal.intake")
    appeal = services.appeal_submit(
        channel=payload.channel,
        kind=payload.kind,
        title=payload.title,
        content=payload.content,
        actor=request.user,
        town=_region(payload.town_code, "town_code"),
        village=_region(payload.village_code, "village_code"),
        address=payload.address,
        latitude=payload.latitude,
        longitude=payload.longitude,
        anonymous=payload.anonymous,
        contact_name=payload.contact_name,
        contact_phone=payload.contact_phone,
        public_consent=payload.public_consent,
        category=_category(payload.category_code),
        tier=payload.tier,
        confirm_not_emergency=payload.confirm_not_emergency,
    )
    # The appeal just registered carries its related rows already: no second read with eight joins.
    full_contact = selectors.user_sees_contact(user=request.user, appeal=appeal)
    return Status(201, AppealOut.build(appeal, full_contact=full_contact))


@router.post("/appeals/batch", response=BatchOut)
@idempotent
def create_appeals_batch(request: HttpRequest, payload: BatchIn):
    """Register a batch of appeals pushed by a partner system (a call centre's work-order system, the
    city's or province's 12345 platform), for callers with the intake action.

    Each appeal carries its own ``key``: an appeal whose key was registered before (a retried push)
    is answered with that appeal (``existing``) and registered no second time. An appeal that breaks a
    rule is answered with its error (``error``, the same codes as ``POST /appeals``) and the others
    are registered. A body that does not fit the schema, an empty batch or one over the limit is
    refused whole (4xx) and registers nothing."""
    require_action(request, "appeal.intake")
    outcomes = services.appeal_submit_many(
        items=[item.dict() for item in payload.appeals],
        actor=request.user,
    )
    items = [
        BatchItemOut(
            index=o.index,
            key=o.key,
            status=o.status,
            code=o.appeal.code if o.appeal is not None else None,
            error=o.error.as_dict() if o.error is not None else None,
        )
        for o in outcomes
    ]
    return {
        "created": sum(1 for o in outcomes if o.status == "created"),
        "existing": sum(1 for o in outcomes if o.status == "existing"),
        "failed": sum(1 for o in outcomes if o.status == "error"),
        "items": items,
    }


@router.get("/appeals", response=AppealPage)
@api_action_required("appeal.read")
def list_appeals(request, query: Query[AppealListQuery]):
    """Appeals the caller may see (department scoping), newest first."""
    qs = selectors.scope_appeals(Appeal.objects.all(), request.user)
    if query.state:
        qs = qs.filter(state=query.state)
    qs = qs.select_related(
        "region",
        "category",
        "town",
        "village",
        "lead_department",
        "handling_clock",
        "merged_into",
        "suggested_department",
    )
    page = list(qs.order_by("-received_at", "-pk")[query.offset : query.offset + query.limit])
    return {
        "count": qs.count(),
        "items": [
            AppealOut.build(a, full_contact=selectors.user_sees_contact(user=request.user, appeal=a)) for a in page
        ],
    }


@router.get("/appeals/{code}", response=AppealOut)
@api_action_required("appeal.read")
def get_appeal(request, code: str):
    return _out(request, _get(request, code))


@router.get("/appeals/{code}/similar", response=list[SimilarOut])
def similar_appeals(request, code: str):
    """Merge candidates are the dispatcher's tool; they span departments, so a handler would see
    other departments' appeals through them."""
    appeal = _get_for(request, code, "appeal.dispatch")
    return [
        SimilarOut(code=s.appeal.code, title=s.appeal.title, state=s.appeal.state, score=s.score)
        for s in selectors.similar_open_appeals(appeal)
    ]


def _suggestion_out(suggestion, elapsed_ms: float) -> SuggestionOut:
    return SuggestionOut(
        department=suggestion.department.code if suggestion.department else None,
        department_name=str(suggestion.department) if suggestion.department else None,
        category=suggestion.category.code if suggestion.category else None,
        confidence=suggestion.confidence,
        low_confidence=suggestion.low_confidence,
        source=suggestion.source,
        alternatives=[AlternativeOut(department=d.code, name=str(d), confidence=p) for d, p in suggestion.alternatives],
        elapsed_ms=round(elapsed_ms, 2),
    )


@router.post("/routing/suggest", response=SuggestionOut)
@api_action_required("appeal.intake", "appeal.dispatch")
def suggest(request, payload: SuggestIn):
    """The router's suggestion for a text (the dispatcher decides; low confidence is flagged)."""
    started = time.perf_counter()
    suggestion = selectors.routing_suggest(
        title=payload.title, content=payload.content, town=_region(payload.town_code, "town_code")
    )
    return _suggestion_out(suggestion, (time.perf_counter() - started) * 1000)


@router.post("/appeals/{code}/dispatch", response=AppealOut)
def dispatch_appeal(request, code: str, payload: DispatchIn):
    appeal = services.appeal_dispatch(
        appeal=_get_for(request, code, "appeal.dispatch"),
        department=_department(payload.department),
        co_departments=[_department(c) for c in payload.co_departments],
        tier=payload.tier,
        category=_category(payload.category_code),
        note=payload.note,
        actor=request.user,
    )
    return _out(request, appeal)


@router.post("/appeals/{code}/sign-off", response=AppealOut)
def sign_off_appeal(request, code: str):
    return _out(
        request, services.appeal_sign_off(appeal=_get_for(request, code, "appeal.sign_off"), actor=request.user)
    )


@router.post("/appeals/{code}/return", response={201: ReturnOut})
@idempotent
def return_appeal(request, code: str, payload: ReasonIn):
    appeal = _get_for(request, code, "appeal.return")
    request_row = services.appeal_return(appeal=appeal, reason=payload.reason, actor=request.user)
    return Status(201, ReturnOut(id=request_row.pk, state=request_row.state, reason=request_row.reason))


@router.post("/returns/{return_id}/decision", response=AppealOut)
def decide_return(request, payload: DecisionIn, return_id: int = Path(..., ge=1, le=MAX_ID)):  # noqa: B008
    return_request = get_object_or_404(ReturnRequest, pk=return_id)
    _get_for(request, return_request.appeal.code, "appeal.approve_return")
    appeal = services.appeal_return_decide(
        return_request=return_request,
        approve=payload.approve,
        department=_department(payload.department),
        co_departments=[_department(c) for c in payload.co_departments],
        note=payload.note,
        actor=request.user,
    )
    return _out(request, appeal)


def _extension_out(row: ExtensionRequest) -> ExtensionOut:
    return ExtensionOut(
        id=row.pk, state=row.state, days=row.days, previous_due_on=row.previous_due_on, new_due_on=row.new_due_on
    )


@router.post("/appeals/{code}/extensions", response={201: ExtensionOut})
@idempotent
def request_extension(request, code: str, payload: ExtensionIn):
    row = services.appeal_extension_request(
        appeal=_get_for(request, code, "appeal.request_extension"),
        days=payload.days,
        reason=payload.reason,
        actor=request.user,
    )
    return Status(201, _extension_out(row))


@router.post("/extensions/{extension_id}/decision", response=ExtensionOut)
def decide_extension(request, payload: DecisionIn, extension_id: int = Path(..., ge=1, le=MAX_ID)):  # noqa: B008
    extension = get_object_or_404(ExtensionRequest, pk=extension_id)
    _get_for(request, extension.appeal.code, "appeal.approve_extension")
    row = services.appeal_extension_decide(
        extension=extension, approve=payload.approve, days=payload.days, note=payload.note, actor=request.user
    )
    return _extension_out(row)


@router.post("/extensions/{extension_id}/withdrawal", response=ExtensionOut)
def withdraw_extension(request, payload: ReasonIn, extension_id: int = Path(..., ge=1, le=MAX_ID)):  # noqa: B008
    extension = get_object_or_404(ExtensionRequest, pk=extension_id)
    _get_for(request, extension.appeal.code, "appeal.request_extension")
    row = services.appeal_extension_withdraw(extension=extension, reason=payload.reason, actor=request.user)
    return _extension_out(row)


@router.post("/appeals/{code}/reply", response=AppealOut)
@idempotent
def reply_appeal(request, code: str, payload: ReplyIn):
    appeal = _get_for(request, code, "appeal.reply")
    services.appeal_reply(appeal=appeal, content=payload.content, result=payload.result, actor=request.user)
    return _out(request, appeal)


@router.post("/appeals/{code}/revisit", response=AppealOut)
@idempotent
def revisit_appeal(request, code: str, payload: RevisitIn):
    appeal = _get_for(request, code, "appeal.revisit")
    services.appeal_revisit(
        appeal=appeal,
        resolved=payload.resolved,
        satisfaction=payload.satisfaction,
        comment=payload.comment,
        within_power=payload.within_power,
        actor=request.user,
    )
    return _out(request, appeal)


@router.post("/appeals/{code}/merge", response=AppealOut)
def merge_appeal(request, code: str, payload: MergeIn):
    appeal = services.appeal_merge(
        appeal=_get_for(request, code, "appeal.dispatch"),
        into=_get(request, payload.into),
        note=payload.note,
        actor=request.user,
    )
    return _out(request, appeal)


@router.post("/appeals/{code}/decline", response=AppealOut)
def decline_appeal(request, code: str, payload: DeclineIn):
    appeal = services.appeal_decline(
        appeal=_get_for(request, code, "appeal.intake"), reason=payload.reason, note=payload.note, actor=request.user
    )
    return _out(request, appeal)


@router.post("/appeals/{code}/answer", response=AppealOut)
def answer_appeal(request, code: str, payload: AnswerIn):
    appeal = _get_for(request, code, "appeal.intake")
    entry = get_object_or_404(KnowledgeEntry, pk=payload.knowledge_entry_id) if payload.knowledge_entry_id else None
    appeal = services.appeal_answer(appeal=appeal, content=payload.content, knowledge_entry=entry, actor=request.user)
    return _out(request, appeal)


# --- 办不成事 and the rates ------------------------------------------------------------------------


@router.post("/unresolved", response={201: UnresolvedOut})
@api_action_required("unresolved.register")
@idempotent
def register_unresolved(request, payload: UnresolvedIn):
    matter = services.unresolved_register(
        channel=payload.channel,
        summary=payload.summary,
        description=payload.description,
        tier=payload.tier,
        department=_department(payload.department),
        category=_category(payload.category_code),
        town=_region(payload.town_code, "town_code"),
        reporter_name=payload.reporter_name,
        reporter_phone=payload.reporter_phone,
        resolution=payload.resolution,
        resolution_note=payload.resolution_note,
        actor=request.user,
    )
    matter = UnresolvedMatter.objects.select_related("clock").get(pk=matter.pk)
    out = UnresolvedOut(
        code=matter.code,
        state=matter.state,
        tier=matter.tier,
        due_on=matter.clock.due_on if matter.clock else None,
        resolution=matter.resolution,
    )
    return Status(201, out)


@router.get("/unresolved/summary", response=list[SummaryOut], auth=None)
def unresolved_summary(request):
    """The public monthly summary of the 办不成事 register (no personal data)."""
    return [
        SummaryOut(
            month=s.month,
            total=s.total,
            resolved=s.resolved,
            on_time_rate=s.on_time_rate,
            by_tier=s.by_tier,
            by_channel=s.by_channel,
            by_resolution=s.by_resolution,
            top_categories=s.top_categories,
        )
        for s in selectors.unresolved_monthly_summary()
    ]


@router.get("/kpis", response=list[KpiOut])
@api_action_required("appeal.dashboard")
def kpis(request, query: Query[KpiQuery]):
    """三率, on-time replies, returns, extensions and reopenings by department for a period
    (default: the last six months)."""
    period_check(query.start, query.end)
    end = query.end or timezone.localdate()
    start = query.start or (end.replace(day=1) - dt.timedelta(days=150)).replace(day=1)
    period_check(start, end)
    report = selectors.appeal_kpis(user=request.user, start=start, end=end)
    return [
        KpiOut(
            department=d.code,
            department_name=str(d),
            dispatched=k.dispatched,
            response_rate=k.response_rate,
            revisited=k.revisited,
            resolution_rate=k.resolution_rate,
            satisfaction_rate=k.satisfaction_rate,
            replies=k.replies,
            on_time_rate=k.on_time_rate,
            returns=k.returns,
            extensions=k.extensions,
            reopened=k.reopened,
        )
        for d, k in report.by_department()
    ]
