import pytest

from yiwang.cases import services
from yiwang.cases.models import FalsePledgeRecord, PledgeVerification
from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage, OutboxMessage

from ..conftest import FORM, complete_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledged_case(submitted_case, clerk, handler_a):
    case = services.case_accept(
        case=submitted_case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",)
    )
    services.case_assign(case=case, actor=handler_a)
    complete_steps(case, handler_a)
    services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="告知承诺审批")
    return case


def test_approval_opens_a_verification_task_for_the_department(pledged_case, dept_a):
    task = PledgeVerification.objects.get(case=pledged_case)
    assert task.department == dept_a and task.state == "pending" and task.clock.days == 20


def test_a_false_pledge_is_recorded_and_bars_the_next_one(pledged_case, handler_a, citizen, person, food_item, clerk):
    task = PledgeVerification.objects.get(case=pledged_case)
    services.pledge_verification_complete(
        verification=task, actor=handler_a, truthful=False, finding="健康证明与实际不符"
    )

    record = FalsePledgeRecord.objects.get()
    assert record.case == pledged_case and record.applicant_id_number_hash == pledged_case.applicant_id_number_hash
    sms = OutboxMessage.objects.get(dedupe_key__startswith=f"case:{pledged_case.pk}:pledge_false:sms")
    assert sms.body.startswith("【眉县政务服务】经核查") and pledged_case.number in sms.body
    assert InboxMessage.objects.filter(user=citizen, template="cases.pledge_false").count() == 1

    again = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    with pytest.raises(ApplicationError) as error:
        services.case_accept(case=again, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    assert error.value.code == "case.pledge_barred"


def test_verification_needs_a_finding_and_the_department(pledged_case, handler_a, handler_b):
    task = PledgeVerification.objects.get(case=pledged_case)
    with pytest.raises(ApplicationError) as error:
        services.pledge_verification_complete(verification=task, actor=handler_a, truthful=True, finding="")
    assert error.value.code == "case.finding_required"
    with pytest.raises(ApplicationError) as error:
        services.pledge_verification_complete(verification=task, actor=handler_b, truthful=True, finding="属实")
    assert error.value.code == "case.not_your_department"
    services.pledge_verification_complete(verification=task, actor=handler_a, truthful=True, finding="现场核查属实")
    with pytest.raises(ApplicationError) as error:
        services.pledge_verification_complete(verification=task, actor=handler_a, truthful=True, finding="再查")
    assert error.value.code == "case.verification_closed"
    assert not FalsePledgeRecord.objects.exists()


def test_the_leader_page_counts_the_pending_overdue_verifications_of_its_regions(pledged_case, leader, handler_a):
    import datetime as dt

    from django.utils import timezone

    from yiwang.cases.selectors import case_measures

    today = timezone.localdate()
    task = PledgeVerification.objects.get(case=pledged_case)
    period = {"start": today - dt.timedelta(days=40), "end": today}
    assert case_measures(leader, **period).verifications_overdue == 0  # pending, not yet overdue

    PledgeVerification.objects.filter(pk=task.pk).update(overdue=True)  # as the deadline sweep marks it
    assert case_measures(leader, **period).verifications_overdue == 1
    assert case_measures(handler_a, **period).verifications_overdue == 0  # no leader's regions

    services.pledge_verification_complete(verification=task, actor=handler_a, truthful=True, finding="核查属实")
    assert case_measures(leader, **period).verifications_overdue == 0
