"""The rows behind the 接诉即办 dashboard's figures (drill-down) and the overdue list (在办超期诉求).

Roll-up figures list the rows ``yiwang.measures.rows`` declares next to each metric in
``hotline.measures``; every list is narrowed through ``scope_appeals`` (``appeal.read``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Case as DbCase
from django.db.models import DateField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from yiwang.measures.registry import Months
from yiwang.measures.rows import metric_rows
from yiwang.workdays.deadlines import DeadlineStatus
from yiwang.workdays.selectors import count_workdays

from .models import Appeal
from .selectors import HANDLER_STATES, scope_appeals


def open_overdue_q(now: dt.datetime | None = None) -> Q:
    """在办超期诉求: with a department (dispatched, signed off, reopened, return pending) and past its
    reply deadline — the working-day clock the sweep found overdue, or an urgent one past its hour."""
    now = now or timezone.now()
    return Q(state__in=HANDLER_STATES) & (
        Q(reply_due_at__isnull=True, handling_clock__status=DeadlineStatus.OVERDUE) | Q(reply_due_at__lt=now)
    )


def overdue_appeals(user, *, department=None, now: dt.datetime | None = None) -> QuerySet[Appeal]:
    """在办超期诉求 in the user's scope, most overdue first."""
    qs = scope_appeals(Appeal.objects.filter(open_overdue_q(now)), user)
    if department is not None:
        qs = qs.filter(lead_department=department)
    tz = timezone.get_current_timezone()
    return (
        qs.select_related("lead_department", "handling_clock", "category")
        .annotate(
            due_day=Coalesce(TruncDate("reply_due_at", tzinfo=tz), "handling_clock__due_on", output_field=DateField())
        )
        .order_by("due_day", "pk")
    )


@dataclass
class OverdueAppeal:
    appeal: Appeal
    late_workdays: int
    open_urge: object | None = None


def with_lateness(appeals, today: dt.date | None = None) -> list[OverdueAppeal]:
    from yiwang.supervision.selectors import open_urges_by_appeal

    today = today or timezone.localdate()
    appeals = list(appeals)
    urges = open_urges_by_appeal([a.pk for a in appeals])
    return [
        OverdueAppeal(a, max(count_workdays(a.due_day, today), 0) if a.due_day else 0, urges.get(a.pk)) for a in appeals
    ]


def figure_rows(user, *, metric: str, months: Months, field: str = "count", negate: bool = False, department=None):
    """The replies or revisits behind one dashboard figure, in the user's scope, late/unsatisfied first."""
    qs = metric_rows(metric, months=months, department=department, field=field, negate=negate)
    qs = qs.filter(appeal__in=scope_appeals(Appeal.objects.all(), user).values("pk"))
    qs = qs.select_related("appeal", "department")
    if metric.endswith(".replies"):
        return qs.order_by(_late_first("on_time"), "-replied_at", "-pk")
    return qs.order_by(_late_first("resolved"), "satisfaction", "-revisited_at", "-pk")


def _late_first(flag: str):
    """Rows whose ``flag`` is not true first (late, unresolved)."""
    return DbCase(When(**{flag: True}, then=Value(1)), default=Value(0), output_field=IntegerField())
