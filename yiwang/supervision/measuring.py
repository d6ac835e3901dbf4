"""How Yiwang measures a sub-measure from the other modules' roll-ups (``yiwang.measures`` facts).

Every figure is read by metric name through ``yiwang.measures.selectors.facts`` — never from another
module's models — so a module that is not installed (its metric not registered) simply leaves the
sub-measure to be entered by hand. One ``facts`` query per sub-measure gives both the period's value
and its monthly trend (grouped by month, and by key where the value needs it).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Q, Sum

from yiwang.measures.models import VALUE_COLUMNS, MonthlyFact, PendingFact
from yiwang.measures.registry import get_metric, month_of
from yiwang.measures.registry import metrics as registered_metrics
from yiwang.measures.selectors import facts, region_q

Rows = list[dict]


def _ratio(numerator: str, denominator: str = "count", scale: float = 100.0) -> Callable[[Rows], float | None]:
    def compute(rows: Rows) -> float | None:
        den = sum(r[denominator] for r in rows)
        return scale * sum(r[numerator] for r in rows) / den if den else None

    return compute


def _mean_key(rows: Rows) -> float | None:
    """The mean of a histogram whose key is the number (cases.opening: key = working days)."""
    n = sum(r["count"] for r in rows)
    return sum(int(r["key"]) * r["count"] for r in rows if str(r["key"]).isdigit()) / n if n else None


def _share_key_at_most(limit: int) -> Callable[[Rows], float | None]:
    def compute(rows: Rows) -> float | None:
        n = sum(r["count"] for r in rows)
        within = sum(r["count"] for r in rows if str(r["key"]).isdigit() and int(r["key"]) <= limit)
        return 100.0 * within / n if n else None

    return compute


def _total(field: str = "count") -> Callable[[Rows], float | None]:
    def compute(rows: Rows) -> float | None:
        return float(sum(r[field] for r in rows)) if rows else None

    return compute


def _reform_share(rows: Rows) -> float | None:
    # 四（一）2: 取消审批、改为备案或实行告知承诺的事项达到106项以上 — the share of 106 reached.
    return 100.0 * sum(r["reform"] for r in rows) / 106 if rows else None


@dataclass(frozen=True)
class Measurement:
    metric: str
    compute: Callable[[Rows], float | None]
    keys: tuple[str, ...] | None = None
    by_key: bool = False
    snapshot: bool = False  # a "现状快照" metric kept under one fixed month (no monthly trend)
    source: str = ""  # what the page says the figure is computed from
    drill: str = ""  # the list behind the figure (a page that lists the metric's rows)
    drill_field: str = "count"  # which counted rows the list shows (late/unresolved come first there)

    @property
    def available(self) -> bool:
        return self.metric in registered_metrics()


def _projects_days(category: str) -> Measurement:
    return Measurement(
        "projects.approved", _ratio("workdays", scale=1), keys=(category,), source="工程建设项目审批完成（平均工作日）"
    )


def _connection_days(*keys: str) -> Measurement:
    return Measurement("projects.connections", _ratio("workdays", scale=1), keys=keys, source="报装接入（平均工作日）")


# The pages listing a metric's source rows (``yiwang.measures.rows``), in the same months and scope.
CASE_ROWS = "/cases/leader/rows/"
APPEAL_ROWS = "/hotline/staff/dashboard/rows/"


def rows_url(spec: Measurement, months: tuple[dt.date, dt.date], department_id: int | None = None) -> str:
    """The list of the rows a measured value was computed from (``""`` when none is listed)."""
    from django.utils.http import urlencode

    from yiwang.measures.rows import rows_registered

    if not spec.drill or not rows_registered(spec.metric):
        return ""
    last = (months[1].replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    if spec.drill == APPEAL_ROWS:
        period = {"start": f"{months[0]:%Y-%m}", "end": f"{last:%Y-%m}"}
    else:
        period = {"start": months[0].replace(day=1).isoformat(), "end": last.isoformat()}
    query = {"metric": spec.metric, "field": spec.drill_field, **period}
    if department_id:
        query["department"] = department_id
    return f"{spec.drill}?{urlencode(query)}"


MEASUREMENTS: dict[str, Measurement] = {
    "opening_days": Measurement(
        "cases.opening", _mean_key, by_key=True, source="企业开办一件事办结（平均工作日）", drill=CASE_ROWS
    ),
    "opening_within_target": Measurement(
        "cases.opening", _share_key_at_most(1), by_key=True, source="企业开办一件事办结用时分布", drill=CASE_ROWS
    ),
    "construction_government": _projects_days("government"),
    "construction_social": _projects_days("social"),
    "construction_low_risk": _projects_days("low_risk"),
    "construction_within_limit": Measurement(
        "projects.approved", _ratio("within_limit"), source="工程建设项目审批完成（时限内占比）"
    ),
    "electricity_resident": _connection_days("electricity:resident"),
    "electricity_low_voltage_sanling": _connection_days("electricity:low_voltage_sanling"),
    "electricity_low_voltage": _connection_days("electricity:low_voltage"),
    "electricity_high_single": _connection_days("electricity:high_single"),
    "electricity_high_dual": _connection_days("electricity:high_dual"),
    "water_days": _connection_days("water:resident", "water:non_resident"),
    "gas_days": _connection_days("gas:resident", "gas:non_resident"),
    "credit_clues_on_time": Measurement("credit.clues", _ratio("handled_on_time"), source="风险预警线索处置"),
    "inspection_coverage": Measurement(
        "inspections.drawn", _ratio("count", "pool"), source="双随机抽取户数÷名录库户数"
    ),
    "inspection_published_on_time": Measurement("inspections.published", _ratio("on_time"), source="抽查结果公示"),
    "reform_items": Measurement("catalog.items", _reform_share, snapshot=True, source="事项清单（证照分离改革方式）"),
    "online_available": Measurement(
        "catalog.items",
        _ratio("online", "applied"),
        snapshot=True,
        source="事项清单：网办深度≥III的依申请事项÷依申请事项",
    ),
    "cases_on_time": Measurement("cases.decided", _ratio("on_time"), source="办件办结（承诺时限内）", drill=CASE_ROWS),
    "rating_satisfaction": Measurement(
        "ratings.rated", _ratio("level_sum", scale=20.0), source="好差评（评价等级之和÷5×评价数）"
    ),
    "appeal_response": Measurement("hotline.dispatched", _ratio("responded_on_time"), source="12345派单（按时响应）"),
    "appeal_resolution": Measurement(
        "hotline.revisits", _ratio("resolved"), source="12345回访（已解决）", drill=APPEAL_ROWS
    ),
    "appeal_satisfaction": Measurement(
        "hotline.revisits", _ratio("satisfied"), source="12345回访（基本满意及以上）", drill=APPEAL_ROWS
    ),
    "licence_reuse": Measurement("licences.reused", _total(), source="电子证照调用"),
    "policy_reach": Measurement("policies.reach", _ratio("notified"), source="惠企政策匹配与推送"),
}


@dataclass
class Measured:
    value: float | None
    trend: list[tuple[dt.date, float | None]]
    source: str
    drill: str


def metric_rows(metric: str, *, months, region, snapshot: bool, cache: dict | None = None) -> Rows:
    """A metric's facts by month and key for the period (``facts`` reads folded and pending facts).
    With ``cache``, each metric is read once however many sub-measures use it."""
    token = (metric, snapshot)
    if cache is not None and token in cache:
        return cache[token]
    rows = facts(metric, months=None if snapshot else months, region=region, group_by=("month", "key"))
    if cache is not None:
        cache[token] = rows
    return rows


def prefetch_metrics(names, *, months, region=None, cache: dict) -> dict:
    """Every metric the measurements ``names`` read, in one grouped query over the folded facts and
    one over the pending increments (instead of two per metric): ``cache`` is filled as
    ``metric_rows`` fills it, so ``measure`` then reads nothing more."""
    wanted: dict[tuple[str, bool], object] = {}
    for name in names:
        spec = MEASUREMENTS.get(name)
        if spec is not None and spec.available and (spec.metric, spec.snapshot) not in cache:
            wanted[(spec.metric, spec.snapshot)] = get_metric(spec.metric)
    if not wanted:
        return cache
    periodic = sorted({m for (m, snap) in wanted if not snap})
    snapshots = sorted({m for (m, snap) in wanted if snap})
    where = Q(metric__in=snapshots) if snapshots else Q(pk__in=[])
    if periodic:
        where |= Q(metric__in=periodic, month__gte=month_of(months[0]), month__lte=month_of(months[1]))
    if region is not None:
        where &= region_q(region)
    columns = ("count", *VALUE_COLUMNS)
    merged: dict[tuple, dict[str, int]] = {}
    for model in (MonthlyFact, PendingFact):
        grouped = (
            model.objects.filter(where)
            .values("metric", "month", "key")
            .annotate(**{f"s_{c}": Sum(c) for c in columns})
            .order_by()
        )
        for row in grouped:
            totals = merged.setdefault((row["metric"], row["month"], row["key"]), dict.fromkeys(columns, 0))
            for c in columns:
                totals[c] += row[f"s_{c}"] or 0
    for (metric, snapshot), definition in wanted.items():
        rows = []
        for (m, month, key), totals in sorted(merged.items(), key=lambda item: (item[0][1], item[0][2])):
            if m != metric:
                continue
            if not snapshot and not (month_of(months[0]) <= month <= month_of(months[1])):
                continue
            rows.append(
                {"month": month, "key": key, **{f: totals[definition.column(f)] for f in definition.all_fields}}
            )
        cache[(metric, snapshot)] = rows
    return cache


def measure(name: str, *, months: tuple[dt.date, dt.date], region=None, cache: dict | None = None) -> Measured | None:
    """The value of a measurement over ``months`` and its monthly trend; None when the module whose
    metric it reads is not installed (the sub-measure is then entered by hand)."""
    spec = MEASUREMENTS.get(name)
    if spec is None or not spec.available:
        return None
    rows = metric_rows(spec.metric, months=months, region=region, snapshot=spec.snapshot, cache=cache)
    if spec.keys is not None:
        rows = [row for row in rows if row["key"] in spec.keys]
    by_month: dict[dt.date, Rows] = defaultdict(list)
    for row in rows:
        by_month[row["month"]].append(row)
    trend = [] if spec.snapshot else [(month, spec.compute(by_month[month])) for month in sorted(by_month)]
    return Measured(value=spec.compute(rows), trend=trend, source=spec.source, drill=spec.drill)
