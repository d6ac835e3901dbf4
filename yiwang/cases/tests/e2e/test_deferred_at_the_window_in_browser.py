"""A walk-in 容缺 case in a real Chromium: the clerk finds the case by its number at the counter, receives
the deferred material with the original checked, and the department's review goes on — 审查, 审核 and 审批
by three different people (the same person twice is refused on the page)."""

import pytest

from yiwang.cases import services
from yiwang.cases.models import CaseState, DeferredMaterial
from yiwang.core.tests.browser import sign_in as _sign_in

from ..conftest import FORM, colleague

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, screenshot_dir, name, *texts):
    path = screenshot_dir / f"cases-deferred-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, f"{name}: “{text}” not on the page"


def test_the_window_receives_a_deferred_material_and_the_review_goes_on(
    chromium, live_server, citizen, person, clerk, handler_a, food_item, screenshot_dir, axe
):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",))
    reviewer, approver = colleague(case.department, 2), colleague(case.department, 3)
    reviewer.display_name, approver.display_name = "孙立", "马云霞"
    reviewer.save(update_fields=["display_name"])
    approver.save(update_fields=["display_name"])

    # 1. The applicant comes back with the lease; the clerk finds the case by its number.
    window = _sign_in(chromium, live_server, "clerk")
    window.goto(f"{live_server.url}/cases/counter/")
    window.get_by_role("textbox", name="办件编号").fill(f"  {case.number.lower()} ")  # typed loosely, as at a counter
    window.get_by_role("button", name="查找办件").click()
    window.wait_for_url(f"**/cases/counter/case/{case.number}/")
    _shot(window, screenshot_dir, "1-found", "容缺后补材料", "经营场所使用证明", "待补交", "容缺受理通知书")
    assert axe(window) == []

    # Without the original checked nothing is received.
    window.get_by_role("button", name="收取经营场所使用证明").click()
    _shot(window, screenshot_dir, "2-refused", "请核验原件后勾选")
    assert DeferredMaterial.objects.get(case=case).supplied_at is None

    window.get_by_label("经营场所使用证明原件已核验").check()
    window.get_by_role("button", name="收取经营场所使用证明").click()
    _shot(window, screenshot_dir, "3-received", "已收取容缺材料“经营场所使用证明”", "已补交", "原件已核验")
    assert DeferredMaterial.objects.get(case=case).supplied_by == clerk

    # 2. The department: 审查 by one handler, who may not also do 审核.
    department = _sign_in(chromium, live_server, "handler_a")
    department.goto(f"{live_server.url}/cases/handling/case/{case.number}/")
    _shot(department, screenshot_dir, "4-handler", "容缺材料已全部补交", "经营场所使用证明")
    department.get_by_role("button", name="签收办理").click()
    department.get_by_label("本环节意见").fill("审查：租赁合同原件已在窗口核验，场所符合要求")
    department.get_by_role("button", name="完成审查，转下一环节").click()
    department.get_by_label("本环节意见").fill("审核：同意")
    department.get_by_role("button", name="完成审核，转下一环节").click()
    _shot(department, screenshot_dir, "5-same-person", "须由本部门其他人员办理")

    # 3. 审核 by a colleague, 审批 (the decision) by a third person.
    second = _sign_in(chromium, live_server, reviewer.username)
    second.goto(f"{live_server.url}/cases/handling/case/{case.number}/")
    second.get_by_label("本环节意见").fill("审核：同意审查意见")
    second.get_by_role("button", name="完成审核，转下一环节").click()
    third = _sign_in(chromium, live_server, approver.username)
    third.goto(f"{live_server.url}/cases/handling/case/{case.number}/")
    third.get_by_label("准予", exact=True).check()
    third.get_by_label("理由", exact=True).fill("经营场所、设施设备和人员符合食品安全要求，准予许可")
    third.get_by_role("button", name="作出决定").click()
    _shot(third, screenshot_dir, "6-decided", "已作出办理决定", "准予许可/办结", "准予行政许可决定书")

    case.refresh_from_db()
    assert case.state == CaseState.DECIDED_APPROVED
    steps = list(case.steps.filter(position__gt=1).order_by("position").values_list("completed_by", flat=True))
    assert steps == [handler_a.pk, reviewer.pk, approver.pk]
    for page in (window, department, second, third):
        page.context.close()
