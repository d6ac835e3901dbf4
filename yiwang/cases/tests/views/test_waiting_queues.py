"""The two queues whose open work grows with a county: the pledge verifications (事中事后核查) and the
counter (收件 and 统一窗口出件). Each counts all it has and reads one page, its rows without the fields
they do not show; on PostgreSQL the results waiting at a hall are read from their partial index, not from
every application there has been (issue: province scale)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from yiwang.cases import selectors, services
from yiwang.cases.models import DECIDED_STATES, Case, CaseState, PledgeVerification
from yiwang.core.tests.reads import read_page
from yiwang.workdays.calendar import get_calendar

from ..conftest import FORM, complete_steps

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]

HISTORY = 20000  # delivered applications: what a county's years leave behind


def _pledged(citizen, person, food_item, clerk, handler_a) -> Case:
    """An application accepted at the clerk's hall on a pledge (告知承诺) and approved: its verification
    is pending and its result waits at the counter."""
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    services.case_assign(case=case, actor=handler_a)
    complete_steps(case, handler_a)
    services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="告知承诺审批")
    case.refresh_from_db()
    return case


def test_the_verification_queue_pages_every_pending_task_nearest_deadline_first(
    client, monkeypatch, citizen, person, food_item, clerk, handler_a
):
    from yiwang.cases.views import handling

    monkeypatch.setattr(handling, "QUEUE_PAGE", 2)
    first, second, third = (_pledged(citizen, person, food_item, clerk, handler_a) for _ in range(3))
    # the third is due first: the first two five working days later
    later = get_calendar().add_workdays(PledgeVerification.objects.get(case=third).due_on, 5).due
    PledgeVerification.objects.filter(case__in=[first, second]).update(due_on=later)
    client.force_login(handler_a)

    _, page = read_page(client, "/cases/handling/verifications/")
    assert "待核查共 3 件" in page and "第 1 / 2 页" in page
    assert page.count("承诺属实") == 2
    assert third.number in page and first.number in page and second.number not in page
    assert page.index(third.number) < page.index(first.number)

    _, page = read_page(client, "/cases/handling/verifications/", page=2)
    assert "第 2 / 2 页" in page and page.count("承诺属实") == 1 and second.number in page


def test_the_verification_tasks_leave_the_encrypted_applicant_fields_unread(
    citizen, person, food_item, clerk, handler_a
):
    case = _pledged(citizen, person, food_item, clerk, handler_a)
    [task] = selectors.verification_queue_shown(handler_a)
    assert set(selectors.QUEUE_DEFERRED) <= task.case.get_deferred_fields()
    with CaptureQueriesContext(connection) as captured:
        shown = (
            task.case.number,
            task.case.title,
            task.case.applicant_name,
            [m.name for m in task.pledge.materials.all()],
        )
    assert captured.captured_queries == []
    assert shown[:3] == (case.number, case.title, case.applicant_name) and len(shown[3]) == 1


def test_the_counter_queue_leaves_the_encrypted_applicant_fields_unread(client, citizen, person, food_item, clerk):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    [row] = selectors.clerk_intake_queue_shown(clerk)
    assert row.pk == case.pk and set(selectors.QUEUE_DEFERRED) <= row.get_deferred_fields()
    client.force_login(clerk)
    one, page = read_page(client, "/cases/counter/")
    assert case.number in page and case.applicant_name in page and "共 1 件" in page
    more = [services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM) for _ in range(2)]
    three, page = read_page(client, "/cases/counter/")
    assert all(c.number in page for c in more) and "共 3 件" in page
    assert three == one  # no field read per row


def test_the_waiting_results_index_holds_the_delivery_queues_states():
    (index,) = [i for i in Case._meta.indexes if i.name == "cases_case_delivery_waiting"]
    children = dict(index.condition.children)
    assert set(children["state__in"]) == set(DECIDED_STATES)
    assert children["parent__isnull"] is True
    assert list(index.fields[:2]) == ["decided_at", "id"]  # the delivery desk's order


def _history(case: Case, count: int) -> None:
    """``count`` delivered copies of ``case`` at its hall, in one INSERT … SELECT, each with its own number."""
    columns = [f.column for f in Case._meta.concrete_fields if f.column not in ("id", "number", "submission_token")]
    values = ["'delivered'" if c == "state" else f'"{c}"' for c in columns]
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO cases_case (number, {names}) "  # noqa: S608 - column names from the model
            f"SELECT 'H' || g, {', '.join(values)} FROM cases_case, generate_series(1, %s) g WHERE id = %s",
            [count, case.pk],
        )
        cursor.execute("ANALYZE cases_case")


def _plan(sql: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + sql)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_counter_counts_the_waiting_results_from_their_index(client, citizen, person, food_item, clerk, handler_a):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL query plan")
    waiting = _pledged(citizen, person, food_item, clerk, handler_a)
    assert waiting.state == CaseState.DECIDED_APPROVED and waiting.hall_id is not None
    _history(waiting, HISTORY)
    client.force_login(clerk)
    client.get("/cases/counter/")
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/cases/counter/").content.decode()
    statements = [q["sql"] for q in captured.captured_queries]
    assert "待出件 1" in page
    [count] = [s for s in statements if s.startswith("SELECT COUNT(*)") and "decided_approved" in s]
    plan = _plan(count)
    assert "cases_case_delivery_waiting" in plan, plan
    assert "Seq Scan on cases_case" not in plan and "cases_case_parent_id" not in plan, plan


def test_the_delivery_desk_reads_its_page_from_the_waiting_results_index(
    client, citizen, person, food_item, clerk, handler_a
):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL query plan")
    waiting = _pledged(citizen, person, food_item, clerk, handler_a)
    _history(waiting, HISTORY)
    client.force_login(clerk)
    client.get("/cases/counter/delivery/")
    with CaptureQueriesContext(connection) as captured:
        page = client.get("/cases/counter/delivery/").content.decode()
    assert waiting.number in page and "待出件共 1 件" in page
    [rows] = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].startswith('SELECT "cases_case"."id"') and "decided_approved" in q["sql"] and "ORDER BY" in q["sql"]
    ]
    plan = _plan(rows)
    assert "cases_case_delivery_waiting" in plan, plan
    assert "Seq Scan on cases_case" not in plan and "cases_case_decided" not in plan, plan
