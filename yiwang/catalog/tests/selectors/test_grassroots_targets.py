"""Plan 三、1: the town (75) and village (52) lists measured per town and village, and the
15-minute service circle as the villages that have a station."""

import pytest
from django.test import override_settings
from django.urls import reverse

from yiwang.catalog import selectors
from yiwang.catalog.conf import catalog_targets_config
from yiwang.catalog.tests.factories import elements, publish
from yiwang.org.models import ServiceHall
from yiwang.org.tests.factories import ServiceHallFactory

pytestmark = pytest.mark.django_db


def test_the_plan_numbers_are_the_defaults():
    targets = catalog_targets_config()
    assert targets["town_list_items"] == 75
    assert targets["village_list_items"] == 52


@pytest.fixture
def grassroots(admin_user, departments, meixian):
    def item(n, level, region=None, **overrides):
        values = {"code": f"610326-G-{n:03d}", "name": f"基层事项{n}", "level": level, **overrides}
        if region is not None:
            values["region"] = region.code
        return elements(**values)

    # Three town items for every town (published for the county), one more for 营头镇 only;
    # two village items for every village, one more for 红河谷村 only.
    publish(
        admin_user,
        item(1, "town"),
        item(2, "town"),
        item(3, "town"),
        item(4, "town", meixian.yingtou),
        item(5, "village"),
        item(6, "village"),
        item(7, "village", meixian.honghegu),
    )
    ServiceHallFactory(name="红河谷村便民服务站", kind=ServiceHall.Kind.VILLAGE_STATION, region=meixian.honghegu)
    ServiceHallFactory(name="营头镇便民服务中心", kind=ServiceHall.Kind.TOWN_CENTRE, region=meixian.yingtou)
    return meixian


def test_each_town_and_village_is_measured_on_what_it_offers(grassroots):
    with override_settings(YIWANG_CATALOG_TARGETS={"town_list_items": 4, "village_list_items": 3}):
        data = selectors.grassroots_targets()

    rows = {row.town.name: row for row in data["rows"]}
    assert rows["营头镇"].town_items == 4 and rows["营头镇"].has_centre
    assert rows["槐芽镇"].town_items == 3 and not rows["槐芽镇"].has_centre
    villages = {v.name: (n, station) for v, n, station in rows["营头镇"].village_rows}
    assert villages == {"红河谷村": (3, True)}
    assert rows["槐芽镇"].village_rows[0][1:] == (2, False)
    assert data["towns_meeting_list"] == 1 and data["towns"] == 3
    assert data["villages_meeting_list"] == 1 and data["villages_with_station"] == 1 and data["villages"] == 3


def test_the_targets_page_shows_the_lists_and_the_service_circle(client, grassroots, leader):
    client.force_login(leader)
    html = client.get(reverse("catalog:targets")).content.decode()
    assert "镇（街）达到 75 项：0 / 3" in html
    assert "已设便民服务站的村（社区）：1 / 3" in html
    assert "红河谷村：3 项 · 有服务站" in html
