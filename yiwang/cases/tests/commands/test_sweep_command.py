import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

pytestmark = pytest.mark.django_db


def test_the_command_runs_the_one_sweep_and_reports(accepted_case):
    out = StringIO()
    call_command("cases", "sweep", "--date", (accepted_case.due_on + dt.timedelta(days=30)).isoformat(), stdout=out)
    accepted_case.clock.refresh_from_db()
    assert accepted_case.clock.status == "overdue"
    assert "已超期 1" in out.getvalue()


def test_the_command_refuses_a_bad_date():
    with pytest.raises(CommandError):
        call_command("cases", "sweep", "--date", "2026-13-01")
