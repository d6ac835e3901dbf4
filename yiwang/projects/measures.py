"""Monthly facts of projects and utility connections, registered with ``yiwang.measures``.

- ``projects.approved`` — projects whose approval completed, by month of completion; region = the
  project's county, department = the lead department, key = category. ``workdays`` sums the working
  days used (project clock, waits between stages excluded), ``within_limit`` counts those within the
  category's limit (plan 二(三)(1): 90 / 50 / 15).
- ``projects.connections`` — utility connections completed, by month of connection; region = the
  connection's region, department = the utility, key = ``kind:category``. ``workdays`` sums the working
  days used, ``on_time`` counts those within the category's limit (plan 四(三)1).
"""

from __future__ import annotations

from django.db.models import Count, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.measures.registry import Months, month_bounds, month_of, register_metric
from yiwang.measures.services import FactDelta, measure_add, measures_apply

APPROVED = "projects.approved"
CONNECTIONS = "projects.connections"


def on_project_completed(project) -> None:
    """Count a project once, when its approval completes (in the completing transaction)."""
    measure_add(
        metric=APPROVED,
        on=project.completed_at,
        region=project.region_id,
        department=project.lead_department_id,
        key=project.category,
        count=1,
        workdays=project.approval_workdays or 0,
        within_limit=int((project.approval_workdays or 0) <= project.limit_days),
    )


def connection_facts(connection) -> list[FactDelta]:
    """One connection's contribution (same rule as ``rebuild_connections``)."""
    if connection.pk is None or connection.state != "connected" or connection.connected_at is None:
        return []
    return [
        FactDelta(
            CONNECTIONS,
            month_of(connection.connected_at),
            connection.region_id,
            connection.utility_id,
            f"{connection.kind}:{connection.category}",
            {"count": 1, "workdays": connection.used_workdays or 0, "on_time": int(bool(connection.on_time))},
        )
    ]


def on_connection_changed(connection, *, before: list[FactDelta]) -> None:
    measures_apply(before=before, after=connection_facts(connection))


def _in(field: str, months: Months) -> Q:
    bounds = month_bounds(months)
    return Q() if bounds is None else Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def rebuild_approved(months: Months):
    from .models import ConstructionProject

    rows = (
        ConstructionProject.objects.filter(_in("completed_at", months), state="completed")
        .annotate(month=TruncMonth("completed_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "region_id", "lead_department_id", "category")
        .annotate(
            n=Count("id"),
            days=Sum("approval_workdays"),
            within=Count("id", filter=Q(approval_workdays__lte=models_f("limit_days"))),
        )
        .order_by()
    )
    for row in rows:
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["lead_department_id"],
            "key": row["category"],
            "count": row["n"],
            "workdays": row["days"] or 0,
            "within_limit": row["within"],
        }


def models_f(name: str):
    from django.db.models import F

    return F(name)


def rebuild_connections(months: Months):
    from .models import UtilityConnection

    rows = (
        UtilityConnection.objects.filter(_in("connected_at", months), state="connected")
        .annotate(month=TruncMonth("connected_at", tzinfo=timezone.get_current_timezone()))
        .values("month", "region_id", "utility_id", "kind", "category")
        .annotate(n=Count("id"), days=Sum("used_workdays"), on_time=Count("id", filter=Q(on_time=True)))
        .order_by()
    )
    for row in rows:
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["utility_id"],
            "key": f"{row['kind']}:{row['category']}",
            "count": row["n"],
            "workdays": row["days"] or 0,
            "on_time": row["on_time"],
        }


register_metric(
    APPROVED, label="工程建设项目审批完成（按完成月份）", fields=("workdays", "within_limit"), rebuild=rebuild_approved
)
register_metric(
    CONNECTIONS, label="公用事业报装接入（按接入月份）", fields=("workdays", "on_time"), rebuild=rebuild_connections
)
