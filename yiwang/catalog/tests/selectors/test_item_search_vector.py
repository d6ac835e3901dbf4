"""Publishing writes the item's jieba words into the text index in the same transaction: PostgreSQL's
tsvector (GIN), SQLite's FTS5 table; searches read the index on both."""

import pytest
from django.db import connection

from yiwang.catalog import selectors
from yiwang.catalog.models import ServiceItem
from yiwang.catalog.search import FTS_TABLE, segment, text_index, vector_write
from yiwang.catalog.tests.factories import elements, material, publish

pytestmark = pytest.mark.django_db
POSTGRESQL = connection.vendor == "postgresql"


def test_it_segments_words_and_their_parts():
    assert segment("营业执照补办", for_search=False) == ["营业执照", "补办"]
    assert {"营业", "执照", "营业执照"} <= set(segment("营业执照"))


def test_it_writes_the_vector_when_publishing(admin_user, departments):
    (item,) = publish(admin_user, elements(code="610326-XK-0009", name="烟草专卖零售许可证核发", keywords="卖烟"))
    with connection.cursor() as cursor:
        if POSTGRESQL:
            cursor.execute("SELECT search_vector::text FROM catalog_serviceitem WHERE id = %s", [item.pk])
            (vector,) = cursor.fetchone()
            assert "'烟草':1A" in vector and "'卖烟'" in vector
        else:
            assert text_index() == "sqlite"
            cursor.execute(f"SELECT name, keywords FROM {FTS_TABLE} WHERE rowid = %s", [item.pk])  # noqa: S608
            name, keywords = cursor.fetchone()
            assert "烟草" in name.split() and keywords.split() == ["卖烟"]
    assert [i.code for i in selectors.item_search(query="烟草 零售").queryset] == ["610326-XK-0009"]
    assert [i.code for i in selectors.item_search(query="卖烟").queryset] == ["610326-XK-0009"]
    if POSTGRESQL:
        assert ServiceItem.objects.filter(search_vector__isnull=True).count() == 0


def test_writing_an_item_again_replaces_its_words(admin_user, departments):
    (item,) = publish(admin_user, elements(code="610326-XK-0010", name="烟草专卖零售许可证核发", keywords="卖烟"))
    item.keywords = "香烟"
    vector_write([item])
    vector_write([item])
    assert [i.code for i in selectors.item_search(query="香烟").queryset] == ["610326-XK-0010"]
    if not POSTGRESQL:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT keywords FROM {FTS_TABLE} WHERE rowid = %s", [item.pk])  # noqa: S608
            assert cursor.fetchall() == [("香烟",)]


def _show_seqscan():
    with connection.cursor() as cursor:
        cursor.execute("SHOW enable_seqscan")
        return cursor.fetchone()[0]


def test_a_page_of_a_common_word_is_ranked_on_name_and_keywords_in_a_few_queries(
    admin_user, departments, django_assert_max_num_queries
):
    publish(
        admin_user,
        elements(code="610326-XK-0011", name="烟草专卖零售许可证核发", keywords=""),
        elements(code="610326-XK-0012", name="食品小作坊登记", keywords="烟草 副食"),
        elements(
            code="610326-XK-0013",
            name="个体工商户设立登记",
            keywords="开店",
            materials=[material(code="M01", name="烟草专卖零售许可证复印件")],
        ),
    )
    # The count, then the page with its departments; each in a savepoint that sets and restores the
    # planner setting (2 + 3 statements apiece): no query per row.
    with django_assert_max_num_queries(10):
        outcome = selectors.item_search(query="烟草")
        page = outcome.page(1, 20)
        rows = [(item.code, item.competent_department.name) for item in page.object_list]
    assert outcome.count == 3 and not outcome.fuzzy
    # Name (A) before keywords (B) before the rest of the text.
    assert [code for code, _ in rows] == ["610326-XK-0011", "610326-XK-0012", "610326-XK-0013"]
    if POSTGRESQL:
        assert _show_seqscan() == "on"  # the planner setting does not outlive the search


def test_the_fallback_looks_its_words_up_at_once(admin_user, departments, django_assert_max_num_queries):
    publish(admin_user, elements(code="610326-XK-0021", name="烟草专卖零售许可证补办", keywords="卖烟"))
    # Strict count, every word's presence in one query, the fallback's count, then the page (savepoints
    # and the planner setting as above): not one query per word.
    with django_assert_max_num_queries(12):
        outcome = selectors.item_search(query="烟草专卖火星")
        codes = [item.code for item in outcome.page(1, 20).object_list]
    assert outcome.fuzzy and codes == ["610326-XK-0021"]
    if POSTGRESQL:
        assert _show_seqscan() == "on"
