"""Helpers for the browser tests (Playwright on Debian's chromium; the ``chromium`` fixture is in the
root conftest)."""

from yiwang.org.tests.factories import TEST_PASSWORD


def sign_in(chromium, live_server, username, width=1280, *, timeout=15000):
    """A new Chinese-locale browser context signed in on the staff login as ``username`` (a test
    user with ``TEST_PASSWORD``), on the workbench; its page (``page.context`` is the context)."""
    context = chromium.new_context(locale="zh-CN", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(timeout)
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/workbench/")
    return page
