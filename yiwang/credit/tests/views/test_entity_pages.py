"""The staff's market-entity list pages 50 at a time with the shared page links: the name search, the
risk class and the town stay on every link (the search URL-encoded), and 末页 reaches the last page."""

import pytest
from django.urls import reverse

from yiwang.credit.models import RiskClass
from yiwang.credit.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def test_the_entity_list_keeps_its_filters_on_every_page_link(client, handler_a):
    EntityFactory.create_batch(120, risk_class=RiskClass.B)
    EntityFactory.create_batch(5, risk_class=RiskClass.C)
    client.force_login(handler_a)
    url = reverse("credit:entities")
    filters = {"q": "猕猴桃", "class": "B", "town": ""}

    first = client.get(url, filters).content.decode()
    last = client.get(url, {**filters, "page": 3}).content.decode()

    keep = "?q=%E7%8C%95%E7%8C%B4%E6%A1%83&amp;class=B&amp;town="
    assert "共 120 户" in first and "第 1 / 3 页" in first
    assert f'href="{keep}&page=2"' in first and f'href="{keep}&page=3">末页' in first
    assert "第 3 / 3 页" in last and f'href="{keep}&page=1">首页' in last
    assert last.count("眉县示例猕猴桃专业合作社") == 20
