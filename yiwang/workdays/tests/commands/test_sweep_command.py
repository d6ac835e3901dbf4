import datetime as dt
import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.workdays.models import Clock
from yiwang.workdays.tasks import sweep_deadlines
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("workdays", "sweep", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def clock():
    owner = get_user_model().objects.create_user(username="applicant", password="Applicant-2026!")
    return start_clock(dt.date(2026, 3, 2), 10, owner=owner)


def test_it_prints_a_summary_line(clock):
    out, _ = run("--date", "2026-03-17")
    assert out == "2026-03-17 巡检期限 1 个；状态变化 1 个（已超期 1）；催办 0 个；处理失败 0 个\n"
    assert Clock.objects.get(pk=clock.pk).status == "overdue"


def test_it_says_nothing_changed_on_a_second_run(clock):
    run("--date", "2026-03-17")
    out, _ = run("--date", "2026-03-17")
    assert "状态变化 0 个（无变化）" in out


def test_it_prints_json(clock):
    out, _ = run("--date", "2026-03-12", "--json")
    data = json.loads(out)
    assert data["date"] == "2026-03-12"
    assert (data["checked"], data["changed"], data["by_status"]) == (1, 1, {"warning": 1})


def test_it_refuses_a_bad_date():
    with pytest.raises(CommandError):
        run("--date", "2026-13-01")


def test_the_task_runs_the_same_sweep(clock):
    assert sweep_deadlines()["checked"] == 1
