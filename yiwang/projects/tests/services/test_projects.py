"""Projects: the category limits (plan 二(三)(1)), the four stages with their clocks, items as cases,
what blocks a stage, options, and area assessments reused."""

import datetime as dt

import pytest
from django.utils import timezone

from yiwang.cases.models import Case, CaseState
from yiwang.core.errors import ApplicationError
from yiwang.measures.selectors import fact_total
from yiwang.projects import selectors, services
from yiwang.projects.conf import DEFAULTS
from yiwang.projects.models import ConstructionProject, ProjectStage, StageItem
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays

from ..conftest import approve, approve_stage, deny, register

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(dt.date.fromisoformat(day), dt.time(hour)))


def test_it_keeps_the_plans_whole_limits():
    # Plan 二(三)(1): 政府投资、社会投资和小型低风险项目审批时限分别压缩至90、50、15个工作日以内.
    assert DEFAULTS["WHOLE_LIMIT_DAYS"] == {"government": 90, "social": 50, "low_risk": 15}
    assert services.whole_limit("government") == 90
    assert services.whole_limit("social") == 50
    assert services.whole_limit("low_risk") == 15


def test_it_splits_each_limit_into_stages_that_sum_to_it():
    for category, stages in DEFAULTS["STAGE_DAYS"].items():
        assert sum(stages.values()) == DEFAULTS["WHOLE_LIMIT_DAYS"][category]
    # 联审 / 联合验收 stages are capped by the joint limit (county default 10).
    assert services.stage_days("government", "engineering") == 10
    assert services.stage_days("government", "construction") == 15
    assert services.stage_days("low_risk", "engineering") == 5


def test_it_registers_a_project_with_four_stages_and_its_items(social_project):
    project = social_project
    assert project.limit_days == 50
    assert project.state == ConstructionProject.State.REGISTERED
    stages = list(project.stages.order_by("position"))
    assert [s.code for s in stages] == ["planning", "engineering", "construction", "acceptance"]
    assert [s.state for s in stages] == ["ready", "waiting", "waiting", "waiting"]
    assert [s.joint for s in stages] == ["", "联审", "", "联合验收"]
    assert stages[0].items.count() == 5
    assert StageItem.objects.filter(stage__project=project, state="waiting").count() == 14


def test_it_refuses_bad_input_and_changes_nothing(gc_items, handler_a, handler_b, meixian, dept_a):
    with pytest.raises(ApplicationError) as error:
        register(handler_a, meixian, dept_a, builder_uscc="91610326MA6X9K1P30")
    assert error.value.code == "project.uscc_invalid"
    with pytest.raises(ApplicationError) as error:
        register(handler_a, meixian, dept_a, category="government", land_start=True)
    assert error.value.code == "project.option_not_eligible"
    with pytest.raises(ApplicationError) as error:
        register(handler_a, meixian, dept_a, category="social", merged_permit=True)
    assert error.value.code == "project.option_not_eligible"
    with pytest.raises(ApplicationError) as error:
        register(handler_b, meixian, dept_a)
    assert error.value.code == "project.not_permitted"
    assert not ConstructionProject.objects.exists()
    register(handler_a, meixian, dept_a)
    with pytest.raises(ApplicationError) as error:
        register(handler_a, meixian, dept_a)
    assert error.value.code == "project.duplicate_code"
    assert ConstructionProject.objects.count() == 1


def test_it_runs_a_low_risk_project_through_its_stages_within_15_working_days(
    low_risk_project, handler_a, clerk, handlers
):
    project = low_risk_project
    stages = list(project.stages.order_by("position"))
    services.project_stage_open(stage=stages[0], actor=handler_a)
    project.refresh_from_db()
    clock = Clock.objects.get(pk=project.clock_id)
    assert clock.days == 15
    assert clock.due_on == add_workdays(project.started_at, 15).due
    stage = ProjectStage.objects.get(pk=stages[0].pk)
    assert stage.state == "running"
    assert Clock.objects.get(pk=stage.clock_id).days == 3
    cases = Case.objects.filter(project_item__stage=stage)
    assert cases.count() == 2 and all(c.state == CaseState.SUBMITTED for c in cases)
    assert {c.department.code for c in cases} == {"development-reform", "natural-resources"}

    approve_stage(stage, clerk=clerk, handlers=handlers)
    stage.refresh_from_db()
    assert stage.state == "done"
    assert ProjectStage.objects.get(project=project, code="engineering").state == "ready"
    assert Clock.objects.get(pk=project.clock_id).state == Clock.State.PAUSED

    for code in ("engineering", "construction", "acceptance"):
        stage = ProjectStage.objects.get(project=project, code=code)
        services.project_stage_open(stage=stage, actor=handler_a)
        approve_stage(stage, clerk=clerk, handlers=handlers)
    project.refresh_from_db()
    assert project.state == "completed"
    assert project.approval_workdays is not None and project.approval_workdays <= 15
    total = fact_total("projects.approved", key="low_risk")
    assert total["count"] == 1
    assert total["workdays"] == project.approval_workdays
    assert total["within_limit"] == 1


def test_the_clocks_count_working_days_from_the_day_after_applying(low_risk_project, handler_a):
    # Monday 2026-03-02: counting starts the next working day (民法典 Art. 201); 15 working days → 03-23,
    # the planning stage's 3 → 03-05.
    stage = low_risk_project.stages.get(code="planning")
    services.project_stage_open(stage=stage, actor=handler_a, on=at("2026-03-02"))
    low_risk_project.refresh_from_db()
    assert Clock.objects.get(pk=low_risk_project.clock_id).due_on == dt.date(2026, 3, 23)
    stage.refresh_from_db()
    assert Clock.objects.get(pk=stage.clock_id).due_on == dt.date(2026, 3, 5)


def test_the_project_clock_excludes_the_wait_between_stages(low_risk_project, handler_a, clerk, handlers):
    project = low_risk_project
    first = project.stages.get(code="planning")
    services.project_stage_open(stage=first, actor=handler_a, on=at("2026-03-02"))
    project.refresh_from_db()
    clock = Clock.objects.get(pk=project.clock_id)
    services_pause_on = dt.date(2026, 3, 4)
    # The stage completes on Wednesday 03-04; the builder applies for the next stage on Monday 03-09.
    from yiwang.workdays.services import clock_pause_open, clock_resume

    clock_pause_open(clock=clock, on=services_pause_on, reason="等待申报", actor=handler_a)
    clock = clock_resume(clock=Clock.objects.get(pk=clock.pk), on=dt.date(2026, 3, 9), actor=handler_a)
    # 03-05, 03-06, 03-09 are not counted: due moves from 03-23 by three working days.
    assert clock.paused_workdays == 3
    assert clock.due_on == add_workdays(dt.date(2026, 3, 2), 18).due == dt.date(2026, 3, 26)


def test_the_project_page_says_what_blocks_a_stage(social_project, handler_a, clerk, handlers):
    project = social_project
    stage = project.stages.get(code="planning")
    services.project_stage_open(stage=stage, actor=handler_a)
    items = list(stage.items.select_related("case", "department").order_by("id"))
    approve(items[0].case, clerk=clerk, handler=handlers[items[0].department.code])
    deny(items[1].case, clerk=clerk, handler=handlers[items[1].department.code])
    view = selectors.project_view(project)
    planning = view.stages[0]
    assert planning.deadline is not None and planning.deadline.label == "立项用地规划许可阶段"
    blocked = {b.item: b for b in planning.blockers}
    assert items[0].name not in blocked
    assert blocked[items[1].name].note == "不予许可，需重新申报"
    assert blocked[items[1].name].department == str(items[1].department)
    assert blocked[items[2].name].case_number == items[2].case.number
    assert blocked[items[2].name].case_state == "待受理"
    # How late: judged on a day after the item's intake deadline.
    later = selectors.project_view(project, today=dt.date.today() + dt.timedelta(days=40))
    assert any(b.overdue_workdays > 0 for b in later.stages[0].blockers)

    item = StageItem.objects.get(pk=items[1].pk)
    services.project_item_reapply(item=item, actor=handler_a)
    item.refresh_from_db()
    assert item.state == "open" and item.case.state == CaseState.SUBMITTED


def test_other_departments_may_not_apply_or_reapply(social_project, handler_b, handlers):
    stage = social_project.stages.get(code="planning")
    with pytest.raises(ApplicationError) as error:
        services.project_stage_open(stage=stage, actor=handler_b)
    assert error.value.code == "project.not_permitted"
    with pytest.raises(ApplicationError) as error:
        services.project_stage_open(
            stage=social_project.stages.get(code="engineering"), actor=handlers["admin-approval"]
        )
    assert error.value.code == "project.stage_not_ready"
    assert not Case.objects.exists()


def test_a_merged_permit_moves_the_construction_items_into_the_engineering_stage(gc_items, handler_a, meixian, dept_a):
    project = register(handler_a, meixian, dept_a, category="low_risk", merged_permit=True)
    engineering = project.stages.get(code="engineering")
    construction = project.stages.get(code="construction")
    assert construction.state == "merged" and construction.items.count() == 0
    assert set(engineering.items.values_list("item_code", flat=True)) == {"610326-GC-0201", "610326-GC-0301"}
    assert engineering.days == 5 + 4


def test_land_start_applies_for_engineering_and_construction_together(
    gc_items, handler_a, meixian, dept_a, clerk, handlers
):
    project = register(handler_a, meixian, dept_a, category="social", land_start=True)
    planning = project.stages.get(code="planning")
    services.project_stage_open(stage=planning, actor=handler_a)
    approve_stage(planning, clerk=clerk, handlers=handlers)
    services.project_stage_open(stage=project.stages.get(code="engineering"), actor=handler_a)
    states = dict(project.stages.values_list("code", "state"))
    assert states["engineering"] == "running" and states["construction"] == "running"


def test_a_published_area_assessment_satisfies_the_item_of_projects_in_the_area(
    gc_items, handler_a, meixian, dept_a, handlers, clerk
):
    natural = handlers["natural-resources"]
    department = natural.memberships.first().department
    services.assessment_publish(
        area="眉县经济技术开发区",
        region=meixian.county,
        kind="geological",
        item_code="610326-GC-0104",
        department=department,
        summary="评估区地质灾害危险性小，适宜建设",
        actor=natural,
    )
    project = register(handler_a, meixian, dept_a, area="眉县经济技术开发区")
    item = StageItem.objects.get(stage__project=project, item_code="610326-GC-0104")
    assert item.state == "satisfied" and item.assessment.kind == "geological"

    # Published after a project in the area applied: the waiting item of a later stage is satisfied too.
    env = handlers["ecology-environment"]
    services.assessment_publish(
        area="眉县经济技术开发区",
        region=meixian.county,
        kind="environment",
        item_code="610326-GC-0202",
        department=env.memberships.first().department,
        summary="园区规划环评已审查，入园项目简化环评",
        actor=env,
    )
    assert StageItem.objects.get(stage__project=project, item_code="610326-GC-0202").state == "satisfied"
    with pytest.raises(ApplicationError) as error:
        services.assessment_publish(
            area="眉县经济技术开发区",
            region=meixian.county,
            kind="energy",
            item_code="610326-GC-0204",
            department=department,
            summary="x",
            actor=handler_a,
        )
    assert error.value.code == "project.not_permitted"


def test_a_joint_survey_is_shared_with_the_acceptance_departments(social_project, handler_a, handler_b, handlers):
    from yiwang.core.models import InboxMessage

    with pytest.raises(ApplicationError) as error:
        services.joint_survey_record(
            project=social_project, surveyor="宝鸡市勘测院", kinds=["housing"], summary="房产测绘", actor=handler_a
        )
    assert error.value.code == "project.survey_kinds_required"
    with pytest.raises(ApplicationError) as error:
        services.joint_survey_record(
            project=social_project, surveyor="x", kinds=["housing", "completion"], summary="x", actor=handler_b
        )
    assert error.value.code == "project.not_permitted"
    survey = services.joint_survey_record(
        project=social_project,
        surveyor="宝鸡市勘测院",
        kinds=["planning_check", "housing", "completion"],
        summary="规划核实、房产、竣工测量一次完成",
        actor=handler_a,
    )
    codes = {
        d.code
        for d in __import__("yiwang.org.models", fromlist=["Department"]).Department.objects.filter(
            pk__in=survey.shared_with
        )
    }
    assert codes == {"natural-resources", "housing-construction"}
    assert InboxMessage.objects.filter(
        user=handlers["housing-construction"], template="projects.survey_shared"
    ).exists()


def test_the_sweep_alarms_the_lead_department_and_steward_when_a_stage_runs_late(low_risk_project, handler_a, handlers):
    from yiwang.core.models import InboxMessage
    from yiwang.workdays.sweep import clocks_sweep

    services.project_steward_assign(project=low_risk_project, steward=handlers["admin-approval"], actor=handler_a)
    stage = low_risk_project.stages.get(code="planning")
    services.project_stage_open(stage=stage, actor=handler_a, on=at("2026-03-02"))
    clocks_sweep(today=dt.date(2026, 3, 9))  # the 3-working-day stage was due 03-05
    bodies = list(
        InboxMessage.objects.filter(user=handler_a, template="projects.stage_deadline").values_list("body", flat=True)
    )
    assert any("立项用地规划许可阶段" in b and "已超期" in b for b in bodies)
    assert selectors.projects_at_risk(handler_a, today=dt.date(2026, 3, 9))[0].deadline.status == "overdue"
