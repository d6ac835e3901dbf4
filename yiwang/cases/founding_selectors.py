"""Reads for 企业开办: the company-to-be behind a case, and its time against the plan's target.

Plan 三、2: 力争企业开设“1日内”办结. The time of one 企业开办 is the working days from its submission to
the completion (decision) of its last sub-case, counted the day after submission (民法典 Art. 201,
``workdays.count_workdays``): submitted and done the same day is 0, done the next working day is 1.
The same number is stored on the bundle case when it completes (``Case.elapsed_workdays``) and is what
the leader page's median and share within the target read (``cases.opening`` roll-up).
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from yiwang.cases.conf import cases_setting
from yiwang.cases.founding_models import Founding
from yiwang.cases.models import Case
from yiwang.workdays.selectors import count_workdays


def opening_target_days() -> int:
    """The plan's target (三、2: 1 working day), ``YIWANG_CASES["ENTERPRISE_OPENING_TARGET_DAYS"]``."""
    return int(cases_setting("ENTERPRISE_OPENING_TARGET_DAYS"))


def opening_workdays(submitted_at: dt.datetime, completed_at: dt.datetime | dt.date) -> int:
    """Working days from submission to completion (0 = the same day)."""
    return max(0, count_workdays(submitted_at, completed_at))


def founding_of(case: Case) -> Founding | None:
    """The company-to-be of a 企业开办 case or of one of its sub-cases."""
    root_id = case.parent_id or case.pk
    # with the case's region (a bundle's parts share it): the read stays on the case's shard (docs/scale.md)
    founding = Founding.objects.filter(case_id=root_id, region_id=case.region_id)
    return founding.select_related("town", "entity", "case").first()


def founding_timing(parent: Case, *, today: dt.date | None = None) -> dict:
    """The bundle's time against the target and, when over it, why: each sub-case that completed (or is
    still open) later than the target, by how many working days; and the window's acceptance when that
    alone took longer than the target."""
    today = today or timezone.localdate()
    target = opening_target_days()
    rows = []
    for child in parent.children.filter(region_id=parent.region_id).select_related("department").order_by("number"):
        end = child.decided_at or today
        elapsed = opening_workdays(parent.submitted_at, end)
        rows.append(
            {
                "case": child,
                "done": child.decided_at is not None,
                "elapsed": elapsed,
                "over": max(0, elapsed - target),
            }
        )
    complete = parent.decided_at is not None and all(r["done"] for r in rows)
    elapsed = opening_workdays(parent.submitted_at, parent.decided_at or today)
    reasons = []
    if parent.accepted_at is None and elapsed > target:
        reasons.append(f"窗口尚未受理，已过 {elapsed} 个工作日")
    elif parent.accepted_at is not None:
        accept_days = opening_workdays(parent.submitted_at, parent.accepted_at)
        if accept_days > target:
            reasons.append(f"窗口受理用了 {accept_days} 个工作日，超出 {accept_days - target} 个工作日")
    for row in rows:
        if row["over"]:
            child = row["case"]
            when = "办结" if row["done"] else "仍未办结"
            reasons.append(
                f"{child.title}（{child.department.short_name or child.department}）提交后第 {row['elapsed']} 个工作日"
                f"{when}，超出 {row['over']} 个工作日"
            )
    return {
        "target": target,
        "elapsed": elapsed,
        "complete": complete,
        "within": elapsed <= target,
        "rows": rows,
        "reasons": reasons,
    }


def late_openings_queryset(scope, *, start: dt.date, end: dt.date):
    """企业开办 completed in [start, end] (by the day of the last sub-case) over the target; ``scope`` is
    the viewer's cases (``leader_scope``)."""
    code = cases_setting("ENTERPRISE_OPENING_BUNDLE")
    tz = timezone.get_current_timezone()
    return scope.filter(
        bundle__code=code,
        parent__isnull=True,
        decided_at__gte=dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        decided_at__lt=dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
        elapsed_workdays__gt=opening_target_days(),
    )


def late_openings(scope, *, start: dt.date, end: dt.date, limit: int = 10) -> list[dict]:
    """The latest ``limit`` of ``late_openings_queryset``, newest first, each with why (``founding_timing``)."""
    rows = (
        late_openings_queryset(scope, start=start, end=end).select_related("founding").order_by("-decided_at")[:limit]
    )
    return [{"case": c, "timing": founding_timing(c)} for c in rows]
