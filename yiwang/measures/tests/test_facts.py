import datetime as dt

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.transaction import TransactionManagementError

from yiwang.core.errors import ApplicationError
from yiwang.measures import registry
from yiwang.measures.models import MonthlyFact
from yiwang.measures.selectors import fact_total, facts, measures_check, rate
from yiwang.measures.services import measure_add, measures_fold, measures_rebuild

pytestmark = pytest.mark.django_db

SOURCE: list[dict] = []


@pytest.fixture
def metric():
    SOURCE.clear()
    registry.register_metric(
        "test.visits", label="测试", fields=("on_time", "days_sum"), rebuild=lambda months: list(SOURCE)
    )
    yield "test.visits"
    registry._REGISTRY.pop("test.visits", None)


def add(**kwargs):
    """One event's increment, folded into its fact (test_fold.py covers the pending increments)."""
    with transaction.atomic():
        measure_add(**kwargs)
    measures_fold()


def test_it_upserts_and_sums_increments(metric, meixian, dept_a):
    add(metric=metric, on=dt.date(2025, 3, 5), region=meixian.dongguan, department=dept_a, count=1, on_time=1)
    add(metric=metric, on=dt.date(2025, 3, 28), region=meixian.dongguan, department=dept_a, count=1, days_sum=4)
    fact = MonthlyFact.objects.get()
    assert (fact.month, fact.count, fact.v1, fact.v2) == (dt.date(2025, 3, 1), 2, 1, 4)
    assert (fact.region_code, fact.county_code, fact.town_code) == ("610326001001", "610326", "610326001")


def test_it_keeps_null_department_as_one_identity(metric, meixian):
    add(metric=metric, on=dt.date(2025, 3, 5), region=meixian.huaiya, count=1)
    add(metric=metric, on=dt.date(2025, 3, 6), region=meixian.huaiya, count=2)
    assert MonthlyFact.objects.get().count == 3


def test_it_applies_negative_increments(metric, meixian):
    add(metric=metric, on=dt.date(2025, 3, 5), region=meixian.huaiya, count=2, on_time=2)
    add(metric=metric, on=dt.date(2025, 3, 9), region=meixian.huaiya, on_time=-1)
    assert fact_total(metric) == {"count": 2, "on_time": 1, "days_sum": 0}


@pytest.mark.django_db(transaction=True)
def test_it_refuses_outside_a_transaction(metric):
    with pytest.raises(TransactionManagementError, match="transaction.atomic"):
        measure_add(metric=metric, on=dt.date(2025, 3, 5), region=1, count=1)
    assert not MonthlyFact.objects.exists()


def test_it_refuses_unknown_metrics_and_fields(metric, meixian):
    with pytest.raises(ApplicationError) as error:
        add(metric="test.nope", on=dt.date(2025, 3, 5), region=meixian.huaiya, count=1)
    assert error.value.code == "measure.unknown_metric"
    with pytest.raises(ApplicationError) as error:
        add(metric=metric, on=dt.date(2025, 3, 5), region=meixian.huaiya, late=1)
    assert error.value.code == "measure.unknown_field"
    assert not MonthlyFact.objects.exists()


def test_it_filters_a_region_subtree_and_groups(metric, meixian, dept_a, dept_b):
    add(metric=metric, on=dt.date(2025, 1, 2), region=meixian.dongguan, department=dept_a, count=1)
    add(metric=metric, on=dt.date(2025, 2, 2), region=meixian.shoushan, department=dept_b, count=2)
    add(metric=metric, on=dt.date(2025, 2, 3), region=meixian.huaiya_village, department=dept_a, key="x", count=4)
    add(metric=metric, on=dt.date(2025, 5, 3), region=meixian.county, department=dept_a, count=8)
    months = (dt.date(2025, 1, 1), dt.date(2025, 4, 30))
    assert fact_total(metric, months=months, region=meixian.shoushan)["count"] == 3
    assert fact_total(metric, months=months, region=meixian.dongguan)["count"] == 1
    assert fact_total(metric, months=months, region=meixian.county)["count"] == 7
    assert fact_total(metric, region=meixian.province)["count"] == 15
    assert fact_total(metric, region=[meixian.huaiya, meixian.dongguan])["count"] == 5
    assert fact_total(metric, region=meixian.yingtou) == {"count": 0, "on_time": 0, "days_sum": 0}
    by_month = facts(metric, months=months, region=meixian.county, group_by=("month",))
    assert [(r["month"], r["count"]) for r in by_month] == [(dt.date(2025, 1, 1), 1), (dt.date(2025, 2, 1), 6)]
    by_department = facts(metric, group_by=("department", "key"))
    assert [(r["department"], r["key"], r["count"]) for r in by_department] == sorted(
        [(dept_a.pk, "", 9), (dept_a.pk, "x", 4), (dept_b.pk, "", 2)]
    )
    assert facts(metric, department=dept_b, group_by=("town",)) == [
        {"town": "610326001", "count": 2, "on_time": 0, "days_sum": 0}
    ]


def test_it_rates_with_no_denominator_as_none():
    assert rate(3, 4) == 0.75
    assert rate(0, 0) is None


def test_it_rebuild_replaces_the_stored_facts(metric, meixian, dept_a):
    add(metric=metric, on=dt.date(2025, 1, 2), region=meixian.dongguan, department=dept_a, count=5)
    SOURCE.extend(
        [
            {"month": dt.date(2025, 2, 1), "region": meixian.huaiya.pk, "department": None, "count": 1, "on_time": 1},
            {"month": dt.date(2025, 2, 1), "region": meixian.huaiya.pk, "department": None, "count": 1},
        ]
    )
    written = measures_rebuild(metrics=[metric])
    assert written == {metric: 1}
    assert fact_total(metric) == {"count": 2, "on_time": 1, "days_sum": 0}
    assert fact_total(metric, months=(dt.date(2025, 1, 1), dt.date(2025, 1, 31)))["count"] == 0
    assert measures_check(metrics=[metric]) == []


def test_it_check_finds_a_drifted_row(metric, meixian, capsys):
    SOURCE.append({"month": dt.date(2025, 2, 1), "region": meixian.huaiya.pk, "count": 3})
    call_command("measures", "rebuild", "--metric", metric)
    call_command("measures", "check", "--metric", metric)
    MonthlyFact.objects.filter(metric=metric).update(count=4)
    differences = measures_check(metrics=[metric])
    assert len(differences) == 1
    assert differences[0].stored["count"] == 4 and differences[0].rebuilt["count"] == 3
    with pytest.raises(CommandError):
        call_command("measures", "check", "--metric", metric)
    assert "已存" in capsys.readouterr().out


def test_a_scope_reads_the_facts_its_list_would_hold(metric, meixian, dept_a, dept_town, handler_a, supervisor):
    """``scope`` + ``action``: the test a staff list applies to its rows, on the fact's department and
    region — a handler their department's facts, a town's supervisor the town's subtree, no role none."""
    from yiwang.org.models import Role
    from yiwang.org.scoping import scope_for
    from yiwang.org.tests.factories import MembershipFactory, UserFactory

    on = dt.date(2025, 3, 5)
    add(metric=metric, on=on, region=meixian.huaiya_village, department=dept_town, count=1)
    add(metric=metric, on=on, region=meixian.huaiya, department=dept_a, count=2)
    add(metric=metric, on=on, region=meixian.yingtou, department=dept_a, count=4)
    add(metric=metric, on=on, region=meixian.county, department=None, count=8)
    town_supervisor = UserFactory(username="huaiya-supervisor")
    MembershipFactory(user=town_supervisor, role=Role.SUPERVISOR, region=meixian.huaiya)

    def total(user) -> int:
        return fact_total(metric, scope=scope_for(user), action="case.read")["count"]

    assert total(handler_a) == 6
    assert total(town_supervisor) == 3
    assert total(supervisor) == 15
    assert total(None) == 0
    with pytest.raises(ValueError, match="action"):
        fact_total(metric, scope=scope_for(handler_a))
