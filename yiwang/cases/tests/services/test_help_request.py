import pytest

from yiwang.cases import services
from yiwang.cases.models import AgentKind, HelpRequest
from yiwang.core.errors import ApplicationError

from ..conftest import FORM

pytestmark = pytest.mark.django_db


def test_remote_help_is_taken_filled_as_agent_and_logged(citizen, person, clerk, food_item, meixian):
    request = services.help_request_create(
        actor=citizen,
        region=meixian.county,
        name="王秀兰",
        phone="13891712345",
        topic="开小吃店要办什么证",
        item=food_item,
    )
    services.help_request_take(help_request=request, actor=clerk)
    person.user = citizen
    case = services.case_submit(
        actor=clerk, applicant=person, item=food_item, form_data=FORM, agent_kind=AgentKind.REMOTE
    )
    assert case.applicant_user == citizen and case.agent_user == clerk and case.agent_kind == AgentKind.REMOTE
    services.help_request_note(help_request=request, actor=clerk, note="视频指导上传健康证明")
    services.help_request_complete(help_request=request, actor=clerk, case=case)

    request.refresh_from_db()
    assert request.state == HelpRequest.State.DONE and request.case == case
    assert [log.action for log in request.logs.all()] == ["created", "taken", "note", "done"]


def test_only_staff_take_requests_and_only_once(citizen, clerk, meixian):
    request = services.help_request_create(
        actor=citizen, region=meixian.county, name="李建军", phone="15991726418", topic="退休"
    )
    with pytest.raises(ApplicationError) as error:
        services.help_request_take(help_request=request, actor=citizen)
    assert error.value.code == "case.not_staff"
    services.help_request_take(help_request=request, actor=clerk)
    with pytest.raises(ApplicationError) as error:
        services.help_request_take(help_request=request, actor=clerk)
    assert error.value.code == "case.help_not_open"


def test_a_help_request_needs_a_phone(citizen, meixian):
    with pytest.raises(ApplicationError) as error:
        services.help_request_create(actor=citizen, region=meixian.county, name="王", phone="abc", topic="x")
    assert error.value.code == "case.phone_invalid"
