"""Who may use each projects URL with an object identifier; each is driven for several roles below."""

import pytest
from django.urls import reverse

from yiwang.projects import services
from yiwang.projects.models import ProjectStage, StageItem

from .conftest import deny

ACCESS_ROUTES = {
    "projects/<int:pk>/": "the lead department, departments with an item in the project, the steward, the builder's account, leaders and supervisors of the region; others 404; anonymous → login",
    "projects/<int:pk>/stages/<int:stage_pk>/open/": "the builder's account, the steward or the lead department; others 403/404",
    "projects/<int:pk>/items/<int:item_pk>/reapply/": "the builder's account, the steward or the lead department; others 403/404",
    "projects/<int:pk>/logs/": "the steward or the lead department; others 403/404",
    "projects/<int:pk>/issues/": "the steward or the lead department; others 403/404",
    "projects/<int:pk>/steward/": "the lead department (project.manage); others 403/404",
    "projects/<int:pk>/surveys/": "the steward or the lead department; others 403/404",
    "projects/issues/<int:pk>/resolve/": "the responsible department; others 403/404",
    "projects/utilities/<int:pk>/": "the utility's staff, leaders and supervisors; other departments 404",
    "projects/utilities/<int:pk>/complete/": "the utility's staff (utility.handle); others 403/404",
    "api/projects/projects/<pk>": "as the project page; others 404, anonymous 401",
    "api/projects/utilities/<pk>/complete": "the utility's staff (utility.handle); others 403/404",
}

pytestmark = pytest.mark.django_db


def _status(client, user, method, url, data=None):
    if user is not None:
        client.force_login(user)
    else:
        client.logout()
    response = client.post(url, data or {}) if method == "POST" else client.get(url)
    return response.status_code


@pytest.fixture
def world(social_project, handlers, handler_a, meixian, enterprise_user):
    power = handlers["state-grid-meixian"]
    connection = services.connection_apply(
        kind="electricity",
        category="low_voltage",
        applicant_name="眉县秦岭果业有限公司",
        applicant_phone="13891712345",
        address="眉县经开区渭河大道北侧",
        region=meixian.county,
        actor=enterprise_user,
    )
    issue = services.service_issue_raise(
        enterprise_name="眉县秦岭果业有限公司",
        text="施工临时用水接入点位不明确",
        department=handlers["housing-construction"].memberships.first().department,
        project=social_project,
        actor=handler_a,
    )
    return social_project, connection, issue, power


def test_the_project_page_is_scoped(
    client, world, handler_a, handler_b, handlers, leader, supervisor, citizen, enterprise_user
):
    project, _, _, _ = world
    url = reverse("projects:detail", args=[project.pk])
    for user in (handler_a, handlers["natural-resources"], leader, supervisor):
        assert _status(client, user, "GET", url) == 200
    for user in (handler_b, citizen, enterprise_user):
        assert _status(client, user, "GET", url) == 404
    assert _status(client, None, "GET", url) == 302
    api = f"/api/projects/projects/{project.pk}"
    assert _status(client, handler_a, "GET", api) == 200
    assert _status(client, handler_b, "GET", api) == 404
    assert _status(client, None, "GET", api) == 401


def test_only_the_lead_department_steward_or_builder_apply(client, world, handler_a, handler_b, handlers, clerk):
    project, _, _, _ = world
    stage = project.stages.get(code="planning")
    url = reverse("projects:stage_open", args=[project.pk, stage.pk])
    # A department with an item reads the project but may not apply for it.
    natural = handlers["natural-resources"]
    assert _status(client, natural, "POST", url) == 302
    assert ProjectStage.objects.get(pk=stage.pk).state == "ready"
    assert _status(client, handler_b, "POST", url) == 404
    assert _status(client, handler_a, "POST", url) == 302
    assert ProjectStage.objects.get(pk=stage.pk).state == "running"
    item = StageItem.objects.filter(stage=stage).select_related("case", "department").first()
    deny(item.case, clerk=clerk, handler=handlers[item.department.code])
    reapply = reverse("projects:item_reapply", args=[project.pk, item.pk])
    assert _status(client, handler_b, "POST", reapply) == 404
    assert _status(client, natural, "POST", reapply) == 302
    assert StageItem.objects.get(pk=item.pk).state == "denied"
    assert _status(client, handler_a, "POST", reapply) == 302
    assert StageItem.objects.get(pk=item.pk).state == "open"


def test_the_log_and_issues_belong_to_the_steward_and_the_department(client, world, handler_a, handler_b, handlers):
    project, _, issue, _ = world
    log = reverse("projects:log_add", args=[project.pk])
    assert _status(client, handlers["natural-resources"], "POST", log, {"kind": "visit", "text": "走访"}) == 302
    assert not project.logs.exists()
    assert _status(client, handler_a, "POST", log, {"kind": "visit", "text": "走访工地，了解用地进度"}) == 302
    assert project.logs.count() == 1
    steward = reverse("projects:steward_assign", args=[project.pk])
    assert _status(client, handler_b, "POST", steward, {"steward": handler_a.pk}) == 404
    assert _status(client, handlers["natural-resources"], "POST", steward, {"steward": handler_a.pk}) == 302
    project.refresh_from_db()
    assert project.steward_id is None
    assert _status(client, handler_a, "POST", steward, {"steward": handler_a.pk}) == 302
    project.refresh_from_db()
    assert project.steward_id == handler_a.pk
    survey = reverse("projects:survey_record", args=[project.pk])
    data = {"surveyor": "宝鸡市勘测院", "kinds": ["planning_check", "housing"], "summary": "规划核实与房产测绘成果"}
    assert _status(client, handler_b, "POST", survey, data) == 404
    assert _status(client, handlers["natural-resources"], "POST", survey, data) == 302
    assert not project.surveys.exists()
    assert _status(client, handler_a, "POST", survey, data) == 302
    assert project.surveys.count() == 1
    raise_url = reverse("projects:issue_raise", args=[project.pk])
    assert _status(client, handler_b, "POST", raise_url, {"text": "x", "department": handler_b.pk}) == 404
    resolve = reverse("projects:issue_resolve", args=[issue.pk])
    assert _status(client, handler_b, "POST", resolve, {"resolution": "已答复"}) == 404
    assert _status(client, handler_a, "POST", resolve, {"resolution": "已答复"}) == 302
    issue.refresh_from_db()
    assert issue.state == "open"
    assert _status(client, handlers["housing-construction"], "POST", resolve, {"resolution": "已明确接入点位"}) == 302
    issue.refresh_from_db()
    assert issue.state == "resolved"


def test_connections_belong_to_the_utility(client, world, handler_a, handlers, leader, citizen):
    _, connection, _, power = world
    url = reverse("projects:connection", args=[connection.pk])
    assert _status(client, power, "GET", url) == 200
    assert _status(client, leader, "GET", url) == 200
    assert _status(client, handlers["meixian-water"], "GET", url) == 404
    assert _status(client, citizen, "GET", url) == 403
    assert _status(client, None, "GET", url) == 302
    complete = reverse("projects:connection_complete", args=[connection.pk])
    assert _status(client, handlers["meixian-water"], "POST", complete) == 404
    assert _status(client, leader, "POST", complete) == 403
    api = f"/api/projects/utilities/{connection.pk}/complete"
    assert _status(client, handlers["meixian-water"], "POST", api) == 404
    assert _status(client, None, "POST", api) == 401
    assert _status(client, power, "POST", api) == 200
    connection.refresh_from_db()
    assert connection.state == "connected"


def test_the_public_status_shows_no_personal_data(client, world):
    _, connection, _, _ = world
    response = client.get(
        reverse("projects:connection_status"), {"number": connection.number, "code": connection.query_code}
    )
    body = response.content.decode()
    assert response.status_code == 200 and connection.number in body
    assert "眉县秦岭果业有限公司" not in body and "13891712345" not in body
    assert "眉*" in body or "*" in body
    wrong = client.get(reverse("projects:connection_status"), {"number": connection.number, "code": "ZZZZZZ"})
    assert "未找到该报装" in wrong.content.decode()
    api = client.get("/api/projects/utilities/status", {"number": connection.number, "code": connection.query_code})
    assert api.status_code == 200 and "13891712345" not in api.content.decode()
    assert client.get("/api/projects/utilities/status", {"number": connection.number, "code": "X"}).status_code == 404
