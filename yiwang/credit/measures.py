"""The credit app's monthly facts, registered with ``yiwang.measures``.

- ``credit.records`` — credit records by month of decision, region (the entity's town, else county),
  deciding department, key = kind. ``ended`` = repaired or revoked since, ``repaired`` = repaired.
- ``credit.class_moves`` — moves between risk classes, by month of change, region, key = class:
  +1 into the new class, −1 out of the old one. Summed over all months up to a day, the facts give
  the class distribution on that day, so the distribution is read from roll-ups, not from entities.
- ``credit.clues`` — risk-warning clues by month pushed, region, receiving department, key = rule:
  ``handled``, ``handled_on_time``, ``fed_back``.
- ``credit.financing`` — financing needs by month published, region, key = industry section:
  ``matched`` (needs with ≥ 1 match), ``granted``, ``granted_amount`` (万元, whole).
"""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from yiwang.measures.registry import Months, month_of, register_metric
from yiwang.measures.services import FactDelta, measure_add, measures_apply

RECORDS = "credit.records"
CLASS_MOVES = "credit.class_moves"
CLUES = "credit.clues"
FINANCING = "credit.financing"


def _date_in(field: str, months: Months) -> Q:
    if months is None:
        return Q()
    first, last = month_of(months[0]), month_of(months[1])
    after = (last.replace(day=28) + __import__("datetime").timedelta(days=4)).replace(day=1)
    return Q(**{f"{field}__gte": first, f"{field}__lt": after})


def _moment_in(field: str, months: Months) -> Q:
    from yiwang.measures.registry import month_bounds

    bounds = month_bounds(months)
    return Q() if bounds is None else Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


# --- events --------------------------------------------------------------------------------------


def on_record_created(record) -> None:
    if record.entity_id is None and record.subject_department_id is None:
        return
    measure_add(
        metric=RECORDS,
        on=record.decided_on,
        region=record.region_id,
        department=record.department_id,
        key=record.kind,
        count=1,
    )


def on_record_ended(record, *, revoked: bool) -> None:
    measure_add(
        metric=RECORDS,
        on=record.decided_on,
        region=record.region_id,
        department=record.department_id,
        key=record.kind,
        ended=1,
        repaired=0 if revoked else 1,
    )


def on_class_changed(change) -> None:
    if change.from_class:
        measure_add(metric=CLASS_MOVES, on=change.changed_at, region=change.region_id, key=change.from_class, count=-1)
    measure_add(metric=CLASS_MOVES, on=change.changed_at, region=change.region_id, key=change.to_class, count=1)


def clue_facts(clue) -> list[FactDelta]:
    if clue.pk is None:
        return []
    return [
        FactDelta(
            CLUES,
            month_of(clue.pushed_at),
            clue.region_id,
            clue.department_id,
            clue.rule_code,
            {
                "count": 1,
                "handled": int(clue.handled_at is not None),
                "handled_on_time": int(bool(clue.handled_on_time)),
                "fed_back": int(clue.fed_back_at is not None),
            },
        )
    ]


def on_clue_changed(clue, *, before: list[FactDelta]) -> None:
    measures_apply(before=before, after=clue_facts(clue))


def need_facts(need) -> list[FactDelta]:
    if need.pk is None:
        return []
    return [
        FactDelta(
            FINANCING,
            month_of(need.published_at),
            need.region_id,
            None,
            need.industry_section,
            {
                "count": 1,
                "matched": int(need.match_count > 0),
                "granted": int(need.granted_amount is not None),
                "granted_amount": int(need.granted_amount or 0),
            },
        )
    ]


def on_need_changed(need, *, before: list[FactDelta]) -> None:
    measures_apply(before=before, after=need_facts(need))


# --- rebuild -------------------------------------------------------------------------------------


def rebuild_records(months: Months):
    from .models import CreditRecord

    rows = (
        CreditRecord.objects.filter(_date_in("decided_on", months))
        .annotate(month=TruncMonth("decided_on"))
        .values("month", "region_id", "department_id", "kind")
        .annotate(
            n=Count("id"),
            ended=Count("id", filter=~Q(state=CreditRecord.State.EFFECTIVE)),
            repaired=Count("id", filter=Q(state=CreditRecord.State.REPAIRED)),
        )
        .order_by()
    )
    for row in rows:
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["department_id"],
            "key": row["kind"],
            "count": row["n"],
            "ended": row["ended"],
            "repaired": row["repaired"],
        }


def rebuild_class_moves(months: Months):
    from .models import RiskClassChange

    base = RiskClassChange.objects.filter(_moment_in("changed_at", months)).annotate(
        month=TruncMonth("changed_at", tzinfo=timezone.get_current_timezone())
    )
    for field, sign in (("to_class", 1), ("from_class", -1)):
        rows = base.exclude(**{field: ""}).values("month", "region_id", field).annotate(n=Count("id")).order_by()
        for row in rows:
            yield {
                "month": month_of(row["month"]),
                "region": row["region_id"],
                "department": None,
                "key": row[field],
                "count": sign * row["n"],
            }


def rebuild_clues(months: Months):
    from .models import Clue

    rows = (
        Clue.objects.filter(_moment_in("pushed_at", months))
        .annotate(month=TruncMonth("pushed_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "region_id", "department_id", "rule_code")
        .annotate(
            n=Count("id"),
            handled=Count("id", filter=Q(handled_at__isnull=False)),
            handled_on_time=Count("id", filter=Q(handled_on_time=True)),
            fed_back=Count("id", filter=Q(fed_back_at__isnull=False)),
        )
        .order_by()
    )
    for row in rows:
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["department_id"],
            "key": row["rule_code"],
            "count": row["n"],
            "handled": row["handled"],
            "handled_on_time": row["handled_on_time"],
            "fed_back": row["fed_back"],
        }


def rebuild_financing(months: Months):
    from .models import FinancingNeed

    rows = (
        FinancingNeed.objects.filter(_moment_in("published_at", months))
        .annotate(month=TruncMonth("published_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "region_id", "industry_section")
        .annotate(
            n=Count("id"),
            matched=Count("id", filter=Q(match_count__gt=0)),
            granted=Count("id", filter=Q(granted_amount__isnull=False)),
            granted_amount=Coalesce(Sum(F("granted_amount")), 0),
        )
        .order_by()
    )
    for row in rows:
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": None,
            "key": row["industry_section"],
            "count": row["n"],
            "matched": row["matched"],
            "granted": row["granted"],
            "granted_amount": int(row["granted_amount"] or 0),
        }


register_metric(RECORDS, label="信用记录（按认定月份、类别）", fields=("ended", "repaired"), rebuild=rebuild_records)
register_metric(CLASS_MOVES, label="信用风险分类变动（按月份、类别）", rebuild=rebuild_class_moves)
register_metric(
    CLUES,
    label="风险预警线索（按推送月份、规则）",
    fields=("handled", "handled_on_time", "fed_back"),
    rebuild=rebuild_clues,
)
register_metric(
    FINANCING,
    label="信易贷融资需求（按发布月份、行业门类）",
    fields=("matched", "granted", "granted_amount"),
    rebuild=rebuild_financing,
)
