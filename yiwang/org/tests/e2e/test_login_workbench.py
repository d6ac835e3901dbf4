"""A clerk signs in through the real login page in Chromium and lands on the workbench."""

import pytest

from yiwang.org.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, live_server, username="clerk", password=TEST_PASSWORD):
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def test_it_signs_a_clerk_in_to_a_workbench_with_their_name_and_window(page, live_server, clerk, axe):
    page.goto(f"{live_server.url}/login/")
    assert page.get_by_role("heading", level=1).inner_text() == "工作人员登录"
    violations = axe(page)
    assert violations == [], violations

    sign_in(page, live_server)
    page.wait_for_url(f"{live_server.url}/workbench/")
    assert page.get_by_role("heading", name="您好，刘芳").is_visible()
    memberships = page.locator("#membership-list").inner_text()
    assert "眉县政务服务中心" in memberships and "1号 综合受理窗口" in memberships
    assert page.get_by_role("heading", name="综合窗口").is_visible()
    violations = axe(page)
    assert violations == [], violations


def test_it_shows_the_lockout_in_the_browser(page, live_server, clerk):
    for _ in range(5):
        sign_in(page, live_server, password="Wrong#pass1")
    alert = page.locator("#lockout-notice")
    assert "账户已锁定" in alert.inner_text()
    assert "15 分钟后" in alert.inner_text()


def test_it_fits_the_workbench_on_a_phone(phone_page, live_server, clerk, axe):
    sign_in(phone_page, live_server)
    phone_page.wait_for_url(f"{live_server.url}/workbench/")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow}px at 390px width"
    violations = axe(phone_page)
    assert violations == [], violations


def test_it_searches_departments_with_htmx(page, live_server, dept_a, dept_b, axe):
    page.goto(f"{live_server.url}/org/departments/")
    page.get_by_label("按名称、简称或别名查找").fill("市场监管")
    page.wait_for_function("document.querySelector('#department-count').innerText.includes('共 1 个部门')")
    assert "眉县市场监督管理局" in page.locator("#department-results").inner_text()
    assert "眉县行政审批服务局" not in page.locator("#department-results").inner_text()
    violations = axe(page)
    assert violations == [], violations
