import datetime as dt

import pytest
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage
from yiwang.credit.models import CreditRecord
from yiwang.inspections import services
from yiwang.inspections.models import FollowUp, Task
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays
from yiwang.workdays.sweep import clocks_sweep


@pytest.fixture
def task(drawn):
    return Task.objects.filter(draw=drawn).order_by("pk").first()


def test_it_records_a_result_and_starts_the_20_workday_publication_clock(task, handler_b):
    day = dt.date(2026, 3, 2)
    task = services.task_result_record(task=task, result="normal", inspected_on=day, actor=handler_b)
    assert task.state == Task.State.RECORDED
    clock = Clock.objects.get(pk=task.publish_clock_id)
    assert clock.days == 20 and clock.owner == task
    assert clock.due_on == add_workdays(day, 20).due  # 县级默认值: 20 working days after the inspection day


@pytest.mark.parametrize(
    ("result", "findings", "day", "code"),
    [
        ("bogus", "", dt.date(2026, 1, 5), "inspection.bad_result"),
        ("problems", "", dt.date(2026, 1, 5), "inspection.findings_required"),
        ("normal", "", dt.date(2099, 1, 5), "inspection.date_in_future"),
        ("normal", "", dt.date(2025, 12, 1), "inspection.date_outside_period"),
    ],
)
def test_it_refuses_a_bad_result_and_changes_nothing(task, handler_b, result, findings, day, code):
    with pytest.raises(ApplicationError) as error:
        services.task_result_record(task=task, result=result, findings=findings, inspected_on=day, actor=handler_b)
    assert error.value.code == code
    task.refresh_from_db()
    assert task.state == Task.State.ASSIGNED and task.publish_clock_id is None


def test_it_publishes_on_time_and_feeds_a_problem_into_credit(task, handler_b):
    today = timezone.localdate()
    services.task_result_record(
        task=task, result="problems", findings="未按规定公示食品经营许可证", inspected_on=today, actor=handler_b
    )
    services.follow_up_add(task=task, kind="rectify", note="责令7日内整改", actor=handler_b)
    task = services.task_publish(task=task, actor=handler_b)
    assert task.state == Task.State.PUBLISHED and task.published_on_time is True
    record = CreditRecord.objects.get(pk=task.credit_record_id)
    assert record.entity_id == task.entity_id and record.kind == "inspection"
    assert record.source == f"inspections.task:{task.pk}"
    assert Clock.objects.get(pk=task.publish_clock_id).state == Clock.State.STOPPED
    assert FollowUp.objects.filter(task=task).count() == 1
    with pytest.raises(ApplicationError) as error:
        services.task_publish(task=task, actor=handler_b)
    assert error.value.code == "inspection.task_invalid_transition"
    assert CreditRecord.objects.filter(source=f"inspections.task:{task.pk}").count() == 1


def test_it_marks_a_late_publication_and_feeds_no_credit_for_a_normal_result(task, handler_b):
    inspected = dt.date(2026, 1, 5)
    services.task_result_record(task=task, result="normal", inspected_on=inspected, actor=handler_b)
    late = add_workdays(inspected, 21).due
    task = services.task_publish(task=task, actor=handler_b, on=late)
    assert task.published_on_time is False and task.credit_record_id is None


def test_it_refuses_a_follow_up_on_a_normal_result(task, handler_b):
    services.task_result_record(task=task, result="normal", inspected_on=dt.date(2026, 1, 5), actor=handler_b)
    with pytest.raises(ApplicationError) as error:
        services.follow_up_add(task=task, kind="rectify", actor=handler_b)
    assert error.value.code == "inspection.follow_up_without_problem"


def test_it_reminds_and_then_warns_the_lead_department_through_the_one_sweep(task, handler_b):
    inspected = dt.date(2026, 1, 5)
    task = services.task_result_record(task=task, result="normal", inspected_on=inspected, actor=handler_b)
    clock = Clock.objects.get(pk=task.publish_clock_id)
    clocks_sweep(today=clock.due_on)  # within the reminder lead (3 working days)
    assert InboxMessage.objects.filter(user=handler_b, template="inspection.publish_reminder").exists()
    clocks_sweep(today=clock.due_on + dt.timedelta(days=3))
    overdue = InboxMessage.objects.filter(user=handler_b, template="inspection.publish_overdue")
    assert overdue.count() == 1
    clocks_sweep(today=clock.due_on + dt.timedelta(days=3))
    assert overdue.count() == 1  # the sweep is idempotent
