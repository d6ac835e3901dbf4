"""The plan's catalog targets measured on a known catalog."""

import pytest
from django.test import override_settings

from yiwang.catalog import selectors, services
from yiwang.catalog.tests.factories import elements, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def known_catalog(admin_user, departments):
    """5 items of 市场监管局 (competent) and 2 of 审批局:
    depth ≥ III on 4 of the 6 items applied for; 0 visits on 3; 2 instant; 3 counted reform modes."""

    def item(n, **overrides):
        return elements(code=f"610326-T-{n:03d}", name=f"测试事项{n}", **overrides)

    instant = {"handling_type": "instant", "promised_days": 0}
    zero = {"online_depth": 4, "visits_required": 0, "visits_reason": ""}
    return publish(
        admin_user,
        item(1, **zero, reform_mode="pledge"),  # online, zero visits, reform
        item(2, **zero, **instant, reform_mode="filing", pledge_allowed=True),  # online, zero, instant, reform
        item(3, online_depth=3, reform_mode="cancel"),  # online, reform
        item(4, online_depth=2, reform_mode="optimise"),  # not online; 优化审批服务 does not count
        item(5, online_depth=3, visits_required=0, visits_reason="", on_application=False, reform_mode=""),
        item(6, competent_department="admin-approval", online_depth=1, visits_required=2, reform_mode=""),
        item(7, competent_department="admin-approval", **zero, **instant, reform_mode=""),
    )


def test_it_measures_each_target_overall(known_catalog):
    data = selectors.catalog_targets()
    overall = data["overall"]
    assert (overall.published, overall.applied, overall.online) == (7, 6, 4)
    assert overall.online_rate == pytest.approx(4 / 6)
    assert overall.zero_visit == 3 and overall.zero_visit_share == pytest.approx(0.5)
    assert overall.instant == 2
    assert overall.reform == 3
    assert data["targets"]["online_rate"] == 0.60 and data["targets"]["reform_items"] == 106
    assert data["met"] == {"online_rate": True, "reform_items": False, "zero_visit_share": None, "instant_items": False}
    assert data["targets"]["instant_items"] == 150  # 县级默认: 三、2 gives no number


def test_it_measures_each_department(known_catalog):
    rows = {row.department.code: row for row in selectors.catalog_targets()["departments"]}
    market, approval = rows["market-regulation"], rows["admin-approval"]
    assert (market.published, market.applied, market.online, market.reform) == (5, 4, 3, 3)
    assert market.online_pct == 75.0
    assert (approval.published, approval.applied, approval.online, approval.instant) == (2, 2, 1, 1)
    assert approval.online_pct == 50.0


def test_withdrawn_items_do_not_count(known_catalog, admin_user):
    services.item_withdraw(item=known_catalog[0], reason="停用", actor=admin_user)
    overall = selectors.catalog_targets()["overall"]
    assert (overall.published, overall.online, overall.reform) == (6, 3, 2)


@override_settings(YIWANG_CATALOG_TARGETS={"online_rate": 0.8, "reform_items": 3})
def test_targets_are_configuration_with_the_plan_as_default(known_catalog):
    data = selectors.catalog_targets()
    assert data["met"]["online_rate"] is False and data["met"]["reform_items"] is True


def test_the_instant_target_is_shown_as_the_county_default_with_its_gap(client, known_catalog, leader):
    from django.urls import reverse

    client.force_login(leader)
    html = client.get(reverse("catalog:targets")).content.decode()
    assert "≥ 150 项" in html and "县级默认，方案未给出数值" in html
    assert "未达标，差 148 项" in html  # 2 instant items of 150
    with override_settings(YIWANG_CATALOG_TARGETS={"instant_items": 2}):
        html = client.get(reverse("catalog:targets")).content.decode()
    assert "≥ 2 项" in html and "县级默认，方案未给出数值" not in html
