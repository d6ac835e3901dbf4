"""The staff queues on SQLite, the embedded default, after years of history: each reads its open work
through an index, not every application there has been.

Measured at 459 k cases (bench/run.py, 100x the demo): the counter queue took 435 ms, the delivery desk
307 ms and the handling queue 181 ms, because SQLite read "parent IS NULL" through the parent key's index
(its statistics count the NULLs as one key of a few rows), could not match the waiting-results partial index
with the states bound as parameters, and, with the department joined, read a department's cases through the
bare department index. Here the history is a few thousand delivered applications and sub-cases with
ANALYZE run, enough for SQLite to make the same choices."""

import pytest
from django.db import connection

from yiwang.cases import selectors
from yiwang.cases.models import Case

from .test_waiting_queues import _pledged

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("calendar_checked_once"),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's query plans (PostgreSQL's are tested beside)"),
]

ROOTS = 3000  # delivered applications
CHILDREN = 3000  # sub-cases of bundles, each of its own main case: the parent key looks selective


# The roots' states in rotation: mostly delivered, some withdrawn or refused, a few still open.
STATES = "CASE n % 20 WHEN 0 THEN 'in_review' WHEN 1 THEN 'accepted' WHEN 2 THEN 'withdrawn' WHEN 3 THEN 'rejected' ELSE 'delivered' END"


DELIVERED = "'delivered'"


def _history(case: Case, departments: list[int]) -> None:
    """Delivered (and some open) copies of ``case`` spread over ``departments``, and sub-cases each of its own
    main case, then ANALYZE: the statistics a county's years give SQLite."""
    columns = [f.column for f in Case._meta.concrete_fields if f.column not in ("id", "number", "submission_token")]
    names = ", ".join(f'"{c}"' for c in columns)
    department = (
        f"CASE n % {len(departments)} " + " ".join(f"WHEN {i} THEN {pk}" for i, pk in enumerate(departments)) + " END"
    )

    def values(state: str, parent: str) -> str:
        chosen = {"state": state, "parent_id": parent, "department_id": department}
        return ", ".join(chosen.get(c, f'"{c}"') for c in columns)

    with connection.cursor() as cursor:
        series = "WITH RECURSIVE g(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM g WHERE n < %s) "
        cursor.execute(
            f"INSERT INTO cases_case (number, {names}) {series}"  # noqa: S608 - column names from the model
            f"SELECT 'H' || n, {values(STATES, 'NULL')} FROM cases_case, g WHERE id = %s",
            [ROOTS, case.pk],
        )
        cursor.execute(
            f"INSERT INTO cases_case (number, {names}) {series}"  # noqa: S608
            f"SELECT 'C' || n, {values(DELIVERED, '(SELECT min(id) FROM cases_case) + n')} "
            "FROM cases_case, g WHERE id = %s",
            [CHILDREN, case.pk],
        )
        cursor.execute("ANALYZE")


def _plan(queryset) -> str:
    sql, params = queryset.query.sql_with_params()  # as sent: bound parameters stay bound
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


@pytest.fixture
def waiting(citizen, person, food_item, clerk, handler_a, dept_b):
    case = _pledged(citizen, person, food_item, clerk, handler_a)
    _history(case, [case.department_id, dept_b.pk])
    return case


def test_the_results_waiting_are_counted_and_listed_from_their_index(waiting, clerk):
    queue = selectors.clerk_delivery_queue(clerk)

    assert queue.count() == 1 and queue.get() == waiting
    for read in (queue.order_by(), queue.order_by("decided_at", "pk")[:50]):
        plan = _plan(read)
        assert "cases_case_delivery_waiting" in plan, plan
        assert "parent_id" not in plan and "SCAN cases_case\n" not in plan + "\n", plan


def test_the_handling_queue_reads_the_departments_open_cases_by_state(waiting, handler_a):
    queue = selectors.handler_queue_shown(handler_a)[:20]

    plan = _plan(queue)
    assert "cases_case_dept_state_due" in plan, plan
    assert "department_id_" not in plan, plan  # the bare department index: every case it ever had
    rows = list(queue)
    assert len(rows) == 20 and {r.state for r in rows} <= {"in_review", "accepted"}
    assert {r.department_id for r in rows} == {handler_a.memberships.get().department_id}


def test_a_main_case_still_finds_its_sub_cases_through_the_parent_index(waiting):
    main = Case.objects.order_by("pk").first()
    plan = _plan(Case.objects.filter(parent=main))
    assert "cases_case_parent_child" in plan, plan
