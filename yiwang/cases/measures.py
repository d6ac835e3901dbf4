"""The applications' monthly facts (the leader's measures), registered with ``yiwang.measures``.

Metrics (fields besides ``count``):

- ``cases.applied`` — applications (single cases and bundle parents, never sub-cases) by month of
  submission, region and department of the case, key = channel. ``count`` = submitted;
  ``fully_online`` = online, zero visits, electronic delivery (全程网办); ``zero_visit`` = no visit and
  past intake (零跑动); ``pledged`` = 告知承诺; ``deferred`` = accepted with deferred materials (容缺).
- ``cases.decided`` — the departments' work (single cases and sub-cases) decided, by month of the
  decision, key = item code. ``on_time`` (承诺时限内办结), ``workdays_sum`` / ``workdays_count``
  (average working days accepted → decided, pauses excluded).
- ``cases.opening`` — 企业开办 bundles decided, by month of the decision, key = working days from
  submission to the last result (``"0"`` = same day); ``seconds_sum`` / ``seconds_count``.
  The median and the share within target come from this histogram.

One function computes a case's contribution to all three, exactly as the rebuild queries do;
services take it before a change and apply the difference after:

    before = case_facts(case)      # after locking, before changing
    ...change and save...
    on_case_changed(case, before=before)
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.measures.registry import Months, month_bounds, month_of, register_metric
from yiwang.measures.rows import register_rows
from yiwang.measures.services import FactDelta, measures_apply

from .conf import cases_setting
from .models import DECIDED_STATES, Case, CaseState, Channel, DeferredMaterial, DeliveryMethod

APPLIED = "cases.applied"
DECIDED = "cases.decided"
OPENING = "cases.opening"

_INTAKE_STATES = (CaseState.SUBMITTED, CaseState.CORRECTION_REQUESTED)
_DECIDED_OR_DELIVERED = (*DECIDED_STATES, CaseState.DELIVERED)


def _opening_code() -> str:
    return cases_setting("ENTERPRISE_OPENING_BUNDLE")


# --- one case's contribution --------------------------------------------------------------------


def case_facts(case: Case, *, has_deferrals: bool | None = None) -> list[FactDelta]:
    """The facts one case contributes to (same rules as the rebuild queries below).

    ``has_deferrals``: whether the case has deferred materials, when the caller knows (a case just
    created has none: deferrals are made at acceptance); None reads it."""
    result = []
    if case.pk is None:
        return result
    if case.parent_id is None:
        result.append(
            FactDelta(
                APPLIED,
                month_of(case.submitted_at),
                case.region_id,
                case.department_id,
                case.channel,
                {
                    "count": 1,
                    "fully_online": int(
                        case.channel == Channel.ONLINE
                        and case.visits == 0
                        and case.delivery_method == DeliveryMethod.ELECTRONIC
                    ),
                    "zero_visit": int(case.visits == 0 and case.state not in _INTAKE_STATES),
                    "pledged": int(case.has_pledge),
                    "deferred": int(
                        DeferredMaterial.objects.filter(case_id=case.pk).exists()
                        if has_deferrals is None
                        else has_deferrals
                    ),
                },
            )
        )
    decided = case.decided_at is not None and case.state in _DECIDED_OR_DELIVERED
    if decided and case.bundle_id is None:
        item_code = case.item.code if case.item_id else ""
        result.append(
            FactDelta(
                DECIDED,
                month_of(case.decided_at),
                case.region_id,
                case.department_id,
                item_code,
                {
                    "count": 1,
                    "on_time": int(case.on_time is True),
                    "workdays_sum": case.decided_workdays or 0,
                    "workdays_count": int(case.decided_workdays is not None),
                },
            )
        )
    if (
        case.decided_at is not None
        and case.elapsed_workdays is not None
        and case.bundle_id is not None
        and case.bundle.code == _opening_code()
    ):
        result.append(
            FactDelta(
                OPENING,
                month_of(case.decided_at),
                case.region_id,
                case.department_id,
                str(case.elapsed_workdays),
                {
                    "count": 1,
                    "seconds_sum": case.elapsed_seconds or 0,
                    "seconds_count": int(case.elapsed_seconds is not None),
                },
            )
        )
    return result


def on_case_submitted(case: Case) -> None:
    """A new application (and each bundle sub-case) was created: count it. Call in the same transaction.
    A case is created without deferred materials (容缺 is decided at acceptance)."""
    measures_apply(after=case_facts(case, has_deferrals=False))


def on_case_changed(case: Case, *, before: list[FactDelta]) -> None:
    """A case changed (accepted, rejected, withdrawn, decided, delivered …): apply the difference.

    ``before`` is ``case_facts(case)`` taken after locking the row and before changing it.
    """
    measures_apply(before=before, after=case_facts(case))


# Named aliases so call sites read as the event they report.
on_case_accepted = on_case_changed
on_case_rejected = on_case_changed
on_case_withdrawn = on_case_changed
on_case_decided = on_case_changed
on_case_delivered = on_case_changed


# --- rebuild ------------------------------------------------------------------------------------


def _in(field: str, months: Months) -> Q:
    bounds = month_bounds(months)
    return Q() if bounds is None else Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def _month(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=timezone.get_current_timezone())


def _one(condition: Q) -> Count:
    return Count("pk", filter=condition)


# The rows each metric counts and the condition behind each counted field: the rebuild groups
# exactly these, and the leader's drill-down lists them (``yiwang.measures.rows``).
APPLIED_FIELDS = {
    "fully_online": Q(channel=Channel.ONLINE, visits=0, delivery_method=DeliveryMethod.ELECTRONIC),
    "zero_visit": Q(visits=0) & ~Q(state__in=_INTAKE_STATES),
    "pledged": Q(has_pledge=True),
    "deferred": Q(has_deferred=True),
}
DECIDED_FIELDS = {"on_time": Q(on_time=True)}


def applied_rows(months: Months):
    """Applications submitted in ``months``: single cases and bundle parents, never sub-cases."""
    return Case.objects.filter(_in("submitted_at", months), parent__isnull=True).annotate(
        has_deferred=Exists(DeferredMaterial.objects.filter(case=OuterRef("pk")))
    )


def decided_rows(months: Months):
    """The departments' work decided in ``months``: single cases and sub-cases, never bundle parents."""
    return Case.objects.filter(_decided_filter(months), bundle__isnull=True)


def rebuild_applied(months: Months):
    rows = (
        applied_rows(months)
        .annotate(month=_month("submitted_at"))
        .values("month", "region_id", "department_id", "channel")
        .annotate(n=Count("pk"), **{name: _one(condition) for name, condition in APPLIED_FIELDS.items()})
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["department_id"],
            "key": row["channel"],
            "count": row["n"],
            "fully_online": row["fully_online"],
            "zero_visit": row["zero_visit"],
            "pledged": row["pledged"],
            "deferred": row["deferred"],
        }


def _decided_filter(months: Months) -> Q:
    return _in("decided_at", months) & Q(decided_at__isnull=False, state__in=_DECIDED_OR_DELIVERED)


def rebuild_decided(months: Months):
    rows = (
        decided_rows(months)
        .annotate(month=_month("decided_at"))
        .values("month", "region_id", "department_id", "item__code")
        .annotate(
            n=Count("pk"),
            on_time=_one(DECIDED_FIELDS["on_time"]),
            workdays_sum=Sum("decided_workdays"),
            workdays_count=Count("decided_workdays"),
        )
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["department_id"],
            "key": row["item__code"] or "",
            "count": row["n"],
            "on_time": row["on_time"],
            "workdays_sum": row["workdays_sum"] or 0,
            "workdays_count": row["workdays_count"],
        }


def opening_rows(months: Months):
    """企业开办 bundles completed in ``months`` (decided, with their working days measured)."""
    return Case.objects.filter(
        _in("decided_at", months),
        decided_at__isnull=False,
        elapsed_workdays__isnull=False,
        bundle__code=_opening_code(),
    )


def rebuild_opening(months: Months):
    rows = (
        opening_rows(months)
        .annotate(month=_month("decided_at"))
        .values("month", "region_id", "department_id", "elapsed_workdays")
        .annotate(n=Count("pk"), seconds_sum=Sum("elapsed_seconds"), seconds_count=Count("elapsed_seconds"))
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["department_id"],
            "key": str(row["elapsed_workdays"]),
            "count": row["n"],
            "seconds_sum": row["seconds_sum"] or 0,
            "seconds_count": row["seconds_count"],
        }


register_metric(
    APPLIED,
    label="申请（按提交月份、渠道）",
    fields=("fully_online", "zero_visit", "pledged", "deferred"),
    rebuild=rebuild_applied,
)
register_metric(
    DECIDED,
    label="办结（按决定月份、事项）",
    fields=("on_time", "workdays_sum", "workdays_count"),
    rebuild=rebuild_decided,
)
register_rows(APPLIED, rows=applied_rows, fields=APPLIED_FIELDS, key="channel")
register_rows(DECIDED, rows=decided_rows, fields=DECIDED_FIELDS, key="item__code")
register_rows(OPENING, rows=opening_rows, key="elapsed_workdays")
register_metric(
    OPENING,
    label="企业开办（按办结用时）",
    fields=("seconds_sum", "seconds_count"),
    rebuild=rebuild_opening,
)
