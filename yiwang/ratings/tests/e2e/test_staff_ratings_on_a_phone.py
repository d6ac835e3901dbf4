"""The department's ratings list on a phone (390 px): its columns stay readable (the table scrolls sideways
inside its frame, not one character a line), the page itself does not scroll sideways, and the month
filter narrows the list to the month chosen."""

import pytest

from yiwang.core.tests.browser import sign_in
from yiwang.ratings.models import Rating
from yiwang.ratings.services import rating_submit

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTH = 390
# the most lines any column heading takes: 1 when no column is squeezed (事项/诉求 took 3 lines, 部门 2)
HEADING_LINES = """() => Math.max(...[...document.querySelectorAll('[data-testid=staff-ratings] thead th')].map(th => {
  const range = document.createRange();
  range.selectNodeContents(th.firstChild);  // the heading's text
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
}))"""
OVERFLOW = "() => document.scrollingElement.scrollWidth - Math.min(innerWidth, document.documentElement.clientWidth)"


def test_a_handler_reads_and_filters_the_ratings_on_a_phone(
    chromium, live_server, make_case, citizen, handler_a, screenshot_dir
):
    ratings = [
        rating_submit(actor=citizen, case=make_case(), level=level, channel="online", comment=comment)
        for level, comment in ((5, "办得快，一次办好"), (2, "材料要求没有一次说清楚"), (4, "窗口人员很耐心"))
    ]
    earlier = ratings[1].rated_at.replace(day=10).replace(month=ratings[1].rated_at.month % 12 + 1, year=2025)
    Rating.objects.filter(pk=ratings[1].pk).update(rated_at=earlier)
    phone = sign_in(chromium, live_server, "handler_a", width=WIDTH)
    phone.goto(f"{live_server.url}/ratings/staff/ratings/")
    assert phone.get_by_test_id("list-total").inner_text() == "共 3 条评价"
    phone.screenshot(path=str(screenshot_dir / "ratings-staff-list-390.png"), full_page=True)
    assert phone.evaluate(OVERFLOW) <= 0, "the page scrolls sideways at 390 px"
    assert phone.evaluate(HEADING_LINES) == 1, "a column is squeezed narrower than its heading"

    phone.get_by_label("评价月份").fill(earlier.strftime("%Y-%m"))
    phone.get_by_role("button", name="筛选").click()
    phone.wait_for_url(f"**/ratings/staff/ratings/?level=&month={earlier:%Y-%m}")
    assert phone.get_by_test_id("list-total").inner_text() == "共 1 条评价"
    rows = phone.get_by_test_id("staff-ratings").locator("tbody tr")
    assert rows.count() == 1 and "材料要求没有一次说清楚" in rows.inner_text()
    assert phone.get_by_label("评价月份").input_value() == earlier.strftime("%Y-%m")
    phone.screenshot(path=str(screenshot_dir / "ratings-staff-list-month-390.png"), full_page=True)
