"""PostgreSQL: publishing writes the item's jieba words into its tsvector in the same transaction."""

import pytest
from django.db import connection

from yiwang.catalog import selectors
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.search import segment
from yiwang.catalog.tests.factories import elements, publish

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite keeps the substring search"),
]


def test_it_segments_words_and_their_parts():
    assert segment("营业执照补办", for_search=False) == ["营业执照", "补办"]
    assert {"营业", "执照", "营业执照"} <= set(segment("营业执照"))


def test_it_writes_the_vector_when_publishing(admin_user, departments):
    (item,) = publish(admin_user, elements(code="610326-XK-0009", name="烟草专卖零售许可证核发", keywords="卖烟"))
    with connection.cursor() as cursor:
        cursor.execute("SELECT search_vector::text FROM catalog_serviceitem WHERE id = %s", [item.pk])
        (vector,) = cursor.fetchone()
    assert "'烟草':1A" in vector and "'卖烟'" in vector
    assert [i.code for i in selectors.item_search(query="烟草 零售").queryset] == ["610326-XK-0009"]
    assert [i.code for i in selectors.item_search(query="卖烟").queryset] == ["610326-XK-0009"]
    assert ServiceItem.objects.filter(search_vector__isnull=True).count() == 0
