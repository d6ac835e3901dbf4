"""Every write of monthly facts: incremental upserts from business events, and rebuilds from history.

Increments are appended to ``PendingFact`` and folded into ``MonthlyFact`` by ``measures_fold``
(a Celery beat task every minute), so no event waits on another's fact row.

Event functions in the owning apps (``yiwang.cases.measures.on_case_decided`` …) call
``measure_add`` / ``measures_apply`` inside the business transaction, so a fact changes exactly
when the change it counts commits, and rolls back with it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from django.db import IntegrityError, connection, transaction
from django.db.models import F, Q
from django.db.transaction import TransactionManagementError

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.org.models import Region

from .models import VALUE_COLUMNS, MonthlyFact, PendingFact
from .registry import Metric, Months, get_metric, month_of
from .registry import metrics as registered_metrics

# (metric, month, region id, department id or None, key)
Identity = tuple[str, dt.date, int, int | None, str]


@dataclass
class FactDelta:
    """One object's contribution to one fact: the identity and the numbers it adds."""

    metric: str
    month: dt.date
    region: int
    department: int | None = None
    key: str = ""
    values: dict[str, int] = field(default_factory=dict)

    @property
    def identity(self) -> Identity:
        return (self.metric, self.month, self.region, self.department, self.key)


def _pk(value) -> int | None:
    return getattr(value, "pk", value)


# --- region codes -------------------------------------------------------------------------------

_LEVELS_AT_OR_BELOW_COUNTY = {Region.Level.COUNTY, Region.Level.TOWN, Region.Level.VILLAGE}


def region_codes(region: Region) -> tuple[str, str, str]:
    """(own code, county code or '', town code or '') read from the region's path and level.

    County codes are the 6-digit component closest to the region (GB/T 2260), towns the 9-digit one.
    """
    parts = [p for p in region.path.split("/") if p]
    county = town = ""
    if region.level in _LEVELS_AT_OR_BELOW_COUNTY:
        county = next((p for p in reversed(parts) if len(p) == 6), "")
    if region.level in (Region.Level.TOWN, Region.Level.VILLAGE):
        town = next((p for p in reversed(parts) if len(p) == 9), "")
    return region.code, county, town


def _regions(ids: Iterable[int]) -> dict[int, tuple[str, str, str]]:
    return {r.pk: region_codes(r) for r in Region.objects.filter(pk__in=set(ids)).only("pk", "code", "path", "level")}


# --- incremental upsert -------------------------------------------------------------------------


def _columns(metric: Metric, increments: dict[str, int]) -> dict[str, int]:
    columns = {}
    for name, value in increments.items():
        if name not in metric.all_fields:
            raise ApplicationError(
                "measure.unknown_field", f"统计指标“{metric.label}”没有数值项：{name}", details={"field": name}
            )
        if not isinstance(value, int) or isinstance(value, bool):
            raise ApplicationError("measure.increment_invalid", f"统计增量必须是整数：{name}={value!r}")
        if value:
            columns[metric.column(name)] = value
    return columns


def measure_add(
    *, metric: str, on: dt.date | dt.datetime, region, department=None, key: str = "", **increments
) -> None:
    """Add ``increments`` (``count=1, on_time=1``; negative to undo) to one monthly fact.

    The fact is (metric, month of ``on``, region, department, key). Runs in the caller's
    transaction and refuses to run outside one: a fact must commit or roll back with the event it
    counts. The increment is appended to ``PendingFact`` — one insert, no lock on a shared row, so
    concurrent events of the same department and month never queue behind each other (DESIGN: no
    write waits on a hot row); ``measures_fold`` adds it into ``MonthlyFact`` shortly after, and
    readers sum both in the meantime.
    Errors: ``measure.unknown_metric``, ``measure.unknown_field``, ``measure.increment_invalid``.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("measure_add must run inside transaction.atomic()")
    definition = get_metric(metric)
    columns = _columns(definition, increments)
    if not columns:
        return
    if not isinstance(region, Region):
        region = Region.objects.only("pk", "code", "path", "level").get(pk=region)
    code, county, town = region_codes(region)
    PendingFact.objects.create(
        metric=metric,
        month=month_of(on),
        region_id=region.pk,
        region_code=code,
        county_code=county,
        town_code=town,
        department_id=_pk(department),
        key=key or "",
        **columns,
    )


def _fold_into_fact(identity: Identity, codes: tuple[str, str, str], columns: dict[str, int]) -> None:
    """Add ``columns`` to the stored fact of ``identity``: ``UPDATE … SET n = n + x``, or an INSERT
    in a savepoint that falls back to the UPDATE when a concurrent fold inserted it first."""
    metric, month, region_id, department_id, key = identity
    where = Q(metric=metric, month=month, region_id=region_id, key=key)
    where &= Q(department__isnull=True) if department_id is None else Q(department_id=department_id)
    rows = MonthlyFact.objects.filter(where)
    updates = {column: F(column) + value for column, value in columns.items()}
    if rows.update(**updates):
        return
    try:
        with transaction.atomic():
            MonthlyFact.objects.create(
                metric=metric,
                month=month,
                region_id=region_id,
                region_code=codes[0],
                county_code=codes[1],
                town_code=codes[2],
                department_id=department_id,
                key=key,
                **columns,
            )
    except IntegrityError:
        if not rows.update(**updates):
            raise


PENDING_COLUMNS = ("count", *VALUE_COLUMNS)


def measures_fold(*, batch: int = 10_000) -> int:
    """Fold pending increments into ``MonthlyFact`` (oldest first, ``batch`` at a time); the number folded.

    Each batch is one transaction: the pending rows are locked (``SKIP LOCKED`` where the database
    has it, so two folding workers take disjoint rows), summed by identity, added to their facts
    and deleted — a crash in between rolls the whole batch back, so nothing is lost or counted twice.
    """
    folded = 0
    while True:
        with transaction.atomic():
            pending = PendingFact.objects.order_by("pk")
            if connection.features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            rows = list(
                pending.values(
                    "pk",
                    "metric",
                    "month",
                    "region_id",
                    "region_code",
                    "county_code",
                    "town_code",
                    "department_id",
                    "key",
                    *PENDING_COLUMNS,
                )[:batch]
            )
            if not rows:
                return folded
            sums: dict[Identity, dict[str, int]] = defaultdict(lambda: dict.fromkeys(PENDING_COLUMNS, 0))
            codes: dict[Identity, tuple[str, str, str]] = {}
            for row in rows:
                identity = (row["metric"], row["month"], row["region_id"], row["department_id"], row["key"])
                codes[identity] = (row["region_code"], row["county_code"], row["town_code"])
                for column in PENDING_COLUMNS:
                    sums[identity][column] += row[column]
            for identity in sorted(sums, key=lambda i: tuple(str(p) for p in i)):  # one lock order
                columns = {column: value for column, value in sums[identity].items() if value}
                if columns:
                    _fold_into_fact(identity, codes[identity], columns)
            PendingFact.objects.filter(pk__in=[row["pk"] for row in rows]).delete()
        folded += len(rows)
        if len(rows) < batch:
            return folded


def measures_apply(
    *,
    before: Iterable[FactDelta] = (),
    after: Iterable[FactDelta] = (),
    regions: Mapping[int, Region] | None = None,
) -> None:
    """Apply the change of one object's contributions: add ``after``, take away ``before``.

    The owning app computes both with the same function (``case_facts(case)`` before and after a
    change); identities and numbers that did not change cancel out and touch no row. ``regions``
    (id → row) are region rows the caller holds already, so their codes are not read again.
    """
    net: dict[Identity, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for sign, deltas in ((-1, before), (1, after)):
        for delta in deltas:
            for name, value in delta.values.items():
                net[delta.identity][name] += sign * value
    for (metric, month, region, department, key), values in net.items():
        values = {k: v for k, v in values.items() if v}
        if values:
            region = (regions or {}).get(region, region)
            measure_add(metric=metric, on=month, region=region, department=department, key=key, **values)


# --- rebuild ------------------------------------------------------------------------------------


def _summed(metric: Metric, rows: Iterable[dict]) -> dict[Identity, dict[str, int]]:
    """Rows in the rebuild format summed by identity, all-zero facts dropped."""
    result: dict[Identity, dict[str, int]] = defaultdict(lambda: dict.fromkeys(metric.all_fields, 0))
    for row in rows:
        identity = (
            metric.name,
            month_of(row["month"]),
            _pk(row["region"]),
            _pk(row.get("department")),
            row.get("key") or "",
        )
        values = result[identity]
        for name in metric.all_fields:
            values[name] += int(row.get(name) or 0)
    return {identity: values for identity, values in result.items() if any(values.values())}


def _facts_create(metric: Metric, summed: dict[Identity, dict[str, int]]) -> None:
    """Insert ``summed`` as stored facts (their region's county and town codes read once)."""
    codes = _regions(identity[2] for identity in summed)
    MonthlyFact.objects.bulk_create(
        [
            MonthlyFact(
                metric=metric_name,
                month=month,
                region_id=region_id,
                region_code=codes[region_id][0],
                county_code=codes[region_id][1],
                town_code=codes[region_id][2],
                department_id=department_id,
                key=key,
                **{metric.column(name): value for name, value in values.items()},
            )
            for (metric_name, month, region_id, department_id, key), values in summed.items()
        ],
        batch_size=1000,
    )


def rebuilt_rows(metric: Metric, months: Months = None) -> dict[Identity, dict[str, int]]:
    """A metric's facts recomputed from the source rows, summed by identity, all-zero rows dropped."""
    return _summed(metric, metric.rebuild(months))


def _month_filter(months: Months) -> Q:
    if months is None:
        return Q()
    return Q(month__gte=month_of(months[0]), month__lte=month_of(months[1]))


def measures_rebuild(
    *,
    metrics: Iterable[str] | None = None,
    months: Months = None,
    progress: Callable[[str, int], None] | None = None,
    actor=None,
) -> dict[str, int]:
    """Replace the stored facts of ``metrics`` (all registered when ``None``) by a fresh rebuild.

    Per metric, one transaction deletes its facts (in ``months`` when given) and bulk-inserts the
    rebuilt rows, and audits ``measures.rebuilt``. ``progress(metric, rows)`` is called after each.
    Returns the number of fact rows written per metric. Errors: ``measure.unknown_metric``.
    """
    names = list(metrics) if metrics is not None else sorted(registered_metrics())
    definitions = [get_metric(name) for name in names]
    written = {}
    for definition in definitions:
        rows = rebuilt_rows(definition, months)
        with transaction.atomic():
            deleted, _ = MonthlyFact.objects.filter(_month_filter(months), metric=definition.name).delete()
            PendingFact.objects.filter(_month_filter(months), metric=definition.name).delete()
            _facts_create(definition, rows)
            audit_record(
                actor=actor,
                action="measures.rebuilt",
                details={
                    "metric": definition.name,
                    "months": None if months is None else [month_of(months[0]), month_of(months[1])],
                    "deleted": deleted,
                    "written": len(rows),
                },
            )
        written[definition.name] = len(rows)
        if progress:
            progress(definition.name, len(rows))
    return written


def measures_replace(*, metric: str, rows: Iterable[dict], scope: Q) -> int:
    """Replace the facts of ``metric`` matching ``scope`` (e.g. one department) by ``rows``.

    For snapshot metrics recomputed on every change of their source (the catalog); rows use the
    rebuild row format. Runs in the caller's transaction (refused outside one); the caller locks
    whatever serialises concurrent replacements of the same scope.
    """
    if not connection.in_atomic_block:
        raise TransactionManagementError("measures_replace must run inside transaction.atomic()")
    definition = get_metric(metric)
    summed = _summed(definition, rows)
    MonthlyFact.objects.filter(scope, metric=metric).delete()
    PendingFact.objects.filter(scope, metric=metric).delete()
    _facts_create(definition, summed)
    return len(summed)
