import pytest
from django.db import IntegrityError, transaction

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.org.models import Department, Membership, Role
from yiwang.org.services import membership_grant, membership_revoke
from yiwang.org.tests.factories import UserFactory, WindowFactory


@pytest.fixture
def newcomer(meixian):
    return UserFactory(username="newcomer", display_name="新同事")


def test_it_grants_a_handler_role_with_an_audit_event(newcomer, dept_a, admin_user):
    membership = membership_grant(user=newcomer, role=Role.HANDLER, department=dept_a, actor=admin_user)
    assert Membership.objects.get(pk=membership.pk).department == dept_a
    event = AuditEvent.objects.get(action="org.membership_granted")
    assert event.actor_id == admin_user.pk
    assert event.after == {
        "user": newcomer.pk,
        "role": "handler",
        "department": dept_a.pk,
        "region": None,
        "hall": None,
        "window": None,
    }
    assert event.stream.region_code == "610326"


def test_it_lets_a_user_hold_several_roles(newcomer, dept_a, dept_b):
    membership_grant(user=newcomer, role=Role.HANDLER, department=dept_a, actor=None)
    membership_grant(user=newcomer, role=Role.HANDLER, department=dept_b, actor=None)
    membership_grant(user=newcomer, role=Role.CITIZEN, actor=None)
    assert newcomer.memberships.count() == 3


@pytest.mark.parametrize("role", [Role.HANDLER, Role.INSPECTOR, Role.DISPATCHER])
def test_it_requires_a_department_for_department_roles(newcomer, role):
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=newcomer, role=role, actor=None)
    assert excinfo.value.code == "org.membership_department_required"
    assert "须指定所属部门" in excinfo.value.message
    assert not newcomer.memberships.exists()


def test_it_requires_a_hall_for_a_clerk(newcomer):
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=newcomer, role=Role.CLERK, actor=None)
    assert excinfo.value.code == "org.membership_hall_required"


@pytest.mark.parametrize("role", [Role.LEADER, Role.SUPERVISOR])
def test_it_requires_a_region_for_leaders_and_supervisors(newcomer, role):
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=newcomer, role=role, actor=None)
    assert excinfo.value.code == "org.membership_region_required"


def test_it_seats_a_clerk_at_a_window_and_infers_the_hall(newcomer, county_hall):
    window = county_hall.windows.get(number=2)
    membership = membership_grant(user=newcomer, role=Role.CLERK, window=window, actor=None)
    assert membership.hall == county_hall
    assert membership.window == window


def test_it_refuses_a_window_of_another_hall(newcomer, county_hall, town_hall):
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(
            user=newcomer, role=Role.CLERK, hall=county_hall, window=town_hall.windows.get(number=1), actor=None
        )
    assert excinfo.value.code == "org.window_not_in_hall"


def test_it_refuses_an_inactive_window(newcomer, county_hall):
    window = WindowFactory(hall=county_hall, number=9, is_active=False)
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=newcomer, role=Role.CLERK, window=window, actor=None)
    assert excinfo.value.code == "org.window_inactive"


def test_it_refuses_anchors_on_a_citizen_role(newcomer, dept_a):
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=newcomer, role=Role.CITIZEN, department=dept_a, actor=None)
    assert excinfo.value.code == "org.membership_anchor_unexpected"


def test_it_requires_a_uscc_for_an_enterprise_account(newcomer):
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=newcomer, role=Role.ENTERPRISE, actor=None)
    assert excinfo.value.code == "org.membership_uscc_required"
    assert "统一社会信用代码" in excinfo.value.message


def test_it_refuses_an_inactive_department(newcomer, dept_a):
    Department.objects.filter(pk=dept_a.pk).update(is_active=False)
    dept_a.refresh_from_db()
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=newcomer, role=Role.HANDLER, department=dept_a, actor=None)
    assert excinfo.value.code == "org.department_inactive"


def test_it_refuses_the_same_grant_twice(handler_a, dept_a):
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=handler_a, role=Role.HANDLER, department=dept_a, actor=None)
    assert excinfo.value.code == "org.membership_exists"
    assert excinfo.value.status == 409
    assert handler_a.memberships.count() == 1


def test_it_refuses_an_unknown_role(newcomer):
    with pytest.raises(ApplicationError) as excinfo:
        membership_grant(user=newcomer, role="mayor", actor=None)
    assert excinfo.value.code == "org.role_invalid"


@pytest.mark.parametrize(
    "fields",
    [
        {"role": "handler"},
        {"role": "clerk"},
        {"role": "leader"},
    ],
)
def test_it_has_the_database_refuse_an_unanchored_staff_role(newcomer, fields):
    with pytest.raises(IntegrityError), transaction.atomic():
        Membership.objects.create(user=newcomer, **fields)


def test_it_revokes_a_role_and_keeps_the_record_in_the_audit_log(handler_a, admin_user):
    membership = handler_a.memberships.get()
    membership_revoke(membership=membership, actor=admin_user)
    assert not handler_a.memberships.exists()
    event = AuditEvent.objects.get(action="org.membership_revoked")
    assert event.before["role"] == "handler"
    assert event.object_id == str(membership.pk)
    assert event.actor_id == admin_user.pk
