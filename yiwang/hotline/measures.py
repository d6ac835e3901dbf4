"""The appeals' monthly facts (the 三率 dashboard and hotspots), registered with ``yiwang.measures``.

Metrics (fields besides ``count``), each by month of its own event, region and department of the row:

- ``hotline.dispatched`` — dispatches, by month of dispatch. ``count`` = dispatches that count
  (all but those closed without a response: merged or withdrawn before sign-off); ``responded`` =
  response recorded (signed off or returned); ``responded_on_time`` = within the sign-off limit.
  Response rate = responded_on_time ÷ (responded + dispatches still unanswered past their sign-off
  limit); the last term is a live count of open dispatches (bounded by open work, not history).
- ``hotline.revisits`` — revisits with a department, by month of revisit: ``resolved``,
  ``satisfied`` (基本满意 or better), ``reopened`` (重办). Resolution and satisfaction rates ÷ count.
- ``hotline.replies`` — replies with a department, by month of reply: ``on_time``.
- ``hotline.returns`` / ``hotline.extensions`` — return and extension requests, by month requested.
- ``hotline.received`` — appeals with a category and a town, not merged or declined, by month
  received; region = the town, key = category code (hotspots: category × town).

Rows that are only ever inserted (revisits, replies, returns, extensions) are counted once when
created; rows whose contribution changes (dispatches, appeals) use before/after:

    before = dispatch_facts(dispatch)     # after locking, before changing
    ...change and save...
    on_dispatch_changed(dispatch, before=before)
"""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.measures.registry import Months, month_bounds, month_of, register_metric
from yiwang.measures.rows import register_rows
from yiwang.measures.services import FactDelta, measure_add, measures_apply

from .models import Appeal, Dispatch, ExtensionRequest, Reply, ReturnRequest, Revisit

DISPATCHED = "hotline.dispatched"
REVISITS = "hotline.revisits"
REPLIES = "hotline.replies"
RETURNS = "hotline.returns"
EXTENSIONS = "hotline.extensions"
RECEIVED = "hotline.received"

_NOT_COUNTED_APPEAL_STATES = (Appeal.State.MERGED, Appeal.State.DECLINED)


# --- contributions and events -------------------------------------------------------------------


def dispatch_facts(dispatch: Dispatch) -> list[FactDelta]:
    """One dispatch's contribution to ``hotline.dispatched`` (same rule as ``rebuild_dispatched``)."""
    if dispatch.pk is None or (dispatch.state == Dispatch.State.CLOSED and dispatch.responded_on_time is None):
        return []
    return [
        FactDelta(
            DISPATCHED,
            month_of(dispatch.dispatched_at),
            dispatch.region_id,
            dispatch.department_id,
            "",
            {
                "count": 1,
                "responded": int(dispatch.responded_on_time is not None),
                "responded_on_time": int(dispatch.responded_on_time is True),
            },
        )
    ]


def appeal_facts(appeal: Appeal) -> list[FactDelta]:
    """One appeal's contribution to ``hotline.received`` (same rule as ``rebuild_received``)."""
    if (
        appeal.pk is None
        or appeal.category_id is None
        or appeal.town_id is None
        or appeal.state in _NOT_COUNTED_APPEAL_STATES
    ):
        return []
    return [FactDelta(RECEIVED, month_of(appeal.received_at), appeal.town_id, None, appeal.category.code, {"count": 1})]


def on_appeal_received(appeal: Appeal) -> None:
    """A new appeal was registered."""
    on_appeals_received([appeal])


def on_appeals_received(appeals: Iterable[Appeal]) -> None:
    """New appeals were registered (a batch: one pending increment per month, town and category).
    Their towns are the rows the appeals carry: no read per appeal."""
    appeals = list(appeals)
    measures_apply(
        after=[delta for appeal in appeals for delta in appeal_facts(appeal)],
        regions={appeal.town_id: appeal.town for appeal in appeals if appeal.town_id is not None},
    )


def on_appeal_changed(appeal: Appeal, *, before: list[FactDelta]) -> None:
    """An appeal's category, town or state changed (reclassified, dispatched, declined, merged)."""
    measures_apply(before=before, after=appeal_facts(appeal))


def on_appeals_changed(appeals: Iterable[Appeal], *, before: list[FactDelta]) -> None:
    """Many appeals changed at once (a batch of routing suggestions filling their categories): ``before``
    their contributions before the change, all together."""
    appeals = list(appeals)
    measures_apply(
        before=before,
        after=[delta for appeal in appeals for delta in appeal_facts(appeal)],
        regions={appeal.town_id: appeal.town for appeal in appeals if appeal.town_id is not None},
    )


def on_dispatch_created(dispatch: Dispatch) -> None:
    """A dispatch to a department was created."""
    measures_apply(after=dispatch_facts(dispatch))


def on_dispatch_changed(dispatch: Dispatch, *, before: list[FactDelta]) -> None:
    """A dispatch was signed off, returned or closed."""
    measures_apply(before=before, after=dispatch_facts(dispatch))


def on_appeal_replied(reply: Reply) -> None:
    """A department replied (each round of a reopened appeal counts again)."""
    if reply.department_id is not None:
        measure_add(
            metric=REPLIES,
            on=reply.replied_at,
            region=reply.region_id,
            department=reply.department_id,
            count=1,
            on_time=int(bool(reply.on_time)),
        )


def on_appeal_revisited(revisit: Revisit) -> None:
    """The citizen was called back: resolved? satisfied? reopened (重办)?"""
    if revisit.department_id is not None:
        measure_add(
            metric=REVISITS,
            on=revisit.revisited_at,
            region=revisit.region_id,
            department=revisit.department_id,
            count=1,
            resolved=int(bool(revisit.resolved)),
            satisfied=int(revisit.satisfaction >= Revisit.Satisfaction.BASIC),
            reopened=int(revisit.outcome == Revisit.Outcome.REOPENED),
        )


def on_appeal_returned(request: ReturnRequest) -> None:
    """A department asked to return a wrongly assigned appeal (counted when requested)."""
    measure_add(
        metric=RETURNS, on=request.requested_at, region=request.region_id, department=request.department_id, count=1
    )


def on_appeal_extended(request: ExtensionRequest) -> None:
    """A department asked for more time (counted when requested)."""
    measure_add(
        metric=EXTENSIONS,
        on=request.requested_at,
        region=request.region_id,
        department=request.department_id,
        count=1,
    )


# --- rebuild ------------------------------------------------------------------------------------


def _in(field: str, months: Months) -> Q:
    bounds = month_bounds(months)
    return Q() if bounds is None else Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def _grouped(qs, date_field: str, months: Months, *, key=None, **sums):
    group = ["month", "region_id", "department_id", *([key] if key else [])]
    rows = (
        qs.filter(_in(date_field, months))
        .annotate(month=TruncMonth(date_field, tzinfo=timezone.get_current_timezone()))
        .values(*group)
        .annotate(n=Count("id"), **sums)
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row.pop("month")),
            "region": row.pop("region_id"),
            "department": row.pop("department_id"),
            "key": row.pop(key) if key else "",
            "count": row.pop("n"),
            **row,
        }


def rebuild_dispatched(months: Months):
    qs = Dispatch.objects.exclude(state=Dispatch.State.CLOSED, responded_on_time__isnull=True)
    return _grouped(
        qs,
        "dispatched_at",
        months,
        responded=Count("id", filter=Q(responded_on_time__isnull=False)),
        responded_on_time=Count("id", filter=Q(responded_on_time=True)),
    )


# The rows each metric counts and the condition behind each counted field: the rebuild groups
# exactly these, and the dashboard's drill-down lists them (``yiwang.measures.rows``).
REVISIT_FIELDS = {
    "resolved": Q(resolved=True),
    "satisfied": Q(satisfaction__gte=Revisit.Satisfaction.BASIC),
    "reopened": Q(outcome=Revisit.Outcome.REOPENED),
}
REPLY_FIELDS = {"on_time": Q(on_time=True)}


def revisit_rows(months: Months):
    """Revisits with a department, by month of revisit."""
    return Revisit.objects.filter(_in("revisited_at", months), department__isnull=False)


def reply_rows(months: Months):
    """Replies with a department, by month of reply (each round of a reopened appeal counts)."""
    return Reply.objects.filter(_in("replied_at", months), department__isnull=False)


def rebuild_revisits(months: Months):
    return _grouped(
        revisit_rows(None),
        "revisited_at",
        months,
        **{name: Count("id", filter=condition) for name, condition in REVISIT_FIELDS.items()},
    )


def rebuild_replies(months: Months):
    return _grouped(
        reply_rows(None),
        "replied_at",
        months,
        **{name: Count("id", filter=condition) for name, condition in REPLY_FIELDS.items()},
    )


def rebuild_returns(months: Months):
    return _grouped(ReturnRequest.objects.all(), "requested_at", months)


def rebuild_extensions(months: Months):
    return _grouped(ExtensionRequest.objects.all(), "requested_at", months)


def rebuild_received(months: Months):
    rows = (
        Appeal.objects.filter(_in("received_at", months), category__isnull=False, town__isnull=False)
        .exclude(state__in=_NOT_COUNTED_APPEAL_STATES)
        .annotate(month=TruncMonth("received_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "town_id", "category__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row["month"]),
            "region": row["town_id"],
            "key": row["category__code"],
            "count": row["n"],
        }


register_metric(
    DISPATCHED,
    label="派单响应（按派单月份）",
    fields=("responded", "responded_on_time"),
    rebuild=rebuild_dispatched,
)
register_metric(
    REVISITS, label="回访（按回访月份）", fields=("resolved", "satisfied", "reopened"), rebuild=rebuild_revisits
)
register_metric(REPLIES, label="答复（按答复月份）", fields=("on_time",), rebuild=rebuild_replies)
register_rows(REVISITS, rows=revisit_rows, fields=REVISIT_FIELDS)
register_rows(REPLIES, rows=reply_rows, fields=REPLY_FIELDS)
register_metric(RETURNS, label="退单申请（按申请月份）", rebuild=rebuild_returns)
register_metric(EXTENSIONS, label="延期申请（按申请月份）", rebuild=rebuild_extensions)
register_metric(RECEIVED, label="诉求（按受理月份、镇街、类别）", rebuild=rebuild_received)
