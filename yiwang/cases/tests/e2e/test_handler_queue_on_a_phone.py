"""The department's handling queue on a phone (390 px): one card per case — the item name across the card,
the status inside the screen — and the same queue as a table on a desk (1280 px)."""

import pytest

from yiwang.core.tests.browser import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CELLS = """() => [...document.querySelectorAll('[data-testid=handler-queue] tbody tr:first-child td')].map(td => {
  const r = td.getBoundingClientRect();
  return {cls: td.className, left: r.left, right: r.right, top: r.top, width: r.width, height: r.height};
})"""


def _label(page, selector) -> str:
    """The label a phone card puts before a cell (CSS ``::before``, not in the text)."""
    return page.locator(selector).first.evaluate("td => getComputedStyle(td, '::before').content")


def _cells(page) -> dict[str, dict]:
    return {c["cls"]: c for c in page.evaluate(CELLS)}


def test_the_handling_queue_reads_on_a_phone_and_stays_a_table_on_a_desk(
    chromium, live_server, review_case, handler_a, axe, screenshot_dir
):
    phone = sign_in(chromium, live_server, "handler_a", width=390)
    phone.goto(f"{live_server.url}/cases/handling/")
    queue = phone.get_by_test_id("handler-queue")
    assert review_case.number in queue.inner_text() and review_case.title in queue.inner_text()
    phone.screenshot(path=str(screenshot_dir / "cases-handler-queue-390.png"), full_page=True)
    overflow = phone.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow}px at 390px width"
    cells = _cells(phone)
    title, state = cells["qc-title"], cells["qc-state"]
    # The item name runs across the card on one line, not a character or two per line.
    assert title["width"] > 250 and title["height"] < 40, title
    # The status sits inside the screen, beside the case number, above the name.
    assert state["right"] <= 390 and state["top"] < title["top"], state
    assert _label(phone, ".qc-due") == '"到期日："' and _label(phone, ".qc-handler") == '"经办人："'
    assert axe(phone) == []

    desk = sign_in(chromium, live_server, "handler_a", width=1280)
    desk.goto(f"{live_server.url}/cases/handling/")
    desk.screenshot(path=str(screenshot_dir / "cases-handler-queue-1280.png"), full_page=True)
    assert desk.get_by_role("columnheader", name="事项").is_visible()
    cells = _cells(desk)
    # One row of six columns left to right, without the phone's labels.
    lefts = [cells[c]["left"] for c in ("qc-due", "qc-number", "qc-title", "qc-state", "qc-deadline", "qc-handler")]
    assert lefts == sorted(lefts) and len(set(lefts)) == 6
    assert len({round(c["top"]) for c in cells.values()}) == 1
    assert _label(desk, ".qc-due") == "none"
    phone.context.close()
    desk.context.close()
