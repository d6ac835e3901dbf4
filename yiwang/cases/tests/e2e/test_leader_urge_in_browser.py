"""In a real Chromium: a leader clicks a figure and sees the cases behind it, opens 在办超期件; a
supervisor issues a 督办 on the most overdue case; the department's handler sees it above the queue
and on the case, and answers it; the office sees the answer."""

import pytest

from yiwang.core.tests.browser import sign_in
from yiwang.supervision.models import Notice

from ..views.test_leader_drill import build_march

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def march(citizen, person, food_item, clerk, handler_a):
    return build_march(citizen, person, food_item, clerk, handler_a)


def _sign_in(chromium, live_server, username, width=1366):
    page = sign_in(chromium, live_server, username, width, timeout=20000)
    return page.context, page


def test_a_leader_drills_down_a_supervisor_urges_and_the_handler_answers(
    chromium,
    live_server,
    march,
    leader,
    supervisor,
    handler_a,
    screenshot_dir,
):
    late, open_late = march["late"], march["open_late"]

    context, page = _sign_in(chromium, live_server, "leader")
    page.goto(f"{live_server.url}/cases/leader/?start=2026-03-01&end=2026-03-31")
    page.wait_for_selector("#chart-departments canvas")
    page.screenshot(path=str(screenshot_dir / "leader-cases-1366.png"), full_page=True)
    page.locator("[data-figure=on_time]").click()
    page.wait_for_selector("[data-testid=rows]")
    assert page.locator("[data-testid=rows-total]").inner_text() == "2 件"
    rows = page.locator("[data-testid=rows] tbody tr")
    assert rows.count() == 2
    assert late.number in rows.nth(0).inner_text() and "超期" in rows.nth(0).inner_text()  # late first
    page.screenshot(path=str(screenshot_dir / "leader-cases-rows-1366.png"), full_page=True)
    page.goto(f"{live_server.url}/cases/leader/?start=2026-03-01&end=2026-03-31")
    page.locator("[data-figure=open_overdue]").click()
    page.wait_for_selector("[data-testid=overdue]")
    assert page.locator("[data-testid=overdue] tbody tr").count() == 2
    assert page.get_by_role("button", name="督办").count() == 0  # a leader reads; the office urges
    context.close()

    context, page = _sign_in(chromium, live_server, "supervisor")
    page.goto(f"{live_server.url}/cases/leader/overdue/")
    row = page.locator(f"tr[data-case='{open_late.number}']")
    row.get_by_label("答复时限（工作日）").fill("2")
    row.get_by_label("督办要求").fill("请说明超期原因，两个工作日内办结。")
    row.get_by_role("button", name="督办").click()
    page.wait_for_selector("text=已签发至")
    notice = Notice.objects.get(case=open_late)
    assert f"{notice.number} 待答复" in page.locator(f"tr[data-case='{open_late.number}']").inner_text()
    page.screenshot(path=str(screenshot_dir / "leader-overdue-urged-1366.png"), full_page=True)
    context.close()

    context, page = _sign_in(chromium, live_server, "handler_a")
    page.goto(f"{live_server.url}/cases/handling/")
    assert "1 件督办待答复" in page.locator("[data-testid=urges-awaiting]").inner_text()
    page.goto(f"{live_server.url}/cases/handling/case/{open_late.number}/")
    assert notice.number in page.locator("[data-testid=urges-on-item]").inner_text()
    page.get_by_role("link", name=f"督办单 {notice.number}").click()
    page.get_by_label("答复内容（办理情况、超期原因、办结时间）").fill(
        "现场核查排期冲突，已于今日完成审查，明日作出决定。"
    )
    page.get_by_role("button", name="提交答复").click()
    page.wait_for_selector("[data-testid=urge-answer]")
    assert "已按时答复" in page.locator("h1").inner_text()
    page.screenshot(path=str(screenshot_dir / "urge-answered-1366.png"), full_page=True)
    context.close()

    notice.refresh_from_db()
    assert notice.answer_state == "answered" and notice.answered_on_time is True and notice.answered_by == handler_a
