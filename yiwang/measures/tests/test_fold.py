"""Pending increments: events append, the fold adds them into facts, readers see both at once."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import transaction

from yiwang.measures import registry
from yiwang.measures.models import MonthlyFact, PendingFact
from yiwang.measures.registry import register_metric
from yiwang.measures.selectors import fact_total, facts, measures_check
from yiwang.measures.services import measure_add, measures_fold

pytestmark = pytest.mark.django_db

METRIC = "test.fold"


@pytest.fixture(autouse=True)
def metric():
    register_metric(METRIC, label="折叠测试", fields=("on_time",), rebuild=lambda months: [])
    yield METRIC
    registry._REGISTRY.pop(METRIC, None)


@pytest.fixture
def county(meixian):
    return meixian.huaiya


def _add(county, n, on=dt.date(2026, 3, 5), **values):
    with transaction.atomic():
        for _ in range(n):
            measure_add(metric=METRIC, on=on, region=county, **values)


def test_it_appends_an_increment_without_touching_the_fact_row(county):
    _add(county, 3, count=1, on_time=1)
    assert PendingFact.objects.filter(metric=METRIC).count() == 3
    assert not MonthlyFact.objects.filter(metric=METRIC).exists()
    assert fact_total(METRIC) == {"count": 3, "on_time": 3}


def test_it_folds_pending_increments_into_one_fact_and_reads_the_same(county):
    _add(county, 3, count=1, on_time=1)
    _add(county, 2, count=1)
    _add(county, 1, on=dt.date(2026, 4, 2), count=1)
    before = facts(METRIC, group_by=("month",))
    assert measures_fold() == 6
    assert not PendingFact.objects.filter(metric=METRIC).exists()
    stored = {f.month: (f.count, f.v1) for f in MonthlyFact.objects.filter(metric=METRIC)}
    assert stored == {dt.date(2026, 3, 1): (5, 3), dt.date(2026, 4, 1): (1, 0)}
    assert facts(METRIC, group_by=("month",)) == before
    assert before == [
        {"month": dt.date(2026, 3, 1), "count": 5, "on_time": 3},
        {"month": dt.date(2026, 4, 1), "count": 1, "on_time": 0},
    ]


def test_it_adds_later_increments_to_an_existing_fact_in_small_batches(county):
    _add(county, 2, count=1)
    measures_fold()
    _add(county, 5, count=1, on_time=1)
    _add(county, 1, count=-1)
    assert measures_fold(batch=2) == 6
    fact = MonthlyFact.objects.get(metric=METRIC)
    assert (fact.count, fact.v1) == (6, 5)


def test_it_keeps_nothing_when_the_event_rolls_back(county):
    with pytest.raises(RuntimeError), transaction.atomic():
        measure_add(metric=METRIC, on=dt.date(2026, 3, 5), region=county, count=1)
        raise RuntimeError
    assert not PendingFact.objects.exists()
    assert fact_total(METRIC) == {"count": 0, "on_time": 0}


def test_it_counts_pending_increments_in_the_check(county):
    _add(county, 1, count=1)
    assert [str(d.identity[0]) for d in measures_check(metrics=[METRIC])] == [METRIC]


def test_the_command_folds(county, capsys):
    _add(county, 4, count=1)
    call_command("measures", "fold")
    assert "已汇入 4 条待汇总增量" in capsys.readouterr().out
    assert MonthlyFact.objects.get(metric=METRIC).count == 4
