"""In Chromium: a citizen searches 营业执照 and opens the guide; staff review a change blind."""

import pytest

from yiwang.catalog import services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.tests.factories import elements, publish
from yiwang.org.tests.factories import TEST_PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def licence_items(admin_user, departments):
    return publish(
        admin_user,
        elements(),
        elements(
            code="610326-QR-0001",
            name="有限责任公司设立登记",
            kind="confirmation",
            handling_type="instant",
            promised_days=0,
            legal_days=15,
            online_depth=4,
            visits_required=0,
            visits_reason="",
            delivery_electronic=True,
            reform_mode="",
            pledge_allowed=False,
            keywords="开公司 营业执照 企业开办",
            materials=[
                {
                    "code": "M01",
                    "name": "公司章程",
                    "form": "original",
                    "copies": 1,
                    "required": True,
                    "key": True,
                    "deferrable": False,
                    "pledge_replaceable": False,
                    "licence_type": "",
                    "blank_form": "",
                    "sample": "",
                    "note": "",
                }
            ],
        ),
    )


def test_it_searches_yingye_zhizhao_and_opens_the_guide(page, live_server, licence_items, axe, screenshot_dir):
    page.goto(f"{live_server.url}/services/")
    assert page.get_by_role("heading", level=1).inner_text() == "政务服务事项 · 办事指南"
    assert axe(page) == []

    page.get_by_label("搜索事项").fill("营业执照")
    page.get_by_role("button", name="搜索", exact=True).click()
    page.wait_for_function("document.querySelector('#results').innerText.includes('“营业执照”的搜索结果')")
    first = page.locator("#results ol li h3 a").first
    assert first.inner_text() == "有限责任公司设立登记"
    assert "q=" in page.url  # hx-push-url keeps the search linkable
    page.screenshot(path=str(screenshot_dir / "catalog-search.png"), full_page=True)
    assert axe(page) == []

    first.click()
    page.wait_for_url(f"{live_server.url}/services/items/610326-QR-0001/")
    assert page.get_by_role("heading", level=1).inner_text() == "有限责任公司设立登记"
    assert page.get_by_text("四级 · 全程网办，零跑动").is_visible()
    assert page.get_by_role("cell", name="公司章程").is_visible()
    assert page.get_by_role("img", name="本页二维码").is_visible()
    assert page.get_by_role("link", name="下载办事指南（PDF）").is_visible()
    page.screenshot(path=str(screenshot_dir / "catalog-guide.png"), full_page=True)
    violations = axe(page)
    assert violations == [], violations

    with page.expect_response(lambda r: r.url.endswith("/guide.pdf")) as pdf:
        page.evaluate("fetch('/services/items/610326-QR-0001/guide.pdf')")
    assert pdf.value.headers["content-type"] == "application/pdf"


def test_the_catalog_fits_a_phone(phone_page, live_server, licence_items, axe):
    phone_page.goto(f"{live_server.url}/services/?q=开饭店")
    assert "食品经营许可（新办）" in phone_page.locator("#results").inner_text()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow}px at 390px width"
    phone_page.goto(f"{live_server.url}/services/items/610326-XK-0001/")
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"horizontal scroll of {overflow}px at 390px width"
    assert axe(phone_page) == []


def test_a_reviewer_of_another_department_approves_without_seeing_the_proposer(
    page, live_server, licence_items, handler_a, handler_c, axe, screenshot_dir
):
    food = licence_items[0]
    services.item_change_propose(
        elements={**item_elements(food), "promised_days": 3}, reason="压缩承诺时限", actor=handler_a, item=food
    )
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("handler_c")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/workbench/")

    page.goto(f"{live_server.url}/services/staff/reviews/")
    assert "周敏" not in page.content()
    assert axe(page) == []
    page.get_by_role("link", name="审核 食品经营许可（新办）").click()
    assert page.get_by_role("rowheader", name="承诺办结时限").is_visible()
    assert "周敏" not in page.content()
    page.screenshot(path=str(screenshot_dir / "catalog-review.png"), full_page=True)
    violations = axe(page)
    assert violations == [], violations
    page.get_by_label("通过并发布").check()
    page.get_by_label("审核意见").fill("同意")
    page.get_by_role("button", name="提交审核结论").click()
    page.wait_for_url(f"{live_server.url}/services/staff/reviews/")
    assert "第2版已发布" in page.content().replace(" ", "")

    page.goto(f"{live_server.url}/services/staff/targets/")
    assert page.get_by_test_id("online-rate").inner_text() == "100.0%"
    page.screenshot(path=str(screenshot_dir / "catalog-targets.png"), full_page=True)
    violations = axe(page)
    assert violations == [], violations


def test_staff_catalog_flags_problems(page, live_server, admin_user, departments, axe):
    publish(admin_user, elements(legal_days=5, promised_days=5))
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("用户名").fill("admin")
    page.get_by_label("密码").fill(TEST_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(f"{live_server.url}/workbench/")
    page.goto(f"{live_server.url}/services/staff/?problems=on")
    assert "承诺时限与法定时限相同，未压缩" in page.locator("#staff-rows").inner_text()
    violations = axe(page)
    assert violations == [], violations
