"""The founder of a company that does not exist yet, in a real Chromium: one form (一表填报) with no
credit code and no licence, submitted online; the window accepts; the registration handler approves;
the unified social credit code then appears on every sub-case and on the founder's page."""

import pytest

from yiwang.cases.founding_models import Founding
from yiwang.cases.models import Case, CaseState
from yiwang.core.identifiers import is_valid_uscc
from yiwang.core.tests.browser import sign_in as _sign_in
from yiwang.workdays.selectors import add_workdays

from ..founding_fixtures import FOUNDER_ID, PARTNER_ID, founding_bundle  # noqa: F401

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _shot(page, screenshot_dir, name, *texts):
    path = screenshot_dir / f"founding-{name}.png"
    page.screenshot(path=str(path), full_page=True)
    body = page.locator("body").inner_text()
    for text in texts:
        assert text in body, f"{name}: “{text}” not on the page"


def _pdf(tmp_path, name):
    path = tmp_path / name
    path.write_bytes(b"%PDF-1.4\n% scanned\n%%EOF\n")
    return str(path)


@pytest.mark.usefixtures("founding_bundle")
def test_a_founder_creates_a_company_and_its_code_reaches_every_sub_case(
    chromium, live_server, citizen, clerk, handler_a, handler_b, meixian, axe, screenshot_dir, tmp_path
):
    # 1. The founder fills the one form: the company-to-be and the five other parts.
    founder = _sign_in(chromium, live_server, "citizen")
    founder.goto(f"{live_server.url}/cases/founding/")
    assert axe(founder) == []
    assert founder.locator("input[name=applicant_uscc], input[name=entity_uscc]").count() == 0
    founder.get_by_label("申请人姓名").fill("张海峰")
    founder.get_by_label("申请人身份证号").fill(FOUNDER_ID)
    founder.get_by_label("联系电话（手机）").fill("13991755021")
    founder.get_by_label("拟设企业名称").fill("眉县中华鲜果冷链有限公司")
    founder.get_by_role("button", name="检查名称").click()
    founder.get_by_test_id("name-check").get_by_text("须报国务院批准").wait_for()
    founder.get_by_label("拟设企业名称").fill("眉县秦岭鲜果冷链有限公司")
    founder.get_by_role("button", name="检查名称").click()
    founder.get_by_test_id("name-check").get_by_text("可以申报").wait_for()
    founder.get_by_label("企业类型").select_option("llc")
    founder.get_by_label("注册资本（万元）").fill("100")
    founder.get_by_label("住所所在镇（街道）").select_option(label="槐芽镇")
    founder.get_by_label("住所（村、社区、门牌）").fill("槐芽村三组冷库园区8号")
    founder.get_by_label("经营范围").fill("农产品冷藏保鲜服务；新鲜水果批发；普通货物仓储服务")
    founder.get_by_label("法定代表人姓名").fill("张海峰")
    founder.get_by_label("法定代表人身份证号").fill(FOUNDER_ID)
    for n, (name, number, amount) in enumerate((("张海峰", FOUNDER_ID, "60"), ("李文静", PARTNER_ID, "40")), start=1):
        founder.get_by_label(f"第{n}位股东姓名").fill(name)
        founder.get_by_label(f"第{n}位股东身份证号").fill(number)
        founder.get_by_label(f"第{n}位股东认缴出资（万元）").fill(amount)
    founder.get_by_label("财务专用章").check()
    founder.get_by_label("参保职工人数").fill("6")
    founder.get_by_label("住房公积金缴存比例（%）").fill("8")
    founder.get_by_label("开户银行").select_option("陕西眉县农村商业银行")
    from django.utils import timezone

    founder.get_by_label("预约开户日期").fill(add_workdays(timezone.localdate(), 1).due.isoformat())
    founder.get_by_label("法定代表人及股东身份证明（扫描件）").set_input_files(_pdf(tmp_path, "身份证.pdf"))
    founder.get_by_label("住所（经营场所）使用证明").set_input_files(_pdf(tmp_path, "租赁合同.pdf"))
    _shot(founder, screenshot_dir, "1-form", "一表填报", "无需提交营业执照和统一社会信用代码")
    founder.get_by_role("button", name="提交企业开办申请").click()
    founder.wait_for_url("**/cases/mine/YW*/")
    case = Case.objects.get(parent__isnull=True)
    _shot(founder, screenshot_dir, "2-submitted", "企业开办申请已提交", case.number, "待设立登记核准后赋码")
    assert axe(founder) == []

    # 2. The window accepts; the bundle fans out to the departments.
    window = _sign_in(chromium, live_server, "clerk")
    window.goto(f"{live_server.url}/cases/counter/case/{case.number}/")
    window.get_by_role("button", name="受理（含容缺/承诺）").click()
    _shot(window, screenshot_dir, "3-accepted", "已受理", "眉县秦岭鲜果冷链有限公司")
    registration, seal, insurance = Case.objects.get(pk=case.pk).children.order_by("number")

    # 3. The seal cannot be approved before the company exists.
    department_b = _sign_in(chromium, live_server, "handler_b")
    department_b.goto(f"{live_server.url}/cases/handling/case/{seal.number}/")
    department_b.get_by_role("button", name="签收办理").click()
    department_b.get_by_label("准予", exact=True).check()
    department_b.get_by_label("理由", exact=True).fill("印章刻制备案材料齐全")
    department_b.get_by_role("button", name="作出决定").click()
    _shot(department_b, screenshot_dir, "4-seal-waits", "尚未完成设立登记", "待设立登记核准后赋码")

    # 4. The registration handler approves: the code is assigned.
    department_a = _sign_in(chromium, live_server, "handler_a")
    department_a.goto(f"{live_server.url}/cases/handling/")
    department_a.get_by_role("link", name=registration.number).click()
    department_a.get_by_role("button", name="签收办理").click()
    department_a.get_by_label("准予", exact=True).check()
    department_a.get_by_label("理由", exact=True).fill("名称、住所、股东出资符合规定，准予设立登记")
    department_a.get_by_role("button", name="作出决定").click()
    code = Founding.objects.get(case=case).uscc
    assert is_valid_uscc(code) and code.startswith("91610326MA6W")
    _shot(department_a, screenshot_dir, "5-registered", "已作出办理决定", code)

    # 5. The code is on every sub-case; the seal can now be approved.
    for sub in (seal, insurance):
        department_b.goto(f"{live_server.url}/cases/handling/case/{sub.number}/")
        assert code in department_b.get_by_test_id("founding-uscc").inner_text()
    department_b.goto(f"{live_server.url}/cases/handling/case/{seal.number}/")
    department_b.get_by_label("准予", exact=True).check()
    department_b.get_by_label("理由", exact=True).fill("印章刻制备案材料齐全")
    department_b.get_by_role("button", name="作出决定").click()
    _shot(department_b, screenshot_dir, "6-seal-done", "已作出办理决定", code)
    assert set(Case.objects.filter(parent=case).values_list("applicant_uscc", flat=True)) == {code}

    founder.reload()
    _shot(founder, screenshot_dir, "7-founder-sees-code", code, "眉县秦岭鲜果冷链有限公司")
    assert Case.objects.get(pk=seal.pk).state == CaseState.DECIDED_APPROVED
    for p in (founder, window, department_a, department_b):
        p.context.close()
