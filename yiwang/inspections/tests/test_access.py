"""Access to every inspections endpoint that takes an object identifier, role by role.

``ACCESS_ROUTES`` is this app's row set of the access matrix (``yiwang/org/tests/test_access_matrix.py``).
The plan below is led by 县市场监管局 (dept_b); 县行政审批服务局 (dept_a) has nothing to do with it.
Each request runs in a savepoint that is rolled back, so every role meets the same objects.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import transaction
from django.test import Client

from yiwang.inspections import services
from yiwang.inspections.models import Inspector, Task

ACCESS_ROUTES = {
    "inspections/plans/<int:pk>/": "the plan's departments (handlers, inspectors); leaders and supervisors of its county",
    "inspections/plans/<int:pk>/tasks.xlsx": "as the plan page",
    "inspections/plans/<int:pk>/publish/": "handlers of the lead department",
    "inspections/plans/<int:pk>/draw/": "handlers of the lead department",
    "inspections/plans/<int:pk>/publish-results/": "handlers of the lead department",
    "inspections/plans/<int:pk>/verify/": "as the plan page (recomputes the draw, audited)",
    "inspections/tasks/<int:pk>/": "the lead department's staff, the drawn inspectors; leaders and supervisors",
    "inspections/public/<int:pk>/": "public (no personal data)",
    "api/inspections/plans/<pk>": "as the plan page",
    "api/inspections/plans/<pk>/publish": "handlers of the lead department",
    "api/inspections/plans/<pk>/draw": "handlers of the lead department",
    "api/inspections/draws/<pk>": "public (seed, rules, counts; no personal data)",
    "api/inspections/tasks/<pk>/result": "the lead department's handlers and inspectors, the drawn inspectors",
    "api/inspections/tasks/<pk>/publish": "handlers of the lead department",
    "api/inspections/public/plans/<pk>/results": "public (no personal data)",
}

ROLES = ("anonymous", "citizen", "handler_a", "handler_b", "inspector", "leader", "supervisor")


@pytest.fixture
def users(citizen, handler_a, handler_b, inspector, leader, supervisor):
    return {
        "citizen": citizen,
        "handler_a": handler_a,
        "handler_b": handler_b,
        "inspector": inspector,
        "leader": leader,
        "supervisor": supervisor,
    }


@pytest.fixture
def world(drawn, handler_b):
    """A drawn plan with one published result (public page) and one task assigned to ``inspector``."""
    tasks = list(Task.objects.filter(draw=drawn).order_by("pk"))
    done = services.task_result_record(
        task=tasks[0],
        result="problems",
        findings="从业人员健康证过期",
        inspected_on=dt.date(2026, 2, 3),
        actor=handler_b,
    )
    services.task_publish(task=done, actor=handler_b)
    return {"plan": drawn.plan, "draw": drawn, "task": tasks[1], "published": done}


def _refused(response) -> bool:
    if response.status_code in (401, 403, 404):
        return True
    return response.status_code == 302 and "/login" in response.get("Location", "")


def _call(client, method, url, data=None):
    with transaction.atomic():
        if method == "GET":
            response = client.get(url)
        elif url.startswith("/api/"):
            response = client.post(url, data=json.dumps(data or {}), content_type="application/json")
        else:
            response = client.post(url, data or {})
        transaction.set_rollback(True)
    assert response.status_code < 500, (url, response.status_code)
    return response


def _requests(world):
    plan, draw, task, published = world["plan"], world["draw"], world["task"], world["published"]
    lead = {"handler_b"}
    readers = {"handler_b", "inspector", "leader", "supervisor"}
    result_body = {"result": "normal", "inspected_on": "2026-03-02"}
    everyone = set(ROLES)
    return [
        ("GET", f"/inspections/plans/{plan.pk}/", None, readers),
        ("GET", f"/inspections/plans/{plan.pk}/tasks.xlsx", None, readers),
        ("POST", f"/inspections/plans/{plan.pk}/publish/", None, lead),
        ("POST", f"/inspections/plans/{plan.pk}/draw/", {"reason": "复核"}, lead),
        ("POST", f"/inspections/plans/{plan.pk}/publish-results/", None, lead),
        ("POST", f"/inspections/plans/{plan.pk}/verify/", None, readers),
        ("GET", f"/inspections/tasks/{task.pk}/", None, readers),
        ("GET", f"/inspections/public/{plan.pk}/", None, everyone),
        ("GET", f"/api/inspections/plans/{plan.pk}", None, readers),
        ("POST", f"/api/inspections/plans/{plan.pk}/publish", None, lead),
        ("POST", f"/api/inspections/plans/{plan.pk}/draw", {"reason": "复核"}, lead),
        ("GET", f"/api/inspections/draws/{draw.pk}", None, everyone),
        ("POST", f"/api/inspections/tasks/{task.pk}/result", result_body, {"handler_b", "inspector"}),
        ("POST", f"/api/inspections/tasks/{published.pk}/publish", None, lead),
        ("GET", f"/api/inspections/public/plans/{plan.pk}/results", None, everyone),
    ]


def test_it_drives_every_route_for_every_role(world, users):
    assert len(_requests(world)) == len(ACCESS_ROUTES)
    for role in ROLES:
        client = Client()
        if role != "anonymous":
            client.force_login(users[role])
        for method, url, data, allowed in _requests(world):
            response = _call(client, method, url, data)
            if role in allowed:
                assert not _refused(response), (role, method, url, response.status_code)
            else:
                assert _refused(response), (role, method, url, response.status_code)


def test_it_lets_a_drawn_inspector_of_another_department_record_only_their_task(world, handler_a, dept_a):
    # A joint plan may draw an inspector of another department: that person reaches the task they were
    # drawn for, not the rest of the plan's tasks.
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import MembershipFactory, UserFactory

    outsider = UserFactory(username="joint_inspector", display_name="联合检查员")
    MembershipFactory(user=outsider, role=Role.INSPECTOR, department=dept_a)
    person = Inspector.objects.create(
        department=dept_a,
        user=outsider,
        name="秦岭",
        certificate_no="61032699000001",
        certificate_expires_on=dt.date(2030, 1, 1),
    )
    task, other = world["task"], Task.objects.filter(draw=world["draw"]).order_by("-pk").first()
    task.assignments.create(inspector=person, department=dept_a, position=3)
    client = Client()
    client.force_login(outsider)
    assert client.get(f"/inspections/tasks/{task.pk}/").status_code == 200
    assert client.get(f"/inspections/tasks/{other.pk}/").status_code == 404
    response = client.post(
        f"/api/inspections/tasks/{task.pk}/result",
        data=json.dumps({"result": "normal", "inspected_on": "2026-03-02"}),
        content_type="application/json",
    )
    assert response.status_code == 200, response.content


def test_public_pages_show_no_personal_data(world):
    client = Client()
    plan = world["plan"]
    names = list(Inspector.objects.values_list("name", flat=True))
    for url in (
        f"/inspections/public/{plan.pk}/",
        f"/api/inspections/public/plans/{plan.pk}/results",
        f"/api/inspections/draws/{world['draw'].pk}",
        "/inspections/public/",
    ):
        body = client.get(url).content.decode()
        for name in names:
            assert name not in body, (url, name)
    page = client.get(f"/inspections/public/{plan.pk}/").content.decode()
    assert world["published"].entity.name in page and "发现问题已责令改正" in page
    assert plan.commitment in page


def test_public_results_mask_an_operator_name_inside_an_individual_business_name(world, handler_b):
    from yiwang.credit.models import Entity

    task = world["task"]
    Entity.objects.filter(pk=task.entity_id).update(
        kind=Entity.Kind.INDIVIDUAL, name="眉县槐芽镇张建国猕猴桃种植园", legal_representative="张建国"
    )
    done = services.task_result_record(task=task, result="normal", inspected_on=dt.date(2026, 2, 4), actor=handler_b)
    services.task_publish(task=done, actor=handler_b)
    page = Client().get(f"/inspections/public/{world['plan'].pk}/").content.decode()
    assert "猕猴桃种植园" in page and "张建国" not in page
