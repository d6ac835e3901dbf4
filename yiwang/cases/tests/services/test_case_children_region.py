"""Every child row of a case carries the case's region, and so do the clock pauses and SMS outbox rows
written for it: the sharding key is on every big table (docs/scale.md)."""

import importlib

import pytest
from django.apps import apps

from yiwang.cases import services
from yiwang.cases.models import CaseMaterial, CasePause, CaseUpload, Decision, Delivery, Notice, ReviewStep
from yiwang.cases.services import SubmissionFiles
from yiwang.core.models import OutboxMessage
from yiwang.org.models import Region
from yiwang.workdays.models import ClockPause

from ..conftest import FORM, complete_steps
from ..factories import pdf_file

pytestmark = pytest.mark.django_db

CHILDREN = (CaseMaterial, CaseUpload, ReviewStep, CasePause, Decision, Delivery, Notice)


@pytest.fixture
def delivered_case(citizen, person, food_item, clerk, handler_a):
    """One case through the whole path: submitted with an upload, accepted, paused and resumed,
    every step done, decided and delivered at the window."""
    files = SubmissionFiles({"M01": [pdf_file("申请书.pdf")]})
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM, files=files)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03", "M04"))
    case = services.case_assign(case=case, actor=handler_a)
    services.case_pause(case=case, actor=handler_a, kind="expert_review", reason="组织专家评审消防安全")
    case = services.case_resume(case=case, actor=handler_a)
    complete_steps(case, handler_a)
    services.case_decide(case=case, actor=handler_a, outcome="approved", reasons="符合条件")
    case.refresh_from_db()
    services.case_deliver(case=case, actor=clerk)
    case.refresh_from_db()
    return case


def test_a_case_through_the_services_has_its_region_on_every_child_row(delivered_case):
    region = delivered_case.region
    for model in CHILDREN:
        regions = list(model.objects.filter(case=delivered_case).values_list("region_id", flat=True))
        assert regions, f"{model.__name__}: the path wrote no row"
        assert set(regions) == {region.pk}, model.__name__
    pauses = ClockPause.objects.filter(clock__in=[delivered_case.clock_id, *_step_clocks(delivered_case)])
    assert pauses.exists()
    assert set(pauses.values_list("region_code", flat=True)) == {region.code}
    sms = OutboxMessage.objects.filter(dedupe_key__startswith=f"case:{delivered_case.pk}:")
    assert sms.exists()  # the applicant's phone is told of each step
    assert set(sms.values_list("region_code", flat=True)) == {region.code}


def _step_clocks(case) -> list[int]:
    return [pk for pk in case.steps.values_list("clock_id", flat=True) if pk]


def test_the_migration_fills_older_child_rows_from_their_case(delivered_case):
    for model in CHILDREN:
        model.objects.filter(case=delivered_case).update(region=None)
    # A row that has its region already is left alone.
    other_region = Region.objects.exclude(pk=delivered_case.region_id).first()
    CaseMaterial.objects.filter(pk=delivered_case.materials.first().pk).update(region=other_region)
    migration = importlib.import_module("yiwang.cases.migrations.0007_case_children_region")

    migration.fill_from_the_case(apps, None)

    for model in CHILDREN:
        rows = model.objects.filter(case=delivered_case)
        assert not rows.filter(region__isnull=True).exists(), model.__name__
    materials = set(delivered_case.materials.values_list("region_id", flat=True))
    assert materials == {delivered_case.region_id, other_region.pk}


def test_the_migration_fills_older_clock_pauses_from_their_clock(delivered_case):
    pauses = ClockPause.objects.filter(clock=delivered_case.clock)
    assert pauses.exists()
    pauses.update(region_code="")
    migration = importlib.import_module("yiwang.workdays.migrations.0004_clock_pause_region")

    migration.fill_from_the_clock(apps, None)

    assert set(pauses.values_list("region_code", flat=True)) == {delivered_case.clock.region_code}
    assert delivered_case.clock.region_code == delivered_case.region.code
