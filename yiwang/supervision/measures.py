"""Supervision's monthly facts, registered with ``yiwang.measures`` (the assessment reads them).

- ``supervision.milestones`` — milestones by month of their due day, the task's region and each lead
  department of the task, key = source (plan / office). ``count`` = milestones due; ``done`` =
  completed; ``on_time`` = completed on or before the due day. A milestone's contribution changes
  when it is completed (or its due day moves), so services apply before/after::

      before = milestone_facts(milestone)   # after locking, before changing
      ...change and save...
      measures_apply(before=before, after=milestone_facts(milestone))
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, Q
from django.db.models.functions import TruncMonth

from yiwang.measures.registry import Months, month_of, register_metric
from yiwang.measures.services import FactDelta

MILESTONES = "supervision.milestones"


def milestone_facts(milestone) -> list[FactDelta]:
    """One milestone's contribution (same rules as ``rebuild_milestones``)."""
    from .models import TaskDepartment

    if milestone.pk is None:
        return []
    done = milestone.state == "done"
    on_time = done and milestone.done_on is not None and milestone.done_on <= milestone.due_on
    departments = TaskDepartment.objects.filter(task_id=milestone.task_id, role=TaskDepartment.Role.LEAD).values_list(
        "department_id", flat=True
    )
    return [
        FactDelta(
            MILESTONES,
            month_of(milestone.due_on),
            milestone.task.region_id,
            department_id,
            milestone.source,
            {"count": 1, "done": int(done), "on_time": int(on_time)},
        )
        for department_id in departments
    ]


def rebuild_milestones(months: Months):
    from .models import TaskDepartment

    qs = TaskDepartment.objects.filter(role=TaskDepartment.Role.LEAD)
    if months is not None:
        qs = qs.filter(task__milestones__due_on__gte=month_of(months[0]))
        last = month_of(months[1])
        after = (last.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        qs = qs.filter(task__milestones__due_on__lt=after)
    rows = (
        qs.filter(task__milestones__isnull=False)
        .values(
            "department_id",
            month=TruncMonth("task__milestones__due_on"),
            region=F("task__region_id"),
            key=F("task__milestones__source"),
        )
        .annotate(
            n=Count("task__milestones"),
            n_done=Count("task__milestones", filter=Q(task__milestones__state="done")),
            n_on_time=Count(
                "task__milestones",
                filter=Q(task__milestones__state="done", task__milestones__done_on__lte=F("task__milestones__due_on")),
            ),
        )
        .order_by()
    )
    for row in rows:
        month = row["month"]
        month = month.date() if hasattr(month, "date") else month
        yield {
            "month": month.replace(day=1),
            "region": row["region"],
            "department": row["department_id"],
            "key": row["key"],
            "count": row["n"],
            "done": row["n_done"],
            "on_time": row["n_on_time"],
        }


register_metric(
    MILESTONES, label="督办任务节点（按到期月份、牵头部门）", fields=("done", "on_time"), rebuild=rebuild_milestones
)
