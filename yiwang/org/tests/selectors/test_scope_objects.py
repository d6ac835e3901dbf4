"""Object-level answers of ``Scope.can`` and ``Scope.filter`` on real org querysets."""

import pytest
from django.contrib.auth.models import AnonymousUser

from yiwang.org.models import Department, Membership, Region, Role, ServiceHall
from yiwang.org.scoping import scope_for
from yiwang.org.tests.factories import MembershipFactory, ServiceHallFactory, UserFactory


@pytest.fixture
def town_clerk(town_hall):
    user = UserFactory(username="town_clerk")
    MembershipFactory(user=user, role=Role.CLERK, hall=town_hall)
    return user


def codes(qs) -> set[str]:
    return set(qs.values_list("code", flat=True))


def test_it_lets_a_handler_act_only_for_their_department(handler_a, dept_a, dept_b):
    scope = scope_for(handler_a)
    assert scope.can("case.decide", department=dept_a)
    assert not scope.can("case.decide", department=dept_b)
    assert not scope.can("case.decide", department=None)
    assert not scope.can("case.decide", region=dept_a.region)  # a row without a department
    assert codes(scope.departments("case.decide")) == {"admin-approval"}


def test_it_keeps_a_town_clerk_to_their_hall_and_town(meixian, clerk, town_clerk, county_hall, town_hall):
    scope = scope_for(town_clerk)
    assert scope.can("case.accept", hall=town_hall, region=meixian.huaiya)
    assert not scope.can("case.accept", hall=county_hall, region=meixian.county)
    # An online case at no hall yet: only within the hall's region.
    assert scope.can("case.accept", hall=None, region=meixian.huaiya_village)
    assert not scope.can("case.accept", hall=None, region=meixian.county)
    assert not scope.can("case.accept", hall=None, region=meixian.yingtou)
    assert scope.can("unresolved.register", region=meixian.huaiya)
    assert not scope.can("unresolved.register", region=meixian.shoushan)
    assert list(scope.halls("case.accept")) == [town_hall]
    assert codes(scope.towns("unresolved.register")) == {"610326101"}
    # The county hall's clerk serves the whole county, but acts on a case taken in at the town only there.
    county = scope_for(clerk)
    assert county.can("case.accept", hall=None, region=meixian.huaiya_village)
    assert not county.can("case.accept", hall=town_hall, region=meixian.huaiya)


def test_it_lets_a_region_leader_read_the_subtree_but_not_act(meixian, dept_a, dept_town):
    town_leader = UserFactory(username="town_leader")
    MembershipFactory(user=town_leader, role=Role.LEADER, region=meixian.huaiya)
    scope = scope_for(town_leader)
    assert scope.can("case.read", department=dept_town)
    assert not scope.can("case.read", department=dept_a)
    assert scope.can("appeal.read", region=meixian.huaiya_village)
    assert not scope.can("case.decide", department=dept_town)
    assert not scope.can("appeal.reply", department=dept_town)
    assert not scope.can("appeal.read_contact", department=dept_town, region=meixian.huaiya)
    assert codes(scope.departments("case.read")) == {"huaiya-town"}
    assert codes(scope.regions("supervise")) == {"610326101", "610326101201"}


def test_it_lets_an_inspector_inspect_but_not_decide_reply_or_read_contacts(meixian, inspector, dept_b):
    scope = scope_for(inspector)
    assert scope.can("inspect", department=dept_b)
    assert scope.can("appeal.read", department=dept_b, region=meixian.county)
    for action in ("case.decide", "appeal.sign_off", "appeal.reply", "appeal.read_contact", "department.act"):
        assert not scope.can(action, department=dept_b, region=meixian.county), action


def test_it_lets_a_dispatcher_serve_the_whole_county(meixian, dispatcher, dept_a):
    scope = scope_for(dispatcher)
    assert scope.can("appeal.dispatch", region=meixian.honghegu)
    assert scope.can("appeal.read_contact", region=meixian.dongguan)
    assert not scope.can("appeal.reply", department=dept_a)


def test_it_lets_a_region_administrator_act_within_the_region_only(meixian, dept_a, dept_town, town_hall):
    town_admin = UserFactory(username="town_admin")
    MembershipFactory(user=town_admin, role=Role.ADMIN, region=meixian.huaiya)
    scope = scope_for(town_admin)
    assert scope.can("case.decide", department=dept_town)
    assert not scope.can("case.decide", department=dept_a)
    assert scope.can("calendar.manage")
    assert scope.can("case.accept", hall=town_hall)
    assert codes(scope.departments("case.decide")) == {"huaiya-town"}


def test_it_lets_a_platform_administrator_do_everything(admin_user, dept_a, dept_town):
    root = UserFactory(username="root", is_superuser=True)
    for user in (admin_user, root):
        scope = scope_for(user)
        assert scope.is_platform_admin
        assert scope.can("case.decide", department=dept_a)
        assert scope.filter(Department.objects.all(), "appeal.reply", department="", region="region").count() == 2


def test_it_filters_a_queryset_through_relation_paths(handler_a, handler_b, inspector, leader, dept_b):
    rows = Membership.objects.all()
    # Membership rows carry a department: handler B reads department B's rows, acts in its name only.
    read = scope_for(handler_b).filter(rows, "department.read", department="department", region=None)
    assert {m.user.username for m in read} == {"handler_b", "inspector"}
    acting = scope_for(inspector).filter(rows, "department.act", department="department", region=None)
    assert not acting.exists()
    # Through two relations: halls of the county seen by the leader, via the department's region.
    by_path = scope_for(leader).filter(rows, "case.read", department="department", region="department__region")
    assert {m.user.username for m in by_path} == {"handler_a", "handler_b", "inspector"}


def test_it_filters_regions_and_halls_by_the_subtree(meixian, leader, town_hall, county_hall):
    other = ServiceHallFactory(name="营头镇便民服务中心", kind=ServiceHall.Kind.TOWN_CENTRE, region=meixian.yingtou)
    town_leader = UserFactory(username="town_leader")
    MembershipFactory(user=town_leader, role=Role.LEADER, region=meixian.yingtou)
    halls = scope_for(town_leader).filter(ServiceHall.objects.all(), "case.read", department=None, hall="")
    assert list(halls) == [other]
    regions = scope_for(leader).filter(Region.objects.all(), "supervise", department=None, region="")
    assert "610000" not in codes(regions) and "610326105205" in codes(regions)


def test_it_never_leaks(citizen, handler_a, dept_a):
    departments = Department.objects.all()
    for user in (AnonymousUser(), citizen):
        assert not scope_for(user).filter(departments, "case.read", department="").exists()
    # A grant anchored on a field the model lacks matches nothing.
    assert not scope_for(handler_a).filter(Region.objects.all(), "case.decide", department=None, region="").exists()
    assert not scope_for(AnonymousUser()).can("case.read", department=dept_a)


def test_it_memoises_the_scope_on_the_user_object(handler_a, dept_b):
    first = scope_for(handler_a)
    assert scope_for(handler_a) is first
    MembershipFactory(user=handler_a, role=Role.HANDLER, department=dept_b)
    assert not scope_for(handler_a).can("case.decide", department=dept_b)
    from yiwang.org.scoping import scope_forget

    scope_forget(handler_a)
    assert scope_for(handler_a).can("case.decide", department=dept_b)
