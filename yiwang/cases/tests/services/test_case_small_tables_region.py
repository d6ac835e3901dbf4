"""The small child tables of a case carry its region too — corrections and their entries, pledges, extensions,
the 企业开办 tables and the help log (its help request's): the sharding key is on every table that hangs off a
case (docs/scale.md). Written where the services create the rows; older rows filled by the migration."""

import importlib

import pytest
from django.apps import apps

from yiwang.cases import services
from yiwang.cases.founding_models import Founding, FoundingShareholder, UsccAssignment
from yiwang.cases.models import CorrectionEntry, CorrectionRequest, Extension, HelpLog, Pledge
from yiwang.org.models import Region

from ..conftest import FORM
from ..founding_fixtures import accept, decide, founding_bundle, submit  # noqa: F401

pytestmark = pytest.mark.django_db

ENTRIES = [
    {"code": "M03", "problem": "missing", "note": "请提供房屋租赁合同"},
    {"code": "M04", "problem": "defective", "note": "健康证明已过期"},
]


@pytest.fixture
def corrected(citizen, person, food_item, clerk):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    return services.case_correction_request(case=case, actor=clerk, entries=ENTRIES)


@pytest.fixture
def pledge(citizen, person, food_item, clerk):
    case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
    case = services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03"), pledged_materials=("M04",))
    return Pledge.objects.get(case=case)


@pytest.fixture
def extension(review_case, handler_a):
    return services.case_extension_request(case=review_case, actor=handler_a, reason="需征求县消防救援大队意见")


@pytest.fixture
def founding(founding_bundle, citizen, meixian, clerk, handler_a):  # noqa: F811
    """A company-to-be whose registration is approved: the code is assigned and recorded."""
    case = accept(submit(citizen, meixian), clerk)
    decide(case.children.order_by("number").first(), handler_a)
    return Founding.objects.get(case=case)


@pytest.fixture
def help_request(citizen, clerk, food_item, meixian):
    request = services.help_request_create(
        actor=citizen,
        region=meixian.county,
        name="王秀兰",
        phone="13891712345",
        topic="开小吃店要办什么证",
        item=food_item,
    )
    services.help_request_take(help_request=request, actor=clerk)
    services.help_request_note(help_request=request, actor=clerk, note="视频指导上传健康证明")
    return request


def _rows(corrected, pledge, extension, founding, help_request):
    """Each table's rows written by the path above, with the region they should carry."""
    case_region = founding.case.region_id
    return {
        CorrectionRequest: (CorrectionRequest.objects.filter(pk=corrected.pk), corrected.case.region_id),
        CorrectionEntry: (CorrectionEntry.objects.filter(correction=corrected), corrected.case.region_id),
        Pledge: (Pledge.objects.filter(pk=pledge.pk), pledge.case.region_id),
        Extension: (Extension.objects.filter(pk=extension.pk), extension.case.region_id),
        Founding: (Founding.objects.filter(pk=founding.pk), case_region),
        FoundingShareholder: (FoundingShareholder.objects.filter(founding=founding), case_region),
        UsccAssignment: (UsccAssignment.objects.filter(founding=founding), case_region),
        HelpLog: (HelpLog.objects.filter(help_request=help_request), help_request.region_id),
    }


def test_it_writes_the_case_region_on_every_small_child_row(corrected, pledge, extension, founding, help_request):
    for model, (rows, region) in _rows(corrected, pledge, extension, founding, help_request).items():
        assert region is not None
        regions = list(rows.values_list("region_id", flat=True))
        assert regions, f"{model.__name__}: the path wrote no row"
        assert set(regions) == {region}, model.__name__
    # Two entries listed at once; the log has the request's creation, taking and note.
    assert CorrectionEntry.objects.filter(correction=corrected).count() == 2
    assert HelpLog.objects.filter(help_request=help_request).count() == 3
    assert FoundingShareholder.objects.filter(founding=founding).count() == 2


def test_the_migration_fills_older_rows_from_their_parent(corrected, pledge, extension, founding, help_request):
    tables = _rows(corrected, pledge, extension, founding, help_request)
    for rows, _region in tables.values():
        rows.update(region=None)
    # A row that has its region already is left alone.
    other_region = Region.objects.exclude(pk=founding.case.region_id).first()
    first_holder = FoundingShareholder.objects.filter(founding=founding).order_by("position").first()
    FoundingShareholder.objects.filter(pk=first_holder.pk).update(region=other_region)
    migration = importlib.import_module("yiwang.cases.migrations.0010_case_small_tables_region")

    migration.fill_from_the_parent(apps, None)

    for model, (rows, region) in tables.items():
        if model is FoundingShareholder:
            continue
        assert set(rows.values_list("region_id", flat=True)) == {region}, model.__name__
    holders = dict(FoundingShareholder.objects.filter(founding=founding).values_list("position", "region_id"))
    assert holders == {1: other_region.pk, 2: founding.case.region_id}


def test_the_demo_writes_the_region_on_the_small_tables(
    food_item, instant_item, counter_item, opening_bundle, clerk, handler_a, citizen, monkeypatch
):
    from io import StringIO

    from django.db.models import F

    from yiwang.cases.demo import bulk as demo

    monkeypatch.setattr(demo, "MONTHS", 1)
    monkeypatch.setattr(demo, "SINGLE_PER_WORKDAY", (3, 5))
    demo.seed(stdout=StringIO())

    parent_region = {
        CorrectionRequest: "case__region",
        CorrectionEntry: "correction__case__region",
        Pledge: "case__region",
        Extension: "case__region",
        HelpLog: "help_request__region",
    }
    written = {model: model.objects.count() for model in parent_region}
    assert written[CorrectionRequest] and written[CorrectionEntry] and written[HelpLog], written
    for model, parent in parent_region.items():
        assert not model.objects.filter(region__isnull=True).exists(), model.__name__
        assert not model.objects.exclude(region=F(parent)).exists(), model.__name__
