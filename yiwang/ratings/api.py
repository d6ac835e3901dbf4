"""``/api/ratings/``: submit a rating (``Idempotency-Key``), list and act on rectifications, the figures.

Every operation asks the same action of ``yiwang.org.scoping`` as the pages: a refusal is 403
``auth.forbidden``; a rectification the caller may not read is 404. An appeal against a bad rating
needs an evidence file and is made on the page. Errors are ``{"code", "message", "details"}``.
"""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Query, Router, Schema, Status

from yiwang.cases.models import Case
from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import window
from yiwang.hotline.models import Appeal
from yiwang.org.permissions import api_action_required, require_action

from . import selectors, services
from .models import Rating, Rectification

router = Router(tags=["好差评"])


class RatingIn(Schema):
    case_number: str | None = Field(None, max_length=24)
    appeal_code: str | None = Field(None, max_length=20)
    level: int = Field(..., description="5 非常满意 … 1 非常不满意")
    channel: str = Field("online", description="online / app / sms")
    scores: dict[str, int] = Field(
        default_factory=dict, description="分项评价（各渠道的分项见 YIWANG_RATINGS.INDICATORS）"
    )
    comment: str = Field("", max_length=500)


class RatingOut(Schema):
    id: int
    subject_number: str
    level: int
    level_label: str
    channel: str
    department: str | None
    rated_at: dt.datetime
    rectification: str | None

    @staticmethod
    def build(r: Rating) -> dict:
        rect = Rectification.objects.filter(rating=r).values_list("number", flat=True).first()
        return {
            "id": r.pk,
            "subject_number": r.subject_number,
            "level": r.level,
            "level_label": r.get_level_display(),
            "channel": r.channel,
            "department": r.department.short_name if r.department_id else None,
            "rated_at": r.rated_at,
            "rectification": rect,
        }


class DeadlineOut(Schema):
    status: str
    due_on: dt.date | None
    workdays_left: int | None
    provisional: bool


class RectificationOut(Schema):
    id: int
    number: str
    source: str
    state: str
    state_label: str
    department: str
    summary: str
    classification: str
    due_on: dt.date
    deadline: DeadlineOut | None
    on_time: bool | None

    @staticmethod
    def build(r: Rectification) -> dict:
        d = selectors.rectification_deadline(r)
        return {
            "id": r.pk,
            "number": r.number,
            "source": r.source,
            "state": r.state,
            "state_label": r.get_state_display(),
            "department": r.department.short_name,
            "summary": r.summary,
            "classification": r.classification,
            "due_on": r.due_on,
            "deadline": None
            if d is None
            else {
                "status": d.status,
                "due_on": d.due_on,
                "workdays_left": d.workdays_left,
                "provisional": d.provisional,
            },
            "on_time": r.on_time,
        }


class RectificationQuery(Schema):
    state: str | None = None
    open_only: bool = True
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0)


class StepIn(Schema):
    step: str = Field(..., description="verify / classify / rectify / reply / revisit / review / decide_appeal")
    note: str = Field("", max_length=2000)
    reached: bool = True
    classification: str = Field("", description="fix_now / fix_within / explain（申诉须在页面上传证据）")
    measures_taken: str = Field("", max_length=2000)
    reply: str = Field("", max_length=2000)
    level: int | None = None
    accept: bool | None = None
    upheld: bool | None = None


@router.post("/ratings", response={201: RatingOut})
@idempotent
@api_action_required("rating.submit")
def submit_rating(request, payload: RatingIn):
    """Rate a finished case or a replied appeal of one's own (one rating each)."""
    if bool(payload.case_number) == bool(payload.appeal_code):
        raise ApplicationError("rating.subject_required", "请指定 case_number 或 appeal_code 之一")
    case = appeal = None
    if payload.case_number:
        case = Case.objects.filter(number=payload.case_number, applicant_user=request.user).first()
        if case is None:
            raise ApplicationError("rating.not_found", "没有找到该办件", status=404)
    else:
        appeal = Appeal.objects.filter(code=payload.appeal_code, submitted_by=request.user).first()
        if appeal is None:
            raise ApplicationError("rating.not_found", "没有找到该诉求", status=404)
    rating = services.rating_submit(
        actor=request.user,
        case=case,
        appeal=appeal,
        level=payload.level,
        channel=payload.channel,
        scores=payload.scores,
        comment=payload.comment,
    )
    return Status(201, RatingOut.build(rating))


@router.get("/ratings/mine", response=list[RatingOut])
@api_action_required("rating.submit")
def my_ratings(request, limit: int = 200, offset: int = 0):
    """The caller's ratings, newest first, ``limit`` (at most 200) from ``offset``: page on with ``offset``."""
    rated = selectors.ratings_of_user(request.user).order_by("-rated_at", "-id")
    return [RatingOut.build(r) for r in window(rated, offset=offset, limit=limit, most=200)]


@router.get("/rectifications", response=list[RectificationOut])
@api_action_required("rectification.read")
def list_rectifications(request, query: Query[RectificationQuery]):
    """Rectifications the caller may read (a handler: their department's), earliest due first."""
    qs = selectors.rectifications_visible(request.user)
    if query.open_only:
        qs = qs.exclude(state__in=[Rectification.State.CLOSED, Rectification.State.ANNULLED])
    if query.state:
        qs = qs.filter(state=query.state)
    return [RectificationOut.build(r) for r in qs.order_by("due_on", "id")[query.offset : query.offset + query.limit]]


def _get(request, pk: int) -> Rectification:
    require_action(request, "rectification.read")
    try:
        return selectors.rectification_get(request.user, pk)
    except Http404:
        raise ApplicationError("rectification.not_found", "没有找到该整改", status=404) from None


@router.get("/rectifications/{pk}", response=RectificationOut)
def get_rectification(request, pk: int):
    return RectificationOut.build(_get(request, pk))


@router.post("/rectifications/{pk}/steps", response=RectificationOut)
def act_on_rectification(request, pk: int, payload: StepIn):
    """The next step of a rectification (the department's, or the supervisor's review / appeal decision)."""
    r = _get(request, pk)
    user = request.user
    step = payload.step
    if step == "verify":
        r = services.rectification_verify(rectification=r, reached=payload.reached, note=payload.note, actor=user)
    elif step == "classify":
        r = services.rectification_classify(
            rectification=r, classification=payload.classification, note=payload.note, actor=user
        )
    elif step == "rectify":
        r = services.rectification_rectify(rectification=r, measures_taken=payload.measures_taken, actor=user)
    elif step == "reply":
        r = services.rectification_reply(rectification=r, reply=payload.reply, actor=user)
    elif step == "revisit":
        r = services.rectification_revisit(rectification=r, level=payload.level, note=payload.note, actor=user)
    elif step == "review":
        r = services.rectification_review(rectification=r, accept=bool(payload.accept), note=payload.note, actor=user)
    elif step == "decide_appeal":
        r = services.rectification_decide_appeal(
            rectification=r, upheld=bool(payload.upheld), note=payload.note, actor=user
        )
    else:
        raise ApplicationError("rectification.bad_step", f"未知的办理环节：{step}", details={"field": "step"})
    return RectificationOut.build(r)


class FigureOut(Schema):
    label: str
    count: int
    satisfaction: float | None
    bad: int
    bad_rate: float | None


@router.get("/figures", response=list[FigureOut])
@api_action_required("ratings.measures")
def figures(request, by: str = "department"):
    """Satisfaction by department / hall / window / staff / item / month / channel (from the roll-ups)."""
    if by not in ("department", "hall", "window", "staff", "item", "month", "channel"):
        raise ApplicationError("ratings.bad_dimension", "不支持的统计维度", details={"field": "by"})
    # The caller's area, as on the targets page, never every region's ratings.
    scope = require_action(request, "ratings.measures")
    return selectors.satisfaction_by(by, months=selectors.default_months(), scope=scope)
