"""Who may do what: the action table of ``yiwang.org.scoping``, role by role.

The expected table is written out literally so that any change to the rules fails here first and is
made on purpose. A module that registers new actions (ratings, inspections, supervision…) adds its
rows to ``EXPECTED`` below, for every role.
"""

import pytest

from yiwang.org.models import Role
from yiwang.org.scoping import ACTIONS, Anchor, register_action, scope_for
from yiwang.org.tests.factories import MembershipFactory, UserFactory

STAFF_CATALOG = {"catalog.workspace"}

EXPECTED: dict[str, set[str]] = {
    "citizen": {"utility.apply", "case.apply", "appeal.submit", "rating.submit", "licence.hold"},
    "enterprise": {
        "utility.apply",
        "case.apply",
        "appeal.submit",
        "rating.submit",
        "licence.hold",
        "policy.mine",
        "credit.repair_request",
        "credit.financing_need",
    },
    "clerk": {
        "case.intake",
        "case.accept",
        "case.deliver",
        "case.help",
        "case.read",
        "appeal.intake",
        "rating.pad",
        "unresolved.register",
        "unresolved.handle",
        "unresolved.read",
        "account.authorise",
        *STAFF_CATALOG,
    },
    "handler": {
        "integrated_licence.manage",
        "project.read",
        "project.manage",
        "issue.handle",
        "assessment.publish",
        "utility.handle",
        "utility.read",
        "policy.manage",
        "policy.grant",
        "policy.read",
        "rating.read",
        "rectification.handle",
        "rectification.read",
        "supervision.read",
        "supervision.report",
        "supervision.answer",
        "case.review",
        "case.decide",
        "case.pause",
        "case.extend",
        "case.approve_extension",
        "case.deliver",
        "case.help",
        "case.verify_pledge",
        "case.configure",
        "case.read",
        "appeal.sign_off",
        "appeal.reply",
        "appeal.return",
        "appeal.request_extension",
        "appeal.opinion",
        "appeal.read",
        "appeal.read_contact",
        "unresolved.handle",
        "unresolved.read",
        "inspection.plan",
        "inspection.result",
        "inspection.read",
        "licence.issue",
        "licence.revoke",
        "licence.read",
        "catalog.propose",
        "catalog.review",
        "department.read",
        "department.act",
        "credit.read",
        "credit.record",
        "credit.repair",
        "credit.import",
        "credit.clue",
        "credit.clue_read",
        "credit.loan_product",
        *STAFF_CATALOG,
    },
    "dispatcher": {
        "appeal.intake",
        "appeal.dispatch",
        "appeal.approve_return",
        "appeal.approve_extension",
        "appeal.revisit",
        "appeal.read",
        "appeal.read_contact",
        "appeal.dashboard",
        "unresolved.register",
        "unresolved.handle",
        "unresolved.read",
        "department.read",
        "department.act",
        *STAFF_CATALOG,
    },
    # Inspectors inspect: no decisions, no sign-off or reply, no unmasked contact data.
    "inspector": {
        "inspect",
        "inspection.result",
        "inspection.read",
        "case.verify_pledge",
        "case.read",
        "appeal.read",
        "department.read",
        "credit.read",
        "credit.record",
        "credit.clue",
        "credit.clue_read",
        *STAFF_CATALOG,
    },
    "supervisor": {
        "project.read",
        "project.measures",
        "utility.read",
        "policy.read",
        "policy.measures",
        "supervise",
        "rating.read",
        "rectification.read",
        "rectification.review",
        "servicecheck.manage",
        "ratings.measures",
        "licence.read",
        "supervision.read",
        "supervision.manage",
        "supervision.dashboard",
        "supervision.urge",
        "inspection.read",
        "inspection.measures",
        "case.read",
        "case.measures",
        "appeal.read",
        "appeal.dashboard",
        "unresolved.read",
        "catalog.review",
        "department.read",
        "credit.read",
        "credit.clue_read",
        "credit.measures",
        *STAFF_CATALOG,
    },
    "leader": {
        "project.read",
        "project.measures",
        "utility.read",
        "policy.read",
        "policy.measures",
        "supervise",
        "rating.read",
        "rectification.read",
        "ratings.measures",
        "licence.read",
        "supervision.read",
        "supervision.dashboard",
        "inspection.read",
        "inspection.measures",
        "case.read",
        "case.measures",
        "case.approve_extension",
        "appeal.read",
        "appeal.dashboard",
        "unresolved.read",
        "department.read",
        "credit.read",
        "credit.clue_read",
        "credit.measures",
        *STAFF_CATALOG,
    },
}


@pytest.fixture
def region_admin(meixian):
    user = UserFactory(username="town_admin")
    MembershipFactory(user=user, role=Role.ADMIN, region=meixian.huaiya)
    return user


@pytest.fixture
def users(
    citizen, enterprise_user, clerk, handler_a, dispatcher, inspector, supervisor, leader, admin_user, region_admin
):
    return {
        "citizen": citizen,
        "enterprise": enterprise_user,
        "clerk": clerk,
        "handler": handler_a,
        "dispatcher": dispatcher,
        "inspector": inspector,
        "supervisor": supervisor,
        "leader": leader,
        "admin": admin_user,
        "region_admin": region_admin,
    }


def allowed(user) -> set[str]:
    scope = scope_for(user)
    return {name for name in ACTIONS if scope.can(name)}


@pytest.mark.parametrize("role", sorted(EXPECTED))
def test_it_grants_each_role_exactly_its_actions(users, role):
    assert allowed(users[role]) == EXPECTED[role]


def test_it_grants_administrators_every_action(users):
    # A platform administrator everywhere, a region administrator within the region (object tests).
    assert allowed(users["admin"]) == set(ACTIONS)
    assert allowed(users["region_admin"]) == set(ACTIONS)
    assert scope_for(users["admin"]).is_platform_admin
    assert not scope_for(users["region_admin"]).is_platform_admin


def test_it_lists_every_registered_action_in_the_expected_table():
    admin_only = {"licence.manage_keys", "catalog.withdraw", "calendar.manage", "org.manage"}
    assert set(ACTIONS) == set().union(*EXPECTED.values()) | admin_only


def test_it_refuses_a_duplicate_an_unknown_role_or_an_unknown_anchor():
    with pytest.raises(ValueError, match="already registered"):
        register_action("case.decide", roles={"handler"}, anchor=Anchor.DEPARTMENT, label="重复")
    with pytest.raises(ValueError, match="unknown role"):
        register_action("test.unknown_role", roles={"mayor"}, anchor=Anchor.REGION, label="x")
    with pytest.raises(ValueError, match="unknown anchor"):
        register_action("test.unknown_anchor", roles={"handler"}, anchor="galaxy", label="x")
    assert "test.unknown_role" not in ACTIONS and "test.unknown_anchor" not in ACTIONS


def test_it_lets_a_new_module_add_its_row(handler_a, inspector):
    name = "test.ratings_rectify"
    try:
        register_action(name, roles={"handler"}, anchor=Anchor.DEPARTMENT, label="差评整改")
        assert scope_for(handler_a).can(name)
        assert not scope_for(inspector).can(name)
    finally:
        ACTIONS.pop(name, None)


def test_it_gives_strangers_and_the_deactivated_an_empty_scope(handler_a):
    from django.contrib.auth.models import AnonymousUser

    assert allowed(AnonymousUser()) == set()
    assert allowed(None) == set()
    handler_a.is_active = False
    handler_a.save()
    handler_a.refresh_from_db()
    assert allowed(handler_a) == set()


def test_it_refuses_an_unknown_action(handler_a):
    with pytest.raises(KeyError, match="unknown action"):
        scope_for(handler_a).can("case.teleport")
