"""The public calendar page in a real Chromium: accessible, and the htmx form answers in place."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_answers_the_deadline_form_without_reloading(page, live_server, axe):
    page.goto(f"{live_server.url}/workdays/?year=2026")
    assert page.get_by_test_id("calendar-status").inner_text() == "官方数据"
    assert axe(page) == []

    page.get_by_label("起算日").fill("2026-02-12")
    page.get_by_label("工作日数").fill("20")
    page.get_by_role("button", name="计算").click()
    assert page.get_by_test_id("due").inner_text() == "2026-03-18"
    assert page.url == f"{live_server.url}/workdays/?year=2026"  # answered by htmx, no navigation
