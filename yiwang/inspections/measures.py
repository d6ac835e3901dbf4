"""Random inspections' monthly facts, registered with ``yiwang.measures``.

- ``inspections.drawn`` — per current draw and risk class, by month of the draw, the plan's county and
  lead department, key = class: ``count`` entities drawn, ``pool`` entities in the pool, ``joint``
  entities drawn by a joint plan (several departments), ``rounds`` 1 when the class had entities in
  the pool (one round of inspection of that class). Coverage = count ÷ pool; joint share =
  joint ÷ count; rounds in a year against the frequency per class (county default).
- ``inspections.results`` — recorded or published results, by month recorded, the task's town and
  lead department, key = result: ``count``, ``problems``.
- ``inspections.published`` — published results, by month published, key = class: ``count``,
  ``on_time`` (within the publication limit, county default 20 working days).
"""

from __future__ import annotations

from django.db.models import Count, Q
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.measures.registry import Months, month_bounds, month_of, register_metric
from yiwang.measures.services import FactDelta, measures_apply

from .models import Draw, Task

DRAWN = "inspections.drawn"
RESULTS = "inspections.results"
PUBLISHED = "inspections.published"


def draw_facts(draw: Draw, *, joint: bool | None = None) -> list[FactDelta]:
    if draw.pk is None or not draw.is_current:
        return []
    plan = draw.plan
    if joint is None:
        joint = plan.departments.count() > 1
    month = month_of(draw.drawn_at)
    return [
        FactDelta(
            DRAWN,
            month,
            plan.region_id,
            plan.lead_department_id,
            risk,
            {
                "count": int(draw.selected_counts.get(risk, 0)),
                "pool": int(draw.pool_counts.get(risk, 0)),
                "joint": int(draw.selected_counts.get(risk, 0)) if joint else 0,
                "rounds": int(int(draw.pool_counts.get(risk, 0)) > 0),
            },
        )
        for risk in sorted(draw.pool_counts)
    ]


def on_draw_changed(draw: Draw, *, was_current: bool) -> None:
    """A draw became current (``was_current=False``) or was superseded (``was_current=True``)."""
    if was_current:
        draw.is_current = True
        before = draw_facts(draw)
        draw.is_current = False
        measures_apply(before=before, after=[])
    else:
        measures_apply(after=draw_facts(draw))


def task_facts(task: Task) -> list[FactDelta]:
    out = []
    if task.pk is None or task.state not in (Task.State.RECORDED, Task.State.PUBLISHED) or task.recorded_at is None:
        return out
    out.append(
        FactDelta(
            RESULTS,
            month_of(task.recorded_at),
            task.region_id,
            task.department_id,
            task.result,
            {"count": 1, "problems": int(task.result in Task.PROBLEM_RESULTS)},
        )
    )
    if task.state == Task.State.PUBLISHED and task.published_at is not None:
        out.append(
            FactDelta(
                PUBLISHED,
                month_of(task.published_at),
                task.region_id,
                task.department_id,
                task.risk_class,
                {"count": 1, "on_time": int(bool(task.published_on_time))},
            )
        )
    return out


def on_task_changed(task: Task, *, before: list[FactDelta]) -> None:
    measures_apply(before=before, after=task_facts(task))


# --- rebuild ---------------------------------------------------------------------------------------


def _in(field: str, months: Months) -> Q:
    bounds = month_bounds(months)
    return Q() if bounds is None else Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def rebuild_drawn(months: Months):
    draws = (
        Draw.objects.filter(_in("drawn_at", months), is_current=True)
        .select_related("plan")
        .annotate(n_departments=Count("plan__departments"))
    )
    for draw in draws.iterator(chunk_size=500):
        for delta in draw_facts(draw, joint=draw.n_departments > 1):
            yield {
                "month": delta.month,
                "region": delta.region,
                "department": delta.department,
                "key": delta.key,
                **delta.values,
            }


def _grouped(qs, date_field: str, key: str, months: Months, **sums):
    rows = (
        qs.filter(_in(date_field, months))
        .annotate(month=TruncMonth(date_field, tzinfo=timezone.get_current_timezone()))
        .values("month", "region_id", "department_id", key)
        .annotate(n=Count("id"), **sums)
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row.pop("month")),
            "region": row.pop("region_id"),
            "department": row.pop("department_id"),
            "key": row.pop(key),
            "count": row.pop("n"),
            **row,
        }


def rebuild_results(months: Months):
    qs = Task.objects.filter(state__in=(Task.State.RECORDED, Task.State.PUBLISHED), recorded_at__isnull=False)
    return _grouped(
        qs, "recorded_at", "result", months, problems=Count("id", filter=Q(result__in=Task.PROBLEM_RESULTS))
    )


def rebuild_published(months: Months):
    qs = Task.objects.filter(state=Task.State.PUBLISHED, published_at__isnull=False)
    return _grouped(qs, "published_at", "risk_class", months, on_time=Count("id", filter=Q(published_on_time=True)))


register_metric(DRAWN, label="双随机抽取户数", fields=("pool", "joint", "rounds"), rebuild=rebuild_drawn)
register_metric(RESULTS, label="抽查检查结果", fields=("problems",), rebuild=rebuild_results)
register_metric(PUBLISHED, label="抽查结果公示", fields=("on_time",), rebuild=rebuild_published)
