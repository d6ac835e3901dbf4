"""Indicators: DTF scoring against a published Doing Business figure, measured values from roll-ups,
entered values with evidence, configurable bounds."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction

from yiwang.core.errors import ApplicationError
from yiwang.measures.services import measure_add
from yiwang.supervision.indicators import INDICATORS, dtf_score, starting_business_score
from yiwang.supervision.models import Indicator, SubMeasure
from yiwang.supervision.selectors import measure_rows, rag_status
from yiwang.supervision.services.indicators import indicator_value_enter, indicators_load, submeasure_configure


def test_the_dtf_formula_and_its_clipping():
    assert dtf_score(8.6, 0.5, 100) == pytest.approx(91.8593, abs=1e-4)  # lower is better
    assert dtf_score(75, 100, 0) == 75  # a rate: higher is better
    assert dtf_score(150, 0.5, 100) == 0 and dtf_score(0.1, 0.5, 100) == 100
    assert dtf_score(None, 0, 1) is None
    with pytest.raises(ValueError):
        dtf_score(1, 2, 2)


def test_starting_a_business_matches_a_published_doing_business_score():
    # Doing Business 2018, country table "Afghanistan": procedures 3.5, time 7.5 days, cost 82.3 % of
    # income per capita, minimum capital 0.0 → "DTF score for starting a business (0–100) 84.28"
    # (DB bounds, as in DB2019/DB2020: procedures 1/18, time 0.5/100, cost 0/200, capital 0/400).
    score = starting_business_score(procedures=3.5, days=7.5, cost_percent=82.3, min_capital_percent=0.0)
    assert round(score, 2) == 84.28
    # The frontier itself scores 100 on every component.
    assert starting_business_score(procedures=1, days=0.5, cost_percent=0, min_capital_percent=0) == 100


def test_the_indicator_data_holds_the_18_national_indicators_and_the_plans_targets(org):
    assert [spec.name for spec in INDICATORS] == [
        "开办企业",
        "劳动力市场监管",
        "办理建筑许可",
        "政府采购",
        "招标投标",
        "获得电力",
        "获得用水用气",
        "登记财产",
        "获得信贷",
        "保护中小投资者",
        "知识产权创造保护和运用",
        "跨境贸易",
        "纳税",
        "执行合同",
        "办理破产",
        "市场监管",
        "政务服务",
        "包容普惠创新",
    ]
    loaded = indicators_load()
    assert loaded == SubMeasure.objects.count() and Indicator.objects.count() == 18
    assert indicators_load() == loaded  # idempotent
    targets = {m.code: (m.target, m.target_source) for m in SubMeasure.objects.exclude(target=None)}
    assert targets["online-available"] == (Decimal("60"), "实施方案 二（一）(2)")
    assert [targets[f"construction-{c}"][0] for c in ("government", "social", "low-risk")] == [90, 50, 15]
    assert [
        targets[f"electricity-{c}"][0]
        for c in ("resident", "low-voltage-sanling", "low-voltage", "high-single", "high-dual")
    ] == [5, 20, 6, 22, 32]
    assert targets["opening-days"][0] == 1
    assert Indicator.objects.get(code="electricity").department.code == "state-grid-meixian"
    opening = SubMeasure.objects.get(code="opening-days")
    assert (opening.frontier, opening.worst) == (Decimal("0.5"), Decimal("100"))


def test_it_measures_from_the_roll_ups_and_scores(org, county):
    indicators_load()
    with transaction.atomic():
        # 企业开办: 6 same-day, 3 in one working day, 1 in three → mean 0.6 day; 90 % within 1 day.
        for key, n in (("0", 6), ("1", 3), ("3", 1)):
            measure_add(
                metric="cases.opening",
                on=dt.date(2026, 2, 10),
                region=county,
                key=key,
                count=n,
                seconds_sum=0,
                seconds_count=n,
            )
        measure_add(
            metric="hotline.revisits", on=dt.date(2026, 1, 5), region=county, count=20, resolved=18, satisfied=19
        )
        measure_add(
            metric="hotline.revisits", on=dt.date(2026, 2, 5), region=county, count=10, resolved=10, satisfied=10
        )
    months = (dt.date(2026, 1, 1), dt.date(2026, 3, 1))
    rows = {r.measure.code: r for r in measure_rows(months=months, region=county)}
    opening = rows["opening-days"]
    assert opening.source == "measured" and opening.value == pytest.approx(0.6)
    assert opening.score == pytest.approx((100 - 0.6) / 99.5 * 100)
    assert opening.status == "green"  # within the plan's 1 day
    assert rows["opening-within-target"].value == pytest.approx(90.0)
    assert rows["opening-within-target"].status == "amber"  # target 100 %, within the 20 % margin
    resolution = rows["appeal-resolution"]
    assert resolution.value == pytest.approx(28 / 30 * 100)
    assert [(m, round(v, 1)) for m, v in resolution.trend] == [
        (dt.date(2026, 1, 1), 90.0),
        (dt.date(2026, 2, 1), 100.0),
    ]
    assert rows["property-days"].source == "" and rows["property-days"].value is None


def test_a_department_enters_a_value_with_evidence(org, county, office, market_handler, approval_handler):
    indicators_load()
    patents = SubMeasure.objects.get(code="ip-patents-per-10k")  # 县市场监管局's indicator
    with pytest.raises(ApplicationError) as refused:
        indicator_value_enter(
            measure=patents, month=dt.date(2026, 2, 1), value="3.2", evidence="", actor=market_handler
        )
    assert refused.value.code == "supervision.evidence_required"
    with pytest.raises(ApplicationError) as refused:
        indicator_value_enter(
            measure=patents, month=dt.date(2026, 2, 1), value="3.2", evidence="统计局年报", actor=approval_handler
        )
    assert refused.value.code == "supervision.forbidden"
    with pytest.raises(ApplicationError) as refused:
        indicator_value_enter(
            measure=patents, month=dt.date(2026, 2, 1), value="三点二", evidence="x", actor=market_handler
        )
    assert refused.value.code == "supervision.bad_value"
    indicator_value_enter(
        measure=patents, month=dt.date(2026, 2, 14), value="3.2", evidence="县知识产权统计（2月）", actor=market_handler
    )
    indicator_value_enter(
        measure=patents, month=dt.date(2026, 2, 1), value="3.4", evidence="更正", actor=market_handler
    )
    row = next(r for r in measure_rows(months=(dt.date(2026, 1, 1), dt.date(2026, 3, 1))) if r.measure == patents)
    assert (row.source, row.value, row.evidence) == ("entered", 3.4, "更正")
    assert row.score == pytest.approx(3.4 / 20 * 100)
    opening = SubMeasure.objects.get(code="opening-days")
    with pytest.raises(ApplicationError) as refused:
        indicator_value_enter(measure=opening, month=dt.date(2026, 2, 1), value="1", evidence="手填", actor=office)
    assert refused.value.code == "supervision.value_measured"


def test_the_office_configures_frontier_and_worst(org, office, market_handler):
    indicators_load()
    patents = SubMeasure.objects.get(code="ip-patents-per-10k")
    with pytest.raises(ApplicationError):
        submeasure_configure(measure=patents, frontier=10, worst=0, actor=market_handler)
    with pytest.raises(ApplicationError) as refused:
        submeasure_configure(measure=patents, frontier=5, worst=5, actor=office)
    assert refused.value.code == "supervision.bounds_equal"
    submeasure_configure(measure=patents, frontier=10, worst=0, actor=office)
    indicators_load()  # a reload keeps the office's bounds
    patents.refresh_from_db()
    assert (patents.frontier, patents.worst) == (Decimal("10"), Decimal("0"))


def test_red_amber_green():
    assert rag_status(value=0.9, target=1, frontier=0.5, worst=100, score=None) == "green"
    assert rag_status(value=1.1, target=1, frontier=0.5, worst=100, score=None) == "amber"
    assert rag_status(value=1.3, target=1, frontier=0.5, worst=100, score=None) == "red"
    assert rag_status(value=55, target=60, frontier=100, worst=0, score=None) == "amber"
    assert rag_status(value=40, target=60, frontier=100, worst=0, score=None) == "red"
    assert rag_status(value=5, target=None, frontier=100, worst=0, score=85) == "green"
    assert rag_status(value=None, target=60, frontier=100, worst=0, score=None) == "none"
