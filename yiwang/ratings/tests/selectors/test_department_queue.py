"""The department's rectification queue: its open rectifications by due day — the closed history is
left out (and, on PostgreSQL, never read: a partial index holds the open ones) — at the same cost in
statements for one row as for several (issue: province scale)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.ratings import selectors
from yiwang.ratings.models import Rectification
from yiwang.ratings.services.ratings import rating_submit

pytestmark = pytest.mark.django_db


def _bad_rating(make_case, citizen) -> Rectification:
    rating = rating_submit(actor=citizen, case=make_case(), level=1, channel="online", comment="推诿扯皮")
    return Rectification.objects.get(rating=rating)


def test_it_lists_the_open_rectifications_by_due_day_in_the_same_statements_for_one_or_three(
    make_case, citizen, handler_a, handler_b
):
    first = _bad_rating(make_case, citizen)
    selectors.department_queue(handler_a)  # the user's scope is read once and kept on the user
    with CaptureQueriesContext(connection) as one:
        assert [row.rectification.pk for row in selectors.department_queue(handler_a)] == [first.pk]

    later, closed = _bad_rating(make_case, citizen), _bad_rating(make_case, citizen)
    Rectification.objects.filter(pk=closed.pk).update(state=Rectification.State.CLOSED)
    Rectification.objects.filter(pk=first.pk).update(due_on=later.due_on.replace(day=1))
    with CaptureQueriesContext(connection) as three:
        rows = selectors.department_queue(handler_a)

    assert [row.rectification.pk for row in rows] == [first.pk, later.pk]
    assert all(row.deadline is not None for row in rows)
    assert len(three.captured_queries) == len(one.captured_queries)
    assert selectors.department_queue(handler_b) == []
