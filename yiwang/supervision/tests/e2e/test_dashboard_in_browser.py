"""The leader dashboard in a real Chromium: eighteen areas with red/amber/green, the trend charts drawn
by ECharts, the worst five and the overdue milestones; a figure drills down to its departments.
The page is screenshotted (``.test-media/screenshots/supervision-dashboard.png``) and checked with axe."""

import datetime as dt

import pytest
from django.db import transaction

from yiwang.measures.services import measure_add
from yiwang.org.tests.factories import TEST_PASSWORD
from yiwang.supervision.models import PlanTask
from yiwang.supervision.services.indicators import indicators_load
from yiwang.supervision.services.plan import plan_import
from yiwang.supervision.services.tasks import milestone_create

from ..conftest import needs_plan

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), needs_plan]


@pytest.fixture
def seeded(plan_text, office, county_leader, county, approval):
    plan = plan_import(text=plan_text, actor=office).plan
    indicators_load()
    today = dt.date.today()
    with transaction.atomic():
        for back in range(6):
            month = (today.replace(day=1) - dt.timedelta(days=30 * back)).replace(day=15)
            for key, n in (("0", 20 + back), ("1", 8), ("2", back)):
                measure_add(
                    metric="cases.opening",
                    on=month,
                    region=county,
                    department=approval,
                    key=key,
                    count=n,
                    seconds_sum=0,
                    seconds_count=n,
                )
            measure_add(
                metric="hotline.revisits",
                on=month,
                region=county,
                department=approval,
                count=50,
                resolved=40 + back,
                satisfied=45 - back,
            )
    from yiwang.supervision.models import SubMeasure
    from yiwang.supervision.services.indicators import indicator_value_enter

    indicator_value_enter(
        measure=SubMeasure.objects.get(code="ip-patents-per-10k"),
        month=today,
        value="2.4",
        evidence="宝鸡市知识产权局统计公报",
        actor=office,
    )
    task = PlanTask.objects.get(plan=plan, part=4, area__no=1, no=1)
    milestone_create(
        task=task,
        title="一表填报上线试运行",
        due_on=today - dt.timedelta(days=20),
        actor=office,
        on=today - dt.timedelta(days=60),
        source="plan",
    )
    return plan


def test_the_leader_reads_the_dashboard_and_drills_down(chromium, live_server, seeded, axe, screenshot_dir):
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(20000)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("chensd")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.goto(f"{live_server.url}/supervision/dashboard/")
    page.wait_for_selector("body[data-charts-ready='1']")
    page.wait_for_selector("#area-1 canvas")
    path = screenshot_dir / "supervision-dashboard.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 20_000
    areas = page.locator("[data-testid=areas] tbody tr")
    assert areas.count() == 18
    first = areas.nth(0).inner_text()
    assert "简化企业开办" in first and "陈尚东" in first and "红" in first  # an overdue milestone
    assert "一表填报上线试运行" in page.locator("[data-testid=overdue]").inner_text()
    assert page.locator("[data-testid=worst] li").count() == 5
    assert "前沿距离" in page.locator("[data-testid=method]").inner_text()
    assert axe(page) == []
    page.get_by_role("link", name="企业开办时间").first.click()
    page.wait_for_selector("[data-testid=drill]")
    drill = page.locator("[data-testid=drill]").inner_text()
    assert "县行政审批服务局" in drill
    context.close()
