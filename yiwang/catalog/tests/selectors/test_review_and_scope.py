"""Staff scoping and the blind review queue."""

import pytest

from yiwang.catalog import selectors, services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.tests.factories import elements, publish

pytestmark = pytest.mark.django_db


@pytest.fixture
def housing_item(admin_user, dept_c):
    return publish(
        admin_user,
        elements(
            code="610326-XK-0200",
            name="建筑工程施工许可证核发",
            competent_department="housing-construction",
            implementing_department="housing-construction",
        ),
    )[0]


def test_a_handler_sees_only_items_of_their_department(food_item, housing_item, handler_a, handler_c, leader):
    assert [i.code for i in selectors.staff_items(handler_a)] == [food_item.code]
    assert [i.code for i in selectors.staff_items(handler_c)] == [housing_item.code]
    assert {i.code for i in selectors.staff_items(leader)} == {food_item.code, housing_item.code}
    assert selectors.staff_item(handler_c, food_item.code) is None


def test_the_review_queue_shows_only_independent_reviewers_the_change(food_item, handler_a, handler_b, handler_c):
    change = services.item_change_propose(
        elements={**item_elements(food_item), "promised_days": 3}, reason="压缩", actor=handler_a, item=food_item
    )
    assert selectors.review_queue(reviewer=handler_a) == []
    assert selectors.review_queue(reviewer=handler_b) == []
    assert selectors.review_queue(reviewer=handler_c) == [change]
    view = selectors.review_detail(change=change, reviewer=handler_c)
    assert "proposed_by" not in view
    assert [row["key"] for row in view["diff"]] == ["promised_days"]
    assert (view["diff"][0]["before"], view["diff"][0]["after"]) == (5, 3)
    assert selectors.review_detail(change=change, reviewer=handler_b) is None


def test_staff_list_flags_warnings(admin_user, departments, leader):
    publish(admin_user, elements(legal_days=5, promised_days=5, code="610326-XK-0300", name="未压缩的事项"))
    items, problems = selectors.staff_item_list(user=leader, problems_only=True)
    assert [i.code for i in items] == ["610326-XK-0300"]
    assert [p.code for p in problems[items[0].pk]] == ["catalog.promise_not_compressed"]
