"""The whole path in a real Chromium: a citizen applies online, the window issues a one-time correction
notice, the citizen supplies the material, the window accepts, the department approves and delivers.
Every step is screenshotted and the screenshot's page is checked for its key text; the applicant's
pages are checked with axe."""

import pytest

from yiwang.cases.models import Case, CaseState
from yiwang.core.tests.browser import sign_in as _sign_in

from ..factories import CITIZEN_ID

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, screenshot_dir, name, *texts):
    path = screenshot_dir / f"cases-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 0
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, f"{name}: “{text}” not on the page"


def _pdf(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% scanned material\n%%EOF\n")
    return str(path)


def test_a_case_from_online_application_to_delivery(
    chromium, live_server, citizen, clerk, handler_a, food_item, axe, screenshot_dir, tmp_path
):
    # 1. The citizen finds the service through the guide and applies online with an upload.
    applicant = _sign_in(chromium, live_server, "citizen")
    applicant.goto(f"{live_server.url}/cases/guide/")
    assert axe(applicant) == []
    applicant.goto(f"{live_server.url}/cases/apply/item/{food_item.code}/")
    assert axe(applicant) == []
    applicant.get_by_label("自然人").check()
    applicant.get_by_label("申请人（单位名称或姓名）").fill("王秀兰")
    applicant.get_by_label("身份证号").fill(CITIZEN_ID)
    applicant.get_by_label("联系电话").fill("13891712345")
    applicant.get_by_label("住址").fill("眉县首善街道东关社区12号")
    applicant.get_by_label("食品经营许可申请书").set_input_files(_pdf(tmp_path, "申请书.pdf"))
    applicant.get_by_label("电子送达").check()
    applicant.get_by_role("button", name="提交申请").click()
    applicant.wait_for_url("**/cases/mine/YW*/")
    case = Case.objects.get()
    _shot(applicant, screenshot_dir, "1-submitted", "申请已提交", case.number, "待受理")
    assert axe(applicant) == []

    # 2. The window lists every missing material at once (一次性告知).
    window = _sign_in(chromium, live_server, "clerk")
    window.goto(f"{live_server.url}/cases/counter/")
    window.get_by_role("link", name=case.number).click()
    window.get_by_label("经营场所使用证明核验结果").select_option("missing")
    window.get_by_label("经营场所使用证明补正要求").fill("请上传房屋租赁合同")
    window.get_by_label("从业人员健康证明核验结果").select_option("ok")
    window.get_by_label("营业执照核验结果").select_option("ok")
    window.get_by_role("button", name="一次性告知补正").click()
    _shot(window, screenshot_dir, "2-correction", "已一次性告知补正", "待补正", "补正材料告知书")

    # 3. The citizen sees what is missing, uploads it and reports the correction done.
    applicant.reload()
    _shot(applicant, screenshot_dir, "3-missing", "还需要您提交", "经营场所使用证明", "请上传房屋租赁合同")
    assert axe(applicant) == []
    applicant.get_by_label("材料", exact=True).select_option("M03")
    applicant.get_by_label("文件（PDF/JPG/PNG，≤10MB）").set_input_files(_pdf(tmp_path, "租赁合同.pdf"))
    applicant.get_by_role("button", name="上传").click()
    applicant.get_by_role("button", name="补正完成，提交窗口受理").click()
    _shot(applicant, screenshot_dir, "4-supplied", "已提交补正", "待受理")

    # 4. The window accepts; the acceptance notice is issued.
    window.reload()
    window.get_by_label("从业人员健康证明核验结果").select_option("ok")
    window.get_by_label("营业执照核验结果").select_option("ok")
    window.get_by_role("button", name="受理（含容缺/承诺）").click()
    _shot(window, screenshot_dir, "5-accepted", "已受理", "受理通知书")

    # 5. The department takes it, completes the review steps, approves and delivers electronically.
    department = _sign_in(chromium, live_server, "handler_a")
    department.goto(f"{live_server.url}/cases/handling/")
    department.get_by_role("link", name=case.number).click()
    department.get_by_role("button", name="签收办理").click()
    for step in ("审查", "审核"):
        department.get_by_label("本环节意见").fill(f"{step}：材料真实，符合条件")
        department.get_by_role("button", name=f"完成{step}，转下一环节").click()
    department.get_by_label("准予", exact=True).check()
    department.get_by_label("理由", exact=True).fill("经营场所、设施设备和人员符合食品安全要求，准予许可")
    department.get_by_role("button", name="作出决定").click()
    _shot(department, screenshot_dir, "6-decided", "已作出办理决定", "准予许可/办结")
    department.get_by_role("button", name="出件").click()
    _shot(department, screenshot_dir, "7-delivered", "已出件")

    # 6. The applicant sees the result and the decision notice.
    applicant.reload()
    _shot(applicant, screenshot_dir, "8-applicant-done", "已出件", "准予行政许可决定书", "已电子送达")
    assert axe(applicant) == []
    case.refresh_from_db()
    assert case.state == CaseState.DELIVERED and case.visits == 0

    # The public status page by number and code, without personal data.
    applicant.goto(f"{live_server.url}/cases/status/?number={case.number}&code={case.verification_code}")
    _shot(applicant, screenshot_dir, "9-status", case.number, "已出件")
    assert "王秀兰" not in applicant.locator("main").inner_text()
    assert axe(applicant) == []
    for p in (applicant, window, department):
        p.context.close()


def test_the_kiosk_mode_is_touch_friendly_and_accessible(
    page, live_server, food_item, county_hall, axe, screenshot_dir
):
    page.goto(f"{live_server.url}/cases/kiosk/")
    assert axe(page) == []
    height = page.get_by_role("link", name="自助申请").bounding_box()["height"]
    assert height >= 80, f"kiosk buttons must be large touch targets, got {height}px"
    page.get_by_role("link", name="查询我的办件").click()
    page.get_by_label("身份证号").fill(CITIZEN_ID)
    page.get_by_label("姓名").fill("王秀兰")
    page.get_by_role("button", name="确认").click()
    _shot(page, screenshot_dir, "kiosk-cases", "没有查到您的办件", "自助申请")
    assert axe(page) == []


def test_the_guide_and_status_pages_work_on_a_phone(phone_page, live_server, food_item, axe):
    phone_page.goto(f"{live_server.url}/cases/guide/kai-fandian/")
    phone_page.get_by_role("button", name="个体工商户").click()
    phone_page.get_by_role("button", name="50平方米以上，或有明火后厨").click()
    phone_page.get_by_role("button", name="不设置").click()
    phone_page.get_by_test_id("guide-result").wait_for()
    assert "您需要办理" in phone_page.locator("#guide-step").inner_text()
    assert "answered" not in phone_page.url and "sign=no" in phone_page.url  # htmx pushed the answers
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    assert axe(phone_page) == []
    phone_page.goto(f"{live_server.url}/cases/status/")
    assert axe(phone_page) == []
