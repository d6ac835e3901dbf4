"""The 办不成事 register: the scoped list, the public monthly summary and a matter's deadline."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import QuerySet
from django.utils import timezone

from yiwang.hotline import deadlines
from yiwang.hotline.models import UnresolvedMatter
from yiwang.hotline.selectors.dashboards import _bounds, _month, _rate
from yiwang.org.scoping import scope_for

# --- 办不成事 --------------------------------------------------------------------------------------


def unresolved_list(*, user, state: str | None = None, tier: str | None = None) -> QuerySet[UnresolvedMatter]:
    """The register as ``unresolved.read`` allows: the county's clerks, 12345 centre, leaders and
    supervisors the matters of their area (a town's clerks their town's), a department the
    matters assigned to it."""
    qs = UnresolvedMatter.objects.select_related("department", "category", "town", "clock", "hall")
    scope = scope_for(user)
    conditions = [scope.q("unresolved.read", region=region) for region in ("region", "town")]
    conditions = [c for c in conditions if c is not None]
    if not conditions:
        qs = qs.none()
    elif all(conditions):  # an empty Q (a platform administrator) means every row
        qs = qs.filter(reduce(or_, conditions))
    if state:
        qs = qs.filter(state=state)
    if tier:
        qs = qs.filter(tier=tier)
    return qs.order_by("-reported_at", "-pk")


@dataclass
class MonthlySummary:
    month: dt.date
    total: int
    by_tier: dict[str, int]
    by_channel: dict[str, int]
    by_resolution: dict[str, int]
    top_categories: list[tuple[str, int]]
    resolved: int
    on_time: int

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.resolved)


def unresolved_monthly_summary(*, months: int = 6, today: dt.date | None = None) -> list[MonthlySummary]:
    """The public monthly summary of the register: counts, categories and how matters were
    resolved — no names, phone numbers or free text (plan 三、4: 分类汇总、梳理反馈)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    lo, _ = _bounds(first, today)
    rows = UnresolvedMatter.objects.filter(reported_at__gte=lo).values_list(
        "reported_at", "tier", "channel", "resolution", "category__name", "state", "on_time"
    )
    buckets: dict[dt.date, list] = defaultdict(list)
    for row in rows:
        buckets[_month(row[0])].append(row)
    result = []
    cursor = first
    while cursor <= today:
        items = buckets.get(cursor, [])
        result.append(
            MonthlySummary(
                month=cursor,
                total=len(items),
                by_tier={
                    str(label): sum(1 for r in items if r[1] == value) for value, label in UnresolvedMatter.Tier.choices
                },
                by_channel={
                    str(label): sum(1 for r in items if r[2] == value)
                    for value, label in UnresolvedMatter.Channel.choices
                },
                by_resolution={
                    str(label): sum(1 for r in items if r[3] == value)
                    for value, label in UnresolvedMatter.Resolution.choices
                },
                top_categories=Counter(r[4] or "其他" for r in items).most_common(5),
                resolved=sum(1 for r in items if r[5] == UnresolvedMatter.State.RESOLVED),
                on_time=sum(1 for r in items if r[6]),
            )
        )
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    result.reverse()
    return result


def unresolved_deadline(matter: UnresolvedMatter, today=None) -> deadlines.Deadline | None:
    return deadlines.unresolved_deadline(matter, today)
