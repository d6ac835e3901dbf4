"""Fixtures for the hotline tests: categories with their department mapping, an operator's
appeal, a replied history with the routers trained on it, and a clock that can be moved
(``travel``) to test deadlines."""

import datetime as dt
import json
from contextlib import contextmanager
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from yiwang.hotline import selectors, services
from yiwang.hotline.models import Appeal, Category, CategoryDepartmentMapping, KnowledgeEntry, RoutingModel
from yiwang.hotline.services._common import _county
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


ROAD = ("村道坑洼", "{town}{n}组的村道坑洼不平，下雨积水，车辆无法通行，请尽快修补路面。")
FOOD = ("餐馆卫生", "{town}街上第{n}家餐馆后厨卫生很差，食品过期变质，吃了肚子疼，请检查处理。")


def build_replied_history(*, make_appeal, operator, dept_a, dept_b, handler_a, handler_b, categories) -> list[Appeal]:
    """Twelve replied appeals: six rural-road ones handled by department A, six food-safety ones by
    department B — the smallest history both routers learn two classes from."""
    appeals = []
    for n in range(6):
        for (title, body), department, handler, category in (
            (ROAD, dept_a, handler_a, categories["roads"]),
            (FOOD, dept_b, handler_b, categories["food"]),
        ):
            appeal = make_appeal(title=title, content=body.format(town="营头镇", n=n + 1), category=category)
            services.appeal_dispatch(appeal=appeal, department=department, actor=operator)
            services.appeal_sign_off(appeal=appeal, actor=handler)
            services.appeal_reply(appeal=appeal, content="已现场处理完毕，感谢反映。", actor=handler)
            appeals.append(appeal)
    return appeals


@pytest.fixture
def replied_history(make_appeal, operator, dept_a, dept_b, handler_a, handler_b, categories):
    return build_replied_history(
        make_appeal=make_appeal,
        operator=operator,
        dept_a=dept_a,
        dept_b=dept_b,
        handler_a=handler_a,
        handler_b=handler_b,
        categories=categories,
    )


@pytest.fixture(scope="session")
def trained_router_dir(tmp_path_factory):
    """Where the routers trained on ``replied_history`` are kept for the session (filled by the first
    test that asks for ``trained_routers``)."""
    return tmp_path_factory.mktemp("routers")


@pytest.fixture
def trained_routers(trained_router_dir, make_appeal, operator, dept_a, dept_b, handler_a, handler_b, categories):
    """The active department and category routers, as ``routing_model_train`` stores them after the
    ``replied_history``, without the history's rows.

    Fitting is the slow part, and the routers depend only on the history's texts and the fixed
    department and category codes: the session's first test trains them in a savepoint it rolls
    back, the blobs go to a temporary directory, and every test stores them as its own rows. Every
    test so sees the same database whichever runs first.
    """
    if not any(trained_router_dir.iterdir()):
        with transaction.atomic():
            build_replied_history(
                make_appeal=make_appeal,
                operator=operator,
                dept_a=dept_a,
                dept_b=dept_b,
                handler_a=handler_a,
                handler_b=handler_b,
                categories=categories,
            )
            for model in services.routing_model_train(actor=None, folds=None):
                (trained_router_dir / f"{model.target}.blob").write_bytes(bytes(model.blob))
                fields = {"labels": model.labels, "metrics": model.metrics, "n_samples": model.n_samples}
                (trained_router_dir / f"{model.target}.json").write_text(json.dumps(fields), encoding="utf-8")
            transaction.set_rollback(True)
    county = _county()
    models = [
        RoutingModel.objects.create(
            target=path.stem,
            region=county,
            blob=path.with_suffix(".blob").read_bytes(),
            is_active=True,
            **json.loads(path.read_text(encoding="utf-8")),
        )
        for path in sorted(trained_router_dir.glob("*.json"))
    ]
    assert sorted(m.target for m in models) == ["category", "department"]
    selectors._routers.clear()  # a router cached under a reused primary key must not answer for these rows
    yield models
    selectors._routers.clear()


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
