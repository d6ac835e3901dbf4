"""The assessment sheet: county-default weights 40/30/15/15, missing components left out and the rest
scaled to 100, departments ranked; the figures come from the roll-ups."""

import datetime as dt

import pytest
from django.db import transaction
from django.test import override_settings

from yiwang.measures.services import measure_add
from yiwang.supervision.assessment import AssessmentRow, assessment
from yiwang.supervision.conf import DEFAULTS
from yiwang.supervision.services.plan import plan_import

from ..services.test_task_tracking import PLAN


def test_the_weights_are_the_county_defaults_and_missing_parts_are_scaled(approval):
    assert DEFAULTS["ASSESSMENT_WEIGHTS"] == {"tasks_on_time": 40, "indicators": 30, "ratings": 15, "appeals": 15}
    assert (
        DEFAULTS["REMIND_LEAD_WORKDAYS"] == 3
        and DEFAULTS["ESCALATE_AFTER_WORKDAYS"] == 5
        and DEFAULTS["AMBER_MARGIN"] == 0.2
    )
    row = AssessmentRow(approval, {"tasks_on_time": 90, "indicators": 80, "ratings": 100, "appeals": 60})
    assert row.total == pytest.approx((90 * 40 + 80 * 30 + 100 * 15 + 60 * 15) / 100)
    row = AssessmentRow(approval, {"tasks_on_time": 90, "indicators": None, "ratings": 100, "appeals": None})
    assert row.total == pytest.approx((90 * 40 + 100 * 15) / 55)
    assert AssessmentRow(approval, dict.fromkeys(("tasks_on_time", "indicators", "ratings", "appeals"))).total is None
    with override_settings(
        YIWANG_SUPERVISION={"ASSESSMENT_WEIGHTS": {"tasks_on_time": 100, "indicators": 0, "ratings": 0, "appeals": 0}}
    ):
        assert (
            AssessmentRow(approval, {"tasks_on_time": 70, "indicators": 10, "ratings": 10, "appeals": 10}).total == 70
        )


def test_it_reads_the_departments_figures_from_the_roll_ups(office, county_leader, county, approval, market):
    plan = plan_import(text=PLAN, actor=office).plan
    with transaction.atomic():
        measure_add(
            metric="hotline.revisits",
            on=dt.date(2026, 2, 3),
            region=county,
            department=approval,
            count=10,
            resolved=9,
            satisfied=8,
        )
        measure_add(
            metric="hotline.revisits",
            on=dt.date(2026, 2, 3),
            region=county,
            department=market,
            count=10,
            resolved=10,
            satisfied=10,
        )
        measure_add(
            metric="supervision.milestones",
            on=dt.date(2026, 2, 3),
            region=county,
            department=approval,
            key="office",
            count=4,
            done=4,
            on_time=3,
        )
    rows = assessment(plan=plan, months=(dt.date(2026, 1, 1), dt.date(2026, 3, 1)))
    by = {r.department.code: r for r in rows}
    assert set(by) == {"admin-approval", "market-regulation"}
    assert (
        by["admin-approval"].components["appeals"] == 80.0 and by["admin-approval"].components["tasks_on_time"] == 75.0
    )
    assert by["market-regulation"].components["tasks_on_time"] is None
    assert rows[0].department.code == "market-regulation"  # 100 on what was measured
