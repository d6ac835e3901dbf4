"""The metric registry: each owning app declares its metrics in its own ``measures`` module.

    register_metric(
        "cases.decided",
        label="办结",
        fields=("on_time", "workdays_sum", "workdays_count"),
        rebuild=rebuild_decided,
    )

``fields`` names the additive sums a metric keeps besides ``count``; they map, in order, onto the
generic columns ``v1`` … ``v6`` of ``MonthlyFact``. ``rebuild(months)`` — ``months`` is ``None``
(all history) or ``(first_month, last_month)`` inclusive — returns the metric's fact rows computed
from the source rows (GROUP BY queries), each a dict::

    {"month": date(2025, 3, 1), "region": <region id>, "department": <department id or None>,
     "key": "online", "count": 12, "on_time": 10, ...}

Rows with the same identity are summed, so a rebuild may emit several rows per identity.
The owning app's event functions must compute the same identity and numbers from one object as
its rebuild query does from all of them; the property tests check exactly that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.utils import timezone

from .models import VALUE_COLUMNS

Months = tuple[dt.date, dt.date] | None


@dataclass(frozen=True)
class Metric:
    name: str
    label: str
    fields: tuple[str, ...]
    rebuild: Callable[[Months], Iterable[dict]]

    def column(self, field: str) -> str:
        """The model column holding ``field`` (``count`` is its own column)."""
        if field == "count":
            return "count"
        return VALUE_COLUMNS[self.fields.index(field)]

    @property
    def all_fields(self) -> tuple[str, ...]:
        return ("count", *self.fields)


_REGISTRY: dict[str, Metric] = {}


def register_metric(
    name: str, *, label: str, fields: Iterable[str] = (), rebuild: Callable[[Months], Iterable[dict]]
) -> Metric:
    """Declare a metric (idempotent for the same name, so a re-imported module does no harm)."""
    fields = tuple(fields)
    if len(fields) > len(VALUE_COLUMNS):
        raise ValueError(f"metric {name!r} has more than {len(VALUE_COLUMNS)} fields")
    if "count" in fields or len(set(fields)) != len(fields):
        raise ValueError(f"metric {name!r}: field names must be unique and not 'count'")
    metric = Metric(name=name, label=label, fields=fields, rebuild=rebuild)
    _REGISTRY[name] = metric
    return metric


def metrics() -> dict[str, Metric]:
    """Every registered metric by name."""
    return dict(_REGISTRY)


def get_metric(name: str) -> Metric:
    from yiwang.core.errors import ApplicationError

    try:
        return _REGISTRY[name]
    except KeyError:
        raise ApplicationError("measure.unknown_metric", f"未登记的统计指标：{name}") from None


def month_of(value: dt.date | dt.datetime) -> dt.date:
    """The first day of the (Asia/Shanghai, i.e. current time zone) month of a date or moment."""
    if isinstance(value, dt.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        value = value.date()
    return value.replace(day=1)


def months_between(start: dt.date, end: dt.date) -> list[dt.date]:
    """Every first-of-month from ``start``'s month to ``end``'s month, inclusive."""
    cursor, last, result = month_of(start), month_of(end), []
    while cursor <= last:
        result.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return result


def month_bounds(months: Months) -> tuple[dt.datetime, dt.datetime] | None:
    """Aware [start, end) moments covering ``months`` for filtering source rows by a timestamp."""
    if months is None:
        return None
    tz = timezone.get_current_timezone()
    first, last = month_of(months[0]), month_of(months[1])
    after_last = (last + dt.timedelta(days=32)).replace(day=1)
    return dt.datetime.combine(first, dt.time.min, tzinfo=tz), dt.datetime.combine(after_last, dt.time.min, tzinfo=tz)
