"""Texts of a case whose item counts its limits in calendar days (自然日) say so, never "个工作日"."""

import pytest

from yiwang.cases import services
from yiwang.cases.models import CaseEvent, Notice
from yiwang.cases.selectors import application_spec

from ..conftest import FORM
from ..factories import elements, publish

pytestmark = pytest.mark.django_db
ALL = ("M01", "M02", "M03", "M04")


@pytest.fixture
def calendar_item(admin_user, dept_a):
    data = elements("610326-XK-0031", "食品经营许可（延续）", dept_a, limit_unit="calendar_days", legal_days=None)
    return publish(admin_user, data)[0]


def test_acceptance_notice_event_and_form_state_calendar_days(citizen, person, clerk, calendar_item):
    assert calendar_item.limit_unit == "calendar_days" and calendar_item.legal_days is None
    spec = application_spec(item=calendar_item)
    assert spec.promised_text == "10个自然日"

    case = services.case_submit(actor=citizen, applicant=person, item=calendar_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=ALL)

    case.refresh_from_db()
    assert case.promised_limit_text == "10个自然日"
    paragraphs = Notice.objects.get(case=case).content["paragraphs"]
    limit = next(p for p in paragraphs if p.startswith("承诺办结时限"))
    assert limit.startswith("承诺办结时限为10个自然日（自受理次日起算），预计于")
    assert not any("个工作日" in p for p in paragraphs)
    accepted = CaseEvent.objects.get(case=case, action="accepted")
    assert "承诺10个自然日，" in accepted.label and "工作日" not in accepted.label


def test_working_day_items_keep_their_wording(submitted_case, clerk):
    case = services.case_accept(case=submitted_case, actor=clerk, received=ALL)
    assert case.promised_limit_text == "10个工作日"
    paragraphs = Notice.objects.get(case=case).content["paragraphs"]
    assert any(p.startswith("承诺办结时限为10个工作日（自受理次日起算）") for p in paragraphs)
    assert application_spec(item=submitted_case.item).promised_text == "10个工作日"


def test_a_case_keeps_the_unit_of_the_version_it_was_filed_under(citizen, person, clerk, calendar_item):
    """The item's row changing to working days later (a new version) leaves the filed case on 自然日."""
    from django.utils import timezone

    from yiwang.catalog.models import ServiceItem
    from yiwang.workdays.selectors import count_workdays

    case = services.case_submit(actor=citizen, applicant=person, item=calendar_item, form_data=FORM)
    ServiceItem.objects.filter(pk=calendar_item.pk).update(limit_unit="workdays")
    case = services.case_accept(case=case, actor=clerk, received=ALL)
    case.refresh_from_db()
    assert case.promised_limit_text == "10个自然日"
    clock = case.clock
    accepted_on = timezone.localtime(clock.started_at).date()
    # ten calendar days from the day after acceptance (moved to the next working day if needed)
    assert (case.due_on - accepted_on).days in range(10, 14)
    assert clock.days == count_workdays(accepted_on, case.due_on)
    assert clock.days < 10
