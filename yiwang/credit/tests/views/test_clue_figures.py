"""The figures above the staff clue list count exactly the clues of the list: every department a handler
may see (they once summed the first 50 of them only), and a supervisor's or leader's region subtree
(they once summed the whole database)."""

import datetime as dt
import re

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.credit import measures
from yiwang.credit.models import Clue
from yiwang.credit.tests.factories import EntityFactory
from yiwang.measures.services import measure_add, measures_rebuild
from yiwang.org.models import Region, Role
from yiwang.org.tests.factories import DepartmentFactory, MembershipFactory, UserFactory, region_chain

pytestmark = pytest.mark.django_db


def test_the_clue_figures_count_the_clues_of_every_department(client, meixian, dept_a, handler_a):
    departments = [dept_a] + [
        DepartmentFactory(code=f"station-{i:02d}", name=f"眉县第{i:02d}监管所", region=meixian.county)
        for i in range(59)
    ]
    for department in departments[1:]:
        MembershipFactory(user=handler_a, role=Role.HANDLER, department=department)
    other = DepartmentFactory(code="other", name="眉县其他局", region=meixian.county)
    pushed = timezone.now()
    with transaction.atomic():
        for department in [*departments, other]:
            measure_add(
                metric=measures.CLUES,
                on=pushed,
                region=meixian.county,
                department=department,
                key="serious_penalty",
                count=1,
                fed_back=1,
                handled_on_time=1,
            )

    client.force_login(handler_a)
    response = client.get(reverse("credit:clues"))

    assert response.status_code == 200
    # 60 departments of the handler, one clue each; the clue of a department not theirs is not counted
    assert "推送 60 · 已反馈 60 · 按期 60" in response.content.decode()


def _clues(entity, placed: list[tuple]) -> None:
    """Clues at (region, department), n of each; the roll-up rebuilt from them."""
    pushed = timezone.now()
    Clue.objects.bulk_create(
        Clue(
            entity=entity,
            region=region,
            department=department,
            rule_code="serious_penalty",
            rule_label="受到严重行政处罚",
            summary="受到严重行政处罚",
            dedupe_key=f"test:{region.code}:{department.code}:{i}",
            pushed_at=pushed,
            due_on=pushed.date() + dt.timedelta(days=14),
            fed_back_at=pushed,
            handled_on_time=True,
        )
        for region, department, n in placed
        for i in range(n)
    )
    measures_rebuild(metrics=[measures.CLUES])


def test_a_town_supervisor_sees_the_figures_of_their_own_clues(
    client, meixian, dept_a, dept_town, handler_a, supervisor, leader
):
    """A supervisor's or leader's clue figures once summed every clue in the database while the list
    beside them held their region's only: a town's supervisor read the county's and another county's."""
    qishan = region_chain(
        ("610000", "陕西省", Region.Level.PROVINCE),
        ("610300", "宝鸡市", Region.Level.CITY),
        ("610323", "岐山县", Region.Level.COUNTY),
    )
    qishan_bureau = DepartmentFactory(code="qishan-market", name="岐山县市场监督管理局", region=qishan)
    entity = EntityFactory(region=meixian.county, town=meixian.huaiya)
    _clues(
        entity,
        [
            (meixian.huaiya, dept_town, 2),
            (meixian.huaiya_village, dept_a, 1),
            (meixian.yingtou, dept_a, 4),
            (meixian.county, dept_a, 8),
            (qishan, qishan_bureau, 16),
        ],
    )
    town_supervisor = UserFactory(username="huaiya-supervisor")
    MembershipFactory(user=town_supervisor, role=Role.SUPERVISOR, region=meixian.huaiya)
    qishan_leader = UserFactory(username="qishan-leader")
    MembershipFactory(user=qishan_leader, role=Role.LEADER, region=qishan)

    def figures_and_list(user) -> tuple[str, str]:
        client.force_login(user)
        page = client.get(reverse("credit:clues")).content.decode()
        figures = re.search(r"推送 (\d+) · 已反馈 (\d+) · 按期 (\d+)", page).groups()
        return figures, re.search(r"共 (\d+) 条线索", page)[1]

    # the town: its own clues and its village's, whichever department they went to
    assert figures_and_list(town_supervisor) == (("3", "3", "3"), "3")
    # the county: every clue of Meixian, none of Qishan's; the other county's leader the reverse
    assert figures_and_list(supervisor) == (("15", "15", "15"), "15")
    assert figures_and_list(leader) == (("15", "15", "15"), "15")
    assert figures_and_list(qishan_leader) == (("16", "16", "16"), "16")
    # a handler: their department's clues wherever they lie
    assert figures_and_list(handler_a) == (("13", "13", "13"), "13")
