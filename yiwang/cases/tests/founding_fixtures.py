"""Fixtures for 企业开办 / 企业注销: a bundle of three items whose material lists carry 营业执照 (as the
real items do), a one-step chain (受理 → 核准) for each, and a well-formed one form."""

import datetime as dt

import pytest

from yiwang.cases import services
from yiwang.cases.models import ApplicantKind, ReviewStep
from yiwang.cases.services import ApplicantInput
from yiwang.cases.services.founding import FoundingInput, ShareholderInput, founding_submit
from yiwang.core.identifiers import make_id_number

from .factories import elements, make_bundle, material, publish

FOUNDER_ID = make_id_number("610326", dt.date(1986, 9, 14), "035")
PARTNER_ID = make_id_number("610326", dt.date(1990, 2, 28), "046")
QUICK_CHAIN = [{"name": "受理", "role": "clerk", "share": 0.0}, {"name": "核准", "role": "handler", "share": 1.0}]


def _item(code, name, department, materials, **overrides):
    fields = {
        "kind": "confirmation",
        "audience": "enterprise",
        "promised_days": 1,
        "legal_days": 5,
        "reform_mode": "",
        "pledge_allowed": True,
        "materials": materials,
        "form_fields": [],
    }
    fields.update(overrides)
    return elements(code, name, department, **fields)


@pytest.fixture
def founding_bundle(admin_user, dept_a, dept_b):
    """企业开办: 有限责任公司设立登记 (dept A), 印章刻制备案 and 单位职工参保登记 (dept B)."""
    registration = _item(
        "610326-QR-0101",
        "有限责任公司设立登记",
        dept_a,
        [
            material("M01", "有限责任公司设立登记申请表", key=True),
            material("M02", "法定代表人（负责人）身份证明", key=True, licence="居民身份证"),
            material("M03", "公司章程", key=True),
            material("M04", "住所（经营场所）使用证明", pledge=True),
        ],
    )
    seal = _item(
        "610326-BA-0102",
        "印章刻制备案",
        dept_b,
        [material("M01", "印章刻制备案申请表", key=True), material("M02", "营业执照", licence="营业执照")],
        kind="filing",
        promised_days=0,
        handling_type="instant",
    )
    insurance = _item(
        "610326-QR-0103",
        "单位职工参保登记",
        dept_b,
        [material("M01", "参保职工花名册", key=True), material("M02", "营业执照", licence="营业执照")],
        promised_days=0,
        handling_type="instant",
    )
    items = publish(admin_user, registration, seal, insurance)
    for item in items:
        services.review_chain_set(item=item, steps=QUICK_CHAIN, actor=admin_user)
    return make_bundle(admin_user, dept_a, items)


@pytest.fixture
def dissolution_bundle(admin_user, dept_a, dept_b):
    tax = _item("610326-QR-0201", "清税证明开具", dept_b, [material("M01", "清税申报表", key=True)])
    deregistration = _item("610326-QR-0202", "企业注销登记", dept_a, [material("M01", "注销登记申请书", key=True)])
    items = publish(admin_user, tax, deregistration)
    for item in items:
        services.review_chain_set(item=item, steps=QUICK_CHAIN, actor=admin_user)
    return make_bundle(admin_user, dept_a, items, code="qiye-zhuxiao", name="企业注销", target_days=10)


def founder(user=None, id_number=FOUNDER_ID):
    return ApplicantInput(kind=ApplicantKind.PERSON, name="张海峰", id_number=id_number, phone="13991755021", user=user)


def one_form(meixian, today=None, **overrides) -> FoundingInput:
    from django.utils import timezone

    from yiwang.workdays.selectors import add_workdays

    data = {
        "proposed_name": "眉县秦岭鲜果冷链有限公司",
        "company_type": "llc",
        "registered_capital": "100",
        "town": meixian.huaiya,
        "address_detail": "槐芽村三组冷库园区8号",
        "business_scope": "农产品冷藏保鲜服务；新鲜水果批发；普通货物仓储服务",
        "legal_representative": "张海峰",
        "legal_representative_id_number": FOUNDER_ID,
        "shareholders": [ShareholderInput("张海峰", FOUNDER_ID, "60"), ShareholderInput("李文静", PARTNER_ID, "40")],
        "seal_kinds": ["公章", "财务专用章", "发票专用章"],
        "taxpayer_kind": "小规模纳税人",
        "invoice_kinds": ["增值税普通发票（电子）"],
        "invoice_monthly": "50",
        "employees": "6",
        "fund_ratio": "8",
        "bank": "陕西眉县农村商业银行",
        "bank_date": add_workdays(today or timezone.localdate(), 2).due,
    }
    data.update(overrides)
    return FoundingInput(**data)


def submit(user, meixian, **overrides):
    return founding_submit(actor=user, founder=founder(user), data=one_form(meixian, **overrides))


def accept(case, clerk):
    codes = list(case.materials.values_list("code", flat=True))
    return services.case_accept(case=case, actor=clerk, received=codes)


def decide(child, handler, outcome="approved"):
    services.case_assign(case=child, actor=handler)
    child.refresh_from_db()
    assert child.steps.filter(state=ReviewStep.State.PENDING).count() == 0
    return services.case_decide(
        case=child,
        actor=handler,
        outcome=outcome,
        reasons="材料齐全，符合法定形式，准予登记" if outcome == "approved" else "住所不符合要求",
    )
