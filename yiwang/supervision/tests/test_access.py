"""Who may use each supervision route with an object identifier (rows for the access matrix), driven
for several roles: the lead department allowed, another department refused, anonymous refused."""

import datetime as dt
import json

import pytest

from yiwang.supervision.models import LedgerItem, PlanTask, SubMeasure
from yiwang.supervision.services.indicators import indicators_load
from yiwang.supervision.services.ledgers import ledger_register

from .services.test_task_tracking import PLAN

ACCESS_ROUTES = {
    "supervision/tasks/<int:pk>/": "read: the task's lead and co-departments, the supervision office, leaders; POST report: lead departments; milestones, 督办单, 销号: the office",
    "supervision/ledgers/<int:pk>/": "read: the owner department, the office, leaders; record: owner and office; 销号: the office",
    "supervision/indicators/<int:pk>/enter/": "the indicator's responsible department and the office",
    "supervision/indicators/<slug:code>/drill/": "the office and leaders (roll-up by department)",
    "api/supervision/tasks/<pk>": "GET: as the task page",
    "api/supervision/tasks/<pk>/reports": "POST: the task's lead departments",
    "api/supervision/tasks/<pk>/milestones": "POST: the supervision office",
    "api/supervision/tasks/<pk>/close": "POST: the supervision office",
    "api/supervision/ledgers/<pk>": "GET: the owner department, the office, leaders",
    "api/supervision/indicators/<code>/values": "POST: the indicator's responsible department and the office",
    # driven over the roles in yiwang/cases/tests/views/test_leader_drill.py (it has overdue cases)
    "supervision/urges/<int:pk>/": "read: the addressed department, the office and leaders of the region; POST answer: the addressed department's handlers",
    "supervision/urge/case/<str:number>/": "POST: supervisors (the office) over the case's region, on an overdue case",
    "supervision/urge/appeal/<str:code>/": "POST: supervisors (the office) over the appeal's region, on an overdue appeal",
}


@pytest.fixture
def world(office, county_leader, approval_handler, market_handler, approval, market):
    from yiwang.supervision.services.plan import plan_import

    plan = plan_import(text=PLAN, actor=office).plan
    indicators_load()
    task = PlanTask.objects.get(plan=plan, part=4, no=1)  # 县行政审批服务局 leads; 县市场监管局 not involved
    item = ledger_register(
        kind="arrears",
        department=approval,
        title="工程款",
        creditor="眉县某建筑公司",
        amount_owed="1000",
        due_on=dt.date(2026, 12, 31),
        actor=office,
        registered_on=dt.date(2026, 3, 2),
    )
    measure = SubMeasure.objects.get(code="property-days")  # 县自然资源局's
    own_measure = SubMeasure.objects.get(code="ip-patents-per-10k")  # 县市场监管局's
    return {"task": task, "item": item, "measure": measure, "own_measure": own_measure}


def _status(client, user, method, url, data=None):
    client.logout()
    if user is not None:
        client.force_login(user)
    if method == "GET":
        return client.get(url).status_code
    return client.post(url, data=json.dumps(data or {}), content_type="application/json").status_code


def test_every_route_for_each_role(client, world, office, county_leader, approval_handler, market_handler):
    task, item = world["task"], world["item"]
    pages = {
        f"/supervision/tasks/{task.pk}/": {
            None: 302,
            office: 200,
            county_leader: 200,
            approval_handler: 200,
            market_handler: 404,
        },
        f"/supervision/ledgers/{item.pk}/": {
            None: 302,
            office: 200,
            county_leader: 200,
            approval_handler: 200,
            market_handler: 404,
        },
        f"/supervision/indicators/{world['own_measure'].pk}/enter/": {
            None: 302,
            office: 200,
            county_leader: 403,
            approval_handler: 404,
            market_handler: 200,
        },
        "/supervision/indicators/opening-days/drill/": {
            None: 302,
            office: 200,
            county_leader: 200,
            approval_handler: 403,
            market_handler: 403,
        },
    }
    for url, expected in pages.items():
        got = {user: _status(client, user, "GET", url) for user in expected}
        assert got == expected, url
    api = [
        (
            "GET",
            f"/api/supervision/tasks/{task.pk}",
            None,
            {None: 401, office: 200, county_leader: 200, approval_handler: 200, market_handler: 404},
        ),
        (
            "GET",
            f"/api/supervision/ledgers/{item.pk}",
            None,
            {None: 401, office: 200, county_leader: 200, approval_handler: 200, market_handler: 404},
        ),
        (
            "POST",
            f"/api/supervision/tasks/{task.pk}/reports",
            {"department_code": "market-regulation", "text": "x", "percent_done": 10},
            {None: 401, office: 403, county_leader: 403, market_handler: 404},
        ),
        (
            "POST",
            f"/api/supervision/tasks/{task.pk}/milestones",
            {"title": "节点", "due_on": "2026-12-30"},
            {None: 401, approval_handler: 403, market_handler: 403, county_leader: 403},
        ),
        (
            "POST",
            f"/api/supervision/tasks/{task.pk}/close",
            {"note": ""},
            {None: 401, approval_handler: 403, county_leader: 403},
        ),
        (
            "POST",
            "/api/supervision/indicators/property-days/values",
            {"month": "2026-02-01", "value": "7", "evidence": "x"},
            {None: 401, county_leader: 403, approval_handler: 403, market_handler: 403},
        ),
    ]
    for method, url, data, expected in api:
        got = {user: _status(client, user, method, url, data) for user in expected}
        assert got == expected, url
    # Allowed writes succeed for the right role.
    assert (
        _status(
            client,
            approval_handler,
            "POST",
            f"/api/supervision/tasks/{task.pk}/reports",
            {"department_code": "admin-approval", "text": "推进中", "percent_done": 30},
        )
        == 201
    )
    assert (
        _status(
            client,
            office,
            "POST",
            f"/api/supervision/tasks/{task.pk}/milestones",
            {"title": "节点", "due_on": "2026-12-30"},
        )
        == 201
    )
    assert (
        _status(
            client,
            office,
            "POST",
            "/api/supervision/indicators/property-days/values",
            {"month": "2026-02-01", "value": "7", "evidence": "不动产登记中心月报"},
        )
        == 201
    )
    assert _status(client, office, "POST", f"/api/supervision/tasks/{task.pk}/close", {"note": "完成"}) == 200
    assert LedgerItem.objects.count() == 1


def test_public_visitors_and_citizens_see_nothing(client, world, citizen):
    for url in ("/supervision/tasks/", "/supervision/dashboard/", "/supervision/ledgers/", "/supervision/indicators/"):
        assert _status(client, None, "GET", url) == 302
        assert _status(client, citizen, "GET", url) == 403
