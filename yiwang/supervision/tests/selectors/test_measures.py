"""The milestone roll-up kept by the services equals a rebuild from the rows; the dashboard reads it."""

import datetime as dt

from yiwang.measures.selectors import fact_total, measures_check
from yiwang.supervision.measures import MILESTONES
from yiwang.supervision.models import PlanTask
from yiwang.supervision.selectors import dashboard, milestones_overdue, period_months
from yiwang.supervision.services.indicators import indicators_load
from yiwang.supervision.services.plan import plan_import
from yiwang.supervision.services.tasks import milestone_create, progress_report, task_close

from ..services.test_task_tracking import PLAN


def test_the_incremental_facts_equal_a_rebuild_and_feed_the_dashboard(
    office, county_leader, approval_handler, approval
):
    plan = plan_import(text=PLAN, actor=office).plan
    indicators_load()
    platform = PlanTask.objects.get(plan=plan, part=4, no=1)
    key_task = PlanTask.objects.get(plan=plan, part=2, no=1)  # led by 县行政审批服务局
    on_time = milestone_create(
        task=platform, title="一", due_on=dt.date(2026, 3, 20), actor=office, on=dt.date(2026, 3, 2)
    )
    late = milestone_create(
        task=platform, title="二", due_on=dt.date(2026, 3, 27), actor=office, on=dt.date(2026, 3, 2)
    )
    milestone_create(task=key_task, title="三", due_on=dt.date(2026, 4, 30), actor=office, on=dt.date(2026, 3, 2))
    moment = dt.datetime(2026, 3, 19, 10, tzinfo=dt.UTC)
    progress_report(
        task=platform,
        actor=approval_handler,
        department=approval,
        text="一完成",
        percent_done=40,
        milestone=on_time,
        reported_at=moment,
    )
    task_close(task=platform, actor=office)  # closes 二 today: late
    assert measures_check(metrics=[MILESTONES]) == []
    totals = fact_total(MILESTONES, department=approval)
    assert (totals["count"], totals["done"], totals["on_time"]) == (3, 2, 1)
    assert fact_total(MILESTONES)["count"] == 3
    assert late.pk

    data = dashboard(plan=plan, months=period_months(year=2026), today=dt.date(2026, 5, 6))
    assert data["counts"] == {"total": 5, "closed": 1, "done": 0, "overdue": 1}
    assert [m.title for m in milestones_overdue(plan=plan, today=dt.date(2026, 5, 6))] == ["三"]
    first = data["areas"][0]
    assert (first.area.title, first.tasks, first.closed, first.overdue) == ("简化企业开办", 2, 1, 0)


def test_the_dashboard_is_reused_for_a_minute_and_computed_afresh_on_request(office, county_leader):
    from yiwang.supervision.conf import DEFAULTS

    assert DEFAULTS["DASHBOARD_CACHE_SECONDS"] == 60
    plan = plan_import(text=PLAN, actor=office).plan
    months, today = period_months(year=2026), dt.date(2026, 5, 6)
    assert dashboard(plan=plan, months=months, today=today)["counts"]["overdue"] == 0
    task = PlanTask.objects.get(plan=plan, part=4, no=2)
    milestone_create(task=task, title="四", due_on=dt.date(2026, 4, 30), actor=office, on=dt.date(2026, 3, 2))
    assert dashboard(plan=plan, months=months, today=today)["counts"]["overdue"] == 0  # reused
    assert dashboard(plan=plan, months=months, today=today, fresh=True)["counts"]["overdue"] == 1
