"""Scanning the QR code of an issued licence: the URL printed in its PDF opens the public
verification page in a real Chromium and shows 有效; after revocation the same URL shows 已注销."""

import pytest
from django.test import RequestFactory

from yiwang.licences.services import licence_revoke
from yiwang.licences.views import verify_url

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_qr_url_of_an_issued_licence_shows_valid(
    chromium, live_server, company_licence, handler_a, axe, screenshot_dir
):
    host = live_server.url.removeprefix("http://")
    request = RequestFactory().get("/", HTTP_HOST=host)
    url = verify_url(request, company_licence)  # what the licence PDF's QR code carries
    assert url.startswith(live_server.url) and "?c=" in url

    context = chromium.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})  # a phone
    page = context.new_page()
    page.set_default_timeout(15000)
    page.goto(url)
    result = page.get_by_test_id("verify-result")
    assert "有效" in result.inner_text()
    assert company_licence.number in result.inner_text()
    page.screenshot(path=str(screenshot_dir / "licences-qr-valid.png"), full_page=True)
    assert axe(page) == []

    licence_revoke(licence=company_licence, actor=handler_a, reason="企业申请注销")
    page.goto(url)
    assert "已注销" in page.get_by_test_id("verify-result").inner_text()
    context.close()
