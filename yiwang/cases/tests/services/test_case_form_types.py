"""Application fields are typed by the item's form definition: numbers, dates that exist, ID numbers,
phones and lengths are checked in the service, with one message per field, and nothing is created."""

import pytest

from yiwang.cases import services
from yiwang.cases.models import Case
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent

from ..factories import PERSON_FIELDS, elements, publish

pytestmark = pytest.mark.django_db

TYPED_FIELDS = [
    *[dict(f) for f in PERSON_FIELDS],
    {"key": "area", "label": "经营面积（平方米）", "type": "number", "required": False},
    {"key": "opened_on", "label": "开业日期", "type": "date", "required": False},
    {"key": "shop_phone", "label": "店铺电话", "type": "phone", "required": False},
    {"key": "agent_id", "label": "代办人身份证号", "type": "id_number", "required": False},
    {"key": "scope", "label": "经营范围", "type": "textarea", "required": False},
]
GOOD = {
    "applicant_address": "眉县首善街道东关社区",
    "area": "120.5",
    "opened_on": "2026-03-01",
    "shop_phone": "0917-5512345",
    "agent_id": "",
    "scope": "预包装食品销售",
}


@pytest.fixture
def typed_item(admin_user, dept_a):
    return publish(admin_user, elements("610326-XK-0009", "小餐饮登记", dept_a, form_fields=TYPED_FIELDS))[0]


def test_it_keeps_values_that_fit_their_types(citizen, person, typed_item):
    case = services.case_submit(actor=citizen, applicant=person, item=typed_item, form_data=GOOD)
    assert case.form_data["area"] == "120.5" and case.form_data["opened_on"] == "2026-03-01"


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("area", "一百二十", "应为数字"),
        ("area", "NaN", "有效的数字"),
        ("area", "1e400", "有效的数字"),
        ("opened_on", "2026-02-30", "存在的日期"),
        ("opened_on", "0001-01-01", "1900 至 2100"),
        ("opened_on", "9999-12-31", "1900 至 2100"),
        ("opened_on", "明天", "存在的日期"),
        ("shop_phone", "12345", "手机号"),
        ("agent_id", "610326199001011234", "身份证号"),
        ("applicant_address", "东关社区" * 60, "不能超过 200 个字"),
        ("scope", "食品" * 300, "不能超过 500 个字"),
    ],
)
def test_it_refuses_a_value_that_does_not_fit_and_creates_nothing(citizen, person, typed_item, key, value, message):
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        services.case_submit(actor=citizen, applicant=person, item=typed_item, form_data={**GOOD, key: value})
    error = caught.value
    assert error.code == "case.form_field_invalid" and error.status == 400
    assert list(error.details["errors"]) == [key]
    assert message in error.details["errors"][key]
    assert not Case.objects.exists() and AuditEvent.objects.count() == events


def test_every_wrong_field_gets_its_own_message(citizen, person, typed_item):
    with pytest.raises(ApplicationError) as caught:
        services.case_submit(
            actor=citizen,
            applicant=person,
            item=typed_item,
            form_data={**GOOD, "area": "x", "opened_on": "2026-13-01"},
        )
    assert set(caught.value.details["errors"]) == {"area", "opened_on"}


def test_the_api_answers_a_mistyped_field_with_its_key(client, citizen, typed_item):
    from ..factories import CITIZEN_ID

    client.force_login(citizen)
    payload = {
        "item_code": typed_item.code,
        "applicant": {"kind": "person", "name": "王秀兰", "id_number": CITIZEN_ID, "phone": "13891712345"},
        "form_data": {**GOOD, "opened_on": "2026-02-30"},
        "delivery_method": "electronic",
    }
    response = client.post("/api/cases/cases", payload, content_type="application/json")
    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "case.form_field_invalid" and "opened_on" in body["details"]["errors"]
    assert not Case.objects.exists()


def test_services_refuse_reasons_over_the_county_limit(clerk, submitted_case, settings):
    from yiwang.cases.models import CaseState

    settings.YIWANG_TEXT_LIMITS = {"NOTE": 20}
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as caught:
        services.case_reject(
            case=submitted_case, actor=clerk, reason="材料不符合法定形式" * 3, legal_basis="第三十二条"
        )
    assert caught.value.code == "text.too_long"
    assert caught.value.details == {"field": "reason", "limit": 20, "length": 27}
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.SUBMITTED and AuditEvent.objects.count() == events
