"""Two handlers decide the same case at the same moment: exactly one decision wins.

On PostgreSQL two threads really race; the row lock (SELECT … FOR UPDATE) makes the second wait and
then find the case decided. SQLite serialises writers on its own; the stale-copy test in
test_case_handling.py shows the re-read under the lock on both databases.
"""

import threading

import pytest
from django.db import connection, connections

from yiwang.cases import services
from yiwang.cases.models import Case, CaseState, Decision
from yiwang.core.errors import ApplicationError
from yiwang.org.models import Membership, Role
from yiwang.org.tests.factories import UserFactory

from ..conftest import complete_steps

pytestmark = pytest.mark.django_db(transaction=True)


def test_it_lets_exactly_one_of_two_concurrent_decisions_win(review_case, handler_a, dept_a):
    if connection.vendor != "postgresql":
        pytest.skip("real concurrent writers need PostgreSQL; SQLite serialises them (see the stale-copy test)")
    colleague = UserFactory(username="colleague")
    Membership.objects.create(user=colleague, role=Role.HANDLER, department=dept_a)
    complete_steps(review_case, handler_a)
    barrier = threading.Barrier(2)
    outcomes: dict[str, object] = {}

    def decide(actor, outcome):
        try:
            case = Case.objects.get(pk=review_case.pk)
            barrier.wait()
            services.case_decide(case=case, actor=actor, outcome=outcome, reasons=f"{actor} 的决定")
            outcomes[outcome] = "won"
        except ApplicationError as error:
            outcomes[outcome] = error.code
        finally:
            connections.close_all()

    threads = [
        threading.Thread(target=decide, args=(handler_a, "approved")),
        threading.Thread(target=decide, args=(colleague, "denied")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)

    assert sorted(outcomes.values()) == ["case.invalid_transition", "won"]
    assert Decision.objects.filter(case=review_case).count() == 1
    review_case.refresh_from_db()
    winner = next(k for k, v in outcomes.items() if v == "won")
    assert review_case.state == (CaseState.DECIDED_APPROVED if winner == "approved" else CaseState.DECIDED_DENIED)
