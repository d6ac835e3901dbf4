"""A long paged list on a phone (390 px): the department queue, filtered to the handler's own cases, over
two pages. The page links (core/_sub_pages.html) stay inside the screen, each a finger's height, the
current page is marked, and 下一页 shows the next rows under the same filter."""

import datetime as dt

import pytest

from yiwang.cases.models import Case
from yiwang.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
NUMBERS = "() => [...document.querySelectorAll('[data-testid=handler-queue] tbody .qc-number')].map(td => td.innerText.trim())"
LINKS = """() => [...document.querySelectorAll('nav ul.pagination .page-link')].map(a => {
  const r = a.getBoundingClientRect();
  return {text: a.innerText.trim(), left: r.left, right: r.right, height: r.height};
})"""
OVERFLOW = "() => document.scrollingElement.scrollWidth - Math.min(innerWidth, document.documentElement.clientWidth)"


def _copies(template: Case, n: int) -> None:
    """``n`` copies of ``template`` numbered YWP000000…, each accepted a minute after the last."""
    rows = []
    for i in range(n):
        row = Case.objects.get(pk=template.pk)
        row.pk, row.number, row.submission_token = None, f"YWP{i:06d}", None
        row.accepted_at = template.accepted_at + dt.timedelta(minutes=i + 1)
        rows.append(row)
    Case.objects.bulk_create(rows)


def test_a_long_queue_pages_on_a_phone_and_keeps_its_filter(
    chromium, live_server, review_case, handler_a, axe, screenshot_dir
):
    _copies(review_case, 69)  # 70 cases of the handler's own: 50 on the first page, 20 on the second
    phone = sign_in(chromium, live_server, "handler_a", width=WIDTH)
    phone.goto(f"{live_server.url}/cases/handling/?mine=1")
    assert phone.get_by_test_id("list-total").inner_text() == "共 70 件待办"
    first = phone.evaluate(NUMBERS)
    assert len(first) == 50 and first[0] == review_case.number

    pages = phone.get_by_role("navigation", name="分页")
    pages.scroll_into_view_if_needed()
    phone.screenshot(path=str(screenshot_dir / "cases-paged-queue-390.png"), full_page=True)
    assert phone.evaluate(OVERFLOW) <= 0, "the page scrolls sideways at 390 px"
    links = phone.evaluate(LINKS)
    assert [link["text"] for link in links] == ["第 1 / 2 页", "下一页"]
    for link in links:  # inside the screen and big enough for a finger
        assert link["left"] >= 0 and link["right"] <= WIDTH and link["height"] >= 36, link
    assert pages.locator("[aria-current=page]").inner_text() == "第 1 / 2 页"
    assert axe(phone) == []  # the marked page's colours included

    pages.get_by_role("link", name="下一页").click()
    phone.wait_for_url("**/cases/handling/?mine=1&page=2")
    second = phone.evaluate(NUMBERS)
    assert len(second) == 20 and not set(second) & set(first)
    assert second[-1] == "YWP000068"
    assert phone.get_by_label("只看分配给我的").is_checked()  # the filter is kept
    assert phone.get_by_test_id("list-total").inner_text() == "共 70 件待办"
    assert phone.evaluate(OVERFLOW) <= 0
    assert [link["text"] for link in phone.evaluate(LINKS)] == ["上一页", "第 2 / 2 页"]
    phone.screenshot(path=str(screenshot_dir / "cases-paged-queue-390-page-2.png"), full_page=True)
    phone.context.close()
