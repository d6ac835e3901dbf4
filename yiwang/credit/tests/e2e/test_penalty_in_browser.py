"""In a real Chromium: a market-regulation handler records a serious penalty on an entity's credit report;
the entity's risk class falls from B to C on the report and the penalty appears on the public credit
announcement, which shows no personal data. Every step is screenshotted and its key text checked."""

import datetime as dt

import pytest
from django.urls import reverse

from yiwang.credit.models import CreditRecord
from yiwang.credit.tests.factories import EntityFactory
from yiwang.org.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, screenshot_dir, name, *texts):
    path = screenshot_dir / f"credit-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, f"{name}: “{text}” not on the page"
    return body


def test_a_recorded_penalty_changes_the_class_and_the_announcement(
    chromium, live_server, meixian, handler_a, screenshot_dir
):
    shop = EntityFactory(
        name="眉县横渠镇张记猕猴桃冷库",
        kind="individual",
        legal_representative="张志强",
        region=meixian.county,
        industry_name="农产品冷藏",
    )
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90000)  # a loaded CI machine is slow to serve the first page
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("handler_a")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/workbench/")

    # 1. The public announcement knows nothing of the entity yet.
    public_url = f"{live_server.url}{reverse('credit:public')}?q={shop.uscc}"
    page.goto(public_url)
    _shot(page, screenshot_dir, "1-public-before", "信用信息公示", "暂无公示信息")

    # 2. The handler opens the entity's credit report: class B, no records.
    page.goto(f"{live_server.url}{reverse('credit:entity', args=[shop.uscc])}")
    _shot(page, screenshot_dir, "2-report-before", shop.name, "B类")

    # 3. The handler records a serious administrative penalty.
    page.get_by_text("录入信用记录（本部门认定）").click()
    form = page.locator("form").filter(has=page.locator('input[name="form"][value="record"]'))
    form.locator('select[name="kind"]').select_option("penalty")
    form.locator('select[name="severity"]').select_option("serious")
    form.locator('input[name="title"]').fill("销售过期猕猴桃果脯")
    form.locator('input[name="decided_on"]').fill(dt.date.today().isoformat())
    form.locator('input[name="legal_basis"]').fill("《中华人民共和国食品安全法》第一百二十四条")
    form.locator('input[name="document_number"]').fill("眉市监罚〔2026〕88号")
    form.get_by_role("button", name="录入").click()
    page.wait_for_url(f"**{reverse('credit:entity', args=[shop.uscc])}")
    _shot(page, screenshot_dir, "3-report-after", "信用记录已录入", "C类", "销售过期猕猴桃果脯")
    record = CreditRecord.objects.get(entity=shop)
    assert record.kind == "penalty" and record.department == handler_a.memberships.get().department
    shop.refresh_from_db()
    assert shop.risk_class == "C"

    # 4. Anyone sees the penalty on the public announcement; the operator's name is masked.
    public = chromium.new_context(locale="zh-CN").new_page()
    public.set_default_timeout(90000)
    public.goto(public_url)
    body = _shot(public, screenshot_dir, "4-public-after", "销售过期猕猴桃果脯")
    assert "张志强" not in body
    context.close()
