"""The credit policy as cases consumes it: the real cases services, the configured default policy."""

import datetime as dt

import pytest

from yiwang.cases import services as cases
from yiwang.cases.credit import CreditSubject, get_credit_policy
from yiwang.cases.models import CaseState, FalsePledgeRecord, PledgeVerification
from yiwang.cases.tests.conftest import (  # noqa: F401
    FORM,
    company,
    complete_steps,
    food_item,
    fresh_calendar,
    person,
    submitted_case,
)
from yiwang.cases.tests.factories import COMPANY_USCC
from yiwang.core.errors import ApplicationError
from yiwang.credit import services
from yiwang.credit.models import CreditRecord
from yiwang.credit.policy import RiskClassCreditPolicy


@pytest.fixture
def cold_store(meixian):
    return services.entity_create(
        actor=None, uscc=COMPANY_USCC, name="眉县秦岭猕猴桃冷链有限公司", region=meixian.county
    )


@pytest.fixture
def company_case(enterprise_user, company, food_item):  # noqa: F811
    return cases.case_submit(actor=enterprise_user, applicant=company, item=food_item, form_data=FORM)


def test_the_credit_app_policy_is_the_cases_default():
    assert isinstance(get_credit_policy(), RiskClassCreditPolicy)


def test_a_d_class_entity_is_refused_deferral_by_the_cases_service(cold_store, company_case, clerk, dept_a, handler_a):
    services.credit_record_create(
        entity=cold_store,
        kind="blacklist",
        named_list="wage_arrears",
        title="拖欠农民工工资被列入失信联合惩戒对象名单",
        department=dept_a,
        decided_on=dt.date.today(),
        actor=handler_a,
    )
    with pytest.raises(ApplicationError) as error:
        cases.case_accept(case=company_case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",))
    assert error.value.code == "case.deferral_not_permitted"
    assert "D类" in error.value.message
    company_case.refresh_from_db()
    assert company_case.state == CaseState.SUBMITTED


def test_a_b_class_entity_may_defer(cold_store, company_case, clerk):
    case = cases.case_accept(
        case=company_case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",)
    )
    assert case.state == CaseState.ACCEPTED_DEFERRED


def test_a_c_class_entity_may_pledge_but_not_defer(cold_store, dept_a, handler_a):
    services.credit_record_create(
        entity=cold_store,
        kind="dishonesty",
        title="虚报冒领补贴",
        department=dept_a,
        decided_on=dt.date.today(),
        actor=handler_a,
    )
    policy = RiskClassCreditPolicy()
    subject = CreditSubject(name=cold_store.name, uscc=cold_store.uscc)
    assert not policy.deferral_allowed(subject).allowed
    assert policy.pledge_allowed(subject).allowed


def test_a_natural_person_or_unknown_entity_is_allowed(db):
    policy = RiskClassCreditPolicy()
    assert policy.deferral_allowed(CreditSubject(name="王秀兰", id_number="610326199001011234")).allowed
    assert policy.pledge_allowed(CreditSubject(name="未建档企业", uscc=COMPANY_USCC)).allowed


def test_a_false_pledge_becomes_a_credit_record(cold_store, company_case, clerk, handler_a):
    cold_store.refresh_from_db()
    case = cases.case_accept(case=company_case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    cases.case_assign(case=case, actor=handler_a)
    complete_steps(case, handler_a)
    cases.case_decide(case=case, actor=handler_a, outcome="approved", reasons="告知承诺审批")
    verification = PledgeVerification.objects.get(case=case)
    cases.pledge_verification_complete(
        verification=verification, actor=handler_a, truthful=False, finding="健康证明系伪造"
    )
    pledge = FalsePledgeRecord.objects.get()
    record = CreditRecord.objects.get(source=f"cases.falsepledge:{pledge.pk}")
    assert record.kind == "false_pledge" and record.entity == cold_store
    assert services.false_pledges_import() == 0  # already made: the catch-up adds nothing
    cold_store.refresh_from_db()
    assert cold_store.risk_class == "C"  # false pledge: 20 points


def test_a_person_with_a_false_pledge_is_refused_deferral(submitted_case, meixian):  # noqa: F811
    from yiwang.cases.tests.services.test_case_accept import _verification

    verification = _verification(submitted_case)
    FalsePledgeRecord.objects.create(
        applicant_name="王秀兰",
        applicant_id_number_hash=submitted_case.applicant_id_number_hash,
        case=submitted_case,
        verification=verification,
        region=meixian.county,
        finding="健康证明系伪造",
        recorded_at=submitted_case.submitted_at,
    )
    subject = CreditSubject(name="王秀兰", id_number=submitted_case.applicant_id_number)
    verdict = RiskClassCreditPolicy().deferral_allowed(subject)
    assert not verdict.allowed and "虚假承诺" in verdict.reason
    assert not CreditRecord.objects.exists()  # a natural person has no entity: no credit record
