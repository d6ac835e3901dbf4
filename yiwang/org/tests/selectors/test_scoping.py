from django.contrib.auth.models import AnonymousUser

from yiwang.org.models import Department, Membership, Role
from yiwang.org.selectors import (
    scope_to_user_departments,
    user_can_act_for_department,
    user_can_see_department,
    user_departments,
    user_regions,
    user_roles,
)
from yiwang.org.tests.factories import MembershipFactory, UserFactory


def visible(user, qs=None, field=""):
    qs = Department.objects.all() if qs is None else qs
    return set(scope_to_user_departments(qs, user, field=field).values_list("code", flat=True))


def test_it_shows_a_handler_only_their_own_department(handler_a, handler_b, dept_a, dept_b, dept_town):
    assert visible(handler_a) == {"admin-approval"}
    assert visible(handler_b) == {"market-regulation"}
    assert user_can_see_department(handler_a, dept_a)
    assert not user_can_see_department(handler_a, dept_b)


def test_it_scopes_rows_of_another_model_through_their_department_field(handler_a, handler_b, inspector):
    # Membership has a department column: handler A sees only rows of department A.
    rows = scope_to_user_departments(Membership.objects.all(), handler_a, field="department")
    assert {m.user.username for m in rows} == {"handler_a"}
    rows = scope_to_user_departments(Membership.objects.all(), handler_b, field="department")
    assert {m.user.username for m in rows} == {"handler_b", "inspector"}


def test_it_shows_a_county_leader_the_whole_county_subtree(leader, dept_a, dept_b, dept_town):
    assert visible(leader) == {"admin-approval", "market-regulation", "huaiya-town"}


def test_it_shows_a_town_leader_only_the_town(meixian, dept_a, dept_town):
    town_leader = UserFactory(username="town_leader")
    MembershipFactory(user=town_leader, role=Role.LEADER, region=meixian.huaiya)
    assert visible(town_leader) == {"huaiya-town"}


def test_it_shows_a_supervisor_their_region(supervisor, dept_a, dept_town):
    assert {"admin-approval", "huaiya-town"} <= visible(supervisor)


def test_it_shows_an_administrator_everything(admin_user, dept_a, dept_b, dept_town):
    assert visible(admin_user) == set(Department.objects.values_list("code", flat=True))


def test_it_shows_an_administrator_of_a_town_only_the_town(meixian, dept_a, dept_town):
    town_admin = UserFactory(username="town_admin")
    MembershipFactory(user=town_admin, role=Role.ADMIN, region=meixian.huaiya)
    assert visible(town_admin) == {"huaiya-town"}
    assert user_can_act_for_department(town_admin, dept_town)
    assert not user_can_act_for_department(town_admin, dept_a)


def test_it_shows_citizens_clerks_and_strangers_nothing(citizen, enterprise_user, clerk, dept_a):
    for user in (citizen, enterprise_user, clerk, AnonymousUser()):
        assert visible(user) == set()


def test_it_shows_a_deactivated_handler_nothing(handler_a):
    handler_a.is_active = False
    handler_a.save()
    assert visible(handler_a) == set()
    assert user_roles(handler_a) == set()


def test_it_lets_only_the_departments_own_staff_act_for_it(
    handler_a, handler_b, inspector, dispatcher, leader, supervisor, citizen, dept_a, dept_b
):
    assert user_can_act_for_department(handler_a, dept_a)
    assert not user_can_act_for_department(handler_a, dept_b)
    # Inspectors inspect; they do not act in their department's name (security review).
    assert not user_can_act_for_department(inspector, dept_b)
    assert not user_can_act_for_department(dispatcher, dept_a)
    # Leaders and supervisors read and urge; they do not act in a department's name.
    assert not user_can_act_for_department(leader, dept_a)
    assert not user_can_act_for_department(supervisor, dept_a)
    assert not user_can_act_for_department(citizen, dept_a)
    assert not user_can_act_for_department(AnonymousUser(), dept_a)


def test_it_lists_roles_departments_and_regions(handler_a, dept_b, clerk, leader, admin_user):
    MembershipFactory(user=handler_a, role=Role.INSPECTOR, department=dept_b)
    assert user_roles(handler_a) == {"handler", "inspector"}
    assert set(user_departments(handler_a).values_list("code", flat=True)) == {"admin-approval", "market-regulation"}
    assert user_roles(clerk) == {"clerk"}
    assert [r.code for r in user_regions(clerk)] == ["610326"]  # the county hall's region
    assert [r.code for r in user_regions(leader)] == ["610326"]
    assert "admin" in user_roles(admin_user)
    assert user_roles(AnonymousUser()) == set()


def test_it_treats_a_superuser_without_membership_as_administrator(meixian, dept_a):
    root = UserFactory(username="root", is_superuser=True, is_staff=True)
    assert user_roles(root) == {"admin"}
    assert visible(root) == {"admin-approval"}
    assert user_can_act_for_department(root, dept_a)
