"""A stage clock stands still while one of its cases is paused (补正, expert review — 行政许可法
Art. 45) and resumes with the last of them; dates counted by hand on the 2026 calendar."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from yiwang.cases import services as case_services
from yiwang.projects import services
from yiwang.workdays.models import Clock

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def _in_review(item, *, clerk, handler, day):
    with mock.patch("django.utils.timezone.now", return_value=at(day, 9)):
        case = case_services.case_accept(case=item.case, actor=clerk, received=("M01",))
        return case_services.case_assign(case=case, actor=handler)


def test_the_stage_clock_pauses_and_resumes_with_its_case(low_risk_project, handler_a, clerk, handlers):
    # Opened Monday 03-02: the planning stage's 3 working days are 03-03, 03-04, 03-05 → due 03-05.
    stage = low_risk_project.stages.get(code="planning")
    services.project_stage_open(stage=stage, actor=handler_a, on=at("2026-03-02"))
    stage.refresh_from_db()
    assert Clock.objects.get(pk=stage.clock_id).due_on == dt.date(2026, 3, 5)
    item = stage.items.filter(state="open").select_related("case", "department").first()
    handler = handlers[item.department.code]
    case = _in_review(item, clerk=clerk, handler=handler, day="2026-03-02")

    # Expert review from Tuesday 03-03 (the pause day still counts) until Monday 03-09.
    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-03", 11)):
        case_services.case_pause(case=case, actor=handler, kind="expert_review", reason="组织专家评审选址论证报告")
    clock = Clock.objects.get(pk=stage.clock_id)
    assert clock.state == Clock.State.PAUSED
    assert clock.paused_since == dt.date(2026, 3, 3)

    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-09", 11)):
        case_services.case_resume(case=case, actor=handler)
    clock = Clock.objects.get(pk=stage.clock_id)
    # Not counted: 03-04, 03-05, 03-06, 03-09 (four working days); due 03-05 + 4 → Wednesday 03-11.
    assert clock.state == Clock.State.RUNNING
    assert clock.paused_workdays == 4
    assert clock.due_on == dt.date(2026, 3, 11)


def test_the_stage_clock_waits_for_the_last_paused_case(social_project, handler_a, clerk, handlers):
    stage = social_project.stages.get(code="planning")
    services.project_stage_open(stage=stage, actor=handler_a, on=at("2026-03-02"))
    stage.refresh_from_db()
    due = Clock.objects.get(pk=stage.clock_id).due_on
    items = list(stage.items.filter(state="open").select_related("case", "department")[:2])
    assert len(items) == 2
    cases = []
    for item in items:
        handler = handlers[item.department.code]
        cases.append((_in_review(item, clerk=clerk, handler=handler, day="2026-03-02"), handler))
    (first, first_handler), (second, second_handler) = cases
    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-03")):
        case_services.case_pause(case=first, actor=first_handler, kind="expert_review", reason="专家评审")
    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-04")):
        case_services.case_pause(case=second, actor=second_handler, kind="site_inspection", reason="现场勘验")
    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-05")):
        case_services.case_resume(case=first, actor=first_handler)
    # The second case is still paused: the stage clock stands still since 03-03.
    clock = Clock.objects.get(pk=stage.clock_id)
    assert clock.state == Clock.State.PAUSED
    assert clock.paused_since == dt.date(2026, 3, 3)
    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-10")):
        case_services.case_resume(case=second, actor=second_handler)
    clock = Clock.objects.get(pk=stage.clock_id)
    # Not counted: (03-03, 03-10] = 03-04, 03-05, 03-06, 03-09, 03-10 — five working days.
    assert clock.state == Clock.State.RUNNING
    assert clock.paused_workdays == 5
    assert clock.due_on > due


def test_the_stage_clock_stands_still_while_the_builder_corrects(low_risk_project, handler_a, clerk):
    from yiwang.cases.models import MaterialStatus

    stage = low_risk_project.stages.get(code="planning")
    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-02")):  # the cases submitted then
        services.project_stage_open(stage=stage, actor=handler_a, on=at("2026-03-02"))
    stage.refresh_from_db()
    case = stage.items.filter(state="open").select_related("case").first().case
    code = case.materials.order_by("pk").values_list("code", flat=True).first()
    # 一次性告知 on Tuesday 03-03; the builder supplies on Friday 03-06.
    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-03")):
        case_services.case_correction_request(
            case=case, actor=clerk, entries=[{"code": code, "problem": "defective", "note": "请加盖公章"}]
        )
    assert Clock.objects.get(pk=stage.clock_id).state == Clock.State.PAUSED
    case.materials.filter(code=code).update(status=MaterialStatus.UPLOADED)
    with mock.patch("django.utils.timezone.now", return_value=at("2026-03-06")):
        case_services.case_correction_supply(case=case, actor=clerk)
    clock = Clock.objects.get(pk=stage.clock_id)
    # Not counted: 03-04, 03-05, 03-06 — three working days; due 03-05 + 3 → Tuesday 03-10.
    assert clock.state == Clock.State.RUNNING
    assert clock.paused_workdays == 3
    assert clock.due_on == dt.date(2026, 3, 10)
