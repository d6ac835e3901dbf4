import pytest

from yiwang.portal.tests.helpers import make_halls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_it_shows_an_accessible_home_page_and_switches_to_elder_mode(live_server, page, axe, screenshot_dir):
    make_halls()
    page.goto(live_server.url + "/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("眉县政务服务")
    assert axe(page) == []
    base_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")

    page.get_by_role("button", name="长辈版").click()
    page.wait_for_load_state()
    elder_size = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
    assert elder_size >= base_size * 1.2
    assert page.get_by_role("button", name="标准版").is_visible()
    assert axe(page) == []
    page.screenshot(path=str(screenshot_dir / "portal-home-elder.png"), full_page=True)


def test_it_filters_halls_with_htmx_and_stays_accessible(live_server, page, axe):
    make_halls()
    page.goto(live_server.url + "/halls/")
    assert page.locator("#hall-rows tbody tr").count() == 2
    page.get_by_label("类别").select_option("town_centre")
    page.wait_for_function("document.querySelectorAll('#hall-rows tbody tr').length === 1")
    assert "营头镇便民服务中心" in page.locator("#hall-rows").inner_text()
    assert axe(page) == []


def test_it_fits_a_phone_screen_without_sideways_scrolling(live_server, phone_page):
    make_halls()
    for path in ("/", "/halls/"):
        phone_page.goto(live_server.url + path)
        overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px"


def test_it_offers_english_as_a_second_language(live_server, page, settings):
    settings.YIWANG_LANGUAGE_SWITCH = True  # hidden by default until English is complete
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("button", name="中文").is_visible()
