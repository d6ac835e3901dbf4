"""The API: scoped lists, a retried report creates nothing twice, business errors as code + message."""

import json

import pytest

from yiwang.supervision.models import PlanTask, ProgressReport
from yiwang.supervision.services.indicators import indicators_load
from yiwang.supervision.services.plan import plan_import

from ..services.test_task_tracking import PLAN


@pytest.fixture
def plan(office, county_leader):
    result = plan_import(text=PLAN, actor=office).plan
    indicators_load()
    return result


def test_a_department_lists_its_own_tasks_and_a_retry_reports_once(client, plan, market_handler, approval_handler):
    client.force_login(market_handler)
    titles = [t["title"] for t in client.get("/api/supervision/tasks").json()]
    assert titles == ["深化证照分离"]
    client.force_login(approval_handler)
    task = PlanTask.objects.get(plan=plan, part=4, no=1)
    body = json.dumps({"department_code": "admin-approval", "text": "已上线", "percent_done": 50})
    first = client.post(
        f"/api/supervision/tasks/{task.pk}/reports",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "report-1"},
    )
    again = client.post(
        f"/api/supervision/tasks/{task.pk}/reports",
        body,
        content_type="application/json",
        headers={"Idempotency-Key": "report-1"},
    )
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert ProgressReport.objects.count() == 1
    bad = client.post(
        f"/api/supervision/tasks/{task.pk}/reports",
        json.dumps({"department_code": "admin-approval", "text": " ", "percent_done": 5}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "supervision.report_text"


def test_the_indicator_and_dashboard_figures(client, plan, county_leader):
    client.force_login(county_leader)
    rows = client.get("/api/supervision/indicators?year=2026").json()
    codes = {r["code"]: r for r in rows}
    assert codes["online-available"]["target"] == 60 and codes["opening-days"]["frontier"] == 0.5
    data = client.get("/api/supervision/dashboard?year=2026").json()
    assert len(data["areas"]) == 1 and data["counts"]["total"] == 5 and data["areas"][0]["leader"] == "陈尚东"
