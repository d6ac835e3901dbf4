"""Supervision fixtures: the county's real departments (the org data file), the seed plan imported,
the supervision office (督查室), two lead departments' handlers and a leader."""

import pytest
from django.conf import settings

from yiwang.org.models import Department, Role
from yiwang.org.services import department_load_from_data, region_load_from_data
from yiwang.org.tests.factories import MembershipFactory, UserFactory

PLAN_FILE = settings.SHARED_DIR / "seed" / "meixian-2021-business-environment-plan.txt"
needs_plan = pytest.mark.skipif(not PLAN_FILE.exists(), reason=f"the seed plan is not present at {PLAN_FILE}")


@pytest.fixture
def org(db):
    region_load_from_data(actor=None)
    department_load_from_data(actor=None)


@pytest.fixture
def plan_text() -> str:
    if not PLAN_FILE.exists():
        pytest.skip(f"the seed plan is not present at {PLAN_FILE}")
    return PLAN_FILE.read_text(encoding="utf-8")


def _member(username, name, role, **anchors):
    user = UserFactory(username=username, display_name=name)
    MembershipFactory(user=user, role=role, **anchors)
    return user


@pytest.fixture
def county(org):
    from yiwang.org.models import Region

    return Region.objects.get(code="610326")


@pytest.fixture
def approval(org) -> Department:
    return Department.objects.get(code="admin-approval")


@pytest.fixture
def market(org) -> Department:
    return Department.objects.get(code="market-regulation")


@pytest.fixture
def office(county):
    return _member(
        "office",
        "高洁",
        Role.SUPERVISOR,
        region=county,
        department=Department.objects.get(code="government-inspection-office"),
    )


@pytest.fixture
def approval_handler(approval):
    return _member("approval", "周敏", Role.HANDLER, department=approval)


@pytest.fixture
def market_handler(market):
    return _member("market", "吴刚", Role.HANDLER, department=market)


@pytest.fixture
def county_leader(county):
    return _member("chensd", "陈尚东", Role.LEADER, region=county)


@pytest.fixture
def plan(plan_text, office, county_leader):
    from yiwang.supervision.services.plan import plan_import

    return plan_import(text=plan_text, actor=office, source_name="plan.txt").plan
