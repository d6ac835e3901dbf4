"""长辈版 at phone width and the kiosk at its portrait 1080×1920 screen, with screenshots."""

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_elder_mode_on_a_phone_keeps_words_whole_and_grows_the_controls(live_server, phone_page, screenshot_dir):
    page = phone_page
    page.context.add_cookies([{"name": "elder_mode", "value": "1", "url": live_server.url}])
    page.goto(live_server.url + "/")
    page.get_by_role("button", name="展开导航").click()
    page.wait_for_timeout(400)
    heights = page.evaluate(
        "[...document.querySelectorAll('.navbar .nav-link')].map(a => [a.textContent.trim(), a.getBoundingClientRect().height,"
        " parseFloat(getComputedStyle(a).lineHeight)])"
    )
    for text, height, line in heights:
        assert height < line * 1.6 + 20, f"{text} wraps inside its words ({height}px for a {line}px line)"
    page.screenshot(path=str(screenshot_dir / "elder-phone-navbar.png"), full_page=False)

    page.goto(live_server.url + "/hotline/submit/")
    box = page.locator(".form-check-input").first
    if box.count():
        size = box.evaluate("el => el.getBoundingClientRect().width")
        base = page.evaluate("parseFloat(getComputedStyle(document.documentElement).fontSize)")
        assert size >= base * 1.4, (size, base)
    page.screenshot(path=str(screenshot_dir / "elder-phone-form.png"), full_page=True)


def test_the_kiosk_hides_the_site_links_and_returns_to_its_start_when_idle(
    live_server, chromium, settings, screenshot_dir
):
    settings.YIWANG_CASES = {"KIOSK_ALLOWED_IPS": ["127.0.0.1"]}
    settings.YIWANG_KIOSK_IDLE_SECONDS = 2
    context = chromium.new_context(locale="zh-CN", viewport={"width": 1080, "height": 1920})
    page = context.new_page()
    page.goto(live_server.url + "/cases/kiosk/")
    html = page.content()
    for text in ("工作人员登录", "开放接口", "English", "办事指南"):
        assert text not in html, text
    assert page.get_by_text("自助服务终端").is_visible()
    page.screenshot(path=str(screenshot_dir / "kiosk-start-1080x1920.png"))

    page.goto(live_server.url + "/cases/kiosk/identify/")
    page.wait_for_url(live_server.url + "/cases/kiosk/", timeout=10000)
    context.close()
