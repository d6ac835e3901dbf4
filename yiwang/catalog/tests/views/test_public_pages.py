"""Public pages: search (full page and HTMX partial), guide with QR code and PDF, bundles."""

import pytest

from yiwang.catalog import services
from yiwang.catalog.tests.factories import elements, publish

pytestmark = pytest.mark.django_db


def test_the_search_page_lists_matches(client, food_item):
    response = client.get("/services/", {"q": "开饭店"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "食品经营许可（新办）" in html
    assert "共 1 项" in html


def test_htmx_gets_only_the_results(client, food_item):
    response = client.get("/services/", {"q": "开饭店"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "食品经营许可（新办）" in html and "<html" not in html and "<form" not in html


def test_a_stale_filter_value_is_ignored(client, food_item):
    response = client.get("/services/", {"q": "食品", "level": "galaxy"})
    assert response.status_code == 200 and "食品经营许可（新办）" in response.content.decode()


def test_nothing_found_says_what_to_do(client, food_item):
    html = client.get("/services/", {"q": "火星移民"}).content.decode()
    assert "没有找到符合条件的事项" in html and "12345" in html


def test_the_guide_shows_every_element_a_citizen_needs(client, food_item):
    response = client.get("/services/items/610326-XK-0001/")
    html = response.content.decode()
    for text in (
        "食品经营许可（新办）",
        "《中华人民共和国食品安全法》第三十五条",
        "眉县市场监督管理局",
        "眉县行政审批服务局",
        "经营场所平面布局图",
        "可容缺后补",
        "可承诺替代",
        "可调取电子证照：营业执照",
        "20个工作日",
        "5个工作日",
        "需现场核验原件",
        "窗口领取、邮寄送达",
        "0917-5512345",
        "实行告知承诺",
        "<svg",
    ):
        assert text in html, text
    assert 'href="/services/items/610326-XK-0001/guide.pdf"' in html


def test_the_guide_pdf_and_qr_code(client, food_item):
    pdf = client.get("/services/items/610326-XK-0001/guide.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF") and len(pdf.content) > 3000
    qr = client.get("/services/items/610326-XK-0001/qr.svg")
    assert qr["Content-Type"] == "image/svg+xml" and b"<svg" in qr.content
    form = client.get("/services/items/610326-XK-0001/form.pdf")
    assert form.content.startswith(b"%PDF")


def test_the_qr_payload_is_the_absolute_guide_url(rf, food_item):
    from yiwang.catalog import views

    request = rf.get("/services/items/610326-XK-0001/")
    assert views._guide_url(request, "610326-XK-0001") == "http://testserver/services/items/610326-XK-0001/"


def test_a_withdrawn_item_says_so(client, food_item, admin_user):
    services.item_withdraw(item=food_item, reason="取消", actor=admin_user)
    response = client.get("/services/items/610326-XK-0001/")
    assert response.status_code == 410 and "停止办理" in response.content.decode()
    assert client.get("/services/items/nope/").status_code == 404


def test_a_version_page_shows_the_frozen_elements(client, food_item):
    html = client.get("/services/items/610326-XK-0001/v1/").content.decode()
    assert "第 1 版" in html and "食品经营许可申请书" in html


def test_bundle_pages(client, food_item, admin_user, dept_a):
    publish(admin_user, elements(code="610326-XK-0002", name="城镇污水排入排水管网许可（新办）"))
    services.bundle_create(
        code="wo-yao-kai-fandian",
        name="我要开饭店",
        description="一次告知、一表申请。",
        lead_department=dept_a,
        item_codes=["610326-XK-0001", "610326-XK-0002"],
        target_days=5,
        actor=admin_user,
    )
    assert "我要开饭店" in client.get("/services/bundles/").content.decode()
    html = client.get("/services/bundles/wo-yao-kai-fandian/").content.decode()
    assert "材料 6 份合并为 3 份" in html and "目标：5 个工作日内办结" in html
    assert "我要开饭店" in client.get("/services/", {"q": "饭店"}).content.decode()
