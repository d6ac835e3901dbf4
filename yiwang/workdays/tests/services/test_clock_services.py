import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.workdays.models import CalendarYear, Clock, ClockPause
from yiwang.workdays.selectors import count_workdays
from yiwang.workdays.services import (
    clock_extend,
    clock_pause,
    clock_recompute,
    clock_resume,
    clock_start,
    clock_stop,
)
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db


def events(action):
    return list(AuditEvent.objects.filter(action=action).order_by("id"))


def test_it_starts_a_clock_and_audits_it(clerk):
    clock = start_clock(dt.date(2026, 2, 12), 20, actor=clerk, owner=CalendarYear.objects.get(year=2026))
    clock.refresh_from_db()
    assert (clock.due_on, clock.provisional, clock.state) == (dt.date(2026, 3, 18), False, "running")
    assert clock.content_type == ContentType.objects.get_for_model(CalendarYear)
    assert clock.owner.year == 2026
    [event] = events("workdays.clock_started")
    assert event.object_id == str(clock.pk)
    assert event.actor_id == clerk.pk
    assert event.after["due_on"] == "2026-03-18"


def test_it_refuses_negative_days_and_a_blank_label():
    with pytest.raises(ApplicationError) as error:
        start_clock(dt.date(2026, 2, 12), -1)
    assert error.value.code == "workdays.negative_days"
    with pytest.raises(ApplicationError) as error:
        start_clock(dt.date(2026, 2, 12), 5, label="  ")
    assert error.value.code == "workdays.label_required"
    assert Clock.objects.count() == 0
    assert events("workdays.clock_started") == []


def test_it_moves_the_due_day_by_exactly_the_paused_working_days(clerk):
    clock = start_clock(dt.date(2026, 2, 12), 20)
    assert clock.due_on == dt.date(2026, 3, 18)

    clock = clock_pause(clock=clock, on=dt.date(2026, 3, 2), reason="专家评审", actor=clerk)
    assert (clock.state, clock.paused_since) == ("paused", dt.date(2026, 3, 2))
    clock = clock_resume(clock=clock, on=dt.date(2026, 3, 10), actor=clerk)

    # Paused Monday 2 March, resumed Tuesday 10 March: 3–6 and 9–10 March = 6 working days.
    assert count_workdays(dt.date(2026, 3, 2), dt.date(2026, 3, 10)) == 6
    clock.refresh_from_db()
    assert (clock.state, clock.paused_since, clock.paused_workdays) == ("running", None, 6)
    assert clock.due_on == dt.date(2026, 3, 26)
    assert count_workdays(dt.date(2026, 3, 18), clock.due_on) == 6
    [pause] = ClockPause.objects.filter(clock=clock)
    assert (pause.paused_on, pause.resumed_on, pause.workdays, pause.reason, pause.actor) == (
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 10),
        6,
        "专家评审",
        clerk,
    )
    [resumed] = events("workdays.clock_resumed")
    assert (resumed.before["due_on"], resumed.after["due_on"]) == ("2026-03-18", "2026-03-26")
    assert len(events("workdays.clock_paused")) == 1


def test_it_adds_up_several_pauses_across_a_holiday(clerk):
    clock = start_clock(dt.date(2026, 2, 2), 20)
    # 3–13 Feb (9), 14 Feb 调休 (10), 24–27 Feb (14), 28 Feb 调休 (15), 2–6 March (20).
    assert clock.due_on == dt.date(2026, 3, 6)
    clock = clock_pause(clock=clock, on=dt.date(2026, 2, 12), reason="补正材料", actor=clerk)
    # Resumed after the break: (12 Feb, 25 Feb] = 13th, 14th (调休), 24th, 25th = 4 working days.
    clock = clock_resume(clock=clock, on=dt.date(2026, 2, 25), actor=clerk)
    clock = clock_pause(clock=clock, on=dt.date(2026, 3, 2), reason="现场核查", actor=clerk)
    clock = clock_resume(clock=clock, on=dt.date(2026, 3, 3), actor=clerk)
    assert clock.paused_workdays == 5
    assert clock.due_on == dt.date(2026, 3, 13)


def test_it_refuses_pause_and_resume_in_the_wrong_state(clerk):
    clock = start_clock(dt.date(2026, 3, 2), 10)
    with pytest.raises(ApplicationError) as error:
        clock_resume(clock=clock, on=dt.date(2026, 3, 3), actor=clerk)
    assert (error.value.code, error.value.status) == ("clock.invalid_transition", 409)
    clock_pause(clock=clock, on=dt.date(2026, 3, 3), reason="听证", actor=clerk)
    with pytest.raises(ApplicationError) as error:
        clock_pause(clock=clock, on=dt.date(2026, 3, 4), reason="听证", actor=clerk)
    assert (error.value.code, error.value.status) == ("clock.invalid_transition", 409)
    assert ClockPause.objects.filter(clock=clock).count() == 1


def test_it_needs_a_reason_to_pause(clerk):
    clock = start_clock(dt.date(2026, 3, 2), 10)
    with pytest.raises(ApplicationError) as error:
        clock_pause(clock=clock, on=dt.date(2026, 3, 3), reason=" ", actor=clerk)
    assert error.value.code == "workdays.reason_required"
    clock.refresh_from_db()
    assert clock.state == "running"
    assert not ClockPause.objects.exists()


def test_it_refuses_a_resume_before_the_pause_and_a_pause_before_the_start(clerk):
    clock = start_clock(dt.date(2026, 3, 2), 10)
    with pytest.raises(ApplicationError) as error:
        clock_pause(clock=clock, on=dt.date(2026, 3, 1), reason="检测", actor=clerk)
    assert error.value.code == "workdays.bad_pause_date"
    clock_pause(clock=clock, on=dt.date(2026, 3, 5), reason="检测", actor=clerk)
    with pytest.raises(ApplicationError) as error:
        clock_resume(clock=clock, on=dt.date(2026, 3, 4), actor=clerk)
    assert error.value.code == "workdays.bad_resume_date"
    clock.refresh_from_db()
    assert (clock.state, clock.due_on) == ("paused", dt.date(2026, 3, 16))


def test_it_stops_a_paused_clock_closing_its_pause(clerk):
    clock = start_clock(dt.date(2026, 3, 2), 10)
    clock_pause(clock=clock, on=dt.date(2026, 3, 4), reason="检测", actor=clerk)
    clock = clock_stop(clock=clock, actor=clerk, on=dt.date(2026, 3, 6))
    assert (clock.state, clock.stopped_on, clock.paused_workdays) == ("stopped", dt.date(2026, 3, 6), 2)
    assert ClockPause.objects.get(clock=clock).resumed_on == dt.date(2026, 3, 6)
    with pytest.raises(ApplicationError) as error:
        clock_stop(clock=clock, actor=clerk)
    assert (error.value.code, error.value.status) == ("clock.invalid_transition", 409)
    assert len(events("workdays.clock_stopped")) == 1


def test_it_recomputes_only_when_something_changed():
    clock = start_clock(dt.date(2026, 3, 2), 10)
    clock_recompute(clock=clock)
    assert events("workdays.clock_recomputed") == []
    Clock.objects.filter(pk=clock.pk).update(due_on=dt.date(2026, 3, 20))
    clock = clock_recompute(clock=clock)
    assert clock.due_on == dt.date(2026, 3, 16)
    [event] = events("workdays.clock_recomputed")
    assert (event.before["due_on"], event.after["due_on"], event.actor_id) == ("2026-03-20", "2026-03-16", None)


def test_it_accepts_a_start_given_as_a_date():
    clock = clock_start(label="即办件", started_at=dt.date(2026, 2, 13), days=1, actor=None)
    assert clock.due_on == dt.date(2026, 2, 14)


def test_it_extends_a_paused_clock_by_ten_working_days_on_top_of_its_pauses(clerk):
    clock = start_clock(dt.date(2026, 2, 12), 20)  # due 2026-03-18 across the Spring Festival
    clock = clock_pause(clock=clock, on=dt.date(2026, 3, 2), reason="专家评审", actor=clerk)
    clock = clock_resume(clock=clock, on=dt.date(2026, 3, 6), actor=clerk)  # 4 paused working days
    assert clock.due_on == dt.date(2026, 3, 24)

    clock = clock_extend(clock=clock, days=10, reason="情况复杂，经负责人批准", actor=clerk)
    clock.refresh_from_db()
    assert (clock.days, clock.due_on, clock.provisional) == (30, dt.date(2026, 4, 8), False)
    [event] = events("workdays.clock_extended")
    assert (event.before["due_on"], event.after["due_on"]) == ("2026-03-24", "2026-04-08")
    assert event.details == {"reason": "情况复杂，经负责人批准", "days": 10}


def test_it_refuses_an_extension_without_reason_or_days_or_after_the_stop(clerk):
    clock = start_clock(dt.date(2026, 2, 12), 20)
    for days, reason, code in ((0, "理由", "workdays.negative_days"), (10, "  ", "workdays.reason_required")):
        with pytest.raises(ApplicationError) as error:
            clock_extend(clock=clock, days=days, reason=reason, actor=clerk)
        assert error.value.code == code
    clock_stop(clock=clock, actor=clerk)
    with pytest.raises(ApplicationError) as error:
        clock_extend(clock=clock, days=10, reason="理由", actor=clerk)
    assert (error.value.code, error.value.status) == ("clock.invalid_transition", 409)
    clock.refresh_from_db()
    assert (clock.days, clock.due_on) == (20, dt.date(2026, 3, 18))
    assert events("workdays.clock_extended") == []
