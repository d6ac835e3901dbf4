import pytest
from django.db import transaction

from yiwang.catalog import measures as catm
from yiwang.measures.selectors import fact_total, measures_check, stored_rows
from yiwang.measures.services import measures_rebuild

pytestmark = pytest.mark.django_db


def test_it_recomputes_a_department_snapshot_as_the_rebuild_does(food_item, counter_item, dept_a, dept_b):
    with transaction.atomic():
        catm.on_items_changed(departments=[dept_a, dept_b])
    kept = stored_rows(catm.ITEMS)
    assert measures_check(metrics=[catm.ITEMS]) == []
    measures_rebuild(metrics=[catm.ITEMS])
    assert stored_rows(catm.ITEMS) == kept
    total = fact_total(catm.ITEMS)
    assert (total["count"], total["applied"], total["online"]) == (2, 2, 1)
    assert fact_total(catm.ITEMS, department=dept_b)["online"] == 0
