"""Region scoping of the windows, remote help and delivery, and the read-only admin."""

import pytest
from django.contrib import admin

from yiwang.cases import selectors, services
from yiwang.cases.models import Case, CaseState, Delivery, HelpRequest, Notice, PledgeVerification, ReviewChain
from yiwang.core.errors import ApplicationError
from yiwang.org.models import Membership, Role
from yiwang.org.tests.factories import UserFactory

from ..conftest import complete_steps

pytestmark = pytest.mark.django_db
ALL = ("M01", "M02", "M03", "M04")


@pytest.fixture
def town_clerk(town_hall):
    user = UserFactory(username="huaiya-clerk")
    Membership.objects.create(user=user, role=Role.CLERK, hall=town_hall)
    return user


def test_it_keeps_a_county_case_from_a_town_centre_clerk(submitted_case, town_clerk, clerk, meixian):
    assert submitted_case.region == meixian.county and submitted_case.hall is None
    assert submitted_case not in selectors.clerk_intake_queue(town_clerk)
    assert selectors.clerk_case(town_clerk, submitted_case.number) is None
    with pytest.raises(ApplicationError) as error:
        services.case_accept(case=submitted_case, actor=town_clerk, received=ALL)
    assert error.value.code == "case.clerk_outside_hall" and error.value.status == 403
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.SUBMITTED and submitted_case.hall is None

    assert submitted_case in selectors.clerk_intake_queue(clerk)
    services.case_accept(case=submitted_case, actor=clerk, received=ALL)
    submitted_case.refresh_from_db()
    assert submitted_case.state != CaseState.SUBMITTED and submitted_case.hall.region == meixian.county


def test_a_town_centre_clerk_still_sees_cases_of_their_town(submitted_case, town_clerk, meixian):
    Case.objects.filter(pk=submitted_case.pk).update(region=meixian.huaiya_village)
    assert submitted_case in selectors.clerk_intake_queue(town_clerk)


def test_the_help_queue_holds_only_the_staff_members_region(citizen, clerk, town_clerk, handler_a, meixian):
    county = services.help_request_create(
        actor=citizen, region=meixian.county, name="王秀兰", phone="13891712345", topic="开农家乐"
    )
    town = services.help_request_create(
        actor=citizen, region=meixian.huaiya, name="李建军", phone="15991726418", topic="宅基地"
    )
    assert set(selectors.help_queue(clerk)) == {county, town}
    assert set(selectors.help_queue(handler_a)) == {county, town}
    assert list(selectors.help_queue(town_clerk)) == [town]
    assert list(selectors.help_queue(citizen)) == []


def test_the_help_queue_page_refuses_a_request_outside_the_region(client, citizen, town_clerk, meixian):
    county = services.help_request_create(
        actor=citizen, region=meixian.county, name="王秀兰", phone="13891712345", topic="开农家乐"
    )
    client.force_login(town_clerk)
    assert "开农家乐" not in client.get("/cases/help/queue/").content.decode()
    response = client.post("/cases/help/queue/", {"help": county.pk, "action": "take"})
    assert response.status_code == 404
    county.refresh_from_db()
    assert county.state == HelpRequest.State.OPEN and county.helper is None


@pytest.fixture
def decided_case(review_case, handler_a):
    complete_steps(review_case, handler_a)
    services.case_decide(case=review_case, actor=handler_a, outcome="approved", reasons="符合条件")
    review_case.refresh_from_db()
    return review_case


@pytest.mark.parametrize("method,tracking", [("post", "1190312345678"), ("electronic", "")])
def test_a_clerk_of_another_hall_cannot_deliver(decided_case, town_clerk, method, tracking):
    with pytest.raises(ApplicationError) as error:
        services.case_deliver(case=decided_case, actor=town_clerk, method=method, tracking_number=tracking)
    assert error.value.code == "case.clerk_outside_hall"
    decided_case.refresh_from_db()
    assert decided_case.state == CaseState.DECIDED_APPROVED
    assert not Delivery.objects.exists()


@pytest.mark.parametrize("model", [PledgeVerification, HelpRequest, ReviewChain, Notice, Case])
def test_the_admin_is_read_only(rf, admin_user, model):
    request = rf.get("/admin/")
    request.user = admin_user
    model_admin = admin.site._registry[model]
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
