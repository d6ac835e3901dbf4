"""Every read of 好差评: queues, pages and figures. Figures come from the roll-ups (``yiwang.measures``)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone

from yiwang.core.audit import audit_history
from yiwang.core.pii import mask_name, mask_text
from yiwang.measures.registry import month_of
from yiwang.measures.selectors import fact_total, facts, rate
from yiwang.org.models import Department, Region, ServiceHall, Window
from yiwang.org.scoping import scope_for
from yiwang.workdays.deadlines import deadline_of_clock

from . import measures as m
from .conf import is_county_default, setting
from .models import Finding, Rating, Rectification, ServiceCheck
from .workflow import SUPERVISOR_STATES

S = Rectification.State


# --- ratings ------------------------------------------------------------------------------------


def rating_for_case(case) -> Rating | None:
    return Rating.objects.filter(case=case).first()


def rating_for_appeal(appeal) -> Rating | None:
    return Rating.objects.filter(appeal=appeal).first()


def ratings_of_user(user) -> QuerySet[Rating]:
    """A citizen's own ratings, with their rectification."""
    return Rating.objects.filter(rater=user).select_related("department").order_by("-rated_at")


def ratings_visible(user) -> QuerySet[Rating]:
    return scope_for(user).filter(Rating.objects.select_related("department", "hall"), "rating.read")


# --- rectifications -----------------------------------------------------------------------------


def rectifications_visible(user) -> QuerySet[Rectification]:
    """The rectifications the user may read: a handler their department's, supervisors their region's."""
    return scope_for(user).filter(
        Rectification.objects.select_related("department", "hall", "clock", "rating", "finding"),
        "rectification.read",
    )


def rectification_get(user, pk: int) -> Rectification:
    """One rectification the user may read, or 404 (never a hint that another department's exists)."""
    r = rectifications_visible(user).filter(pk=pk).first()
    if r is None:
        raise Http404("没有找到该整改")
    return r


def rectification_deadline(r: Rectification, today: dt.date | None = None):
    return deadline_of_clock(r.clock, label="整改期限", today=today) if r.clock_id else None


@dataclass
class QueueRow:
    rectification: Rectification
    deadline: object


def queue_rows(rectifications) -> list[QueueRow]:
    """Each rectification with its deadline: a page's rows, so the deadlines are worked out for those only."""
    return [QueueRow(r, rectification_deadline(r)) for r in rectifications]


def department_queue_rectifications(
    user, *, state: str | None = None, open_only: bool = True
) -> QuerySet[Rectification]:
    """The handler's queue: their department's open rectifications, earliest due first."""
    qs = scope_for(user).filter(
        Rectification.objects.select_related("department", "hall", "clock"), "rectification.handle"
    )
    if open_only:
        qs = qs.exclude(state__in=[S.CLOSED, S.ANNULLED])
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("due_on", "id")


def department_queue(user, *, state: str | None = None, open_only: bool = True) -> list[QueueRow]:
    """``department_queue_rectifications`` as rows, every one of them (the queue page reads a page)."""
    return queue_rows(department_queue_rectifications(user, state=state, open_only=open_only))


def review_queue_rectifications(user) -> QuerySet[Rectification]:
    """The supervisor's queue: appeals and finished rectifications awaiting review in their region,
    longest waiting first."""
    qs = (
        scope_for(user)
        .filter(Rectification.objects.select_related("department", "hall", "clock"), "rectification.review")
        .filter(state__in=SUPERVISOR_STATES)
    )
    return qs.order_by("updated_at", "id")


def overdue_rectifications(user) -> QuerySet[Rectification]:
    """Open rectifications past their due day in the user's reach (the supervisor's overdue list)."""
    today = timezone.localdate()
    qs = (
        rectifications_visible(user)
        .filter(due_on__lt=today)
        .exclude(state__in=[S.CLOSED, S.ANNULLED, *SUPERVISOR_STATES])
    )
    return qs.order_by("due_on", "id")


HISTORY_LABELS = {
    "ratings.rectification_opened": "启动整改",
    "ratings.rectification_verified": "回访核实",
    "ratings.rectification_classified": "定性",
    "ratings.rectification_appeal_decided": "申诉审核",
    "ratings.rectification_rectified": "整改",
    "ratings.rectification_replied": "答复评价人",
    "ratings.rectification_revisited": "回访",
    "ratings.rectification_accepted": "督查审核通过",
    "ratings.rectification_sent_back": "督查退回",
}


def rectification_history(r: Rectification) -> list[dict]:
    """The rectification's audited steps, oldest first, with their Chinese names."""
    return [
        {"at": e.occurred_at, "actor": e.actor_label, "label": HISTORY_LABELS.get(e.action, e.action)}
        for e in audit_history(object_type="ratings.rectification", object_id=str(r.pk))
    ]


# --- public -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicCase:
    number: str
    department: str
    subject: str
    level: str
    complaint: str
    measures_taken: str
    reply: str
    closed_on: dt.date


def public_rectifications(limit: int = 50) -> list[PublicCase]:
    """Accepted rectifications of bad ratings, masked for the public page (plan 四(十五)6: 公开)."""
    rows = (
        Rectification.objects.filter(state=S.CLOSED, source=Rectification.Source.RATING)
        .select_related("department", "rating")
        .order_by("-closed_at", "-id")[:limit]
    )
    out = []
    for r in rows:
        rating = r.rating
        out.append(
            PublicCase(
                number=r.number,
                department=r.department.short_name,
                subject=mask_text(rating.subject_title),
                level=rating.get_level_display(),
                complaint=_mask_names(mask_text(str(rating.comment or "")), rating.rater_name),
                measures_taken=_mask_names(mask_text(str(r.measures_taken)), rating.rater_name),
                reply=_mask_names(mask_text(str(r.reply)), rating.rater_name),
                closed_on=timezone.localdate(r.closed_at),
            )
        )
    return out


def _mask_names(text: str, name: str) -> str:
    """The rater's name never appears on a public page, masked where a department quoted it."""
    if name and name in text:
        text = text.replace(name, mask_name(name))
    return text


# --- figures (from the roll-ups) ----------------------------------------------------------------


def satisfaction(row: dict) -> float | None:
    """Satisfaction = sum of levels ÷ (5 × ratings), 0–1."""
    return rate(row.get("level_sum", 0), 5 * row.get("count", 0))


def _with_rates(row: dict) -> dict:
    return {
        **row,
        "satisfaction": satisfaction(row),
        "bad_rate": rate(row.get("bad", 0), row.get("count", 0)),
        "good_rate": rate(row.get("good", 0), row.get("count", 0)),
    }


def default_months(today: dt.date | None = None, span: int = 12) -> tuple[dt.date, dt.date]:
    today = today or timezone.localdate()
    last = month_of(today)
    first = last
    for _ in range(span - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return first, last


def _reach(scope) -> dict:
    """With a reader's scope, the facts of the rows their figure lists hold (``figure_rows``:
    ``ratings.measures`` on the rating's department and region); without one, all (public pages)."""
    return {} if scope is None else {"scope": scope, "action": "ratings.measures"}


def satisfaction_by(dimension: str, *, months=None, region: Region | None = None, scope=None) -> list[dict]:
    """Satisfaction grouped by ``month``, ``department``, ``hall``, ``window``, ``staff``, ``item`` or
    ``channel``, read from the roll-ups; each row has count, level_sum, good, bad and the rates, and a
    ``label``. With ``scope``, within the reader's area (``_reach``)."""
    metric, group = {
        "month": (m.RATED, ("month",)),
        "channel": (m.RATED, ("key",)),
        "department": (m.RATED, ("department",)),
        "hall": (m.BY_HALL, ("key",)),
        "window": (m.BY_WINDOW, ("key",)),
        "staff": (m.BY_STAFF, ("key",)),
        "item": (m.BY_ITEM, ("key",)),
    }[dimension]
    rows = [_with_rates(r) for r in facts(metric, months=months, region=region, group_by=group, **_reach(scope))]
    _label(rows, dimension)
    return rows


def _label(rows: list[dict], dimension: str) -> None:
    from yiwang.catalog.models import ServiceItem
    from yiwang.org.models import User

    from .models import RatingChannel

    if dimension == "month":
        for r in rows:
            r["label"] = r["month"].strftime("%Y-%m")
        return
    if dimension == "department":
        names = dict(Department.objects.filter(pk__in=[r["department"] for r in rows]).values_list("pk", "short_name"))
        for r in rows:
            r["label"] = names.get(r["department"], "（未指定）")
        return
    keys = [r["key"] for r in rows]
    if dimension == "channel":
        names = dict(RatingChannel.choices)
    elif dimension == "hall":
        names = {str(k): v for k, v in ServiceHall.objects.filter(pk__in=_ints(keys)).values_list("pk", "name")}
    elif dimension == "window":
        names = {
            str(w.pk): f"{w.hall.name} {w.label}"
            for w in Window.objects.filter(pk__in=_ints(keys)).select_related("hall")
        }
    elif dimension == "staff":
        names = {str(u.pk): u.display_name or u.username for u in User.objects.filter(pk__in=_ints(keys))}
    else:
        names = dict(ServiceItem.objects.filter(code__in=keys).values_list("code", "name"))
    for r in rows:
        r["label"] = str(names.get(r["key"], r["key"]))


def _ints(keys) -> list[int]:
    return [int(k) for k in keys if str(k).isdigit()]


def rating_totals(*, months=None, region: Region | None = None, scope=None) -> dict:
    return _with_rates(fact_total(m.RATED, months=months, region=region, **_reach(scope)))


@dataclass(frozen=True)
class Target:
    label: str
    measured: float | None
    target: float
    numerator: int
    denominator: int
    basis: str
    county_default: bool

    @property
    def met(self) -> bool | None:
        return None if self.measured is None else self.measured >= self.target


def targets(*, months=None, region: Region | None = None, scope=None) -> list[Target]:
    """实名差评回访率, 整改率 and the on-time rectification rate against their targets (plan 四(十五)6;
    the on-time target is a county default), read from the roll-ups; with ``scope``, in the reader's area."""
    row = fact_total(m.RECTIFICATIONS, months=months, region=region, key="rating", **_reach(scope))
    base = row["count"] - row["annulled"]
    return [
        Target(
            "实名差评回访率",
            rate(row["called_back"], row["real_name"]),
            float(setting("TARGET_CALLBACK_RATE")),
            row["called_back"],
            row["real_name"],
            "规划四(十五)6：差评回访整改全覆盖",
            is_county_default("TARGET_CALLBACK_RATE"),
        ),
        Target(
            "差评整改率",
            rate(row["closed"], base),
            float(setting("TARGET_RECTIFICATION_RATE")),
            row["closed"],
            base,
            "规划四(十五)6：差评整改全覆盖（申诉成立的不计）",
            is_county_default("TARGET_RECTIFICATION_RATE"),
        ),
        Target(
            "按期整改率",
            rate(row["closed_on_time"], row["closed"]),
            float(setting("TARGET_ON_TIME_RATE")),
            row["closed_on_time"],
            row["closed"],
            f"整改期限 {setting('RECTIFICATION_WORKDAYS')} 个工作日",
            is_county_default("TARGET_ON_TIME_RATE"),
        ),
    ]


def county_defaults() -> list[dict]:
    """The numbers the plan does not give, with whether each keeps its county default."""
    return [
        {
            "label": "差评整改期限",
            "value": f"{setting('RECTIFICATION_WORKDAYS')} 个工作日",
            "default": is_county_default("RECTIFICATION_WORKDAYS"),
        },
        {
            "label": "体检问题整改期限",
            "value": f"{setting('FINDING_WORKDAYS')} 个工作日",
            "default": is_county_default("FINDING_WORKDAYS"),
        },
        {
            "label": "未评价处理",
            "value": (
                f"{setting('UNRATED_WORKDAYS')} 个工作日未评价视为基本满意"
                if setting("UNRATED_POLICY") == "basic"
                else "不计入"
            ),
            "default": is_county_default("UNRATED_POLICY") and is_county_default("UNRATED_WORKDAYS"),
        },
        {
            "label": "分项评价指标",
            "value": "网办：总体、效率、指南准确性、便捷程度、平台易用性；现场：总体、效率、服务水平、服务态度",
            "default": is_county_default("INDICATORS"),
        },
    ]


# --- service checks -----------------------------------------------------------------------------


def checks_visible(user) -> QuerySet[ServiceCheck]:
    return scope_for(user).filter(ServiceCheck.objects.all(), "servicecheck.manage", department=None)


def check_get(user, pk: int) -> ServiceCheck:
    check = checks_visible(user).filter(pk=pk).first()
    if check is None:
        raise Http404("没有找到该体检")
    return check


@dataclass
class CheckReport:
    check: ServiceCheck
    findings: list[Finding]
    total: int
    fixed: int
    open: int
    annulled: int
    repeated: int
    by_category: list[tuple[str, int]]
    by_hall: list[tuple[str, int, int]]


def check_report(check: ServiceCheck) -> CheckReport:
    """The quarter's report: findings, what was fixed, what is still open; repeats highlighted."""
    findings = list(
        Finding.objects.filter(service_check=check)
        .select_related("hall", "window", "item", "department", "rectification", "monitor")
        .order_by("hall__name", "id")
    )
    fixed = sum(1 for f in findings if f.rectification.state == S.CLOSED)
    annulled = sum(1 for f in findings if f.rectification.state == S.ANNULLED)
    categories: dict[str, int] = {}
    halls: dict[str, list[int]] = {}
    for f in findings:
        categories[f.get_category_display()] = categories.get(f.get_category_display(), 0) + 1
        counts = halls.setdefault(f.hall.name, [0, 0])
        counts[0] += 1
        counts[1] += int(f.rectification.state == S.CLOSED)
    return CheckReport(
        check=check,
        findings=findings,
        total=len(findings),
        fixed=fixed,
        open=len(findings) - fixed - annulled,
        annulled=annulled,
        repeated=sum(1 for f in findings if f.repeated),
        by_category=sorted(categories.items(), key=lambda kv: -kv[1]),
        by_hall=[(name, c[0], c[1]) for name, c in sorted(halls.items())],
    )


# --- what a person may still rate ---------------------------------------------------------------


def rateable_cases(user, limit: int | None = 50):
    """The user's finished cases (bundle parents and single cases) with no rating yet, newest decided
    first (``limit`` of them; None: all, as a query a page slices)."""
    from yiwang.cases.models import Case

    from .services.ratings import FINISHED_CASE_STATES

    return (
        Case.objects.filter(applicant_user=user, state__in=FINISHED_CASE_STATES, parent__isnull=True)
        .exclude(pk__in=Rating.objects.filter(case__isnull=False, case__applicant_user=user).values("case_id"))
        .order_by("-decided_at", "-pk")[:limit]
    )


def rateable_appeals(user, limit: int | None = 50):
    """The user's answered appeals with no rating yet, newest reply first (``limit`` of them; None: all)."""
    from yiwang.hotline.models import Appeal
    from yiwang.hotline.services import STAFF_CHANNELS

    from .services.ratings import RATEABLE_APPEAL_STATES

    return (
        Appeal.objects.filter(submitted_by=user, state__in=RATEABLE_APPEAL_STATES, lead_department__isnull=False)
        .exclude(channel__in=STAFF_CHANNELS)
        .exclude(pk__in=Rating.objects.filter(appeal__isnull=False, appeal__submitted_by=user).values("appeal_id"))
        .order_by("-replied_at", "-pk")[:limit]
    )


def pad_cases(user, limit: int = 30):
    """The clerk's hall's finished counter cases still unrated, most recent first (the pad's list)."""
    from yiwang.cases.models import Case

    from .services.ratings import FINISHED_CASE_STATES

    qs = scope_for(user).filter(
        Case.objects.filter(state__in=FINISHED_CASE_STATES, parent__isnull=True, hall__isnull=False).exclude(
            channel="online"
        ),
        "rating.pad",
        department=None,
        hall="hall",
    )
    return qs.exclude(pk__in=Rating.objects.filter(case__isnull=False).values("case_id")).order_by("-decided_at")[
        :limit
    ]


def pad_case(user, number: str):
    """One finished case of the clerk's hall, or 404."""
    from yiwang.cases.models import Case

    case = (
        scope_for(user)
        .filter(Case.objects.select_related("hall", "item"), "rating.pad", department=None, hall="hall")
        .filter(number=number, hall__isnull=False)
        .exclude(channel="online")
        .first()
    )
    if case is None:
        raise Http404("没有找到该办件")
    return case
