"""The rows behind the leader page's figures (drill-down) and the overdue list (在办超期件).

Each list narrows the rows through the one scope (``case.read``: a leader or supervisor their region,
a handler their department, a clerk their hall) and counts exactly what the figure counts: roll-up
figures through ``yiwang.measures.rows`` (declared next to the metric in ``cases.measures``), the
live figure 在办超期件 through ``open_overdue_q`` (which the leader page's count uses too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import F, Q, QuerySet
from django.utils import timezone

from yiwang.core.paging import CappedPaginator
from yiwang.measures.registry import Months
from yiwang.measures.rows import metric_rows
from yiwang.org.scoping import scope_for
from yiwang.workdays.deadlines import DeadlineStatus
from yiwang.workdays.selectors import count_workdays

from .models import HANDLING_STATES, Case

# What a listed case is shown with.
LISTED_WITH = ("item", "department", "clock")
# Decided cases, late first (not on time, then the longest), newest first: the order of the partial
# index cases_case_late_first, so a page is read from the index's head, not sorted out of the period.
LATE_FIRST = (
    F("on_time").asc(nulls_first=True),
    F("decided_workdays").desc(nulls_last=True),
    F("decided_at").desc(),
    F("id").desc(),
)
# A drill-down list counts and pages this many rows at most (the figure on the leader page has the full
# number): counting every decided case of a period would read them all.
LIST_CAP = 1000


def open_overdue_q() -> Q:
    """在办超期件: a department's case (never a bundle parent) still in handling whose decision clock
    the sweep found overdue."""
    return Q(bundle__isnull=True, state__in=HANDLING_STATES, clock__status=DeadlineStatus.OVERDUE)


def readable_cases(user, qs: QuerySet[Case] | None = None) -> QuerySet[Case]:
    """``qs`` narrowed to the cases the user may read (``case.read``)."""
    qs = Case.objects.all() if qs is None else qs
    return scope_for(user).filter(qs, "case.read", department="department", region="region", hall="hall")


def figure_cases(
    user,
    *,
    metric: str,
    months: Months,
    field: str = "count",
    negate: bool = False,
    department=None,
    state: str | None = None,
) -> QuerySet[Case]:
    """The cases behind one figure of the leader page, in the user's scope; ``cases.decided`` lists
    the late ones first (not on time, longest first)."""
    qs = readable_cases(user, metric_rows(metric, months=months, department=department, field=field, negate=negate))
    if state:
        qs = qs.filter(state=state)
    qs = qs.select_related(*LISTED_WITH)
    if metric.endswith(".decided"):
        return qs.order_by(*LATE_FIRST)
    if metric.endswith(".opening"):
        return qs.order_by("-elapsed_workdays", "-decided_at", "-pk")
    return qs.order_by("-submitted_at", "-pk")


def page_of(qs: QuerySet[Case], number, size: int) -> Page:
    """Page ``number`` of ``qs``: the page's ids are found by a narrow query (the sort reads the
    case table's own columns), then those rows are read with their related rows — the joins cost one
    page, not every row the figure counts (issue: province scale; 205 → 30 ms at 100 k cases)."""
    page = CappedPaginator(qs.values_list("pk", flat=True), size, cap=LIST_CAP).get_page(number)
    ids = list(page.object_list)
    rows = Case.objects.select_related(*LISTED_WITH).in_bulk(ids)  # ids already in the user's scope
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    return page


@dataclass
class OverdueCase:
    case: Case
    late_workdays: int
    open_urge: object | None = None


def overdue_cases(user, *, department=None) -> QuerySet[Case]:
    """在办超期件 in the user's scope, most overdue first (earliest due day)."""
    qs = readable_cases(user, Case.objects.filter(open_overdue_q()))
    if department is not None:
        qs = qs.filter(department=department)
    return qs.select_related(*LISTED_WITH).order_by("clock__due_on", "pk")


def with_lateness(cases, today: dt.date | None = None) -> list[OverdueCase]:
    """How late each case is: working days after its due day (民法典 Art. 201 counting)."""
    from yiwang.supervision.selectors import open_urges_by_case

    today = today or timezone.localdate()
    cases = list(cases)
    urges = open_urges_by_case([c.pk for c in cases])
    return [
        OverdueCase(c, max(count_workdays(c.clock.due_on, today), 0) if c.clock_id else 0, urges.get(c.pk))
        for c in cases
    ]
