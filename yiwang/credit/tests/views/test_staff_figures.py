"""The credit overview and the financing list show the figures of the reader's area: they once read the
first county by code for everyone, so with two counties on the platform Meixian's staff saw Qishan's
figures (and a town's supervisor the whole county's)."""

import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.credit import measures
from yiwang.credit.models import FinancingNeed
from yiwang.credit.services.entities import entities_bulk_create
from yiwang.credit.tests.factories import EntityFactory
from yiwang.measures.services import measure_add, measures_rebuild
from yiwang.org.models import Region, Role
from yiwang.org.tests.factories import DepartmentFactory, MembershipFactory, UserFactory, region_chain

pytestmark = pytest.mark.django_db


@pytest.fixture
def qishan(meixian):
    """岐山县 (610323), before 眉县 (610326) in code order: the county the pages once read for everyone."""
    return region_chain(
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610323", "岐山县", Region.Level.COUNTY),
    )


@pytest.fixture
def town_supervisor(meixian):
    user = UserFactory(username="huaiya-supervisor")
    MembershipFactory(user=user, role=Role.SUPERVISOR, region=meixian.huaiya)
    return user


def _needs(entity, region, n: int) -> None:
    FinancingNeed.objects.bulk_create(
        FinancingNeed(entity=entity, region=region, amount=50, purpose="收购鲜果", published_at=timezone.now())
        for _ in range(n)
    )


def test_the_overview_shows_the_figures_of_the_readers_area(
    client, meixian, qishan, dept_a, handler_a, town_supervisor
):
    qishan_bureau = DepartmentFactory(code="qishan-market", name="岐山县市场监督管理局", region=qishan)
    now = timezone.now()
    with transaction.atomic():
        # (region, department, n): class moves into B, penalties, clues to the department
        for region, department, n in (
            (meixian.huaiya, dept_a, 1),
            (meixian.yingtou, dept_a, 2),
            (meixian.county, dept_a, 4),
            (qishan, qishan_bureau, 8),
        ):
            measure_add(metric=measures.CLASS_MOVES, on=now, region=region, key="B", count=n)
            measure_add(
                metric=measures.RECORDS, on=now.date(), region=region, department=department, key="penalty", count=n
            )
            measure_add(
                metric=measures.CLUES, on=now, region=region, department=department, key="serious_penalty", count=n
            )
    meixian_entity = EntityFactory(region=meixian.county, town=meixian.huaiya)
    _needs(meixian_entity, meixian.huaiya, 3)
    _needs(EntityFactory(region=qishan), qishan, 5)
    measures_rebuild(metrics=[measures.FINANCING])

    def overview(user) -> tuple[str, ...]:
        client.force_login(user)
        page = client.get(reverse("credit:staff")).content.decode()
        return (
            re.search(r"B (\d+) · C", page)[1],
            re.search(r"<td>行政处罚</td><td>(\d+)</td>", page)[1],
            re.search(r"推送 (\d+) 条", page)[1],
            re.search(r"融资需求 (\d+) 笔", page)[1],
        )

    # Meixian's handler: the county's classes, records and needs; their department's clues
    assert overview(handler_a) == ("7", "7", "7", "3")
    # a town's supervisor: the town's
    assert overview(town_supervisor) == ("1", "1", "1", "3")


def test_the_financing_figures_count_the_needs_of_the_list(client, meixian, qishan, handler_a):
    _needs(EntityFactory(region=meixian.county, town=meixian.huaiya), meixian.huaiya, 3)
    _needs(EntityFactory(region=meixian.county), meixian.county, 2)
    _needs(EntityFactory(region=qishan), qishan, 16)
    measures_rebuild(metrics=[measures.FINANCING])

    client.force_login(handler_a)
    page = client.get(reverse("credit:staff_financing")).content.decode()

    assert re.search(r"融资需求 (\d+) · 匹配成功", page)[1] == "5"
    assert re.search(r"共 (\d+) 条融资需求", page)[1] == "5"


def test_the_entity_list_shows_the_classes_and_towns_of_the_readers_county(
    client, meixian, qishan, handler_a, town_supervisor
):
    qishan_town = region_chain(
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610323", "岐山县", Region.Level.COUNTY),
        ("610323100", "蔡家坡镇", Region.Level.TOWN),
    )
    # The entities and their class moves as registered (counted in the town, else the county).
    entities_bulk_create(
        entities=[
            *(EntityFactory.build(region=meixian.county, town=meixian.huaiya, risk_class="A") for _ in range(2)),
            EntityFactory.build(region=meixian.county, town=meixian.yingtou, risk_class="B"),
            EntityFactory.build(region=meixian.county, risk_class="A"),
            *(EntityFactory.build(region=qishan, town=qishan_town, risk_class="A") for _ in range(16)),
        ],
        actor=None,
        audit=False,
    )

    def entity_list(user, **params) -> tuple[str, ...]:
        client.force_login(user)
        page = client.get(reverse("credit:entities"), params).content.decode()
        assert "蔡家坡镇" not in page
        return re.search(r"共 (\d+) 户 · 风险分类 A (\d+) / B (\d+) /", page).groups()

    def overview(user) -> tuple[str, ...]:
        client.force_login(user)
        page = client.get(reverse("credit:staff")).content.decode()
        return re.search(r"A (\d+) · B (\d+) · C", page).groups()

    # Meixian's handler: the county's entities, with or without a town, as before
    assert entity_list(handler_a) == ("4", "3", "1")
    assert overview(handler_a) == ("3", "1")
    assert "槐芽镇" in client.get(reverse("credit:entities")).content.decode()
    # a town's supervisor: the town's entities, as many as the town's classes count
    assert entity_list(town_supervisor) == ("2", "2", "0")
    assert entity_list(town_supervisor, town=meixian.huaiya.code) == ("2", "2", "0")
    assert overview(town_supervisor) == ("2", "0")
