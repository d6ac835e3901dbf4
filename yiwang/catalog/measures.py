"""The catalog targets' facts (网上可办率 and the rest), registered with ``yiwang.measures``.

``catalog.items`` is a snapshot, not a flow: the published catalog as it stands, one row per
(region, competent department, level — the key), all under the fixed month ``SNAPSHOT_MONTH``.
``count`` = published items; ``applied`` = 依申请; ``online`` = 依申请 with online depth ≥ III;
``zero_visit`` = 依申请 with 0 visits; ``instant`` = 即办件; ``reform`` = 证照分离 mode counted by
the plan (直接取消审批, 审批改为备案, 实行告知承诺); ``over_visits`` = 依申请 needing more visits
than the policy limit (``rules.MAX_VISITS``), which load but do not meet the target.

Every catalog change recomputes the snapshot of the departments it touches — exact and cheap
(one GROUP BY over one department's items):

    on_items_changed(departments=[item.competent_department_id, previous_department_id])
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q

from yiwang.measures.registry import Months, register_metric
from yiwang.measures.services import measures_replace
from yiwang.org.models import Department

from .models import COUNTED_REFORM_MODES, HandlingType, ItemStatus, ServiceItem
from .rules import MAX_VISITS

ITEMS = "catalog.items"
SNAPSHOT_MONTH = dt.date(2000, 1, 1)

_SUMS = {
    "n": Count("pk"),
    "applied": Count("pk", filter=Q(on_application=True)),
    "online": Count("pk", filter=Q(on_application=True, online_depth__gte=3)),
    "zero_visit": Count("pk", filter=Q(on_application=True, visits_required=0)),
    "instant": Count("pk", filter=Q(handling_type=HandlingType.INSTANT)),
    "reform": Count("pk", filter=Q(reform_mode__in=list(COUNTED_REFORM_MODES))),
    "over_visits": Count("pk", filter=Q(on_application=True, visits_required__gt=MAX_VISITS)),
}
_FIELDS = ("applied", "online", "zero_visit", "instant", "reform", "over_visits")


def _rows(qs):
    for row in (
        qs.filter(status=ItemStatus.PUBLISHED)
        .values("region_id", "competent_department_id", "level")
        .annotate(**_SUMS)
        .order_by()
    ):
        yield {
            "month": SNAPSHOT_MONTH,
            "region": row["region_id"],
            "department": row["competent_department_id"],
            "key": row["level"],
            "count": row["n"],
            **{name: row[name] for name in _FIELDS},
        }


def rebuild_items(months: Months):
    if months is not None and not (months[0] <= SNAPSHOT_MONTH <= months[1]):
        return iter(())
    return _rows(ServiceItem.objects.all())


def on_items_changed(*, departments) -> None:
    """Recompute the snapshot of these competent departments (ids or objects; ``None`` entries ignored).

    Call in the transaction of every change to published items: publish (approve a change, baseline,
    import), withdraw — with both the old and the new competent department when it moved.
    Locks the departments' rows so two concurrent recomputations of one department queue.
    """
    ids = sorted({getattr(d, "pk", d) for d in departments if d is not None})
    if not ids:
        return
    list(Department.objects.select_for_update().filter(pk__in=ids).order_by("pk").values_list("pk", flat=True))
    measures_replace(
        metric=ITEMS,
        rows=_rows(ServiceItem.objects.filter(competent_department_id__in=ids)),
        scope=Q(department_id__in=ids),
    )


def on_item_changed(item: ServiceItem, *, previous_department=None) -> None:
    """One item changed: recompute its department (and the previous one if the item moved)."""
    on_items_changed(departments=[item.competent_department_id, previous_department])


register_metric(
    ITEMS,
    label="事项清单（现状快照）",
    fields=_FIELDS,
    rebuild=rebuild_items,
)
