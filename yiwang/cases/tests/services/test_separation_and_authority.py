"""Decisions made and issued properly: 审查, 审核 and 审批 by different people (unless the item's chain
allows it), the leader approving an extension where the department has one handler, and the notices in the
name of the competent authority, citing the item's legal basis and the remedies."""

import pytest

from yiwang.cases import services
from yiwang.cases.models import CaseState, Extension, NoticeKind, ReviewStep
from yiwang.cases.selectors import extension_queue
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage
from yiwang.org.models import Role
from yiwang.org.workbench import cards_for

from ..conftest import colleague
from .test_window_deferred_and_pledge import pdf_text

pytestmark = pytest.mark.django_db


def test_one_person_cannot_do_two_steps_of_a_case(review_case, handler_a):
    other = colleague(review_case.department, 9)
    services.review_step_complete(case=review_case, actor=handler_a, opinion="审查：材料真实")
    with pytest.raises(ApplicationError) as error:
        services.review_step_complete(case=review_case, actor=handler_a, opinion="审核：同意")
    assert error.value.code == "case.same_person_steps" and error.value.status == 403
    assert error.value.details["earlier_step"] == "审查"
    assert review_case.steps.get(state=ReviewStep.State.ACTIVE).name == "审核"
    services.review_step_complete(case=review_case, actor=other, opinion="审核：同意")
    # 审批 (the decision) by either of them is refused too; a third person decides.
    for person in (handler_a, other):
        with pytest.raises(ApplicationError) as error:
            services.case_decide(case=review_case, actor=person, outcome="approved", reasons="符合条件")
        assert error.value.code == "case.same_person_steps"
    third = colleague(review_case.department, 10)
    services.case_decide(case=review_case, actor=third, outcome="approved", reasons="符合条件")
    review_case.refresh_from_db()
    done_by = list(review_case.steps.filter(position__gt=1).order_by("position").values_list("completed_by", flat=True))
    assert done_by == [handler_a.pk, other.pk, third.pk]
    assert review_case.state == CaseState.DECIDED_APPROVED


def test_an_item_whose_chain_allows_it_lets_one_person_act(review_case, handler_a, admin_user):
    colleague(review_case.department, 9)  # the department could separate, but the item's chain says no need
    services.review_chain_set(
        item=review_case.item,
        steps=[dict(s) for s in services._chain_for(review_case.item)],
        actor=admin_user,
        same_person_allowed=True,
    )
    services.review_step_complete(case=review_case, actor=handler_a, opinion="审查：同意")
    services.review_step_complete(case=review_case, actor=handler_a, opinion="审核：同意")
    services.case_decide(case=review_case, actor=handler_a, outcome="approved", reasons="符合条件")
    assert AuditEvent.objects.get(action="case.decided").details["same_person_allowed"] is True


def test_a_department_with_one_handler_is_recorded_as_such(review_case, handler_a):
    services.review_step_complete(case=review_case, actor=handler_a, opinion="审查：同意")
    services.review_step_complete(case=review_case, actor=handler_a, opinion="审核：同意")
    event = AuditEvent.objects.filter(action="case.step_completed").order_by("occurred_at", "id").last()
    assert event.details["sole_handler"] is True


def test_the_leader_approves_the_extension_of_a_one_handler_department(review_case, handler_a, leader):
    extension = services.case_extension_request(case=review_case, actor=handler_a, reason="需现场核查经营场所")
    assert InboxMessage.objects.filter(user=leader, template="cases.extension_requested").exists()
    assert not InboxMessage.objects.filter(user=handler_a, template="cases.extension_requested").exists()
    assert list(extension_queue(handler_a)) == []  # never their own request
    assert list(extension_queue(leader)) == [extension]
    with pytest.raises(ApplicationError) as error:
        services.case_extension_decide(extension=extension, actor=handler_a, approve=True)
    assert error.value.code == "case.extension_self_approval"
    services.case_extension_decide(extension=extension, actor=leader, approve=True, note="同意延期")
    extension.refresh_from_db()
    assert extension.state == Extension.State.APPROVED and extension.decided_by == leader


def test_the_leaders_workbench_links_to_pending_extensions(leader):
    cards = cards_for(leader, {Role.LEADER.value})
    labels = [link["label"] for card in cards for link in card["links"]]
    assert "待批延期" in [str(label) for label in labels]


# --- the competent authority ------------------------------------------------------------------------


def test_the_acceptance_notice_is_issued_by_the_items_department(accepted_case):
    notice = accepted_case.notices.get(kind=NoticeKind.ACCEPTANCE)
    assert notice.content["issuer"] == "眉县行政审批服务局"
    assert notice.content["seal"] == "眉县行政审批服务局（印章）"
    assert notice.number.startswith("眉行政审批服务局受字〔")
    assert ("受理地点", "眉县政务服务中心综合窗口") in [tuple(f) for f in notice.content["facts"]]
    pdf = pdf_text(notice)
    assert pdf.startswith("眉县行政审批服务局受理通知书")
    assert "眉县行政审批服务局（印章）" in pdf


def test_a_denial_cites_the_legal_basis_and_the_remedies(review_case, handler_a):
    from ..conftest import complete_steps

    complete_steps(review_case, handler_a)
    services.case_decide(case=review_case, actor=handler_a, outcome="denied", reasons="经营场所与食品安全要求不符")
    notice = review_case.notices.get(kind=NoticeKind.DECISION)
    assert notice.content["title"] == "不予行政许可决定书" and notice.content["issuer"] == "眉县行政审批服务局"
    text = "".join(notice.content["paragraphs"])
    assert "依据：《中华人民共和国食品安全法》第三十五条" in text  # from the item version
    assert "六十日内向眉县人民政府申请行政复议" in text and "《中华人民共和国行政复议法》第二十条" in text
    assert "六个月内向眉县人民法院提起行政诉讼" in text and "《中华人民共和国行政诉讼法》第四十六条" in text
    pdf = pdf_text(notice)
    # Issued by the authority (the service centre appears only as the place to collect the result).
    assert pdf.startswith("眉县行政审批服务局不予行政许可决定书") and "眉县人民法院" in pdf


def test_an_approval_is_issued_by_the_authority_too(review_case, handler_a):
    from ..conftest import complete_steps

    complete_steps(review_case, handler_a)
    services.case_decide(
        case=review_case,
        actor=handler_a,
        outcome="approved",
        reasons="符合条件",
        legal_basis="《食品经营许可管理办法》",
    )
    notice = review_case.notices.get(kind=NoticeKind.DECISION)
    assert notice.content["title"] == "准予行政许可决定书" and notice.content["issuer"] == "眉县行政审批服务局"
    assert "依据：《食品经营许可管理办法》" in notice.content["paragraphs"]


def test_a_rejection_names_the_remedies_before_the_county_bodies(submitted_case, clerk):
    services.case_reject(
        case=submitted_case, actor=clerk, reason="不属于本机关职权范围", legal_basis="行政许可法第三十二条第一款第二项"
    )
    notice = submitted_case.notices.get(kind=NoticeKind.REJECTION)
    assert notice.content["issuer"] == "眉县行政审批服务局"
    assert "自收到本通知书之日起六十日内向眉县人民政府申请行政复议" in "".join(notice.content["paragraphs"])


def test_the_remedies_name_the_county_bodies_from_the_organisation_data(dept_a, meixian):
    from yiwang.cases.services._common import _county_bodies
    from yiwang.org.tests.factories import DepartmentFactory

    assert _county_bodies(dept_a) == ("眉县人民政府", "眉县人民法院")  # named from the county without data
    DepartmentFactory(code="court", name="眉县秦岭人民法院", short_name="县法院", region=meixian.county)
    DepartmentFactory(code="gov-office", name="眉县人民政府办公室", short_name="县政府办", region=meixian.county)
    assert _county_bodies(dept_a) == ("眉县人民政府", "眉县秦岭人民法院")
