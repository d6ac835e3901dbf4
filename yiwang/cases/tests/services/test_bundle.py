import pytest

from yiwang.cases import services
from yiwang.cases.models import Case, CaseState
from yiwang.core.errors import ApplicationError

from ..conftest import complete_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def opening_case(enterprise_user, company, opening_bundle, clerk):
    case = services.case_submit(
        actor=enterprise_user,
        applicant=company,
        bundle=opening_bundle,
        form_data={"entity_address": "眉县常兴镇冷链物流园"},
    )
    return services.case_accept(case=case, actor=clerk, received=("B01", "B02", "B03"))


def test_acceptance_fans_out_one_sub_case_per_item_in_its_department(opening_case, dept_a, dept_b):
    opening_case.refresh_from_db()
    assert opening_case.state == CaseState.IN_REVIEW
    children = list(opening_case.children.order_by("number"))
    assert [(c.title, c.department) for c in children] == [("有限责任公司设立登记", dept_a), ("印章刻制备案", dept_b)]
    assert all(c.state == CaseState.ACCEPTED and c.clock and c.item_version for c in children)
    assert children[0].number == f"{opening_case.number}-01"


def test_the_parent_is_not_handled_directly(opening_case, handler_a):
    with pytest.raises(ApplicationError) as error:
        services.case_assign(case=opening_case, actor=handler_a)
    assert error.value.code == "case.bundle_parent_not_handled"


def _decide(case, handler, outcome="approved"):
    services.case_assign(case=case, actor=handler)
    complete_steps(case, handler)
    services.case_decide(
        case=case, actor=handler, outcome=outcome, reasons="符合条件" if outcome == "approved" else "名称与在先登记重名"
    )


def test_the_bundle_completes_when_every_sub_case_does(opening_case, handler_a, handler_b):
    registration, seal = opening_case.children.order_by("number")
    _decide(registration, handler_a)
    opening_case.refresh_from_db()
    assert opening_case.state == CaseState.IN_REVIEW
    _decide(seal, handler_b)
    opening_case.refresh_from_db()
    assert opening_case.state == CaseState.DECIDED_APPROVED
    assert opening_case.elapsed_workdays == 0 and opening_case.elapsed_seconds is not None
    assert opening_case.decision.outcome == "approved"


def test_a_denied_sub_case_denies_the_bundle_with_its_reason(opening_case, handler_a, handler_b):
    registration, seal = opening_case.children.order_by("number")
    _decide(registration, handler_a, "denied")
    _decide(seal, handler_b)
    opening_case.refresh_from_db()
    assert opening_case.state == CaseState.DECIDED_DENIED and "名称与在先登记重名" in opening_case.decision.reasons


def test_the_bundle_is_delivered_as_one(opening_case, handler_a, handler_b, clerk):
    registration, seal = opening_case.children.order_by("number")
    _decide(registration, handler_a)
    _decide(seal, handler_b)
    with pytest.raises(ApplicationError) as error:
        services.case_deliver(case=registration, actor=clerk)
    assert error.value.code == "case.bundle_delivered_together"
    services.case_deliver(case=opening_case, actor=clerk)
    assert set(Case.objects.values_list("state", flat=True)) == {CaseState.DELIVERED}
