"""A drill-down page finds its ids by a narrow query and reads only that page's rows with their related
rows (issue: province scale): same rows, same order, no read per row."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases import services
from yiwang.cases.drill import page_of
from yiwang.cases.models import Case

from ..conftest import FORM

pytestmark = pytest.mark.django_db


def test_a_page_holds_the_rows_of_the_sorted_list_with_what_they_are_shown_with(citizen, person, food_item, clerk):
    for _ in range(3):
        case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
        services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03", "M04"))
    listed = Case.objects.order_by("-pk")

    with CaptureQueriesContext(connection) as captured:
        first, second = page_of(listed, 1, 2), page_of(listed, "2", 2)
        shown = [(c.number, c.item.name, str(c.department), c.clock.due_on) for c in [*first, *second]]
    # Per page: the count, the ids, the rows with their item, department and clock.
    assert len(captured.captured_queries) == 6

    expected = list(listed.select_related("item", "department", "clock"))
    assert [c.pk for c in first] == [c.pk for c in expected[:2]]
    assert [c.pk for c in second] == [expected[2].pk]
    assert shown == [(c.number, c.item.name, str(c.department), c.clock.due_on) for c in expected]
    assert first.paginator.count == 3 and first.has_next() and not second.has_next()


def test_a_long_list_counts_up_to_its_cap_and_says_there_are_more(monkeypatch, citizen, person, food_item, clerk):
    from yiwang.cases import drill

    monkeypatch.setattr(drill, "LIST_CAP", 2)
    for _ in range(3):
        services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    page = page_of(Case.objects.order_by("-pk"), 1, 50)
    assert page.paginator.count == 2 and page.paginator.count_capped
    assert len(page.object_list) == 2
    short = page_of(Case.objects.filter(pk__in=[]).order_by("-pk"), 1, 50)
    assert short.paginator.count == 0 and not short.paginator.count_capped
