"""Every cases page prints deadlines with the one badge (``{% deadline_badge %}``); overdue is never negative."""

import datetime as dt
import re

import pytest
from django.utils import timezone

from yiwang.cases import services
from yiwang.workdays.selectors import count_workdays

from ..clock import at
from ..conftest import FORM

pytestmark = pytest.mark.django_db
ALL = ("M01", "M02", "M03", "M04")


def test_an_old_overdue_case_shows_positive_overdue_days(client, citizen, person, food_item, clerk, handler_a):
    # Accepted Fri 13 Feb 2026, due Thu 5 Mar; months later the queue said "已超期 -120 个工作日".
    with at(dt.date(2026, 2, 13)):
        case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
        case = services.case_accept(case=case, actor=clerk, received=ALL)
        services.case_assign(case=case, actor=handler_a)
    late = count_workdays(dt.date(2026, 3, 5), timezone.localdate())
    assert late > 0
    client.force_login(handler_a)
    for url in ("/cases/handling/", f"/cases/handling/case/{case.number}/"):
        text = client.get(url).content.decode()
        assert f"已超期 {late} 个工作日" in text
        assert not re.search(r"已超期\s*-", text)
        assert not re.search(r"剩\s*-", text)


def test_a_running_case_shows_working_days_left(client, review_case, handler_a):
    client.force_login(handler_a)
    text = client.get("/cases/handling/").content.decode()
    assert re.search(r"剩 \d+ 个工作日", text)
