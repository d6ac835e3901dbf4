import datetime as dt

import pytest
from django.test import Client

from yiwang.inspections.models import Draw, Plan, Task


@pytest.fixture
def client_b(handler_b):
    client = Client()
    client.force_login(handler_b)
    return client


def _form(market_item, **changes):
    data = {
        "number": "SJ-WEB-1",
        "title": "网页制定的计划",
        "items": [str(market_item.pk)],
        "ratio_a": "3",
        "ratio_b": "5",
        "ratio_c": "20",
        "ratio_d": "100",
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
    }
    data.update(changes)
    return data


def test_it_creates_publishes_and_draws_a_plan_through_the_pages(client_b, market_item, pool, roster_b):
    page = client_b.get("/inspections/plans/new/")
    assert page.status_code == 200 and "县级默认值" in page.content.decode()
    response = client_b.post("/inspections/plans/new/", _form(market_item, ratio_a="2.5"))
    plan = Plan.objects.get(number="SJ-WEB-1")
    assert response.status_code == 302 and plan.ratio_bp["A"] == 250
    client_b.post(f"/inspections/plans/{plan.pk}/publish/")
    plan.refresh_from_db()
    detail = client_b.get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert plan.commitment in detail and "抽取检查对象和检查人员" in detail
    client_b.post(f"/inspections/plans/{plan.pk}/draw/", {})
    draw = Draw.objects.get(plan=plan)
    detail = client_b.get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert draw.seed in detail and "尚未复核" in detail
    client_b.post(f"/inspections/plans/{plan.pk}/verify/")
    detail = client_b.get(f"/inspections/plans/{plan.pk}/").content.decode()
    assert "一致" in detail and "不一致" not in detail
    # A second draw without a reason is refused on the page and nothing changes.
    response = client_b.post(f"/inspections/plans/{plan.pk}/draw/", {"reason": ""})
    assert response.status_code == 400 and "重新抽取须填写理由" in response.content.decode()
    assert Draw.objects.filter(plan=plan).count() == 1


def test_it_shows_a_specific_error_for_a_bad_plan_and_saves_nothing(client_b, market_item):
    response = client_b.post("/inspections/plans/new/", _form(market_item, period_end="2025-01-01"))
    assert response.status_code == 400 and "检查结束日不能早于开始日" in response.content.decode()
    assert not Plan.objects.exists()


def test_a_repeated_submission_creates_one_plan(client_b, market_item):
    client_b.post("/inspections/plans/new/", _form(market_item))
    client_b.post("/inspections/plans/new/", _form(market_item))
    assert Plan.objects.filter(number="SJ-WEB-1").count() == 1


def test_the_drawn_inspector_records_a_result_and_the_handler_publishes_it(drawn, inspector, handler_b, roster_b):
    task = Task.objects.filter(draw=drawn, assignments__inspector__user=inspector).first()
    if task is None:
        # The random draw passed this inspector over (it does now and then): give them a seat on the first
        # task, so that the task is theirs to record, as the rest of the test needs.
        task = Task.objects.filter(draw=drawn).order_by("pk").first()
        seat = task.assignments.order_by("pk").first()
        seat.inspector = roster_b[0]
        seat.save(update_fields=["inspector"])
    client = Client()
    client.force_login(inspector)
    assert task.entity.name in client.get("/inspections/tasks/?mine=1").content.decode()
    bad = client.post(
        f"/inspections/tasks/{task.pk}/", {"action": "result", "result": "problems", "inspected_on": "2026-03-02"}
    )
    assert bad.status_code == 400 and "须填写检查情况" in bad.content.decode()
    ok = client.post(
        f"/inspections/tasks/{task.pk}/",
        {"action": "result", "result": "problems", "inspected_on": "2026-03-02", "findings": "进货查验记录不全"},
    )
    assert ok.status_code == 302
    task.refresh_from_db()
    assert task.state == Task.State.RECORDED and task.inspected_on == dt.date(2026, 3, 2)
    page = client.get(f"/inspections/tasks/{task.pk}/").content.decode()
    assert "公示检查结果" not in page  # inspectors record; the lead department publishes
    handler = Client()
    handler.force_login(handler_b)
    handler.post(f"/inspections/tasks/{task.pk}/", {"action": "follow_up", "kind": "rectify", "note": "限期整改"})
    handler.post(f"/inspections/tasks/{task.pk}/", {"action": "publish"})
    task.refresh_from_db()
    assert task.state == Task.State.PUBLISHED and task.follow_ups.count() == 1


def test_the_figures_page_reads_the_roll_ups(drawn, leader):
    client = Client()
    client.force_login(leader)
    page = client.get("/inspections/measures/").content.decode()
    assert "按信用风险分类的覆盖率" in page and "县级默认值" in page


def test_the_handler_maintains_items_roster_and_conflicts(client_b, dept_b, pool, inspector):
    from yiwang.inspections.models import InspectionItem, Inspector, InspectorConflict

    ok = client_b.post(
        "/inspections/roster/",
        {
            "action": "item",
            "code": "SC-009",
            "name": "广告发布行为检查",
            "kind": "general",
            "legal_basis": "《广告法》第四十九条",
        },
    )
    assert ok.status_code == 302 and InspectionItem.objects.get(code="SC-009").department == dept_b
    client_b.post(
        "/inspections/roster/",
        {
            "action": "inspector",
            "name": "雷鸣",
            "certificate_no": "61032611112222",
            "certificate_expires_on": "2029-12-31",
            "username": "inspector",
        },
    )
    person = Inspector.objects.get(certificate_no="61032611112222")
    assert person.user == inspector
    dup = client_b.post(
        "/inspections/roster/",
        {
            "action": "inspector",
            "name": "雷鸣",
            "certificate_no": "61032611112222",
            "certificate_expires_on": "2029-12-31",
        },
    )
    assert dup.status_code == 400 and "已在名录库中" in dup.content.decode()
    bad = client_b.post(
        "/inspections/roster/",
        {"action": "conflict", "inspector": person.pk, "uscc": "91610326MA0000000X", "kind": "relative"},
    )
    assert bad.status_code == 400 and "未找到该统一社会信用代码的市场主体" in bad.content.decode()
    client_b.post(
        "/inspections/roster/", {"action": "conflict", "inspector": person.pk, "uscc": pool[0].uscc, "kind": "relative"}
    )
    assert InspectorConflict.objects.filter(inspector=person, entity=pool[0]).exists()


def test_an_inspector_cannot_maintain_the_roster(inspector):
    client = Client()
    client.force_login(inspector)
    assert client.get("/inspections/roster/").status_code == 200
    response = client.post(
        "/inspections/roster/", {"action": "item", "code": "X", "name": "X", "kind": "general", "legal_basis": "X"}
    )
    assert response.status_code == 403


def test_it_exports_the_task_list_to_excel(drawn, client_b):
    from yiwang.core.xlsx import read_workbook

    response = client_b.get(f"/inspections/plans/{drawn.plan_id}/tasks.xlsx")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/vnd.openxmlformats")
    import io

    sheets = read_workbook(io.BytesIO(response.content))
    rows = sheets["检查任务清单"]
    assert rows[2][0] == "市场主体"
    assert len([r for r in rows[3:] if r and r[0]]) == Task.objects.filter(draw=drawn).count()


def test_the_plan_list_warns_when_a_class_has_fewer_yearly_rounds_than_its_frequency(
    client_b, plan, dept_b, market_item, meixian, handler_b
):
    from yiwang.inspections import selectors, services

    # One published plan of 2026 with the county defaults A 1, B 1, C 2, D 4 times a year.
    services.plan_publish(plan=plan, actor=handler_b)
    rows = selectors.frequency_shortfalls(list(Plan.objects.select_related("lead_department")))
    assert [(r["year"], r["risk"], r["frequency"], r["rounds"]) for r in rows] == [(2026, "C", 2, 1), (2026, "D", 4, 1)]
    page = client_b.get("/inspections/").content.decode()
    assert "抽查频次不足" in page and "D类：频次 4 次/年，已安排 1 轮" in page
    # A second published round of the year clears C; a draft does not count as a round.
    for number, state_published in (("SJ-2026-Q2-01", True), ("SJ-2026-Q3-01", False)):
        second = services.plan_create(
            number=number,
            title="第二轮",
            region=meixian.county,
            lead_department=dept_b,
            items=[market_item],
            period_start=dt.date(2026, 4, 1),
            period_end=dt.date(2026, 6, 30),
            actor=handler_b,
        )
        if state_published:
            services.plan_publish(plan=second, actor=handler_b)
    rows = selectors.frequency_shortfalls(list(Plan.objects.select_related("lead_department")))
    assert [(r["risk"], r["rounds"]) for r in rows] == [("D", 2)]
    # A class the plans do not sample (ratio 0) asks for no rounds.
    Plan.objects.update(ratio_bp={"A": 300, "B": 500, "C": 2000, "D": 0})
    assert selectors.frequency_shortfalls(list(Plan.objects.select_related("lead_department"))) == []
    assert "抽查频次不足" not in client_b.get("/inspections/").content.decode()


def test_the_admin_shows_the_reference_rows_read_only(admin_user, plan, market_item):
    client = Client()
    client.force_login(admin_user)
    for model in ("inspectionitem", "inspector", "inspectorconflict", "plan", "draw", "task"):
        assert client.get(f"/admin/inspections/{model}/").status_code == 200
        assert client.get(f"/admin/inspections/{model}/add/").status_code == 403
    page = client.get(f"/admin/inspections/inspectionitem/{market_item.pk}/change/")
    assert page.status_code == 200 and 'name="name"' not in page.content.decode()
    assert (
        client.post(f"/admin/inspections/inspectionitem/{market_item.pk}/delete/", {"post": "yes"}).status_code == 403
    )
