"""An appeal's whole life in a real Chromium: the operator registers a call, the dispatcher
dispatches it, the department signs off and replies, the dispatcher revisits; then the citizen
tracks it on the public column. Each step is screenshotted and its key text asserted; the public
pages are checked with axe."""

import re

import pytest

from yiwang.core.tests.browser import sign_in as _sign_in
from yiwang.hotline.models import Appeal

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, screenshot_dir, name, *texts):
    path = screenshot_dir / f"hotline-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, f"{name}: “{text}” not on the page"


def test_an_appeal_from_call_to_revisit(
    chromium, live_server, operator, handler_a, dept_a, categories, meixian, axe, screenshot_dir
):
    # 1. The operator takes a call: keyboard only, Ctrl+Enter registers it.
    desk = _sign_in(chromium, live_server, "dispatcher")
    desk.goto(f"{live_server.url}/hotline/staff/intake/")
    assert axe(desk) == []
    assert desk.evaluate("document.activeElement.id") == "id_contact_phone"  # the cursor waits in the first field
    desk.keyboard.type("13991712345")
    desk.keyboard.press("Tab")
    desk.keyboard.type("张建国")
    desk.get_by_label("标题").fill("营头镇红河谷村通村路坑洼严重")
    desk.get_by_label("诉求内容").fill(
        "红河谷村到营头镇的通村路多处坑洼，下雨积水，拉猕猴桃的车辆通行困难，请尽快修补。"
    )
    desk.get_by_label("镇（街道）").select_option(label="营头镇")
    desk.get_by_label("诉求内容").focus()
    desk.locator("#assist").get_by_text("智能分拨建议").wait_for()
    desk.keyboard.press("Control+Enter")
    desk.wait_for_url(re.compile(r".*/intake/\?last=YW.*"))
    appeal = Appeal.objects.get()
    _shot(desk, screenshot_dir, "1-intake", f"已登记，受理编号 {appeal.code}", "待派单")

    # 2. The dispatcher dispatches it from the queue to the suggested (or chosen) department.
    desk.goto(f"{live_server.url}/hotline/staff/dispatch/")
    assert axe(desk) == []
    row = desk.locator("tr", has_text=appeal.code)
    row.get_by_label("主办部门").select_option(label=str(dept_a))
    row.get_by_role("button", name="派单").click()
    desk.wait_for_url(re.compile(r".*/staff/dispatch/$"))
    _shot(desk, screenshot_dir, "2-dispatched", f"已派单至 {dept_a}")

    # 3. The department signs off and replies.
    office = _sign_in(chromium, live_server, "handler_a")
    office.goto(f"{live_server.url}/hotline/staff/queue/")
    _shot(office, screenshot_dir, "3-queue", appeal.code, "正常", "待签收")
    assert axe(office) == []
    office.get_by_role("link", name=appeal.code).click()
    office.get_by_role("button", name="签收").click()
    _shot(office, screenshot_dir, "4-signed-off", "已签收", "办理中")
    office.get_by_label("答复内容").fill("经现场勘查，已安排养护队伍修补坑洼路段并疏通排水沟，本周内完工。")
    office.get_by_role("button", name="提交答复").click()
    _shot(office, screenshot_dir, "5-replied", "已答复，等待回访", "已安排养护队伍修补坑洼路段")

    # 4. The dispatcher revisits the citizen: resolved and very satisfied → closed.
    desk.goto(f"{live_server.url}/hotline/staff/appeals/{appeal.code}/")
    desk.get_by_label("已解决").check()
    desk.get_by_label("非常满意").check()
    desk.get_by_label("回访记录").fill("群众表示路已修好，非常满意")
    desk.get_by_role("button", name="记录回访").click()
    _shot(desk, screenshot_dir, "6-closed", "回访已记录，诉求已办结", "已办结")
    assert axe(desk) == []
    appeal.refresh_from_db()
    assert appeal.state == "closed"

    # 5. The citizen tracks it publicly: the reply, with personal data masked. The call did not
    # consent to publication, so the code needs the last four digits of the phone.
    public = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    contexts = [desk.context, office.context, public.context]
    public.goto(f"{live_server.url}/hotline/track/?code={appeal.code}&phone_last4=2345")
    _shot(public, screenshot_dir, "7-track-phone", appeal.code, "已办结", "张*", "139****2345")
    assert "13991712345" not in public.content()
    assert axe(public) == []
    # Close the browsers' connections before the live server stops.
    for context in contexts:
        context.close()


def test_the_public_column_is_accessible(chromium, live_server, categories, meixian, axe, screenshot_dir):
    page = chromium.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}).new_page()
    phone_page = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    for path, name, text in (
        ("/hotline/", "column", "有问必应、接诉即办"),
        ("/hotline/public/", "public-list", "答复公开"),
        ("/hotline/unresolved/summary/", "summary", "月度汇总"),
        ("/hotline/track/", "track", "办理进度查询"),
    ):
        page.goto(f"{live_server.url}{path}")
        _shot(page, screenshot_dir, f"public-{name}", text)
        assert axe(page) == [], path

    # A submission with a missing field: the error is announced next to the field, still accessible.
    page.goto(f"{live_server.url}/hotline/submit/")
    page.get_by_label("标题").fill("通村路坑洼")
    page.get_by_label("诉求内容").fill("红河谷村通村路坑洼积水，请修补。")
    page.get_by_role("button", name="提交诉求").click()
    _shot(page, screenshot_dir, "public-submit-error", "实名诉求请填写联系人和联系电话")
    assert axe(page) == []

    phone_page.goto(f"{live_server.url}/hotline/")
    _shot(phone_page, screenshot_dir, "public-column-phone", "我要反映")
    assert axe(phone_page) == []
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    page.context.close()
    phone_page.context.close()
