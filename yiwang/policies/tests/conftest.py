import datetime as dt
from decimal import Decimal

import pytest

from yiwang.credit.models import Entity
from yiwang.credit.tests.factories import EntityFactory
from yiwang.policies.tests.factories import PolicyFactory


@pytest.fixture
def officer(handler_a):
    """A policy officer: a handler of the county department that carries the policies (dept_a)."""
    return handler_a


@pytest.fixture
def entities(meixian, enterprise_user):
    """Three entities: a kiwi grower with 200万 capital (the enterprise user's), one with 80万, a restaurant."""
    grower = EntityFactory(
        uscc=enterprise_user.uscc,
        name="眉县金桔猕猴桃专业合作社",
        industry_code="A0151",
        registered_capital=Decimal("200"),
        established_on=dt.date(2015, 5, 1),
        town=meixian.huaiya,
        size=Entity.Size.SMALL,
        tags=["小微企业"],
    )
    small = EntityFactory(
        name="眉县秦岭果业有限公司",
        industry_code="A0151",
        registered_capital=Decimal("80"),
        established_on=dt.date(2022, 1, 10),
        town=meixian.yingtou,
        size=Entity.Size.MICRO,
    )
    restaurant = EntityFactory(
        name="眉县汤峪农家乐",
        industry_code="H6210",
        industry_name="正餐服务",
        registered_capital=Decimal("10"),
        kind=Entity.Kind.INDIVIDUAL,
        town=meixian.yingtou,
        tags=["农家乐"],
    )
    return grower, small, restaurant


@pytest.fixture
def draft_policy(dept_a):
    return PolicyFactory(department=dept_a)
