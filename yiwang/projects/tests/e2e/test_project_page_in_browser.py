"""A real Chromium: the lead department's handler opens a project page and reads each stage's clock,
the whole-project clock and what blocks the running stage; the screenshot is kept for review."""

import pytest

from yiwang.org.tests.factories import TEST_PASSWORD
from yiwang.projects import services

from ..conftest import approve_stage, register

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_project_page_shows_its_stage_clocks(
    chromium, live_server, gc_items, handler_a, clerk, handlers, meixian, dept_a, axe, screenshot_dir
):
    project = register(handler_a, meixian, dept_a, name="眉县猕猴桃精深加工厂建设项目", area="眉县经济技术开发区")
    services.project_steward_assign(project=project, steward=handler_a, actor=handler_a)
    planning = project.stages.get(code="planning")
    services.project_stage_open(stage=planning, actor=handler_a)
    approve_stage(planning, clerk=clerk, handlers=handlers)
    services.project_stage_open(stage=project.stages.get(code="engineering"), actor=handler_a)

    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("handler_a")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.goto(f"{live_server.url}/projects/{project.pk}/")

    whole = page.get_by_test_id("whole-clock").inner_text()
    assert "全流程审批时限：50 个工作日" in whole and "剩" in whole
    planning_card = page.get_by_test_id("stage-planning").inner_text()
    assert "已完成" in planning_card and "按时办结" in planning_card
    engineering = page.get_by_test_id("stage-engineering")
    assert "办理中" in engineering.inner_text() and "联审" in engineering.inner_text()
    assert "剩 10 个工作日" in engineering.get_by_test_id("stage-clock").inner_text()
    blockers = engineering.get_by_test_id("blockers").inner_text()
    assert "卡在哪里" in blockers and "建设工程规划许可证核发" in blockers and "县自然资源局" in blockers
    assert "申报本阶段" not in page.get_by_test_id("stage-construction").inner_text()
    path = screenshot_dir / "projects-stage-clocks.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    assert axe(page) == []
    context.close()
