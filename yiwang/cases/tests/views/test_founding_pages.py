"""The founder's pages: the one form (a retried submission creates one application), the name check,
and 企业注销 from the company's code with what blocks it."""

import datetime as dt

import pytest
from django.utils import timezone

from yiwang.cases import services
from yiwang.cases.founding_models import Founding
from yiwang.cases.models import ApplicantKind, Case
from yiwang.cases.services import ApplicantInput
from yiwang.cases.services.founding import dissolution_blockers, dissolution_submit
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import make_uscc
from yiwang.credit.models import CreditRecord, Entity, RecordKind
from yiwang.workdays.selectors import add_workdays

from ..founding_fixtures import FOUNDER_ID, PARTNER_ID, accept, dissolution_bundle, founding_bundle  # noqa: F401

pytestmark = pytest.mark.django_db


def _post(meixian, **overrides):
    data = {
        "submission_token": "",
        "applicant_name": "张海峰",
        "applicant_id_number": FOUNDER_ID,
        "applicant_phone": "13991755021",
        "as_agent": "self",
        "proposed_name": "眉县红河谷山居农家乐有限公司",
        "company_type": "llc",
        "registered_capital": "30",
        "town": str(meixian.yingtou.pk),
        "address_detail": "红河谷村四组26号",
        "business_scope": "餐饮服务；住宿服务；农产品零售",
        "legal_representative": "张海峰",
        "legal_representative_id_number": FOUNDER_ID,
        "sh_1_name": "张海峰",
        "sh_1_id": FOUNDER_ID,
        "sh_1_amount": "20",
        "sh_2_name": "李文静",
        "sh_2_id": PARTNER_ID.lower(),
        "sh_2_amount": "10",
        "seal_kinds": ["公章", "财务专用章"],
        "taxpayer_kind": "小规模纳税人",
        "invoice_kinds": ["增值税普通发票（电子）"],
        "invoice_monthly": "30",
        "tax_ukey": "on",
        "employees": "4",
        "fund_ratio": "5",
        "bank": "中国邮政储蓄银行眉县支行",
        "bank_date": add_workdays(timezone.localdate(), 1).due.isoformat(),
    }
    data.update(overrides)
    return data


@pytest.mark.usefixtures("founding_bundle")
def test_the_form_page_asks_for_no_code_and_no_licence(client, citizen):
    client.force_login(citizen)
    page = client.get("/cases/founding/").content.decode()
    assert "一表填报" in page and "拟设企业名称" in page and "银行开户预约" in page
    assert 'name="applicant_uscc"' not in page and 'name="entity_uscc"' not in page
    assert "无需提交营业执照和统一社会信用代码" in page


@pytest.mark.usefixtures("founding_bundle")
def test_a_retry_with_the_same_idempotency_key_creates_one_application(client, citizen, meixian):
    client.force_login(citizen)
    first = client.post("/cases/founding/", _post(meixian), HTTP_IDEMPOTENCY_KEY="founding-7f3a")
    second = client.post("/cases/founding/", _post(meixian), HTTP_IDEMPOTENCY_KEY="founding-7f3a")
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"] and second["Idempotent-Replayed"] == "true"
    assert Case.objects.filter(parent__isnull=True).count() == 1 and Founding.objects.count() == 1
    founding = Founding.objects.get()
    assert founding.town == meixian.yingtou and founding.address == "眉县营头镇红河谷村四组26号"
    assert founding.shareholders.get(position=2).id_number == PARTNER_ID  # the lower-case x normalised


@pytest.mark.usefixtures("founding_bundle")
def test_form_errors_are_shown_next_to_their_fields_and_nothing_is_created(client, citizen, meixian):
    client.force_login(citizen)
    page = client.post(
        "/cases/founding/", _post(meixian, sh_2_id="610326199002300461", sh_2_amount="abc", fund_ratio="3")
    ).content.decode()
    assert "第2位股东身份证号：身份证号码中的出生日期无效" in page
    assert "第2位股东认缴出资（万元）应为数字" in page
    assert "住房公积金缴存比例（%）应在 5 到 12 之间" in page
    page = client.post("/cases/founding/", _post(meixian, proposed_name="眉县中华农家乐有限公司")).content.decode()
    assert "须报国务院批准" in page
    assert Case.objects.count() == 0


@pytest.mark.usefixtures("founding_bundle")
def test_the_name_check_fragment_says_what_is_wrong(client, meixian, citizen):
    assert client.get("/cases/founding/name-check/", {"proposed_name": "眉县太白山农家乐有限公司"}).status_code == 302
    client.force_login(citizen)
    Entity.objects.create(uscc=make_uscc("91610326MA6X8Q2L7"), name="眉县太白山农家乐有限公司", region=meixian.county)
    page = client.get("/cases/founding/name-check/", {"proposed_name": "眉县太白山农家乐有限责任公司"}).content.decode()
    assert "不能使用" in page and "与已登记的“眉县太白山农家乐有限公司”重名" in page
    page = client.get("/cases/founding/name-check/", {"proposed_name": "眉县太白山云居农家乐有限公司"}).content.decode()
    assert "可以申报" in page


# --- 企业注销 --------------------------------------------------------------------------------------


@pytest.fixture
def orchard_company(meixian):
    return Entity.objects.create(
        uscc=make_uscc("91610326MA6X4K7N2"),
        name="眉县金渠猕猴桃专业种植有限公司",
        region=meixian.county,
        town=meixian.huaiya,
        address="眉县槐芽镇槐芽村",
        legal_representative="赵建国",
    )


def test_dissolution_is_told_every_blocker(orchard_company, enterprise_user, food_item, handler_a, dept_a):
    open_case = services.case_submit(
        actor=enterprise_user,
        applicant=ApplicantInput(
            kind=ApplicantKind.ENTERPRISE, name=orchard_company.name, uscc=orchard_company.uscc, phone="13891700001"
        ),
        item=food_item,
        form_data={"applicant_address": "眉县槐芽镇"},
    )
    CreditRecord.objects.create(
        entity=orchard_company,
        region=orchard_company.region,
        kind=RecordKind.PENALTY,
        title="未按规定公示年度报告被罚款2000元",
        department=dept_a,
        decided_on=dt.date(2026, 9, 14),
        document_number="眉市监处罚〔2026〕118号",
    )
    entity, blockers = dissolution_blockers(uscc=orchard_company.uscc)
    assert entity == orchard_company
    assert [(b.kind, b.label) for b in blockers] == [("case", "在办办件"), ("credit", "行政处罚未履行完毕")]
    assert open_case.number in blockers[0].detail and "眉市监处罚〔2026〕118号" in blockers[1].detail
    with pytest.raises(ApplicationError) as error:
        dissolution_submit(
            actor=enterprise_user, uscc=orchard_company.uscc, phone="13891700001", reason="股东会决议解散"
        )
    assert error.value.code == "dissolution.blocked" and error.value.status == 409
    assert "在办办件" in error.value.message and "行政处罚未履行完毕" in error.value.message
    assert not Case.objects.filter(bundle__code="qiye-zhuxiao").exists()


@pytest.mark.usefixtures("dissolution_bundle")
def test_dissolution_starts_from_a_valid_code(orchard_company, enterprise_user):
    with pytest.raises(ApplicationError) as error:
        dissolution_submit(actor=enterprise_user, uscc="91610326MA6X4K7N2A", phone="", reason="解散")
    assert error.value.code == "case.uscc_invalid"
    unknown = make_uscc("91610326MA6X9999X")
    entity, blockers = dissolution_blockers(uscc=unknown)
    assert entity is None and blockers[0].label == "未找到该企业"
    case = dissolution_submit(
        actor=enterprise_user, uscc=orchard_company.uscc, phone="13891700001", reason="股东会决议解散"
    )
    assert case.bundle.code == "qiye-zhuxiao" and case.applicant_uscc == orchard_company.uscc
    assert case.applicant_name == "眉县金渠猕猴桃专业种植有限公司"
    # An open 注销 application is itself a blocker for a second one.
    assert [b.kind for b in dissolution_blockers(uscc=orchard_company.uscc)[1]] == ["case"]


def test_the_dissolution_page_lists_the_blockers(client, enterprise_user, orchard_company, food_item):
    services.case_submit(
        actor=enterprise_user,
        applicant=ApplicantInput(
            kind=ApplicantKind.ENTERPRISE, name=orchard_company.name, uscc=orchard_company.uscc, phone="13891700001"
        ),
        item=food_item,
        form_data={"applicant_address": "眉县槐芽镇"},
    )
    client.force_login(enterprise_user)
    page = client.post("/cases/dissolution/", {"uscc": orchard_company.uscc, "action": "check"}).content.decode()
    assert "暂不能申请注销，请先了结以下 1 项" in page and "食品经营许可（新办）" in page
    page = client.post("/cases/dissolution/", {"uscc": "91610326MA6X4K7N2", "action": "check"}).content.decode()
    assert "统一社会信用代码不正确" in page


@pytest.mark.usefixtures("founding_bundle")
def test_the_generic_bundle_form_sends_a_founder_to_the_one_form_and_the_case_page_labels_the_answers(
    client, citizen, meixian, clerk, handler_a
):
    client.force_login(citizen)
    response = client.get("/cases/apply/bundle/qiye-kaiban/")
    assert response.status_code == 302 and response["Location"] == "/cases/founding/"
    created = client.post("/cases/founding/", _post(meixian))
    page = client.get(created["Location"]).content.decode()
    assert "待设立登记核准后赋码" in page and "眉县红河谷山居农家乐有限公司" in page
    case = Case.objects.get(parent__isnull=True)
    accept(case, clerk)
    client.force_login(handler_a)
    registration = case.children.order_by("number").first()
    page = client.get(f"/cases/handling/case/{registration.number}/").content.decode()
    assert "拟设企业名称" in page and "注册资本（万元）" in page and "proposed_name" not in page


@pytest.mark.usefixtures("dissolution_bundle")
def test_the_deregistration_is_approved_last_and_marks_the_company_cancelled(
    orchard_company, enterprise_user, clerk, handler_a, handler_b
):
    from ..founding_fixtures import decide

    case = dissolution_submit(actor=enterprise_user, uscc=orchard_company.uscc, phone="13891700001", reason="经营期满")
    accept(case, clerk)
    tax, deregistration = case.children.order_by("number")
    with pytest.raises(ApplicationError) as error:
        decide(deregistration, handler_a)
    assert error.value.code == "dissolution.others_pending" and "清税证明开具" in error.value.message
    orchard_company.refresh_from_db()
    assert orchard_company.status == Entity.Status.ACTIVE
    decide(tax, handler_b)
    services.case_decide(case=deregistration, actor=handler_a, outcome="approved", reasons="清算完结，准予注销登记")
    orchard_company.refresh_from_db()
    assert orchard_company.status == Entity.Status.CANCELLED
    assert dissolution_blockers(uscc=orchard_company.uscc)[1][0].label == "登记状态"
