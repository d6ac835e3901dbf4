"""Department scoping: handlers see and act on only their department's appeals."""

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.hotline import selectors, services
from yiwang.hotline.models import Appeal


@pytest.fixture
def two_departments(make_appeal, operator, dept_a, dept_b):
    a = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator)
    b = services.appeal_dispatch(
        appeal=make_appeal(title="餐馆卫生差", content="县城一家餐馆后厨卫生很差，请检查。"),
        department=dept_b,
        actor=operator,
    )
    return a, b


def visible(user):
    return set(selectors.scope_appeals(Appeal.objects.all(), user).values_list("code", flat=True))


def test_it_shows_a_handler_only_their_departments_appeals(two_departments, handler_a, handler_b):
    a, b = two_departments

    assert visible(handler_a) == {a.code}
    assert visible(handler_b) == {b.code}


def test_it_shows_the_dispatcher_and_the_leader_every_appeal_of_the_county(two_departments, operator, leader):
    codes = {a.code for a in two_departments}

    assert visible(operator) == codes
    assert visible(leader) == codes


def test_it_shows_nothing_to_a_citizen_or_anonymous_user(two_departments, citizen, django_user_model):
    from django.contrib.auth.models import AnonymousUser

    assert visible(citizen) == set()
    assert visible(AnonymousUser()) == set()


def test_it_hides_another_departments_appeal_as_not_found(two_departments, handler_a):
    _, b = two_departments
    with pytest.raises(ApplicationError) as error:
        selectors.appeal_get_for_user(user=handler_a, code=b.code)
    assert error.value.status == 404


def test_it_shows_a_co_department_the_appeal_and_lets_it_add_an_opinion(
    make_appeal, operator, dept_a, dept_b, handler_b
):
    appeal = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, co_departments=[dept_b], actor=operator)

    assert appeal.code in visible(handler_b)
    rows = selectors.handler_queue(user=handler_b)
    assert [(r.appeal.code, r.role) for r in rows] == [(appeal.code, "co")]
    assert "opinion" in selectors.appeal_allowed_actions(user=handler_b, appeal=appeal)
    assert "sign_off" not in selectors.appeal_allowed_actions(user=handler_b, appeal=appeal)
    event = services.appeal_add_opinion(appeal=appeal, note="我局将配合现场检查", actor=handler_b)
    assert event.department == dept_b
    with pytest.raises(ApplicationError):
        services.appeal_sign_off(appeal=appeal, actor=handler_b)


def test_it_keeps_contact_data_from_other_departments(make_appeal, operator, dept_a, dept_b, handler_a, handler_b):
    appeal = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, co_departments=[dept_b], actor=operator)

    assert selectors.user_sees_contact(user=handler_a, appeal=appeal)
    assert selectors.user_sees_contact(user=operator, appeal=appeal)
    assert not selectors.user_sees_contact(user=handler_b, appeal=appeal)


def test_it_keeps_the_department_scope_after_a_return_and_redispatch(
    dispatched, handler_a, handler_b, operator, dept_b
):
    request = services.appeal_return(appeal=dispatched, reason="不属于本部门职责范围", actor=handler_a)
    services.appeal_return_decide(return_request=request, approve=True, department=dept_b, actor=operator)

    assert dispatched.code in visible(handler_b)
    # The returning department keeps read access to its history but no longer acts on it.
    assert dispatched.code in visible(handler_a)
    dispatched.refresh_from_db()
    assert selectors.appeal_allowed_actions(user=handler_a, appeal=dispatched) == set()
