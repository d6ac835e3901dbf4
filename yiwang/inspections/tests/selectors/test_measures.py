import datetime as dt

import pytest

from yiwang.inspections import services
from yiwang.inspections.measures import DRAWN, PUBLISHED, RESULTS
from yiwang.inspections.models import Task
from yiwang.inspections.selectors import inspection_figures
from yiwang.inspections.tests import factories as f
from yiwang.measures.selectors import measures_check
from yiwang.measures.services import measures_fold
from yiwang.workdays.selectors import add_workdays

METRICS = (DRAWN, RESULTS, PUBLISHED)


@pytest.fixture
def activity(meixian, dept_a, dept_b, market_item, pool, roster_b, handler_b):
    """A redrawn single plan with results published on time and late, and a joint plan."""
    single = services.plan_create(
        number="SJ-1",
        title="单部门",
        region=meixian.county,
        lead_department=dept_b,
        items=[market_item],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        actor=handler_b,
    )
    services.plan_publish(plan=single, actor=handler_b)
    services.plan_draw(plan=single, actor=handler_b)
    draw = services.plan_draw(plan=single, actor=handler_b, reason="名录库调整")
    tasks = list(Task.objects.filter(draw=draw).order_by("pk"))
    day = dt.date(2026, 2, 2)
    for i, task in enumerate(tasks[:6]):
        result = "problems" if i % 3 == 0 else "normal"
        task = services.task_result_record(task=task, result=result, findings="问题", inspected_on=day, actor=handler_b)
        if i < 4:
            on = add_workdays(day, 5).due if i % 2 == 0 else add_workdays(day, 25).due
            services.task_publish(task=task, actor=handler_b, on=on)
    f.roster(dept_a, 3)
    joint = services.plan_create(
        number="SJ-2",
        title="联合",
        region=meixian.county,
        lead_department=dept_b,
        departments=[dept_a],
        items=[market_item],
        distinct_departments=True,
        ratio_bp={"A": 1000},
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        actor=handler_b,
    )
    services.plan_publish(plan=joint, actor=handler_b)
    return services.plan_draw(plan=joint, actor=handler_b)


def test_rebuild_equals_the_incremental_facts(activity):
    assert measures_check(metrics=METRICS) == []
    measures_fold()
    assert measures_check(metrics=METRICS) == []


def test_it_reports_coverage_joint_share_and_timeliness(activity, meixian, dept_b):
    from yiwang.inspections.models import Draw

    figures = inspection_figures(region=meixian.county)
    by_class = {r["key"]: r for r in figures["by_class"]}
    # Only current draws count (the first plan was drawn twice). Results with problems became credit
    # records, which may move an entity to another class before the second plan's draw: the figures
    # follow each draw's own snapshot.
    current = list(Draw.objects.filter(is_current=True))
    assert len(current) == 2
    for risk in "ABCD":
        assert by_class[risk]["pool"] == sum(d.pool_counts[risk] for d in current)
        assert by_class[risk]["count"] == sum(d.selected_counts[risk] for d in current)
    assert by_class["D"]["coverage"] == 1.0
    assert activity.selected_counts["A"] == -(-activity.pool_counts["A"] // 10)  # A 10 %, rounded up
    drawn = sum(sum(d.selected_counts.values()) for d in current)
    assert figures["drawn"] == drawn
    assert figures["joint_share"] == pytest.approx(sum(activity.selected_counts.values()) / drawn)
    assert figures["published"] == 4 and figures["on_time_share"] == 0.5
    # Two rounds of every class this year (two plans drawn), against 1, 1, 2, 4 a year (county default).
    assert {r["key"]: (r["year_rounds"], r["frequency"]) for r in figures["by_class"]} == {
        "A": (2, 1),
        "B": (2, 1),
        "C": (2, 2),
        "D": (2, 4),
    }
    assert figures["by_department"][0]["department"] == dept_b.pk
