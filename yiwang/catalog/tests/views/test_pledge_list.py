"""The public, filterable list of 告知承诺 items."""

import pytest

from yiwang.catalog.tests.factories import BASE_MATERIALS, elements, publish

pytestmark = pytest.mark.django_db


def test_it_lists_pledge_items_and_filters_them(client, admin_user, departments):
    publish(
        admin_user,
        elements(code="610326-P-001", name="食品经营许可（告知承诺）", reform_mode="pledge"),
        elements(code="610326-P-002", name="药品零售许可", pledge_allowed=True, reform_mode=""),
        elements(
            code="610326-P-003",
            name="户外广告设置审批",
            reform_mode="",
            pledge_allowed=False,
            materials=[{**m, "pledge_replaceable": False} for m in BASE_MATERIALS],
        ),
    )
    html = client.get("/services/pledges/").content.decode()
    assert "食品经营许可（告知承诺）" in html and "药品零售许可" in html
    assert "户外广告设置审批" not in html
    assert "共 2 项" in html

    html = client.get("/services/pledges/", {"q": "药品"}).content.decode()
    assert "药品零售许可" in html and "食品经营许可（告知承诺）" not in html
    html = client.get("/services/pledges/", {"department": "no-such-dept"}).content.decode()
    assert "没有符合条件的事项" in html
