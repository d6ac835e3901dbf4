import datetime as dt

import pytest
from django.contrib.auth import get_user_model

from yiwang.core.models import AuditEvent
from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_stop
from yiwang.workdays.sweep import clocks_sweep, register_deadline_handler, unregister_deadline_handler
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db

User = get_user_model()


@pytest.fixture
def calls():
    """A handler registered for clocks owned by users; yields the calls it received."""
    received = []

    def handler(*, clock, owner, before, after, today):
        received.append((clock.pk, owner.pk, before, after, today))

    register_deadline_handler(User, handler)
    yield received
    unregister_deadline_handler(User)


@pytest.fixture
def owner():
    return User.objects.create_user(username="applicant", password="Applicant-2026!")


def owned_clock(owner, started_on=dt.date(2026, 3, 2), days=10, **kwargs):
    # Mon 2026-03-02 + 10 → due Mon 03-16; warning from Thu 03-12.
    return start_clock(started_on, days, owner=owner, **kwargs)


def test_it_stores_the_status_and_calls_the_handler_once(calls, owner):
    clock = owned_clock(owner)
    report = clocks_sweep(today=dt.date(2026, 3, 12))
    clock.refresh_from_db()
    assert clock.status == "warning"
    assert calls == [(clock.pk, owner.pk, "normal", "warning", dt.date(2026, 3, 12))]
    assert (report.checked, report.changed, report.by_status, report.handled) == (1, 1, {"warning": 1}, 1)
    assert AuditEvent.objects.filter(action="workdays.clock_status_changed", object_id=str(clock.pk)).count() == 1


def test_it_calls_nothing_when_run_again_the_same_day(calls, owner):
    owned_clock(owner)
    clocks_sweep(today=dt.date(2026, 3, 17))
    second = clocks_sweep(today=dt.date(2026, 3, 17))
    assert len(calls) == 1
    assert (second.checked, second.changed, second.handled) == (1, 0, 0)


def test_it_follows_a_clock_through_due_and_overdue(calls, owner):
    owned_clock(owner)
    for day in (11, 12, 13, 16, 17, 18):
        clocks_sweep(today=dt.date(2026, 3, day))
    assert [(before, after) for _, _, before, after, _ in calls] == [
        ("normal", "warning"),
        ("warning", "due"),
        ("due", "overdue"),
    ]


def test_it_goes_on_after_a_failing_handler_and_retries_it_next_time(owner):
    other = User.objects.create_user(username="other", password="Other-applicant-2026!")
    seen = []

    def handler(*, clock, owner, before, after, today):
        if owner.username == "applicant":
            raise RuntimeError("gateway down")
        seen.append(owner.pk)

    register_deadline_handler(User._meta.label, handler)
    try:
        failing, fine = owned_clock(owner), owned_clock(other)
        report = clocks_sweep(today=dt.date(2026, 3, 17))
        assert (report.failed, report.changed, report.handled) == (1, 1, 1)
        assert report.failures[0].startswith(f"clock {failing.pk}:")
        assert seen == [other.pk]
        failing.refresh_from_db()
        fine.refresh_from_db()
        # The failing clock's change was rolled back, so the next run tries it again.
        assert (failing.status, fine.status) == ("normal", "overdue")
        assert clocks_sweep(today=dt.date(2026, 3, 17)).failed == 1
    finally:
        unregister_deadline_handler(User._meta.label)


def test_it_updates_clocks_whose_owner_registered_no_handler(owner):
    clock = owned_clock(owner)
    report = clocks_sweep(today=dt.date(2026, 3, 16))
    clock.refresh_from_db()
    assert clock.status == "due"
    assert (report.changed, report.handled) == (1, 0)


def test_it_skips_clocks_without_an_owner_and_stopped_clocks(calls, owner):
    loose = start_clock(dt.date(2026, 3, 2), 10)
    stopped = clock_stop(clock=owned_clock(owner), actor=None, on=dt.date(2026, 3, 3))
    report = clocks_sweep(today=dt.date(2026, 3, 20))
    assert report.checked == 0 and calls == []
    assert set(Clock.objects.filter(pk__in=[loose.pk, stopped.pk]).values_list("status", flat=True)) == {"normal"}


def test_it_stores_a_baseline_without_calling_handlers(calls, owner):
    clock = owned_clock(owner)
    clocks_sweep(today=dt.date(2026, 3, 20), call_handlers=False)
    clocks_sweep(today=dt.date(2026, 3, 20))
    clock.refresh_from_db()
    assert clock.status == "overdue" and calls == []


def test_it_reports_progress_per_clock(owner):
    owned_clock(owner)
    owned_clock(owner)
    ticks = []
    clocks_sweep(today=dt.date(2026, 3, 3), progress=ticks.append)
    assert ticks == [1, 1]


def test_it_reminds_once_per_due_day_when_asked(owner):
    received = []

    def handler(*, clock, owner, before, after, today):
        received.append((after, today))

    register_deadline_handler(User, handler, remind_lead_workdays=1)
    try:
        clock = owned_clock(owner, days=5, warning_ratio=1.0)  # due Mon 03-09
        clocks_sweep(today=dt.date(2026, 3, 5))  # 2 left: nothing yet
        clocks_sweep(today=dt.date(2026, 3, 6))  # Fri, 1 left: reminder
        clocks_sweep(today=dt.date(2026, 3, 7))  # Sat: already reminded
        assert received == [("reminder", dt.date(2026, 3, 6))]
        clock.refresh_from_db()
        assert clock.reminded_for == dt.date(2026, 3, 9)
    finally:
        unregister_deadline_handler(User)


def test_it_runs_registered_hooks_after_the_clocks_and_keeps_their_results():
    from yiwang.workdays.sweep import register_sweep_hook, unregister_sweep_hook

    seen = []

    def hook(*, now):
        seen.append(now)
        return {"reminded": 2}

    def broken(*, now):
        raise RuntimeError("gateway down")

    register_sweep_hook("test.hours", hook)
    register_sweep_hook("test.broken", broken)
    try:
        report = clocks_sweep(today=dt.date(2026, 3, 17))
        baseline = clocks_sweep(today=dt.date(2026, 3, 17), call_handlers=False)
    finally:
        unregister_sweep_hook("test.hours")
        unregister_sweep_hook("test.broken")
    assert report.hooks["test.hours"] == {"reminded": 2}
    assert report.failed == 1 and report.failures == ["hook test.broken: gateway down"]
    assert len(seen) == 1 and seen[0].date() == dt.date(2026, 3, 17)
    assert baseline.hooks == {}
