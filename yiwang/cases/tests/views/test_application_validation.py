"""The application form checks what it asks for, with real-world input: full-width digits, spaces,
the 15-digit legacy ID number, 2月30日, a landline where a mobile is needed, over-long answers. Each
error is specific, in Chinese, next to its field; nothing is created. The counter and the kiosk use
the same form and the same checks."""

import datetime as dt
import re

import pytest

from yiwang.cases.models import Case
from yiwang.core.identifiers import make_id_number

from ..factories import CITIZEN_ID, COMPANY_USCC, elements, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def dated_item(admin_user, dept_a):
    """An item whose form asks for a date, a phone, a number and a free text (and the person's ID)."""
    fields = [
        {"key": "applicant_address", "label": "住址", "type": "text", "required": True},
        {"key": "opening_date", "label": "拟开业日期", "type": "date", "required": True},
        {"key": "shop_phone", "label": "店铺电话", "type": "phone", "required": False},
        {"key": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
        {"key": "scope", "label": "经营项目", "type": "textarea", "required": False},
    ]
    return publish(admin_user, elements("610326-XK-0101", "小餐饮登记", dept_a, form_fields=fields))[0]


@pytest.fixture
def enterprise_item(admin_user, dept_a):
    return publish(admin_user, elements("610326-XK-0102", "道路运输经营许可", dept_a, audience="enterprise"))[0]


def _data(**extra):
    data = {
        "applicant_kind": "person",
        "applicant_name": "王秀兰",
        "applicant_id_number": CITIZEN_ID,
        "applicant_phone": "13891712345",
        "f_applicant_address": "眉县首善街道东关社区",
        "f_opening_date": "2026-03-01",
        "delivery_method": "window",
        "postal_address": "",
        "submission_token": "tok-v",
    }
    data.update(extra)
    return data


def _errors(response) -> dict[str, list[str]]:
    """Each field's error messages as the page shows them, by the field's input name."""
    form = response.context["form"]
    return {name: list(errors) for name, errors in form.errors.items()}


def _post(client, item, **extra):
    return client.post(f"/cases/apply/item/{item.code}/", _data(**extra))


def test_full_width_digits_and_spaces_are_understood(client, citizen, dated_item):
    client.force_login(citizen)
    typed_id = " ".join([CITIZEN_ID[:6], CITIZEN_ID[6:14], CITIZEN_ID[14:]]).translate(
        str.maketrans("0123456789", "０１２３４５６７８９")
    )
    response = _post(
        client,
        dated_item,
        applicant_phone="１３８ ９１７１-２３４５",
        applicant_id_number=typed_id,
        f_opening_date="2026年3月1日",
        f_shop_phone="0917-552 1234",
        f_area="１２０",
    )
    assert response.status_code == 302, _errors(response)
    case = Case.objects.get()
    assert case.applicant_phone == "13891712345" and case.applicant_id_number == CITIZEN_ID
    assert case.form_data["opening_date"] == "2026-03-01" and case.form_data["area"] == "120"


@pytest.mark.parametrize(
    ("field", "typed", "message"),
    [
        ("f_opening_date", "2026-02-30", "2026年2月没有30日"),
        ("f_opening_date", "2026年2月30日", "2026年2月没有30日"),
        ("f_opening_date", "2026-13-01", "月份应在1至12之间"),
        ("f_opening_date", "下个月", "日期格式不正确"),
        ("applicant_phone", "1389171234", "联系电话不正确：手机号应为11位数字（您填写了10位）"),
        ("applicant_phone", "12891712345", "联系电话不正确：手机号应以13至19开头"),
        ("applicant_phone", "0917-5521234", "联系电话不正确：请填写11位手机号（固定电话收不到短信）"),
        ("applicant_id_number", "610326680312042", "15位的旧身份证号码，请填写第二代身份证上的18位号码"),
        ("applicant_id_number", CITIZEN_ID[:-1] + ("0" if CITIZEN_ID[-1] != "0" else "1"), "校验位不正确"),
        ("applicant_id_number", "610326" + "20260230" + "0421", "出生日期无效"),
        ("f_shop_phone", "5521234", "店铺电话：手机号应为11位数字"),
        ("f_area", "一百二十", "经营面积（平方米）：应填写数字"),
        ("f_applicant_address", "东" * 201, "住址不能超过 200 个字"),
        ("applicant_name", "王秀兰2", "姓名中不能有数字"),
    ],
)
def test_bad_input_gets_a_specific_message_next_to_its_field(client, citizen, dated_item, field, typed, message):
    client.force_login(citizen)
    response = _post(client, dated_item, **{field: typed})
    assert response.status_code == 200 and Case.objects.count() == 0
    errors = _errors(response)
    assert any(message in text for text in errors.get(field, [])), errors
    # Rendered beside the field, not only at the top.
    html = response.content.decode()
    field_id = f'id="id_{field}"'
    shown = next(text for text in errors[field] if message in text)
    assert field_id in html and html.index(f'role="alert">{shown}') > html.index(field_id)


def test_missing_answers_are_named(client, citizen, dated_item):
    client.force_login(citizen)
    response = _post(client, dated_item, applicant_id_number="", f_opening_date="", delivery_method="post")
    errors = _errors(response)
    assert errors["applicant_id_number"] == ["自然人申请请填写身份证号"]
    assert errors["f_opening_date"] == ["请填写拟开业日期"]
    assert errors["postal_address"] == ["选择邮寄送达时请填写邮寄地址"]
    assert Case.objects.count() == 0


def test_required_fields_carry_a_star_and_aria_required(client, citizen, dated_item):
    client.force_login(citizen)
    html = client.get(f"/cases/apply/item/{dated_item.code}/").content.decode()
    date_input = re.search(r"<input[^>]*name=\"f_opening_date\"[^>]*>", html).group(0)
    assert 'aria-required="true"' in date_input
    optional = re.search(r"<input[^>]*name=\"f_shop_phone\"[^>]*>", html).group(0)
    assert "aria-required" not in optional
    assert re.search(r'for="id_f_opening_date">拟开业日期<span class="text-danger" aria-hidden="true"> \*</span>', html)


def test_the_applicant_type_follows_the_items_audience(client, citizen, enterprise_item, dated_item):
    client.force_login(citizen)
    html = client.get(f"/cases/apply/item/{enterprise_item.code}/").content.decode()
    assert re.search(r'value="enterprise" checked', html) and 'value="person"' not in html
    both = client.get(f"/cases/apply/item/{dated_item.code}/").content.decode()
    assert re.search(r'value="person" checked', both)


def test_an_enterprise_needs_a_valid_code(client, citizen, enterprise_item):
    client.force_login(citizen)
    data = {"applicant_kind": "enterprise", "applicant_name": "眉县秦岭猕猴桃冷链有限公司"}
    missing = _post(client, enterprise_item, **data, applicant_id_number="")
    assert _errors(missing)["applicant_uscc"] == ["企业申请请填写统一社会信用代码"]
    wrong = _post(client, enterprise_item, **data, applicant_id_number="", applicant_uscc=COMPANY_USCC[:-1] + "0")
    assert _errors(wrong)["applicant_uscc"] == ["统一社会信用代码校验位不正确"]
    typed = _post(
        client, enterprise_item, **data, applicant_id_number="", applicant_uscc=" " + COMPANY_USCC.lower() + " "
    )
    assert typed.status_code == 302 and Case.objects.get().applicant_uscc == COMPANY_USCC


def test_the_counter_uses_the_same_checks(client, clerk, dated_item):
    client.force_login(clerk)
    response = client.post(
        f"/cases/counter/new/item/{dated_item.code}/", _data(applicant_phone="1389171234", f_opening_date="2025-02-29")
    )
    errors = _errors(response)
    assert errors["applicant_phone"] == ["联系电话不正确：手机号应为11位数字（您填写了10位）"]
    assert errors["f_opening_date"] == ["拟开业日期：2025年2月没有29日"]
    assert Case.objects.count() == 0
    leap = client.post(f"/cases/counter/new/item/{dated_item.code}/", _data(f_opening_date="2028-02-29"))
    assert leap.status_code == 302 and Case.objects.get().form_data["opening_date"] == "2028-02-29"


def test_the_kiosk_names_the_legacy_id_number(client):
    page = client.post("/cases/kiosk/identify/", {"id_number": "610326680312042", "name": "王秀兰"})
    text = page.content.decode()
    assert "身份证号不正确" in text and "15位的旧身份证号码" in text
    born_later = make_id_number("610326", dt.date(1990, 2, 28), "021")
    ok = client.post("/cases/kiosk/identify/", {"id_number": born_later.replace("0", "０"), "name": " 王秀兰 "})
    assert ok.status_code == 302
