"""``scope_build`` gives what the memberships say: the memberships in one query without joins, the paths of
their anchors (if any) in one more."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.org.models import Membership, Region, Role
from yiwang.org.scoping import scope_build
from yiwang.org.tests.factories import MembershipFactory, UserFactory

pytestmark = pytest.mark.django_db


def expected_grants(user) -> list[tuple]:
    """The grants spelt out from the membership objects and their related rows."""
    rows = []
    for m in Membership.objects.filter(user=user).order_by("role"):
        department_region = m.department.region if m.department_id else None
        county = None
        if department_region is not None:
            county = department_region.path
            if department_region.level in (Region.Level.TOWN, Region.Level.VILLAGE):
                county = "".join(f"{c}/" for c in [c for c in department_region.path.split("/") if c][:3])
        rows.append(
            (
                m.role,
                m.department_id,
                department_region.path if department_region else None,
                county,
                m.region.path if m.region_id else None,
                m.hall_id,
                m.hall.region.path if m.hall_id else None,
            )
        )
    return rows


def grants(scope) -> list[tuple]:
    return [
        (
            g.role,
            g.department_id,
            g.department_region_path,
            g.department_county_path,
            g.region_path,
            g.hall_id,
            g.hall_region_path,
        )
        for g in scope.grants
    ]


def test_it_reads_every_kind_of_membership_in_two_queries(meixian, dept_a, dept_town, town_hall, county_hall):
    user = UserFactory(username="many_roles")
    MembershipFactory(user=user, role=Role.HANDLER, department=dept_a)
    MembershipFactory(user=user, role=Role.DISPATCHER, department=dept_town)  # a town department: county above
    MembershipFactory(user=user, role=Role.CLERK, hall=town_hall)
    MembershipFactory(user=user, role=Role.LEADER, region=meixian.county)
    MembershipFactory(user=user, role=Role.CITIZEN)

    with CaptureQueriesContext(connection) as queries:
        scope = scope_build(user)

    assert len(queries) == 2
    assert grants(scope) == expected_grants(user)
    county_path = meixian.county.path
    dispatcher = next(g for g in scope.grants if g.role == Role.DISPATCHER)
    assert dispatcher.department_region_path == meixian.huaiya.path
    assert dispatcher.department_county_path == county_path
    assert scope.roles == {Role.HANDLER, Role.DISPATCHER, Role.CLERK, Role.LEADER, Role.CITIZEN}
    assert not scope.is_platform_admin


def test_it_gives_a_citizen_a_grant_without_anchors_in_one_query_without_joins(citizen):
    with CaptureQueriesContext(connection) as queries:
        scope = scope_build(citizen)

    assert len(queries) == 1 and "JOIN" not in queries[0]["sql"]
    assert grants(scope) == [(Role.CITIZEN, None, None, None, None, None, None)]
    assert scope.can("case.apply") and not scope.can("case.decide")
