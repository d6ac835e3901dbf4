import datetime as dt

import pytest
from django.template import Context, Template
from django.utils import timezone

from yiwang.workdays.deadlines import Deadline, deadline_in_hours, deadline_of_clock
from yiwang.workdays.tests.factories import start_clock

DAY = dt.date(2026, 3, 16)


def render(deadline, extra=""):
    return Template("{% load deadlines %}{% deadline_badge d " + extra + "%}").render(Context({"d": deadline}))


@pytest.mark.parametrize(
    ("deadline", "text"),
    [
        (Deadline(label="办理期限", status="normal", due_on=DAY, workdays_left=5), "剩 5 个工作日"),
        (Deadline(label="办理期限", status="warning", due_on=DAY, workdays_left=1), "临期 · 剩 1 个工作日"),
        (Deadline(label="办理期限", status="due", due_on=DAY, workdays_left=0), "今日到期"),
        (
            Deadline(label="办理期限", status="overdue", due_on=DAY, workdays_left=0, overdue_workdays=3),
            "已超期 3 个工作日",
        ),
        (Deadline(label="办理期限", status="overdue", due_on=DAY, workdays_left=0), "已超期"),
        (Deadline(label="办理期限", status="normal", due_on=DAY, workdays_left=2, paused=True), "暂停计时"),
        (Deadline(label="办理期限", status="normal", due_on=DAY, stopped=True), "按时办结"),
        (Deadline(label="办理期限", status="overdue", due_on=DAY, stopped=True, overdue_workdays=1), "超时办结"),
    ],
)
def test_it_prints_the_texts_users_know(deadline, text):
    html = render(deadline)
    assert f">{text}</span>" in html
    assert html.count('class="badge') == 1


def test_it_prints_hours_for_urgent_deadlines():
    start = timezone.make_aware(dt.datetime(2026, 3, 2, 8, 0))
    due = start + dt.timedelta(hours=24)
    assert ">临期 · 剩 4 小时</span>" in render(
        deadline_in_hours(started_at=start, due_at=due, label="答复时限", now=due - dt.timedelta(hours=4))
    )
    assert ">已超期 2 小时</span>" in render(
        deadline_in_hours(started_at=start, due_at=due, label="答复时限", now=due + dt.timedelta(hours=2))
    )


@pytest.mark.django_db
def test_it_never_prints_a_negative_count_for_an_old_overdue_clock():
    clock = start_clock(dt.date(2025, 9, 1), 5)
    html = render(deadline_of_clock(clock, today=dt.date(2026, 3, 16)))
    assert "已超期 " in html and "-" not in html.split("已超期")[1].split("</span>")[0]


def test_it_marks_a_provisional_due_day_and_shows_the_due_day_when_asked():
    deadline = Deadline(
        label="办理期限", status="normal", due_on=dt.date(2027, 3, 1), workdays_left=9, provisional=True
    )
    html = render(deadline, "with_due=True ")
    assert "临时期限" in html
    assert "2027-03-01（暂定）" in html


def test_it_renders_nothing_for_no_deadline():
    assert render(None) == ""


def test_it_labels_a_status_value():
    html = Template("{% load deadlines %}{{ s|deadline_status_label }} {{ s|deadline_status_class }}").render(
        Context({"s": "overdue"})
    )
    assert html == "已超期 text-bg-danger"
