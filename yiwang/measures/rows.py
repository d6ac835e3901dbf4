"""The rows behind a figure: for a metric, the source rows its roll-up counts (drill-down).

An owning app declares, next to the metric's rebuild query, the queryset the rebuild groups and the
condition behind each counted field, and the rebuild itself is written from the same two, so a
figure and its list cannot drift::

    register_rows(
        "cases.decided",
        rows=decided_rows,                 # months -> the rows the rebuild groups (count)
        fields={"on_time": Q(on_time=True)},
        region="region", department="department", key="item__code",
    )

``metric_rows("cases.decided", months=…, region=county, department=d, field="on_time")`` is then
the queryset of exactly the rows ``facts("cases.decided", …)["on_time"]`` counts; ``negate=True``
gives the complement within ``count`` (the late ones: ``count − on_time``). A field that is a sum
(working days) has no rows of its own: its rows are the metric's ``count``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Q, QuerySet

from yiwang.core.errors import ApplicationError
from yiwang.org.models import Region

from .registry import Months, get_metric


@dataclass(frozen=True)
class MetricRows:
    metric: str
    rows: Callable[[Months], QuerySet]
    fields: Mapping[str, Q] = field(default_factory=dict)
    region: str = "region"
    department: str | None = "department"
    key: str | None = None


_ROWS: dict[str, MetricRows] = {}


def register_rows(
    metric: str,
    *,
    rows: Callable[[Months], QuerySet],
    fields: Mapping[str, Q] | None = None,
    region: str = "region",
    department: str | None = "department",
    key: str | None = None,
) -> MetricRows:
    """Declare the source rows of ``metric`` (idempotent for the same name)."""
    spec = MetricRows(metric, rows, dict(fields or {}), region, department, key)
    _ROWS[metric] = spec
    return spec


def rows_registered(metric: str) -> bool:
    return metric in _ROWS


def countable_fields(metric: str) -> tuple[str, ...]:
    """``count`` and the fields whose rows can be listed (not sums)."""
    spec = _ROWS.get(metric)
    return ("count", *spec.fields) if spec else ()


def region_rows_q(path: str, regions: Region | Iterable[Region]) -> Q:
    """Rows whose region (at ``path``) lies in the subtree of any of ``regions``."""
    if isinstance(regions, Region):
        regions = [regions]
    parts = [Q(**{f"{path}__path__startswith": r.path}) for r in regions]
    return reduce(or_, parts) if parts else Q(pk__in=[])


def metric_rows(
    metric: str,
    *,
    months: Months = None,
    region: Region | Iterable[Region] | None = None,
    department=None,
    key: str | Iterable[str] | None = None,
    field: str = "count",
    negate: bool = False,
) -> QuerySet:
    """The source rows counted in ``facts(metric, …)[field]`` under the same filters.

    ``negate`` lists the rows counted in ``count`` but not in ``field``. Errors:
    ``measure.unknown_metric``, ``measure.no_rows`` (the metric declares no rows),
    ``measure.unknown_field``.
    """
    get_metric(metric)
    spec = _ROWS.get(metric)
    if spec is None:
        raise ApplicationError("measure.no_rows", f"该指标没有可列出的明细：{metric}", status=400)
    if field != "count" and field not in spec.fields:
        raise ApplicationError("measure.unknown_field", f"该指标没有“{field}”明细", status=400)
    qs = spec.rows(months)
    if region is not None:
        qs = qs.filter(region_rows_q(spec.region, region))
    if department is not None and spec.department is not None:
        if isinstance(department, list | tuple | set | frozenset):
            qs = qs.filter(**{f"{spec.department}__in": [getattr(d, "pk", d) for d in department]})
        else:
            qs = qs.filter(**{spec.department: getattr(department, "pk", department)})
    if key is not None and spec.key is not None:
        qs = qs.filter(**{spec.key: key} if isinstance(key, str) else {f"{spec.key}__in": list(key)})
    if field != "count":
        condition = spec.fields[field]
        qs = qs.exclude(condition) if negate else qs.filter(condition)
    return qs
