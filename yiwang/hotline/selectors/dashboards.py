"""Measured: the three rates (三率) and more by department and month, hotspots and the open work,
read from the monthly facts of ``yiwang.hotline.measures`` within the reader's area."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.hotline.models import Appeal, AppealEvent, Category, Dispatch
from yiwang.hotline.selectors.access import scope_appeals, user_sees_dashboard
from yiwang.hotline.selectors.public import towns
from yiwang.hotline.selectors.queues import HANDLER_STATES
from yiwang.org.models import Department, Region
from yiwang.org.scoping import scope_for

State = Appeal.State


# --- measured: the three rates and more ----------------------------------------------------------


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Kpi:
    dispatched: int = 0
    responded: int = 0
    revisited: int = 0
    resolved: int = 0
    satisfied: int = 0
    replies: int = 0
    replies_on_time: int = 0
    returns: int = 0
    extensions: int = 0
    reopened: int = 0

    def add(self, other: Kpi) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def response_rate(self):
        return _rate(self.responded, self.dispatched)

    @property
    def resolution_rate(self):
        return _rate(self.resolved, self.revisited)

    @property
    def satisfaction_rate(self):
        return _rate(self.satisfied, self.revisited)

    @property
    def on_time_rate(self):
        return _rate(self.replies_on_time, self.replies)


@dataclass
class KpiReport:
    start: dt.date
    end: dt.date
    months: list[dt.date]
    departments: list[Department]
    cells: dict[tuple[int, dt.date], Kpi]
    total: Kpi

    def by_department(self) -> list[tuple[Department, Kpi]]:
        rows = []
        for department in self.departments:
            kpi = Kpi()
            for month in self.months:
                if (department.pk, month) in self.cells:
                    kpi.add(self.cells[(department.pk, month)])
            rows.append((department, kpi))
        return rows

    def by_month(self) -> list[tuple[dt.date, Kpi]]:
        rows = []
        for month in self.months:
            kpi = Kpi()
            for department in self.departments:
                if (department.pk, month) in self.cells:
                    kpi.add(self.cells[(department.pk, month)])
            rows.append((month, kpi))
        return rows


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _dashboard_regions(user) -> list[Region] | None:
    """Where the user reads the dashboard (``appeal.dashboard``): None = everywhere, else the top
    regions of their area (facts are summed over each region's subtree)."""
    scope = scope_for(user)
    if not user_sees_dashboard(user):
        return []
    if scope.allows_everywhere("appeal.dashboard"):
        return None
    regions = scope.regions("appeal.dashboard")
    return list(regions.exclude(parent__in=regions))


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    cursor = start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return months


def appeal_kpis(*, user, start: dt.date, end: dt.date, department: Department | None = None, now=None) -> KpiReport:
    """三率 and more by department and month (DESIGN: measured), read from the monthly facts of
    ``yiwang.hotline.measures`` (whole months from ``start`` to ``end``):

    - response rate = dispatches signed off (or returned) within the sign-off limit ÷ dispatches
      whose response is due or done, by month of dispatch; "due" is a live count of open dispatches
      still unanswered past their sign-off limit (bounded by open work, not history);
    - resolution rate = revisits "resolved" ÷ revisits; satisfaction rate = revisits 满意 or
      better (非常满意, 满意, 基本满意) ÷ revisits, by month of revisit;
    - on-time reply rate = replies within the reply deadline ÷ replies, by month of reply;
    - returns and extensions requested, and reopenings (重办), by month of the event.
    """
    from yiwang.hotline import measures as hm
    from yiwang.measures.selectors import facts

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    regions = _dashboard_regions(user)
    cells: dict[tuple[int, dt.date], Kpi] = defaultdict(Kpi)
    if regions != []:
        where = {
            "months": (start, end),
            "region": regions,
            "department": department,
            "group_by": ("department", "month"),
        }
        for row in facts(hm.DISPATCHED, **where):
            cell = cells[(row["department"], row["month"])]
            cell.dispatched += row["responded"]
            cell.responded += row["responded_on_time"]
        for row in facts(hm.REVISITS, **where):
            cell = cells[(row["department"], row["month"])]
            cell.revisited += row["count"]
            cell.resolved += row["resolved"]
            cell.satisfied += row["satisfied"]
            cell.reopened += row["reopened"]
        for row in facts(hm.REPLIES, **where):
            cell = cells[(row["department"], row["month"])]
            cell.replies += row["count"]
            cell.replies_on_time += row["on_time"]
        for row in facts(hm.RETURNS, **where):
            cells[(row["department"], row["month"])].returns += row["count"]
        for row in facts(hm.EXTENSIONS, **where):
            cells[(row["department"], row["month"])].extensions += row["count"]
        # Open dispatches past their sign-off limit with no response yet: due, not answered.
        lo, hi = _bounds(start.replace(day=1), end)
        late = scope_for(user).filter(
            Dispatch.objects.filter(
                state=Dispatch.State.ACTIVE,
                responded_on_time__isnull=True,
                dispatched_at__gte=lo,
                dispatched_at__lt=hi,
            ).filter(Q(sign_off_clock__due_on__lt=today) | Q(sign_off_due_at__lt=now)),
            "appeal.dashboard",
            department=None,
            region="region",
        )
        if department is not None:
            late = late.filter(department=department)
        tz = timezone.get_current_timezone()
        for row in (
            late.annotate(month=TruncMonth("dispatched_at", tzinfo=tz))
            .values("department_id", "month")
            .annotate(n=Count("id"))
            .order_by()
        ):
            cells[(row["department_id"], _month(row["month"]))].dispatched += row["n"]

    department_ids = {key[0] for key in cells}
    departments = list(Department.objects.filter(pk__in=department_ids).order_by("kind", "code"))
    total = Kpi()
    for kpi in cells.values():
        total.add(kpi)
    return KpiReport(start, end, _months(start, end), departments, dict(cells), total)


@dataclass
class Hotspots:
    towns: list[Region]
    categories: list[Category]
    counts: dict[tuple[int, int], int]
    max_count: int
    total: int

    def row(self, category: Category) -> list[int]:
        return [self.counts.get((category.pk, town.pk), 0) for town in self.towns]


def hotspots(*, user, start: dt.date, end: dt.date) -> Hotspots:
    """Appeals by category × town in the period, whole months (duplicates merged away and declined
    appeals are not counted), read from the monthly facts ``hotline.received``."""
    from yiwang.hotline import measures as hm
    from yiwang.measures.selectors import facts

    regions = _dashboard_regions(user)
    rows = [] if regions == [] else facts(hm.RECEIVED, months=(start, end), region=regions, group_by=("region", "key"))
    by_code = {c.code: c for c in Category.objects.filter(code__in={row["key"] for row in rows})}
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        category = by_code.get(row["key"])
        if category is not None and row["count"]:
            counts[(category.pk, row["region"])] = counts.get((category.pk, row["region"]), 0) + row["count"]
    per_category = Counter()
    for (category_id, _), n in counts.items():
        per_category[category_id] += n
    category_list = sorted(
        (c for c in by_code.values() if per_category[c.pk]), key=lambda c: (-per_category[c.pk], c.pk)
    )
    return Hotspots(
        towns=list(towns()),
        categories=category_list,
        counts=counts,
        max_count=max(counts.values(), default=0),
        total=sum(counts.values()),
    )


def appeal_open_work(*, user, since: dt.date) -> tuple[dict[str, int], int]:
    """Open appeals by state and overdue notices since ``since``, within the user's scope (the
    dashboard's header figures)."""
    scoped = scope_appeals(Appeal.objects.all(), user) if user_sees_dashboard(user) else Appeal.objects.none()
    open_counts = dict(
        scoped.filter(state__in=[State.RECEIVED, *HANDLER_STATES])
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    # A bound on the moment itself (not on its local date, which no index can serve): the overdue
    # notices since ``since`` are found by the (kind, created_at) index, then each checked against the scope
    # by its appeal's key. As ``appeal_id IN (the scoped appeals)`` SQLite listed every appeal of the region
    # first (188 ms of the page at 254 k appeals).
    in_scope = Exists(scoped.filter(pk=OuterRef("appeal_id")))
    overdue = AppealEvent.objects.filter(
        in_scope, kind=AppealEvent.Kind.OVERDUE, created_at__gte=_bounds(since, since)[0]
    ).count()
    return open_counts, overdue
