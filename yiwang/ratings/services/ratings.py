"""Recording ratings (一次一评 at the counter, 一事一评 online) and the unrated policy.

How a rating relates to the hotline's revisit: the 12345 centre's revisit (回访) asks the citizen
"satisfied?" to assess the department's handling (三率, hotline measures) and may reopen the appeal;
it stays the hotline's own record. The 好差评 rating is the citizen's one rating of the service,
recorded once per appeal. The citizen may rate a replied appeal online; if they do not within the
unrated period, the satisfaction they gave on the revisit call is recorded as the appeal's rating
(channel 12345回访, real-name unless the appeal was anonymous) instead of the default 基本满意 — it is
what the person said, so it beats a presumption — and a bad one opens a rectification like any
other. One rating per appeal either way, so no satisfaction is counted twice in 好差评.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ImproperlyConfigured
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone

from yiwang.cases.models import Case, CaseState, Channel
from yiwang.core.audit import AuditEntry, audit_record, audit_record_many
from yiwang.core.errors import ApplicationError
from yiwang.hotline.models import Appeal, Reply, Revisit
from yiwang.hotline.services import STAFF_CHANNELS
from yiwang.org.scoping import scope_for
from yiwang.workdays.selectors import is_workday

from ..conf import UNRATED_BASIC, UNRATED_NOT_COUNTED, setting
from ..measures import on_ratings_recorded
from ..models import BAD_LEVELS, Level, Rating, RatingChannel
from .rectifications import rectification_open_for_rating

FINISHED_CASE_STATES = (CaseState.DECIDED_APPROVED, CaseState.DECIDED_DENIED, CaseState.DELIVERED)
RATEABLE_APPEAL_STATES = (Appeal.State.REPLIED, Appeal.State.REVISITED, Appeal.State.CLOSED)
CITIZEN_CHANNELS = (RatingChannel.ONLINE, RatingChannel.APP, RatingChannel.SMS)


def indicators_for(channel: str) -> dict[str, str]:
    """The sub-indicators of ``channel`` (county defaults: online vs on-site standard sets)."""
    return dict(setting("INDICATORS").get(channel, {}))


def _clean_level(level) -> int:
    try:
        value = int(level)
    except (TypeError, ValueError):
        value = 0
    if isinstance(level, bool) or value not in Level.values:
        raise ApplicationError("rating.bad_level", "请选择评价等级（非常满意至非常不满意）", details={"field": "level"})
    return value


def _clean_scores(scores, channel: str, level: int) -> dict[str, int]:
    allowed = indicators_for(channel)
    cleaned = {}
    for key, value in (scores or {}).items():
        if key not in allowed:
            raise ApplicationError(
                "rating.bad_indicator", f"该评价渠道没有分项“{key}”", details={"field": "scores", "indicator": key}
            )
        try:
            number = int(value)
        except (TypeError, ValueError):
            number = 0
        if number not in Level.values:
            raise ApplicationError(
                "rating.bad_score",
                f"分项“{allowed[key]}”的评价应为 1 到 5",
                details={"field": "scores", "indicator": key},
            )
        cleaned[key] = number
    if "overall" in allowed:
        cleaned["overall"] = level  # the overall sub-indicator is the rating's level
    return cleaned


def _locked_case(case: Case) -> Case:
    return (
        Case.objects.select_for_update(of=("self",))
        .select_related("hall", "window", "department", "region", "item")
        .get(pk=case.pk)
    )


def _locked_appeal(appeal: Appeal) -> Appeal:
    return Appeal.objects.select_for_update(of=("self",)).select_related("region", "lead_department").get(pk=appeal.pk)


def case_is_rateable(case: Case) -> bool:
    return case.state in FINISHED_CASE_STATES and case.parent_id is None


def appeal_is_rateable(appeal: Appeal) -> bool:
    return appeal.state in RATEABLE_APPEAL_STATES and appeal.lead_department_id is not None


def _duplicate() -> ApplicationError:
    return ApplicationError("rating.duplicate", "该办件（诉求）已评价，一次办事只能评价一次", status=409)


def _stranger() -> ApplicationError:
    return ApplicationError("rating.stranger", "只有申请人本人可以评价此办件（诉求）", status=403)


def _case_fields(case: Case, *, channel: str, actor) -> dict:
    if case.state not in FINISHED_CASE_STATES:
        raise ApplicationError("rating.not_finished", "办件尚未办结，办结后才能评价", status=409)
    if case.parent_id is not None:
        raise ApplicationError("rating.sub_case", "一件事请对主件评价", status=409)
    staff = case.assigned_to_id
    window_id = case.window_id
    if channel == RatingChannel.PAD:
        # 一次一评: the clerk's window pad; the applicant taps, the clerk's session records it.
        if (
            case.hall_id is None
            or case.channel == Channel.ONLINE
            or not scope_for(actor).can("rating.pad", hall=case.hall, region=case.region)
        ):
            raise ApplicationError("rating.not_at_window", "只能在受理该办件的大厅窗口评价器上评价", status=403)
        staff = actor.pk
        memberships = actor.memberships.filter(role="clerk", hall_id=case.hall_id).exclude(window__isnull=True)
        window_id = memberships.values_list("window_id", flat=True).first() or window_id
        rater_id = case.applicant_user_id
    elif channel in CITIZEN_CHANNELS:
        if actor is None or case.applicant_user_id is None or case.applicant_user_id != actor.pk:
            raise _stranger()
        rater_id = actor.pk
    else:
        raise ApplicationError("rating.bad_channel", "办件不能通过此渠道评价", details={"field": "channel"})
    return {
        "case": case,
        "subject_number": case.number,
        "subject_title": case.title[:200],
        "region_id": case.region_id,
        "department_id": case.department_id,
        "hall_id": case.hall_id,
        "window_id": window_id,
        "staff_id": staff,
        "item_id": case.item_id,
        "item_code": case.item.code if case.item_id else "",
        "rater_id": rater_id,
        "rater_name": case.applicant_name,
        "finished_at": case.decided_at or case.delivered_at or case.closed_at or timezone.now(),
    }


def _last_reply(appeal: Appeal):
    return appeal.replies.order_by("-replied_at", "-id").first()


def appeal_rater_id(appeal: Appeal) -> int | None:
    """The account of the person who raised the appeal: its submitter when they submitted it themselves
    (portal, mini-program); an appeal an operator registered (phone, counter, letter) has none."""
    return None if appeal.channel in STAFF_CHANNELS else appeal.submitted_by_id


def _appeal_fields(appeal: Appeal, *, channel: str, actor) -> dict:
    if not appeal_is_rateable(appeal):
        raise ApplicationError("rating.not_finished", "诉求尚未答复，答复后才能评价", status=409)
    if channel in CITIZEN_CHANNELS:
        rater_id = appeal_rater_id(appeal)
        if actor is None or rater_id is None or rater_id != actor.pk:
            raise _stranger()
    elif channel == RatingChannel.HOTLINE:
        if actor is None or not scope_for(actor).can("appeal.revisit", region=appeal.region):
            raise ApplicationError("rating.stranger", "只有12345回访人员可以代为记录评价", status=403)
        rater_id = appeal_rater_id(appeal)
    else:
        raise ApplicationError("rating.bad_channel", "诉求不能通过此渠道评价", details={"field": "channel"})
    reply = _last_reply(appeal)
    return {
        "appeal": appeal,
        "subject_number": appeal.code,
        "subject_title": str(appeal.title)[:200],
        "region_id": appeal.region_id,
        "department_id": appeal.lead_department_id,
        "staff_id": reply.replied_by_id if reply else None,
        "rater_id": rater_id,
        "rater_name": "" if appeal.anonymous else (appeal.contact_name or ""),
        "real_name": not appeal.anonymous,
        "finished_at": appeal.replied_at or (reply.replied_at if reply else timezone.now()),
    }


def rating_submit(
    *,
    actor,
    level,
    channel: str,
    case: Case | None = None,
    appeal: Appeal | None = None,
    scores: dict | None = None,
    comment: str = "",
) -> Rating:
    """Record the one rating of a finished case or a replied appeal (plan 四(十五)6: 一次一评, 一事一评).

    Refused: a second rating (409 ``rating.duplicate``), an unfinished case or unreplied appeal
    (409 ``rating.not_finished``), anyone but the applicant online or the clerk at the case's hall on
    the pad (403 ``rating.stranger`` / ``rating.not_at_window``), a bad level, channel or
    sub-indicator (400). A bad rating (不满意 / 非常不满意) opens a rectification in the same
    transaction. Department, hall, window, staff member and item are taken from the case / appeal.
    """
    if (case is None) == (appeal is None):
        raise ApplicationError("rating.subject_required", "请指定要评价的办件或诉求")
    level = _clean_level(level)
    if channel not in RatingChannel.values or channel == RatingChannel.DEFAULT:
        raise ApplicationError("rating.bad_channel", "评价渠道无效", details={"field": "channel"})
    scores = _clean_scores(scores, channel, level)
    comment = (comment or "").strip()
    if len(comment) > 500:
        raise ApplicationError("rating.comment_too_long", "评价内容不能超过500字", details={"field": "comment"})
    if level in BAD_LEVELS and not comment and channel != RatingChannel.HOTLINE:
        raise ApplicationError("rating.reason_required", "差评请简要说明原因，便于整改", details={"field": "comment"})
    with transaction.atomic():
        if case is not None:
            subject = _locked_case(case)
            if Rating.objects.filter(case=subject).exists():
                raise _duplicate()
            fields = _case_fields(subject, channel=channel, actor=actor)
        else:
            subject = _locked_appeal(appeal)
            if Rating.objects.filter(appeal=subject).exists():
                raise _duplicate()
            fields = _appeal_fields(subject, channel=channel, actor=actor)
        rating = Rating(
            level=level,
            scores=scores,
            comment=comment,
            channel=channel,
            recorded_by=actor,
            rated_at=timezone.now(),
            **fields,
        )
        try:
            with transaction.atomic():
                rating.save(force_insert=True)
        except IntegrityError:
            raise _duplicate() from None
        _record_side_effects(rating, actor=actor)
    return rating


def _record_side_effects(rating: Rating, *, actor) -> None:
    audit_record(
        actor=actor,
        action="ratings.rating_recorded",
        obj=rating,
        after={
            "subject": rating.subject_number,
            "level": rating.level,
            "channel": rating.channel,
            "department": rating.department_id,
            "scores": rating.scores,
        },
    )
    on_ratings_recorded([rating])
    if rating.is_bad:
        rectification_open_for_rating(rating=rating, actor=actor)


# --- the unrated policy -------------------------------------------------------------------------


def unrated_cutoff(today: dt.date) -> dt.date:
    """The last finishing day whose case counts as unrated on ``today``: ``UNRATED_WORKDAYS``
    working days have passed since (county default 7)."""
    days = int(setting("UNRATED_WORKDAYS"))
    day, counted = today, 0
    while counted < days:
        if is_workday(day):
            counted += 1
        day -= dt.timedelta(days=1)
    return day


def _end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def ratings_record_unrated(
    *, today: dt.date | None = None, limit: int | None = None, lookback_days: int | None = None
) -> dict[str, int]:
    """Apply the unrated policy (county default: 基本满意 after 7 working days; or not counted).

    Cases finished and appeals replied on or before the cutoff with no rating get one: an appeal with
    a revisit gets the revisit's satisfaction (channel 12345回访, see the module docstring), every
    other one 基本满意 with channel "default" (not real-name). Idempotent: the subjects are locked and
    the unique constraints hold one rating per case and appeal; a second run records nothing.

    Only subjects finished within ``lookback_days`` (``UNRATED_LOOKBACK_DAYS``, county default) before
    the cutoff are looked at, through the finish-time indexes, so the daily run does not read the
    whole history; ``lookback_days=0`` looks at everything (a catch-up after a long stop).
    """
    policy = setting("UNRATED_POLICY")
    if policy not in (UNRATED_BASIC, UNRATED_NOT_COUNTED):
        raise ImproperlyConfigured(f"YIWANG_RATINGS['UNRATED_POLICY'] must be 'basic' or 'not_counted', not {policy!r}")
    if policy == UNRATED_NOT_COUNTED:
        return {"cases": 0, "appeals": 0, "revisits": 0}
    today = today or timezone.localdate()
    before = _end_of(unrated_cutoff(today))
    lookback = int(setting("UNRATED_LOOKBACK_DAYS") if lookback_days is None else lookback_days)
    since = before - dt.timedelta(days=lookback) if lookback > 0 else None
    batch = int(setting("UNRATED_BATCH"))
    counts = {"cases": 0, "appeals": 0, "revisits": 0}
    while True:
        done = _unrated_cases(before, batch, since)
        counts["cases"] += done
        if done < batch or (limit and counts["cases"] >= limit):
            break
    while True:
        done, revisits = _unrated_appeals(before, batch, since)
        counts["appeals"] += done
        counts["revisits"] += revisits
        if done < batch or (limit and counts["appeals"] >= limit):
            break
    return counts


def _unrated_cases(before: dt.datetime, batch: int, since: dt.datetime | None = None) -> int:
    with transaction.atomic():
        finished = Case.objects.filter(state__in=FINISHED_CASE_STATES, parent__isnull=True, decided_at__lt=before)
        if since is not None:
            finished = finished.filter(decided_at__gte=since)
        ids = list(
            finished.filter(~Exists(Rating.objects.filter(case_id=OuterRef("pk"))))  # an anti-join by the unique index
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return 0
        cases = list(
            Case.objects.select_for_update(of=("self",))
            .select_related("item")
            .filter(pk__in=ids)
            .exclude(pk__in=Rating.objects.filter(case_id__in=ids).values("case_id"))
        )
        now = timezone.now()
        ratings = [
            Rating(
                case=case,
                subject_number=case.number,
                subject_title=case.title[:200],
                region_id=case.region_id,
                department_id=case.department_id,
                hall_id=case.hall_id,
                window_id=case.window_id,
                staff_id=case.assigned_to_id,
                item_id=case.item_id,
                item_code=case.item.code if case.item_id else "",
                level=Level.BASIC,
                scores={},
                channel=RatingChannel.DEFAULT,
                real_name=False,
                rater_id=None,
                finished_at=case.decided_at,
                rated_at=now,
            )
            for case in cases
        ]
        _bulk_record(ratings)
        return len(ids)


def _bulk_record(ratings: list[Rating]) -> None:
    if not ratings:
        return
    Rating.objects.bulk_create(ratings, batch_size=1000)
    audit_record_many(
        actor=None,
        action="ratings.rating_defaulted",
        entries=[
            AuditEntry(obj=r, after={"subject": r.subject_number, "level": r.level, "channel": r.channel})
            for r in ratings
        ],
    )
    on_ratings_recorded(ratings)


def _unrated_appeals(before: dt.datetime, batch: int, since: dt.datetime | None = None) -> tuple[int, int]:
    with transaction.atomic():
        replied = Appeal.objects.filter(
            state__in=RATEABLE_APPEAL_STATES, lead_department__isnull=False, replied_at__lt=before
        )
        if since is not None:
            replied = replied.filter(replied_at__gte=since)
        ids = list(
            replied.filter(~Exists(Rating.objects.filter(appeal_id=OuterRef("pk"))))
            .order_by("pk")
            .values_list("pk", flat=True)[:batch]
        )
        if not ids:
            return 0, 0
        appeals = list(
            Appeal.objects.select_for_update(of=("self",))
            .filter(pk__in=ids)
            .exclude(pk__in=Rating.objects.filter(appeal_id__in=ids).values("appeal_id"))
        )
        revisits: dict[int, Revisit] = {}
        for revisit in Revisit.objects.filter(appeal_id__in=ids).order_by("revisited_at", "id"):
            revisits[revisit.appeal_id] = revisit  # the latest
        replies = {}
        for reply in Reply.objects.filter(appeal_id__in=ids).order_by("replied_at", "id"):
            replies[reply.appeal_id] = reply
        now = timezone.now()
        plain, from_revisit = [], []
        for appeal in appeals:
            revisit = revisits.get(appeal.pk)
            reply = replies.get(appeal.pk)
            rating = Rating(
                appeal=appeal,
                subject_number=appeal.code,
                subject_title=str(appeal.title)[:200],
                region_id=appeal.region_id,
                department_id=appeal.lead_department_id,
                staff_id=reply.replied_by_id if reply else None,
                level=revisit.satisfaction if revisit else Level.BASIC,
                scores={},
                comment=str(revisit.comment or "") if revisit else "",
                channel=RatingChannel.HOTLINE if revisit else RatingChannel.DEFAULT,
                real_name=bool(revisit) and not appeal.anonymous,
                rater_id=appeal_rater_id(appeal) if revisit else None,
                rater_name="" if appeal.anonymous or not revisit else (appeal.contact_name or ""),
                finished_at=appeal.replied_at,
                rated_at=now,
            )
            (from_revisit if revisit else plain).append(rating)
        _bulk_record(plain)
        for rating in from_revisit:
            rating.save(force_insert=True)
            _record_side_effects(rating, actor=None)
        return len(ids), len(from_revisit)
