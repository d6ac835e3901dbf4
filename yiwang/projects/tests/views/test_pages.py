"""The pages render what a user should read: stage clocks, blockers, the leader's lists and figures, limits."""

import pytest
from django.urls import reverse

from yiwang.measures.selectors import stored_rows
from yiwang.measures.services import measures_rebuild
from yiwang.projects import services
from yiwang.projects.models import ProjectStage

from ..conftest import approve_stage

pytestmark = pytest.mark.django_db


def test_the_project_page_shows_stage_clocks_and_blockers(client, social_project, handler_a):
    services.project_stage_open(stage=social_project.stages.get(code="planning"), actor=handler_a)
    client.force_login(handler_a)
    body = client.get(reverse("projects:detail", args=[social_project.pk])).content.decode()
    assert "全流程审批时限：50 个工作日" in body
    assert "阶段时限 15 个工作日" in body and "联审" in body and "联合验收" in body
    assert "卡在哪里" in body and "县发改局" in body


def test_the_leader_reads_projects_at_risk_and_figures(
    client, low_risk_project, handler_a, leader, clerk, handlers, meixian
):
    stage = low_risk_project.stages.get(code="planning")
    services.project_stage_open(stage=stage, actor=handler_a)
    # 3 working days for the stage; the clock of a fresh stage is normal, so nothing is at risk yet.
    client.force_login(leader)
    assert "暂无临期或超期项目" in client.get(reverse("projects:at_risk")).content.decode()
    ProjectStage.objects.filter(pk=stage.pk)
    from yiwang.workdays.models import Clock

    clock = Clock.objects.get(pk=ProjectStage.objects.get(pk=stage.pk).clock_id)
    Clock.objects.filter(pk=clock.pk).update(due_on=clock.started_at.date())
    body = client.get(reverse("projects:at_risk")).content.decode()
    assert low_risk_project.name in body and "已超期" in body and "县发改局" in body

    approve_stage(ProjectStage.objects.get(pk=stage.pk), clerk=clerk, handlers=handlers)
    for code in ("engineering", "construction", "acceptance"):
        current = low_risk_project.stages.get(code=code)
        services.project_stage_open(stage=current, actor=handler_a)
        approve_stage(current, clerk=clerk, handlers=handlers)
    power = handlers["state-grid-meixian"]
    for category in ("resident", "high_dual"):
        connection = services.connection_apply(
            kind="electricity",
            category=category,
            applicant_name="王秀兰",
            address="首善街道东关社区",
            region=meixian.county,
            actor=power,
        )
        services.connection_complete(connection=connection, actor=power)
    body = client.get(reverse("projects:measures")).content.decode()
    assert "chart-approvals" in body and "echarts" in body
    assert "高压双电源" in body and "县级默认值" in body
    # Rebuilding from the rows gives the same facts as the events added.
    before = {m: stored_rows(m) for m in ("projects.approved", "projects.connections")}
    measures_rebuild(metrics=["projects.approved", "projects.connections"])
    after = {m: stored_rows(m) for m in ("projects.approved", "projects.connections")}
    assert before == after
    assert sum(r["count"] for r in after["projects.connections"].values()) == 2


def test_staff_lists_and_public_pages_render(client, social_project, handler_a, handlers, citizen):
    client.force_login(handler_a)
    assert social_project.code in client.get(reverse("projects:list")).content.decode()
    assert client.get(reverse("projects:issues")).status_code == 200
    client.force_login(handlers["state-grid-meixian"])
    assert client.get(reverse("projects:connections")).status_code == 200
    client.logout()
    limits = client.get(reverse("projects:limits")).content.decode()
    for number in ("90 个工作日", "50 个工作日", "15 个工作日"):
        assert number in limits
    assert "实施方案 四(三)1" in limits
    assert client.get(reverse("projects:assessments")).status_code == 200
    client.force_login(citizen)
    assert client.get(reverse("projects:list")).status_code == 403


def test_an_applicant_applies_online_and_follows_the_status(client, gc_departments, meixian, citizen):
    from yiwang.projects.models import UtilityConnection

    client.force_login(citizen)
    url = reverse("projects:connection_apply")
    assert "高压双电源（32 个工作日）" in client.get(url).content.decode()
    bad = client.post(
        url, {"kind_category": "electricity:resident", "town": meixian.shoushan.code, "applicant_name": "王秀兰"}
    )
    assert "请填写用户地址" in bad.content.decode() and not UtilityConnection.objects.exists()
    data = {
        "kind_category": "electricity:resident",
        "town": meixian.shoushan.code,
        "applicant_name": "王秀兰",
        "applicant_phone": "13891712345",
        "address": "首善街道东关社区12号",
    }
    response = client.post(url, data, HTTP_IDEMPOTENCY_KEY="apply-1")
    again = client.post(url, data, HTTP_IDEMPOTENCY_KEY="apply-1")
    assert response.status_code == again.status_code == 302
    connection = UtilityConnection.objects.get()
    assert connection.days == 5 and connection.applicant_user == citizen
    client.logout()  # the public page, as anyone with the number and code sees it
    status = client.get(response["Location"]).content.decode()
    assert connection.number in status and "5 个工作日" in status and "王秀兰" not in status


def test_the_at_risk_list_exports_to_excel_and_the_api_registers(
    client, gc_items, handler_a, handler_b, leader, meixian
):
    import io

    from openpyxl import load_workbook

    client.force_login(leader)
    response = client.get(reverse("projects:at_risk_export"))
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet["A1"].value == "项目代码" and sheet["H1"].value == "卡在哪里"
    payload = {
        "code": "2112-610326-04-01-000777",
        "name": "齐镇猕猴桃分选中心",
        "category": "low_risk",
        "builder_name": "眉县齐镇兴农猕猴桃专业合作社",
        "builder_uscc": "91610326MA6X9K1P3"
        + __import__("yiwang.core.identifiers", fromlist=["x"]).uscc_check_char("91610326MA6X9K1P3"),
        "region_code": meixian.county.code,
        "site": "齐镇齐镇村",
        "merged_permit": True,
    }
    client.force_login(handler_b)
    assert client.post("/api/projects/projects", payload, content_type="application/json").status_code == 403
    client.force_login(handler_a)
    created = client.post(
        "/api/projects/projects", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p-1"
    )
    again = client.post("/api/projects/projects", payload, content_type="application/json", HTTP_IDEMPOTENCY_KEY="p-1")
    assert created.status_code == again.status_code == 201
    assert created.json()["limit_days"] == 15 and [s["state"] for s in created.json()["stages"]][2] == "merged"
    from yiwang.projects.models import ConstructionProject

    assert ConstructionProject.objects.count() == 1
