import pytest

from yiwang.cases import services
from yiwang.cases.models import CaseState, Delivery
from yiwang.core.errors import ApplicationError

from ..conftest import complete_steps

pytestmark = pytest.mark.django_db


@pytest.fixture
def decided_case(review_case, handler_a):
    complete_steps(review_case, handler_a)
    services.case_decide(case=review_case, actor=handler_a, outcome="approved", reasons="符合条件")
    review_case.refresh_from_db()
    return review_case


def test_window_pickup_counts_a_visit(decided_case, clerk):
    delivery = services.case_deliver(case=decided_case, actor=clerk)
    decided_case.refresh_from_db()
    assert decided_case.state == CaseState.DELIVERED and decided_case.visits == 1
    assert delivery.method == "window" and delivery.recipient == "王秀兰"


def test_post_needs_a_tracking_number(decided_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_deliver(case=decided_case, actor=clerk, method="post")
    assert error.value.code == "case.tracking_number_required"
    services.case_deliver(case=decided_case, actor=clerk, method="post", tracking_number="1190312345678")
    assert Delivery.objects.get().tracking_number == "1190312345678"


def test_the_department_can_deliver_electronically(decided_case, handler_a):
    services.case_deliver(case=decided_case, actor=handler_a, method="electronic")
    decided_case.refresh_from_db()
    assert decided_case.state == CaseState.DELIVERED and decided_case.visits == 0


def test_window_pickup_only_at_the_pickup_hall(decided_case, town_hall):
    from yiwang.org.models import Membership, Role
    from yiwang.org.tests.factories import UserFactory

    other = UserFactory(username="town-clerk")
    Membership.objects.create(user=other, role=Role.CLERK, hall=town_hall)
    with pytest.raises(ApplicationError) as error:
        services.case_deliver(case=decided_case, actor=other)
    assert error.value.code == "case.clerk_outside_hall"
    assert not Delivery.objects.exists()


def test_it_cannot_deliver_before_a_decision(review_case, clerk):
    with pytest.raises(ApplicationError) as error:
        services.case_deliver(case=review_case, actor=clerk)
    assert error.value.code == "case.invalid_transition"


def test_it_cannot_deliver_twice(decided_case, clerk):
    services.case_deliver(case=decided_case, actor=clerk)
    with pytest.raises(ApplicationError) as error:
        services.case_deliver(case=decided_case, actor=clerk)
    assert error.value.code == "case.invalid_transition"
