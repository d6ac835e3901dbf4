"""The pledge's link to the materials it replaces carries the case's region, like every row that hangs off a
case (docs/scale.md): written by ``case_accept`` and the demo, older links filled from their pledge by the
migration that turned Django's many-to-many table into ``PledgeMaterial``."""

import importlib

import pytest
from django.apps import apps
from django.db.models import F

from yiwang.cases import services
from yiwang.cases.models import Pledge, PledgeMaterial

from ..conftest import FORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def pledge(citizen, person, food_item, clerk):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    return Pledge.objects.get(case=case)


def test_it_writes_the_case_region_on_the_pledged_materials(pledge):
    links = list(PledgeMaterial.objects.filter(pledge=pledge).values_list("material__code", "region_id"))
    assert links == [("M04", pledge.case.region_id)]
    assert pledge.case.region_id is not None
    # The many-to-many reads through the new table as before.
    assert [m.code for m in pledge.materials.all()] == ["M04"]
    assert list(pledge.case.materials.get(code="M04").pledges.all()) == [pledge]


def test_the_migration_fills_older_links_from_their_pledge(pledge):
    PledgeMaterial.objects.filter(pledge=pledge).update(region=None)
    migration = importlib.import_module("yiwang.cases.migrations.0011_pledge_material_region")

    migration.fill_from_the_pledge(apps, None)

    assert list(PledgeMaterial.objects.filter(pledge=pledge).values_list("region_id", flat=True)) == [pledge.region_id]


def test_the_demo_writes_the_region_on_the_pledged_materials(
    food_item, instant_item, counter_item, opening_bundle, clerk, handler_a, citizen, monkeypatch
):
    from io import StringIO

    from yiwang.cases.demo import bulk as demo

    monkeypatch.setattr(demo, "MONTHS", 1)
    monkeypatch.setattr(demo, "SINGLE_PER_WORKDAY", (3, 5))
    demo.seed(stdout=StringIO())

    assert PledgeMaterial.objects.exists()
    assert PledgeMaterial.objects.count() >= Pledge.objects.count()
    assert not PledgeMaterial.objects.filter(region__isnull=True).exists()
    assert not PledgeMaterial.objects.exclude(region=F("pledge__case__region")).exists()
