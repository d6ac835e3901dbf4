"""Each task figure of the leader dashboard opens the tasks counted in it, with its unit."""

import datetime as dt
import re
from html import unescape

import pytest

from yiwang.supervision.models import PlanTask
from yiwang.supervision.services.indicators import indicators_load
from yiwang.supervision.services.plan import plan_import
from yiwang.supervision.services.tasks import milestone_create, progress_report, task_close

from ..services.test_task_tracking import PLAN

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(office, county_leader, approval_handler, approval):
    plan = plan_import(text=PLAN, actor=office).plan
    indicators_load()
    tasks = list(PlanTask.objects.filter(plan=plan).order_by("part", "no"))
    done = next(t for t in tasks if t.assignments.filter(department=approval, role="lead").exists())
    others = [t for t in tasks if t != done]
    progress_report(task=done, actor=approval_handler, department=approval, text="已完成", percent_done=100)
    task_close(task=others[0], actor=office)
    for task in others[1:3]:  # two tasks with a milestone long overdue
        milestone_create(task=task, title="完成调研", due_on=dt.date(2026, 3, 20), actor=office, on=dt.date(2026, 3, 2))
    return plan


def test_each_task_figure_lists_its_tasks(client, plan, county_leader):
    client.force_login(county_leader)
    page = client.get("/supervision/dashboard/")
    counts = page.context["d"]["counts"]
    assert (counts["closed"], counts["done"], counts["overdue"]) == (1, 1, 2)
    html = page.content.decode()
    links = {name: unescape(href) for name, href in re.findall(r'data-figure="(\w+)" href="([^"]+)"', html)}
    expected = {
        "tasks": counts["total"],
        "closed": counts["closed"],
        "done": counts["done"],
        "overdue": counts["overdue"],
    }
    assert set(links) == set(expected)
    for name, figure in expected.items():
        listed = client.get(links[name])
        assert listed.context["page"].paginator.count == figure, name
    assert f'{counts["overdue"]} <small class="fs-6">项</small></span>有逾期节点的任务' in html
    assert f"占 {counts['total']} 项任务" in html
