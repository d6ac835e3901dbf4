"""Fixtures for the hotline tests: categories with their department mapping, an operator's
appeal, and a clock that can be moved (``travel``) to test deadlines."""

import datetime as dt
from contextlib import contextmanager
from unittest import mock

import pytest
from django.utils import timezone

from yiwang.hotline import services
from yiwang.hotline.models import Appeal, Category, CategoryDepartmentMapping, KnowledgeEntry
from yiwang.org.models import Role
from yiwang.org.tests.factories import MembershipFactory, UserFactory


@pytest.fixture
def categories(dept_a, dept_b):
    roads = Category.objects.create(code="rural-roads", name="农村道路", group="交通运输", keywords="道路,村道,坑洼")
    licence = Category.objects.create(
        code="business-licence", name="证照办理", group="政务服务", keywords="营业执照,办证"
    )
    food = Category.objects.create(code="food-safety", name="食品安全", group="市场监管", keywords="食品,过期,餐馆")
    CategoryDepartmentMapping.objects.create(category=licence, department=dept_a)
    CategoryDepartmentMapping.objects.create(category=food, department=dept_b)
    CategoryDepartmentMapping.objects.create(category=roads, department=dept_a)
    return {"roads": roads, "licence": licence, "food": food}


@pytest.fixture
def knowledge(categories, dept_a):
    return KnowledgeEntry.objects.create(
        question="个体工商户营业执照怎么办理？",
        answer="携带身份证到县政务服务中心综合窗口或登录陕西政务服务网办理，材料齐全当场办结。",
        keywords="营业执照 个体工商户 办理",
        category=categories["licence"],
        department=dept_a,
    )


@pytest.fixture
def operator(dispatcher):
    """The 12345 operator who takes calls is a dispatcher of 县信息中心."""
    return dispatcher


@pytest.fixture
def leader_of_dept_a(dept_a):
    user = UserFactory(username="handler_a2", display_name="陈晨")
    MembershipFactory(user=user, role=Role.HANDLER, department=dept_a)
    return user


def submit(actor=None, **overrides) -> Appeal:
    values = {
        "channel": Appeal.Channel.PHONE,
        "kind": Appeal.Kind.COMPLAINT,
        "title": "营头镇红河谷村通村路坑洼严重",
        "content": "红河谷村到营头镇的通村路多处坑洼，下雨积水，猕猴桃运输车辆通行困难，请尽快修补。",
        "contact_name": "张建国",
        "contact_phone": "13991712345",
        "public_consent": True,
    }
    values.update(overrides)
    return services.appeal_submit(actor=actor, **values)


@pytest.fixture
def make_appeal(operator, categories, meixian):
    def factory(**overrides):
        overrides.setdefault("town", meixian.yingtou)
        return submit(actor=operator, **overrides)

    return factory


@pytest.fixture
def dispatched(make_appeal, operator, dept_a, categories):
    appeal = make_appeal()
    return services.appeal_dispatch(appeal=appeal, department=dept_a, actor=operator, category=categories["roads"])


@pytest.fixture
def signed_off(dispatched, handler_a):
    return services.appeal_sign_off(appeal=dispatched, actor=handler_a)


@pytest.fixture
def replied(signed_off, handler_a):
    services.appeal_reply(
        appeal=signed_off, content="已安排施工队于本周内修补坑洼路段并清理积水，感谢反映。", actor=handler_a
    )
    signed_off.refresh_from_db()
    return signed_off


class Traveller:
    """Moves ``timezone.now`` (and so ``localdate``) for deadline tests."""

    def __init__(self):
        self._patch = None

    @contextmanager
    def to(self, moment: dt.datetime):
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        with mock.patch("django.utils.timezone.now", return_value=moment):
            yield moment

    def after_workdays(self, start: dt.date, n: int, hour: int = 10) -> dt.datetime:
        from yiwang.workdays.selectors import add_workdays

        day = add_workdays(start, n).due
        return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def travel():
    return Traveller()
