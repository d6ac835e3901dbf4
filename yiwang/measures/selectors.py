"""Every read of monthly facts: sums over months, a region subtree, departments and keys; rates; check.

facts("cases.decided", months=(date(2025, 1, 1), date(2025, 6, 30)), region=county,
      group_by=("department",))
→ [{"department": 3, "count": 41, "on_time": 39, "workdays_sum": 180, "workdays_count": 41}, …]
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import reduce
from operator import or_

from django.db.models import Q, Sum

from yiwang.org.models import Region

from .models import MonthlyFact, PendingFact
from .registry import Months, get_metric, month_of
from .registry import metrics as registered_metrics
from .services import Identity, rebuilt_rows

GROUPS = {
    "month": "month",
    "region": "region_id",
    "region_code": "region_code",
    "county": "county_code",
    "town": "town_code",
    "department": "department_id",
    "key": "key",
}


def rate(numerator: int | None, denominator: int | None) -> float | None:
    """numerator ÷ denominator, or ``None`` when there is nothing to divide by (no data ≠ 0 %)."""
    return numerator / denominator if denominator else None


def region_q(regions: Region | Iterable[Region]) -> Q:
    """Facts in the subtree of any of ``regions``, by equality on the stored county/town/own code.

    A province or city expands to the codes of its counties (a handful of rows in the region table)
    plus the region itself and the cities below it, for facts attached above county level.
    """
    if isinstance(regions, Region):
        regions = [regions]
    parts = []
    for region in regions:
        if region.level == Region.Level.VILLAGE:
            parts.append(Q(region_code=region.code))
        elif region.level == Region.Level.TOWN:
            parts.append(Q(town_code=region.code))
        elif region.level == Region.Level.COUNTY:
            parts.append(Q(county_code=region.code))
        else:
            above = Region.objects.filter(path__startswith=region.path).exclude(
                level__in=[Region.Level.TOWN, Region.Level.VILLAGE]
            )
            counties = [r.code for r in above if r.level == Region.Level.COUNTY]
            others = [r.code for r in above if r.level != Region.Level.COUNTY]
            parts.append(Q(county_code__in=counties) | Q(county_code="", region_code__in=others))
    return reduce(or_, parts) if parts else Q(pk__in=[])


def facts(
    metric: str,
    *,
    months: Months = None,
    region: Region | Iterable[Region] | None = None,
    department=None,
    key: str | Iterable[str] | None = None,
    group_by: Iterable[str] = ("month",),
    scope=None,
    action: str | None = None,
) -> list[dict]:
    """Sums of ``count`` and the metric's fields, grouped by ``group_by``.

    - ``months``: ``(start, end)`` dates, inclusive, by month (any day of a month selects it);
    - ``region``: a region or several — their whole subtrees; ``None`` = everywhere;
    - ``department``: a department, its id, or a list of them; ``None`` = all (including none);
    - ``key``: one key or several; ``None`` = all;
    - ``scope`` with ``action``: only the facts whose own department and region the scope reaches for
      ``action`` — the test a staff list of the source rows applies (``scope.filter(rows, action)``
      with the row's department and region), so a figure beside that list counts exactly its rows; a
      scope that reaches nothing gives no facts;
    - ``group_by``: any of ``month``, ``region`` (id), ``region_code``, ``county``, ``town``,
      ``department`` (id), ``key``; ``()`` gives one total row (zeros when nothing matched).
    Rows come ordered by the group columns. Errors: ``measure.unknown_metric``, ``ValueError`` on an
    unknown group.
    """
    definition = get_metric(metric)
    group_by = tuple(group_by)
    unknown = [g for g in group_by if g not in GROUPS]
    if unknown:
        raise ValueError(f"unknown group_by: {unknown}")
    where = Q(metric=metric)
    if months is not None:
        where &= Q(month__gte=month_of(months[0]), month__lte=month_of(months[1]))
    if region is not None:
        where &= region_q(region)
    if department is not None:
        if isinstance(department, list | tuple | set | frozenset):
            where &= Q(department_id__in=[getattr(d, "pk", d) for d in department])
        else:
            where &= Q(department_id=getattr(department, "pk", department))
    if key is not None:
        where &= Q(key=key) if isinstance(key, str) else Q(key__in=list(key))
    if scope is not None:
        if action is None:
            raise ValueError("a scope needs the action it is read for")
        reach = scope.q(action, department="department", region="region")
        where &= Q(pk__in=[]) if reach is None else reach
    sums = {name: Sum(definition.column(name)) for name in definition.all_fields}
    columns = [GROUPS[g] for g in group_by]
    # Folded facts plus the increments not yet folded: exact as soon as an event commits.
    merged: dict[tuple, dict[str, int]] = {}
    for model in (MonthlyFact, PendingFact):
        qs = model.objects.filter(where)
        grouped = [qs.aggregate(**sums)] if not columns else qs.values(*columns).annotate(**sums).order_by()
        for row in grouped:
            group = tuple(row[c] for c in columns)
            if not columns and all(row[name] is None for name in definition.all_fields):
                continue
            totals = merged.setdefault(group, dict.fromkeys(definition.all_fields, 0))
            for name in definition.all_fields:
                totals[name] += row[name] or 0
    if not columns:
        return [merged.get((), dict.fromkeys(definition.all_fields, 0))]
    return [
        {**dict(zip(group_by, group, strict=True)), **merged[group]}
        for group in sorted(merged, key=lambda g: tuple((v is None, v) for v in g))
    ]


def fact_total(metric: str, **filters) -> dict:
    """One row of sums (``facts(..., group_by=())``)."""
    return facts(metric, group_by=(), **filters)[0]


# --- check --------------------------------------------------------------------------------------


@dataclass
class Difference:
    identity: Identity
    stored: dict | None
    rebuilt: dict | None

    def __str__(self) -> str:
        metric, month, region, department, key = self.identity
        where = f"{metric} {month:%Y-%m} 区划={region} 部门={department or '-'} 键={key or '-'}"
        return f"{where}：已存 {self.stored or '无'}，重算 {self.rebuilt or '无'}"


def stored_rows(metric: str, months: Months = None) -> dict[Identity, dict[str, int]]:
    """The stored facts of ``metric`` by identity: folded facts plus pending increments."""
    definition = get_metric(metric)
    summed: dict[Identity, dict[str, int]] = {}
    for model in (MonthlyFact, PendingFact):
        qs = model.objects.filter(metric=metric)
        if months is not None:
            qs = qs.filter(month__gte=month_of(months[0]), month__lte=month_of(months[1]))
        for fact in qs:
            identity = (metric, fact.month, fact.region_id, fact.department_id, fact.key)
            values = summed.setdefault(identity, dict.fromkeys(definition.all_fields, 0))
            for name in definition.all_fields:
                values[name] += getattr(fact, definition.column(name))
    # an incrementally emptied fact equals no fact
    return {identity: values for identity, values in summed.items() if any(values.values())}


def measures_check(*, metrics: Iterable[str] | None = None, months: Months = None) -> list[Difference]:
    """Stored facts compared with a fresh rebuild (nothing written): every identity that differs."""
    names = list(metrics) if metrics is not None else sorted(registered_metrics())
    differences = []
    for name in names:
        stored, rebuilt = stored_rows(name, months), rebuilt_rows(get_metric(name), months)
        for identity in sorted(set(stored) | set(rebuilt), key=lambda i: tuple(str(p) for p in i)):
            if stored.get(identity) != rebuilt.get(identity):
                differences.append(Difference(identity, stored.get(identity), rebuilt.get(identity)))
    return differences
