import datetime as dt

import pytest
from django.utils import timezone

from yiwang.cases import selectors, services

from ..clock import at
from ..conftest import FORM, complete_steps

pytestmark = pytest.mark.django_db
ALL = ("M01", "M02", "M03", "M04")


def test_measures_on_a_small_fixture(citizen, person, food_item, clerk, handler_a, leader):
    for day, decide_on in ((dt.date(2026, 3, 2), dt.date(2026, 3, 4)), (dt.date(2026, 3, 2), dt.date(2026, 3, 20))):
        with at(day):
            case = services.case_submit(
                actor=citizen, applicant=person, item=food_item, form_data=FORM, delivery_method="electronic"
            )
            services.case_accept(case=case, actor=clerk, received=ALL)
            services.case_assign(case=case, actor=handler_a)
            complete_steps(case, handler_a)
        with at(decide_on):
            services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="符合条件")
    m = selectors.case_measures(leader, start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert m.submitted == 2 and m.decided == 2 and m.on_time == 1 and m.on_time_rate == 0.5
    assert m.avg_workdays == (2 + 14) / 2
    # Applied online, no visit, electronic delivery: fully online (全程网办) and zero-visit.
    assert m.fully_online == 2 and m.fully_online_share == 1.0 and m.zero_visit_share == 1.0
    assert m.by_department[0]["decided"] == 2


def test_a_handler_sees_no_leader_measures(handler_a):
    m = selectors.case_measures(handler_a, start=timezone.localdate(), end=timezone.localdate())
    assert m.submitted == 0
