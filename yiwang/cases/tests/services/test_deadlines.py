"""Deadlines come from the working-day calendar: across the 2026 Spring Festival, into 2027
(no official calendar yet: provisional), and instant items the same day. Their status is the clock's,
stored by the one sweep (``workdays.sweep.clocks_sweep``), which calls the cases' handler."""

import datetime as dt

import pytest

from yiwang.cases import services
from yiwang.core.models import InboxMessage
from yiwang.workdays.deadlines import DeadlineStatus
from yiwang.workdays.sweep import clocks_sweep

from ..clock import at
from ..conftest import FORM, complete_steps

pytestmark = pytest.mark.django_db
ALL = ("M01", "M02", "M03", "M04")


def _accepted(citizen, person, item, clerk, day):
    with at(day):
        case = services.case_submit(actor=citizen, applicant=person, item=item, form_data=FORM)
        return services.case_accept(case=case, actor=clerk, received=ALL if item.code.endswith("0001") else ("M01",))


def test_the_clock_skips_the_2026_spring_festival(citizen, person, food_item, clerk):
    # Accepted Fri 13 Feb 2026: counting starts the next working day, Sat 14 Feb (调休上班); 15–23 Feb
    # are the holiday; 28 Feb (Sat) is worked. 10 working days end on Thu 5 Mar.
    case = _accepted(citizen, person, food_item, clerk, dt.date(2026, 2, 13))
    assert case.due_on == dt.date(2026, 3, 5) and case.due_provisional is False


def test_a_deadline_into_2027_is_provisional(citizen, person, food_item, clerk, admin_user):
    case = _accepted(citizen, person, food_item, clerk, dt.date(2026, 12, 24))
    # 25 Dec, 28–31 Dec, 1 Jan 2027 (元旦, statutory) skipped, 4–8 Jan: the 10th working day is Fri 8 Jan.
    assert case.due_on == dt.date(2027, 1, 8) and case.due_provisional is True


def test_an_instant_item_is_due_the_same_day(citizen, person, instant_item, clerk):
    case = _accepted(citizen, person, instant_item, clerk, dt.date(2026, 2, 13))
    assert case.due_on == dt.date(2026, 2, 13)
    report = clocks_sweep(today=dt.date(2026, 2, 14))
    case.clock.refresh_from_db()
    assert case.clock.status == DeadlineStatus.OVERDUE and report.by_status == {"overdue": 1}


def test_the_sweep_warns_at_80_percent_then_overdue_and_notifies_once(citizen, person, food_item, clerk, handler_a):
    case = _accepted(citizen, person, food_item, clerk, dt.date(2026, 2, 13))
    services.case_assign(case=case, actor=handler_a)

    def status():
        case.clock.refresh_from_db()
        return case.clock.status

    def notices(kind):
        return InboxMessage.objects.filter(
            user=handler_a, template=f"cases.deadline_{kind}", key__startswith=f"case:{case.pk}:"
        )

    clocks_sweep(today=dt.date(2026, 3, 2))  # 7 of 10 used
    assert status() == DeadlineStatus.NORMAL and not InboxMessage.objects.filter(template__startswith="cases.deadline")
    clocks_sweep(today=dt.date(2026, 3, 3))  # 8 of 10: warning
    assert status() == DeadlineStatus.WARNING
    assert clocks_sweep(today=dt.date(2026, 3, 3)).handled == 0  # idempotent: nothing called twice
    assert notices("warning").count() == 1
    assert "已用去80%以上时限" in notices("warning").get().body
    clocks_sweep(today=dt.date(2026, 3, 5))
    assert status() == DeadlineStatus.DUE and notices("due").count() == 1
    clocks_sweep(today=dt.date(2026, 3, 6))
    clocks_sweep(today=dt.date(2026, 3, 9))
    assert status() == DeadlineStatus.OVERDUE and notices("overdue").count() == 1


def test_a_late_decision_is_not_on_time(citizen, person, food_item, clerk, handler_a):
    case = _accepted(citizen, person, food_item, clerk, dt.date(2026, 2, 13))
    with at(dt.date(2026, 2, 24)):
        services.case_assign(case=case, actor=handler_a)
        complete_steps(case, handler_a)
    with at(dt.date(2026, 3, 6)):
        services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="符合条件")
    case.refresh_from_db()
    assert case.on_time is False and case.decided_workdays == 11


def test_a_pause_across_the_festival_moves_the_due_day(citizen, person, food_item, clerk, handler_a):
    case = _accepted(citizen, person, food_item, clerk, dt.date(2026, 2, 10))
    assert case.due_on == dt.date(2026, 3, 2)
    with at(dt.date(2026, 2, 12)):
        services.case_assign(case=case, actor=handler_a)
        services.case_pause(case=case, actor=handler_a, kind="site_inspection", reason="现场勘验后厨布局")
    with at(dt.date(2026, 2, 25)):
        case = services.case_resume(case=case, actor=handler_a)
    # Paused working days in (12 Feb, 25 Feb]: 13, 14 (Sat, worked), 24, 25 → 4.
    assert case.pauses.get().workdays == 4
    assert case.due_on == dt.date(2026, 3, 6)


def test_deferred_materials_overdue_flag_the_case(citizen, person, food_item, clerk):
    with at(dt.date(2026, 2, 13)):
        case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
        case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M04"), deferred_materials=("M03",))
    deferral = case.deferred.get()
    assert deferral.due_on == dt.date(2026, 3, 5)  # 10 working days, as the decision clock
    clocks_sweep(today=dt.date(2026, 3, 5))
    case.refresh_from_db()
    assert not case.deferred_overdue
    clocks_sweep(today=dt.date(2026, 3, 6))
    clocks_sweep(today=dt.date(2026, 3, 9))
    case.refresh_from_db()
    deferral.refresh_from_db()
    assert case.deferred_overdue and deferral.overdue
    assert InboxMessage.objects.filter(user=citizen, template="cases.deferred_overdue").count() == 1


def test_a_calendar_import_moves_the_case_due_day_with_its_clock(citizen, person, food_item, clerk):
    from yiwang.workdays.models import CalendarDay
    from yiwang.workdays.services import calendar_import_year

    case = _accepted(citizen, person, food_item, clerk, dt.date(2026, 2, 13))
    assert case.due_on == dt.date(2026, 3, 5)
    # A corrected 2026 in which 2 March is also a holiday (invented): the case's due day moves a day too.
    rows = list(CalendarDay.objects.filter(year=2026).values_list("date", "kind", "name"))
    rows.append((dt.date(2026, 3, 2), "holiday", "测试"))
    calendar_import_year(year=2026, entries=rows, actor=None)
    case.refresh_from_db()
    case.clock.refresh_from_db()
    assert case.clock.due_on == case.due_on == dt.date(2026, 3, 6)
