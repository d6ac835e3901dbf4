"""The pages render for the office, leaders and departments; forms call the services; exports work."""

import datetime as dt

import pytest
from openpyxl import load_workbook

from yiwang.supervision.models import Milestone, PlanTask, ProgressReport
from yiwang.supervision.services.indicators import indicators_load
from yiwang.supervision.services.plan import plan_import
from yiwang.supervision.services.tasks import milestone_create

from ..services.test_task_tracking import PLAN


@pytest.fixture
def plan(office, county_leader):
    result = plan_import(text=PLAN, actor=office).plan
    indicators_load()
    return result


def test_the_pages_render_for_each_role(client, plan, office, county_leader, approval_handler):
    for user, urls in (
        (
            office,
            [
                "/supervision/dashboard/",
                "/supervision/tasks/",
                "/supervision/notices/",
                "/supervision/ledgers/",
                "/supervision/indicators/",
                "/supervision/assessment/",
                "/supervision/assessment/?year=2026&quarter=1",
            ],
        ),
        (county_leader, ["/supervision/dashboard/?year=2026", "/supervision/indicators/"]),
        (
            approval_handler,
            ["/supervision/tasks/", "/supervision/indicators/", "/supervision/ledgers/", "/supervision/notices/"],
        ),
    ):
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, url
    client.force_login(office)
    page = client.get("/supervision/indicators/").content.decode()
    assert "前沿距离" in page and "（最差值 − 实际值）÷（最差值 − 前沿值）× 100" in page
    assert client.get("/supervision/").url == "/supervision/dashboard/"
    client.force_login(approval_handler)
    assert client.get("/supervision/").url == "/supervision/tasks/"
    assert client.get("/supervision/dashboard/").status_code == 403


def test_a_lead_department_reports_through_the_page(client, plan, office, approval_handler, approval):
    task = PlanTask.objects.get(plan=plan, part=4, no=1)
    milestone = milestone_create(
        task=task, title="平台上线", due_on=dt.date(2026, 12, 30), actor=office, on=dt.date(2026, 3, 2)
    )
    client.force_login(approval_handler)
    page = client.get(f"/supervision/tasks/{task.pk}/").content.decode()
    assert "报送进展" in page and "审核销号" not in page
    response = client.post(
        f"/supervision/tasks/{task.pk}/",
        {
            "action": "report",
            "r-department": approval.pk,
            "r-text": "平台已上线",
            "r-percent_done": 80,
            "r-milestone": milestone.pk,
        },
    )
    assert response.status_code == 302
    assert ProgressReport.objects.get().percent_done == 80
    assert Milestone.objects.get(pk=milestone.pk).state == "done"
    bad = client.post(
        f"/supervision/tasks/{task.pk}/",
        {"action": "report", "r-department": approval.pk, "r-text": "x", "r-percent_done": 120},
    )
    assert bad.status_code == 200 and ProgressReport.objects.count() == 1
    client.force_login(office)
    response = client.post(
        f"/supervision/tasks/{task.pk}/", {"action": "milestone", "m-title": "过去的节点", "m-due_on": "2020-01-01"}
    )
    assert response.status_code == 200 and "早于设定日期" in response.content.decode()
    response = client.post(f"/supervision/tasks/{task.pk}/", {"action": "close", "n-text": "已核查"})
    assert response.status_code == 302
    task.refresh_from_db()
    assert task.state == "closed"


def test_the_assessment_exports_xlsx_and_pdf(client, plan, office):
    client.force_login(office)
    response = client.get("/supervision/assessment/?year=2026&format=xlsx")
    assert response.status_code == 200
    from io import BytesIO

    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet["A1"].value == "优化营商环境工作考核结果（2026年度）"
    assert [c.value for c in sheet[3]] == [
        "名次",
        "部门",
        "任务节点按时完成率",
        "评价指标得分",
        "好差评满意度",
        "12345满意率",
        "综合得分",
    ]
    departments = {sheet.cell(row=r, column=2).value for r in range(4, sheet.max_row + 1)}
    assert departments == {"县行政审批服务局", "县市场监管局"}
    try:
        pdf = client.get("/supervision/assessment/?year=2026&quarter=1&format=pdf")
    except Exception as error:  # noqa: BLE001 — a machine without a CJK font
        pytest.skip(f"no CJK font: {error}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
