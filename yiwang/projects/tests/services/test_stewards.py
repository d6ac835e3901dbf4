"""Stewards (一项目一管家), their log, and 企业服务日 issues tracked with working-day deadlines and reminders."""

import datetime as dt

import pytest
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.models import InboxMessage
from yiwang.projects import services
from yiwang.projects.conf import DEFAULTS
from yiwang.workdays.models import Clock
from yiwang.workdays.sweep import clocks_sweep

pytestmark = pytest.mark.django_db


def test_it_names_one_steward_and_keeps_the_log(social_project, handler_a, handler_b, handlers, citizen):
    steward = handlers["admin-approval"]
    services.project_steward_assign(project=social_project, steward=steward, actor=handler_a)
    social_project.refresh_from_db()
    assert social_project.steward == steward
    with pytest.raises(ApplicationError) as error:
        services.project_steward_assign(project=social_project, steward=citizen, actor=handler_a)
    assert error.value.code == "project.steward_not_staff"
    with pytest.raises(ApplicationError) as error:
        services.project_steward_assign(project=social_project, steward=handler_b, actor=handler_b)
    assert error.value.code == "project.not_permitted"
    services.steward_log_add(project=social_project, kind="visit", text="上门走访，了解冷库建设进度", actor=steward)
    with pytest.raises(ApplicationError) as error:
        services.steward_log_add(project=social_project, kind="visit", text="  ", actor=steward)
    assert error.value.code == "project.log_text_required"
    assert social_project.logs.count() == 1


def test_an_issue_gets_a_working_day_deadline_a_reminder_and_an_alarm(
    social_project, handler_a, handlers, meixian, dept_a
):
    assert DEFAULTS["ISSUE_DAYS"] == 5  # county default (plan 三、3 gives no number)
    day = services.service_day_hold(
        region=meixian.county, held_on=dt.date(2026, 3, 10), place="县政务服务中心", host=dept_a, actor=handler_a
    )
    housing = handlers["housing-construction"]
    department = housing.memberships.first().department
    raised = timezone.make_aware(dt.datetime(2026, 3, 10, 10))
    issue = services.service_issue_raise(
        enterprise_name="眉县秦岭果业有限公司",
        text="施工图审查意见反复修改",
        department=department,
        service_day=day,
        project=social_project,
        actor=handler_a,
        raised_at=raised,
    )
    clock = Clock.objects.get(pk=issue.clock_id)
    assert clock.days == 5 and clock.due_on == dt.date(2026, 3, 17)
    assert InboxMessage.objects.filter(user=housing, template="projects.issue_raised").count() == 1
    clocks_sweep(today=dt.date(2026, 3, 16))  # one working day before: warning and reminder
    bodies = list(
        InboxMessage.objects.filter(user=housing, template="projects.issue_deadline").values_list("body", flat=True)
    )
    assert any("即将到期" in b for b in bodies) and any("临期" in b for b in bodies)
    clocks_sweep(today=dt.date(2026, 3, 18))
    assert InboxMessage.objects.filter(user=housing, body__contains="已超期").exists()
    services.service_issue_resolve(issue=issue, resolution="已组织联审，一次性出具意见", actor=housing)
    issue.refresh_from_db()
    assert issue.state == "resolved" and Clock.objects.get(pk=issue.clock_id).state == "stopped"


def test_the_next_service_day_follows_the_county_frequency(handler_a, meixian, dept_a):
    from yiwang.projects.selectors import service_day_plan

    assert DEFAULTS["SERVICE_DAY_EVERY_MONTHS"] == 1  # county default (plan 三、3 gives no frequency)
    services.service_day_hold(
        region=meixian.county, held_on=dt.date(2026, 3, 10), place="县政务服务中心", host=dept_a, actor=handler_a
    )
    plan = service_day_plan(meixian.county, today=dt.date(2026, 4, 20))
    assert plan.next_month == dt.date(2026, 4, 1) and not plan.overdue
    assert service_day_plan(meixian.county, today=dt.date(2026, 5, 2)).overdue
