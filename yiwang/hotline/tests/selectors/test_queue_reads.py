"""A department's appeals are found by indexed department columns, never an OR across the join to the
co-departments (which reads every dispatch there is), and its queue costs the same queries for one
appeal as for several (issue: province scale)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.hotline import selectors, services
from yiwang.hotline.models import Appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _road(make_appeal, n: int):
    return make_appeal(title=f"村道坑洼{n}", content=f"营头镇{n}组的村道坑洼不平，下雨积水，请尽快修补。")


def test_a_departments_reading_scope_has_no_join_to_the_co_departments(handler_b):
    sql = str(selectors.scope_appeals(Appeal.objects.all(), handler_b).query).upper()
    assert "OUTER JOIN" not in sql and "DISTINCT" not in sql


def test_the_handler_queue_reads_lead_and_co_handled_appeals_in_the_same_queries_for_one_or_four(
    make_appeal, operator, dept_a, dept_b, handler_b
):
    led = services.appeal_dispatch(appeal=_road(make_appeal, 1), department=dept_b, actor=operator)
    selectors.handler_queue(user=handler_b)  # the user's scope is read once and kept on the user
    with CaptureQueriesContext(connection) as one:
        rows = selectors.handler_queue(user=handler_b)
    assert [(r.appeal.code, r.role) for r in rows] == [(led.code, "lead")]

    helped = [
        services.appeal_dispatch(
            appeal=_road(make_appeal, n), department=dept_a, co_departments=[dept_b], actor=operator
        )
        for n in (2, 3)
    ]
    elsewhere = services.appeal_dispatch(appeal=_road(make_appeal, 4), department=dept_a, actor=operator)
    with CaptureQueriesContext(connection) as four:
        rows = selectors.handler_queue(user=handler_b, sort="received")
    roles = {r.appeal.code: r.role for r in rows}
    assert roles == {led.code: "lead", helped[0].code: "co", helped[1].code: "co"}
    assert elsewhere.code not in roles
    assert len(four.captured_queries) == len(one.captured_queries)


def test_a_returned_department_still_reads_the_appeal_but_no_longer_queues_it(
    dispatched, operator, dept_b, handler_a, handler_b
):
    request = services.appeal_return(appeal=dispatched, reason="不属于本部门职责范围", actor=handler_a)
    services.appeal_return_decide(return_request=request, approve=True, department=dept_b, actor=operator)

    assert selectors.scope_appeals(Appeal.objects.filter(pk=dispatched.pk), handler_a).exists()
    assert [r.appeal.code for r in selectors.handler_queue(user=handler_a)] == []
    assert [r.appeal.code for r in selectors.handler_queue(user=handler_b)] == [dispatched.code]
