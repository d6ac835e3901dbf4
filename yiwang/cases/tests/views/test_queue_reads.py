"""The department's queues cost the same number of queries for one row as for many (no per-row reads),
and the handling queue loads no encrypted applicant field it does not show (issue: province scale)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases import selectors, services
from yiwang.cases.models import PledgeVerification

from ..conftest import FORM, complete_steps

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _queries(client, url: str) -> tuple[int, str]:
    client.get(url)  # the first request warms the session and the calendar
    with CaptureQueriesContext(connection) as captured:
        page = client.get(url)
    assert page.status_code == 200
    return len(captured.captured_queries), page.content.decode()


def _in_review(citizen, person, food_item, clerk, handler_a):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03", "M04"))
    return services.case_assign(case=case, actor=handler_a)


def _pledged(citizen, person, food_item, clerk, handler_a):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    services.case_assign(case=case, actor=handler_a)
    complete_steps(case, handler_a)
    services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="告知承诺审批")
    return case


def test_the_handling_queue_reads_the_same_for_one_case_as_for_four(
    client, citizen, person, food_item, clerk, handler_a
):
    client.force_login(handler_a)
    first = _in_review(citizen, person, food_item, clerk, handler_a)
    one, page = _queries(client, "/cases/handling/")
    assert first.number in page
    more = [_in_review(citizen, person, food_item, clerk, handler_a) for _ in range(3)]
    four, page = _queries(client, "/cases/handling/")
    assert all(case.number in page for case in more)
    assert four == one


def test_the_handling_queue_leaves_the_encrypted_applicant_fields_unread(citizen, person, food_item, clerk, handler_a):
    case = _in_review(citizen, person, food_item, clerk, handler_a)
    [(row, deadline)] = selectors.handler_queue_rows(handler_a)
    assert row.pk == case.pk and deadline is not None and deadline.label == "办理期限"
    assert set(selectors.QUEUE_DEFERRED) <= row.get_deferred_fields()
    with CaptureQueriesContext(connection) as captured:
        assert row.title == case.title and row.due_on == case.due_on and row.clock.due_on == case.due_on
    assert captured.captured_queries == []


def test_the_verification_queue_reads_the_same_for_one_pledge_as_for_three(
    client, citizen, person, food_item, clerk, handler_a
):
    client.force_login(handler_a)
    first = _pledged(citizen, person, food_item, clerk, handler_a)
    one, page = _queries(client, "/cases/handling/verifications/")
    assert first.number in page and page.count("承诺属实") == 1
    more = [_pledged(citizen, person, food_item, clerk, handler_a) for _ in range(2)]
    three, page = _queries(client, "/cases/handling/verifications/")
    assert all(case.number in page for case in more) and page.count("承诺属实") == 3
    # Each task names the material its pledge stands in for (read in one query for all of them).
    material = PledgeVerification.objects.get(case=first).pledge.materials.get().name
    assert page.count(material) >= 3
    assert three == one
