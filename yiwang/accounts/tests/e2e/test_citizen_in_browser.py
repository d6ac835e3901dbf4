"""A citizen in a real Chromium: finds a guide, presses 在线申请, signs up with the SMS code from the
outbox, gives real-name details, finds the application form filled in from the account, applies and
follows the case in 我的办件. Screenshots of each step; the applicant pages are checked with axe."""

import datetime as dt

import pytest

from yiwang.accounts.tests.conftest import code_from_outbox
from yiwang.cases.models import Case
from yiwang.cases.tests.factories import CITIZEN_ID, elements, publish
from yiwang.org.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = "13991712001"


@pytest.fixture
def item(admin_user, dept_a):
    return publish(admin_user, elements("610326-XK-0001", "食品经营许可（新办）", dept_a))[0]


def _shot(page, screenshot_dir, name, *texts):
    path = screenshot_dir / f"accounts-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, f"{name}: “{text}” not on the page"


def test_a_citizen_signs_up_applies_from_the_guide_and_follows_the_case(
    page, live_server, item, axe, screenshot_dir, tmp_path
):
    # 1. The guide offers 在线申请 (online depth IV); signed out, it leads to the applicant sign-in.
    page.goto(f"{live_server.url}/services/items/{item.code}/")
    page.get_by_role("link", name="在线申请").click()
    page.wait_for_url(lambda url: "/account/sign-in/?next=" in url)
    assert axe(page) == []
    _shot(page, screenshot_dir, "1-sign-in", "群众和企业登录 / 注册", "工作人员登录")

    # 2. The mobile number (typed with spaces), then the code the SMS carries.
    page.get_by_label("手机号").fill("139 9171 2001")
    page.get_by_role("button", name="获取验证码").click()
    page.wait_for_url("**/account/sign-in/code/")
    _shot(page, screenshot_dir, "2-code", "验证码已发送至 139****2001")
    assert axe(page) == []
    page.get_by_label("短信验证码").fill("000000" if code_from_outbox(PHONE) != "000000" else "111111")
    page.get_by_role("button", name="登录").click()
    page.get_by_text("验证码不正确，还可再试 4 次").wait_for()
    page.get_by_label("短信验证码").fill(code_from_outbox(PHONE))
    page.get_by_role("button", name="登录").click()

    # 3. A new account: real-name details first (a 15-digit legacy number is refused, then the real one).
    page.wait_for_url(lambda url: "/account/real-name/?next=" in url)
    page.get_by_label("姓名").fill("王秀兰")
    page.get_by_label("身份证号码").fill("610326680312042")
    page.get_by_role("button", name="保存").click()
    page.get_by_text("这是15位的旧身份证号码").wait_for()
    _shot(page, screenshot_dir, "3-real-name-error", "请填写第二代身份证上的18位号码")
    page.get_by_label("身份证号码").fill(CITIZEN_ID)
    page.get_by_role("button", name="保存").click()

    # 4. Back at the application form, the applicant is filled in from the account.
    page.wait_for_url(f"**/cases/apply/item/{item.code}/")
    assert page.get_by_label("申请人（单位名称或姓名）").input_value() == "王秀兰"
    assert page.get_by_label("身份证号").input_value() == CITIZEN_ID
    assert page.get_by_label("联系电话").input_value() == PHONE
    assert page.get_by_label("自然人").is_checked()
    assert page.get_by_label("住址").get_attribute("aria-required") == "true"
    assert axe(page) == []
    page.get_by_role("button", name="提交申请").click()  # the address is missing
    page.get_by_text("请填写住址").wait_for()
    _shot(page, screenshot_dir, "4-form-error", "请填写住址")
    page.get_by_label("住址").fill("眉县首善街道东关社区12号")
    material = tmp_path / "申请书.pdf"
    material.write_bytes(b"%PDF-1.4\n% scanned\n%%EOF\n")
    page.get_by_label("食品经营许可申请书").set_input_files(str(material))
    page.get_by_label("电子送达").check()
    page.get_by_role("button", name="提交申请").click()
    page.wait_for_url("**/cases/mine/YW*/")
    case = Case.objects.get()
    assert case.applicant_user == User.objects.get(applicant_account__isnull=False)
    assert case.applicant_phone == PHONE and case.applicant_id_number == CITIZEN_ID

    # 5. 我的办件 lists it with its state; the case page shows its timeline.
    page.get_by_role("link", name="我的办事").click()
    page.get_by_role("link", name="我的办件").first.click()
    page.wait_for_url("**/cases/mine/")
    _shot(page, screenshot_dir, "5-my-cases", "我的办件", case.number, "食品经营许可（新办）", "待受理")
    assert axe(page) == []
    page.get_by_role("link", name=case.number).click()
    _shot(page, screenshot_dir, "6-my-case", case.number, "办理进度")
    assert dt.date.today().year >= 2026
