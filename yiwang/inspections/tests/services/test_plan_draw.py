import datetime as dt
import io
import json
from unittest import mock

import pytest
from django.core.management import call_command

from yiwang.core.audit import audit_history
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.inspections import draw as d
from yiwang.inspections import services
from yiwang.inspections.conf import DEFAULTS
from yiwang.inspections.models import Draw, InspectionItem, InspectorConflict, Plan, Task, TaskInspector
from yiwang.inspections.tests import factories as f


def test_it_keeps_the_county_default_ratios_and_frequency():
    # 县级默认值 (plan 四(十七)1 gives no numbers): A 3 %, B 5 %, C 20 %, D 100 %; 20 working days.
    assert DEFAULTS["RATIO_BP"] == {"A": 300, "B": 500, "C": 2000, "D": 10000}
    assert DEFAULTS["FREQUENCY_PER_YEAR"] == {"A": 1, "B": 1, "C": 2, "D": 4}
    assert DEFAULTS["INSPECTORS_PER_ENTITY"] == 2
    assert DEFAULTS["PUBLISH_WORKDAYS"] == 20
    assert DEFAULTS["RECUSAL_WINDOW_DAYS"] == 365


def test_it_creates_a_plan_with_the_county_defaults(plan):
    assert plan.ratio_bp == {"A": 300, "B": 500, "C": 2000, "D": 10000}
    assert plan.state == Plan.State.DRAFT and plan.inspectors_per_entity == 2
    assert (
        audit_history(object_type="inspections.plan", object_id=str(plan.pk))
        .filter(action="inspection.plan_created")
        .exists()
    )


def test_it_refuses_full_coverage_of_general_items(meixian, dept_b, market_item, handler_b):
    with pytest.raises(ApplicationError) as error:
        services.plan_create(
            number="X1",
            title="全覆盖",
            region=meixian.county,
            lead_department=dept_b,
            items=[market_item],
            full_coverage=True,
            period_start=dt.date(2026, 1, 1),
            period_end=dt.date(2026, 3, 31),
            actor=handler_b,
        )
    assert error.value.code == "inspection.full_coverage_general"
    key = f.item(dept_b, kind=InspectionItem.Kind.KEY)
    plan = services.plan_create(
        number="X2",
        title="重点全覆盖",
        region=meixian.county,
        lead_department=dept_b,
        items=[key],
        full_coverage=True,
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        actor=handler_b,
    )
    assert plan.ratio_bp == dict.fromkeys("ABCD", 10000)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"ratio_bp": {"A": 10001}}, "inspection.bad_ratio"),
        ({"period_end": dt.date(2025, 1, 1)}, "inspection.bad_period"),
        ({"items": []}, "inspection.items_required"),
        ({"inspectors_per_entity": 1}, "inspection.team_size"),
        ({"distinct_departments": True}, "inspection.joint_needs_departments"),
        ({"number": "SJ-2026-Q1-01"}, "inspection.plan_duplicate"),
    ],
)
def test_it_refuses_a_bad_plan_and_creates_nothing(plan, meixian, dept_b, market_item, handler_b, changes, code):
    args = dict(
        number="SJ-NEW",
        title="新计划",
        region=meixian.county,
        lead_department=dept_b,
        items=[market_item],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 3, 31),
        actor=handler_b,
    )
    with pytest.raises(ApplicationError) as error:
        services.plan_create(**{**args, **changes})
    assert error.value.code == code
    assert Plan.objects.count() == 1


def test_it_publishes_the_commitment_before_the_draw_and_reveals_it_at_the_draw(plan, pool, roster_b, handler_b):
    services.plan_publish(plan=plan, actor=handler_b)
    plan.refresh_from_db()
    assert len(plan.commitment) == 64 and plan.secret_sealed and plan.commitment not in plan.secret_sealed
    draw = services.plan_draw(plan=plan, actor=handler_b)
    assert d.commitment_of(draw.secret) == plan.commitment
    assert draw.seed == d.seed_of(secret=draw.secret, beacon="", plan_number=plan.number, attempt=1)


def test_it_draws_the_exact_count_per_class_with_teams_of_two(drawn):
    # 40 A × 3 % → 2, 40 B × 5 % → 2, 10 C × 20 % → 2, 2 D × 100 % → 2.
    assert drawn.pool_counts == {"A": 40, "B": 40, "C": 10, "D": 2}
    assert drawn.selected_counts == {"A": 2, "B": 2, "C": 2, "D": 2}
    tasks = Task.objects.filter(draw=drawn)
    assert tasks.count() == 8
    assert sorted(tasks.values_list("risk_class", flat=True)) == ["A", "A", "B", "B", "C", "C", "D", "D"]
    for task in tasks:
        assert task.assignments.count() == 2
    assert drawn.plan.state == Plan.State.DRAWN
    event = audit_history(object_type="inspections.plan", object_id=str(drawn.plan_id)).get(
        action="inspection.plan_drawn"
    )
    assert event.details["result_hash"] == drawn.result_hash


def test_it_never_assigns_a_declared_or_recent_conflict(plan, pool, roster_b, dept_b, handler_b):
    first, second = roster_b[0], roster_b[1]
    d_entities = [e for e in pool if e.risk_class == "D"]
    for entity in d_entities:
        services.inspector_conflict_declare(inspector=first, entity=entity, kind="relative", actor=handler_b)
        services.inspector_conflict_declare(inspector=second, entity=entity, kind="former_employer", actor=handler_b)
    services.plan_publish(plan=plan, actor=handler_b)
    draw = services.plan_draw(plan=plan, actor=handler_b)
    roster = {row[0]: row[2] for row in json.loads(draw.roster_snapshot)["inspectors"]}
    assert roster[first.pk] == sorted(e.pk for e in d_entities)
    assigned = set(
        TaskInspector.objects.filter(task__entity__in=d_entities, task__draw=draw).values_list(
            "inspector_id", flat=True
        )
    )
    assert assigned.isdisjoint({first.pk, second.pk})
    assert InspectorConflict.objects.count() == 4


def test_it_refuses_a_second_draw_without_a_reason_and_records_one_with(drawn, handler_b):
    plan = drawn.plan
    with pytest.raises(ApplicationError) as error:
        services.plan_draw(plan=plan, actor=handler_b)
    assert error.value.code == "inspection.redraw_reason_required"
    second = services.plan_draw(plan=plan, actor=handler_b, reason="名录库人员调整后重新抽取")
    assert second.attempt == 2 and second.reason
    drawn.refresh_from_db()
    assert not drawn.is_current
    assert set(Task.objects.filter(draw=drawn).values_list("state", flat=True)) == {Task.State.CANCELLED}
    assert Draw.objects.filter(plan=plan).count() == 2
    from yiwang.inspections.selectors import plans_visible
    from yiwang.org.scoping import scope_for

    listed = plans_visible(scope_for(handler_b)).get(pk=plan.pk)
    assert listed.n_tasks == Task.objects.filter(draw=second).count()  # cancelled tasks are not counted


def test_it_refuses_a_redraw_once_a_result_is_recorded(drawn, handler_b):
    task = Task.objects.filter(draw=drawn).first()
    services.task_result_record(task=task, result="normal", inspected_on=dt.date(2026, 1, 5), actor=handler_b)
    with pytest.raises(ApplicationError) as error:
        services.plan_draw(plan=drawn.plan, actor=handler_b, reason="重抽")
    assert error.value.code == "inspection.redraw_after_results"


def test_it_refuses_a_draw_of_a_draft(plan, pool, roster_b, handler_b):
    with pytest.raises(ApplicationError) as error:
        services.plan_draw(plan=plan, actor=handler_b)
    assert error.value.code == "inspection.plan_invalid_transition"
    assert not Draw.objects.exists()


def test_it_verifies_a_stored_draw_with_the_command(drawn):
    out = io.StringIO()
    call_command("inspections", "verify-draw", str(drawn.pk), stdout=out)
    assert "一致" in out.getvalue() and "不一致" not in out.getvalue()
    # Tamper with the stored pool: the recomputation disagrees and the command fails.
    pool = json.loads(drawn.pool_snapshot)["entities"]
    pool[0][1] = "D" if pool[0][1] != "D" else "A"
    Draw.objects.filter(pk=drawn.pk).update(pool_snapshot=d.canonical({"entities": pool}))
    out = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("inspections", "verify-draw", str(drawn.pk), stdout=out)
    assert exit_.value.code != 0
    assert "不一致" in out.getvalue()
    drawn.refresh_from_db()
    assert drawn.verified_consistent is False and drawn.verified_by is None and drawn.verification_problems
    assert AuditEvent.objects.filter(action="inspection.draw_verified", object_id=str(drawn.pk)).count() == 2


def test_the_plan_page_shows_the_stored_verification_and_recomputes_only_on_the_button(drawn, handler_b, client):
    client.force_login(handler_b)
    url = f"/inspections/plans/{drawn.plan_id}/"
    with mock.patch("yiwang.inspections.services.plans.draw_verify") as recompute:
        page = client.get(url).content.decode()
    recompute.assert_not_called()
    assert "尚未复核" in page
    response = client.post(f"/inspections/plans/{drawn.plan_id}/verify/")
    assert response.status_code == 302
    drawn.refresh_from_db()
    assert drawn.verified_consistent is True and drawn.verified_by == handler_b and drawn.verified_at
    event = AuditEvent.objects.get(action="inspection.draw_verified")
    assert event.after["verified_consistent"] is True
    page = client.get(url).content.decode()
    assert "一致" in page and "尚未复核" not in page


def test_it_recuses_an_inspector_who_inspected_the_entity_within_the_window(meixian, dept_b, market_item, handler_b):
    entities = f.entities(meixian.county, {"D": 3})
    people = f.roster(dept_b, 3)
    first = services.plan_create(
        number="R-1",
        title="上一轮",
        region=meixian.county,
        lead_department=dept_b,
        items=[market_item],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        actor=handler_b,
    )
    services.plan_publish(plan=first, actor=handler_b)
    services.plan_draw(plan=first, actor=handler_b)
    task = Task.objects.get(plan=first, entity=entities[0])
    services.task_result_record(task=task, result="normal", inspected_on=dt.date(2026, 2, 2), actor=handler_b)
    previous = set(task.assignments.values_list("inspector_id", flat=True))
    second = services.plan_create(
        number="R-2",
        title="本轮",
        region=meixian.county,
        lead_department=dept_b,
        items=[market_item],
        period_start=dt.date(2026, 1, 1),
        period_end=dt.date(2026, 12, 31),
        actor=handler_b,
    )
    services.plan_publish(plan=second, actor=handler_b)
    # Two of three inspectors inspected entities[0]: only one is left, fewer than a team of two.
    with pytest.raises(ApplicationError) as error:
        services.plan_draw(plan=second, actor=handler_b)
    assert error.value.code == "inspection.roster_too_small"
    extra = f.roster(dept_b, 1)[0]
    draw = services.plan_draw(plan=second, actor=handler_b)
    roster = {row[0]: row[2] for row in json.loads(draw.roster_snapshot)["inspectors"]}
    assert all(entities[0].pk in roster[i] for i in previous)
    team = set(Task.objects.get(plan=second, entity=entities[0]).assignments.values_list("inspector_id", flat=True))
    assert team.isdisjoint(previous) and extra.pk in team
    assert {p.pk for p in people} | {extra.pk} >= team
