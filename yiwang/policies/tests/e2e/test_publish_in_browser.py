"""In a real Chromium: an officer publishes a policy; an eligible enterprise signs in and sees it with
the reasons, while a policy it does not meet is listed with what it lacks."""

import pytest

from yiwang.policies.tests.factories import PolicyFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_officer_publishes_and_the_eligible_enterprise_sees_it(
    signed_in, live_server, officer, enterprise_user, entities, dept_a, screenshot_dir
):
    policy = PolicyFactory(department=dept_a, title="眉县猕猴桃冷库建设补贴")
    officer_page = signed_in(officer.username)
    officer_page.goto(f"{live_server.url}/policies/staff/{policy.pk}/")
    officer_page.get_by_role("button", name="发布并匹配").click()
    officer_page.wait_for_selector("text=政策已发布")
    assert "已匹配 1 户市场主体" in officer_page.locator("body").inner_text()
    officer_page.screenshot(path=str(screenshot_dir / "policies-1-published.png"), full_page=True)

    enterprise = signed_in(enterprise_user.username)
    enterprise.goto(f"{live_server.url}/policies/mine/")
    card = enterprise.get_by_test_id("eligible-policy")
    assert "眉县猕猴桃冷库建设补贴" in card.inner_text()
    assert "注册资本 200 万元，满足 ≥ 100 万元" in card.inner_text()
    enterprise.screenshot(path=str(screenshot_dir / "policies-2-mine.png"), full_page=True)
    card.get_by_role("link", name="申请享受").click()
    enterprise.get_by_label("联系电话").fill("13891712345")
    enterprise.get_by_role("button", name="提交申请").click()
    enterprise.wait_for_url("**/policies/mine/")
    assert "已申请" in enterprise.get_by_test_id("eligible-policy").inner_text()
