"""The case timeline carries its case's region: the sharding key is on every big table (docs/scale.md)."""

import importlib

import pytest
from django.apps import apps

from yiwang.cases import services
from yiwang.cases.models import CaseEvent

pytestmark = pytest.mark.django_db


def test_every_event_a_service_writes_carries_the_cases_region(submitted_case, clerk):
    case = services.case_accept(case=submitted_case, actor=clerk, received=("M01", "M02", "M03", "M04"))
    events = list(CaseEvent.objects.filter(case=case))
    assert len(events) >= 2  # submitted, accepted
    assert {event.region_id for event in events} == {case.region_id}
    assert case.region_id is not None


def test_the_migration_fills_the_region_of_older_events_from_their_case(submitted_case):
    CaseEvent.objects.filter(case=submitted_case).update(region=None)
    migration = importlib.import_module("yiwang.cases.migrations.0006_case_event_region")
    migration.fill_from_the_case(apps, None)
    regions = set(CaseEvent.objects.filter(case=submitted_case).values_list("region_id", flat=True))
    assert regions == {submitted_case.region_id}
