import pytest
from django.contrib.auth.models import AnonymousUser

from yiwang.org.models import Role
from yiwang.org.workbench import Link, cards_for, workbench


class Staff:
    is_staff = True


@pytest.fixture
def without_hotline():
    workbench.discover()
    cards, links = dict(workbench._cards), dict(workbench._links)
    workbench.unregister("hotline")
    yield
    workbench._cards, workbench._links = cards, links


def test_it_has_a_card_for_every_role():
    assert {card["role"] for card in cards_for(Staff(), set(Role.values))} == set(Role.values)


def test_it_collects_links_from_every_installed_app():
    assert {"org", "workdays", "catalog", "cases", "hotline"} <= set(workbench.providers())


def test_it_resolves_every_link_for_every_role():
    for role in Role.values:
        registered = workbench.links(role)
        assert all(link.url() for link in registered), role
        [card] = cards_for(Staff(), {role})
        assert len(card["links"]) == len(registered), role


def test_it_orders_cards_by_role_and_hides_staff_only_links(db):
    user = AnonymousUser()
    cards = cards_for(user, {"admin", "citizen"})
    assert [c["role"] for c in cards] == ["citizen", "admin"]
    assert "用户" not in [link["label"] for link in cards[1]["links"]]
    assert "用户" in [link["label"] for link in cards_for(Staff(), {"admin"})[0]["links"]]


def test_it_keeps_each_cards_links_in_their_order():
    [card] = cards_for(Staff(), {"supervisor"})
    assert [link["label"] for link in card["links"]] == [
        "办件效能",
        "营商环境驾驶舱",
        "方案任务督办",
        "营商环境指标",
        "台账",
        "考核",
        "办件、诉求督办",
        "在办超期件",
        "在办超期诉求",
        "接诉即办看板",
        "整改审核",
        "事项目录指标",
        "效能大体检",
        "好差评目标与统计",
        "工程审批与报装效能",
        "办不成事月报",
        "信用监管概况",
        "临期超期项目",
        "风险预警线索",
        "双随机抽查统计",
        "惠企政策统计",
        "证照签发与调用",
        "电子证照库",
        "工作日历",
        "部门与别名",
    ]


def test_it_drops_a_link_whose_page_does_not_exist_yet():
    assert Link("未上线", "nowhere:page").url() is None
    assert Link("文档", "/api/docs").url() == "/api/docs"


def test_it_drops_an_apps_links_when_its_provider_is_gone(without_hotline):
    [card] = cards_for(Staff(), {"dispatcher"})
    assert [link["label"] for link in card["links"]] == ["工作日历", "部门与别名"]
    [citizen] = cards_for(Staff(), {"citizen"})
    assert not any(link["url"].startswith("/hotline/") for link in citizen["links"])


def test_it_shows_no_card_for_a_role_whose_provider_is_gone():
    workbench.discover()
    cards, links = dict(workbench._cards), dict(workbench._links)
    try:
        workbench.unregister("org")
        assert cards_for(Staff(), set(Role.values)) == []
    finally:
        workbench._cards, workbench._links = cards, links


def test_it_renders_the_page_without_an_apps_links(client, dispatcher, without_hotline):
    client.force_login(dispatcher)
    html = client.get("/workbench/").content.decode()
    card = html.split('data-role="dispatcher"', 1)[1].split("</section>", 1)[0]
    assert '<a href="/workdays/">工作日历</a>' in card
    assert '<a href="/org/departments/">部门与别名</a>' in card
    assert "/hotline/" not in card
    assert "即将上线" not in html
