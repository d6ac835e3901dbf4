from django.contrib.auth.models import AnonymousUser

from yiwang.org.models import Role
from yiwang.org.workbench import CARDS, Link, cards_for


def test_it_has_a_card_for_every_role():
    assert set(CARDS) == set(Role.values)


def test_it_orders_cards_by_role_and_hides_staff_only_links(db):
    user = AnonymousUser()
    cards = cards_for(user, {"admin", "citizen"})
    assert [c["role"] for c in cards] == ["citizen", "admin"]
    assert "用户" not in [link["label"] for link in cards[1]["links"]]


def test_it_drops_a_link_whose_page_does_not_exist_yet():
    assert Link("未上线", "nowhere:page").url() is None
    assert Link("文档", "/api/docs").url() == "/api/docs"
