"""The random-inspection path in a real Chromium: the market-regulation handler drafts a plan, publishes
it (the seed commitment appears), draws; the drawn inspector records a result; the handler publishes
it; anyone reads it on the public page, with the inspectors' names masked."""

import pytest

from yiwang.inspections.models import Inspector, Plan, Task
from yiwang.inspections.tests import factories as f

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, screenshot_dir, name, *texts):
    path = screenshot_dir / f"inspections-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, f"{name}: “{text}” not on the page"


def test_plan_draw_result_public_page(
    signed_in, page, live_server, meixian, dept_b, handler_b, inspector, market_item, screenshot_dir
):
    f.entities(meixian.county, {"B": 20, "D": 1}, town=meixian.huaiya)
    f.roster(dept_b, 2, user=inspector)  # teams of two from two people: the inspector is always drawn

    handler = signed_in("handler_b")
    handler.goto(f"{live_server.url}/inspections/plans/new/")
    handler.get_by_label("计划编号").fill("SJ-E2E-01")
    handler.get_by_label("计划名称").fill("食品经营者双随机抽查")
    handler.locator("#id_items").select_option([str(market_item.pk)])
    handler.get_by_label("检查开始日").fill("2026-01-01")
    handler.get_by_label("检查结束日").fill("2026-12-31")
    handler.get_by_role("button", name="保存计划").click()
    handler.get_by_role("button", name="公布计划并确定随机种子").click()
    plan = Plan.objects.get(number="SJ-E2E-01")
    _shot(handler, screenshot_dir, "published", "已公布待抽取", plan.commitment)
    handler.get_by_role("button", name="抽取检查对象和检查人员").click()
    _shot(handler, screenshot_dir, "drawn", "抽取结果", "尚未复核")
    handler.get_by_role("button", name="重新复核").click()
    _shot(handler, screenshot_dir, "verified", "重算结果与公布结果逐字节一致")
    task = Task.objects.get(plan=plan, risk_class="D")
    assert task.assignments.count() == 2

    person = signed_in("inspector")
    person.goto(f"{live_server.url}/inspections/tasks/?mine=1")
    person.get_by_role("link", name=task.entity.name).click()
    person.get_by_label("检查结果").select_option("problems")
    person.get_by_label("检查日期").fill("2026-03-02")
    person.get_by_label("检查情况（发现问题时必填）").fill("未按规定公示食品经营许可证，已责令改正")
    person.get_by_role("button", name="保存检查结果").click()
    _shot(person, screenshot_dir, "recorded", "已录入结果", "发现问题已责令改正")

    handler.goto(f"{live_server.url}/inspections/tasks/{task.pk}/")
    handler.get_by_role("button", name="公示检查结果").click()
    _shot(handler, screenshot_dir, "result-published", "已公示")

    public = page  # not signed in
    public.goto(f"{live_server.url}/inspections/public/{plan.pk}/")
    _shot(public, screenshot_dir, "public", task.entity.name, "发现问题已责令改正", plan.commitment)
    body = public.locator("body").inner_text()
    for name in Inspector.objects.values_list("name", flat=True):
        assert name not in body
