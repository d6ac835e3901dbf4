import datetime as dt

import pytest

from yiwang.inspections import services
from yiwang.inspections.models import InspectionItem
from yiwang.inspections.tests import factories as f


@pytest.fixture
def market_item(dept_b):
    return f.item(dept_b, code="SJ-SC-001")


@pytest.fixture
def roster_b(dept_b, inspector):
    """Four inspectors of 县市场监管局; the first is the ``inspector`` user."""
    return f.roster(dept_b, 4, user=inspector)


@pytest.fixture
def pool(meixian):
    """40 A, 40 B, 10 C and 2 D entities in 槐芽镇."""
    return f.entities(meixian.county, {"A": 40, "B": 40, "C": 10, "D": 2}, town=meixian.huaiya)


@pytest.fixture
def plan(meixian, dept_b, market_item, handler_b):
    return services.plan_create(
        number="SJ-2026-Q1-01",
        title="2026年第一季度食品经营者双随机抽查",
        region=meixian.county,
        lead_department=dept_b,
        items=[market_item],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        actor=handler_b,
    )


@pytest.fixture
def drawn(plan, pool, roster_b, handler_b):
    services.plan_publish(plan=plan, actor=handler_b)
    return services.plan_draw(plan=plan, actor=handler_b)


__all__ = ["InspectionItem"]
