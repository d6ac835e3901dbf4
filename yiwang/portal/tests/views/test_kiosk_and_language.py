"""Kiosk pages show no site navigation, staff login, API or language links and return to the start
screen when idle; the language switch is hidden until English is complete; every page has a favicon."""

import pytest

pytestmark = pytest.mark.django_db

KIOSK = {"KIOSK_ALLOWED_IPS": ["10.1.2.3"]}


def test_the_language_switch_is_hidden_until_english_is_complete(client, settings):
    html = client.get("/").content.decode()
    assert "English" not in html and "set_language" not in html and "/i18n/setlang/" not in html
    assert 'rel="icon"' in html and "favicon.svg" in html

    settings.YIWANG_LANGUAGE_SWITCH = True
    assert "English" in client.get("/").content.decode()


def test_a_kiosk_page_hides_the_site_links_and_returns_to_its_start_when_idle(client, settings):
    settings.YIWANG_CASES = KIOSK
    settings.YIWANG_LANGUAGE_SWITCH = True
    html = client.get("/cases/kiosk/", REMOTE_ADDR="10.1.2.3").content.decode()

    for link in ("/api/docs", "工作人员登录", "English", "办事指南", "接诉即办", "/org/login"):
        assert link not in html, link
    assert "自助服务终端" in html and "返回首页并退出" in html
    assert 'src="/static/kiosk-idle.js"' in html and 'data-start="/cases/kiosk/exit/"' in html
    assert 'data-seconds="90"' in html


def test_an_ordinary_page_keeps_the_navigation(client):
    html = client.get("/").content.decode()
    assert "/api/docs" in html and "工作人员登录" in html and "kiosk-idle.js" not in html
