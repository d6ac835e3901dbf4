"""Figures come from the roll-ups, and a rebuild equals the incremental facts."""

import pytest

from yiwang.measures.selectors import measures_check
from yiwang.measures.services import measures_rebuild
from yiwang.ratings import measures as m
from yiwang.ratings import selectors
from yiwang.ratings.models import Rectification
from yiwang.ratings.services import rating_submit, rectification_verify

pytestmark = pytest.mark.django_db
METRICS = [m.RATED, m.BY_HALL, m.BY_WINDOW, m.BY_STAFF, m.BY_ITEM, m.RECTIFICATIONS]


@pytest.fixture
def rated(make_case, counter_case, citizen, clerk, handler_a):
    rating_submit(actor=citizen, case=make_case(), level=5, channel="online")
    rating_submit(actor=citizen, case=make_case(), level=4, channel="app")
    bad = rating_submit(actor=citizen, case=make_case(), level=1, channel="online", comment="推诿")
    rating_submit(actor=clerk, case=counter_case, level=2, channel="pad", comment="等候时间长")
    rectification_verify(
        rectification=Rectification.objects.get(rating=bad), reached=True, note="已回访", actor=handler_a
    )


def test_a_rebuild_equals_the_incremental_facts(rated):
    assert measures_check(metrics=METRICS) == []
    before = selectors.rating_totals()
    measures_rebuild(metrics=METRICS)
    assert selectors.rating_totals() == before
    assert measures_check(metrics=METRICS) == []


def test_satisfaction_by_each_level(rated, dept_a, county_hall, clerk, handler_a):
    totals = selectors.rating_totals()
    assert totals["count"] == 4 and totals["level_sum"] == 12 and totals["bad"] == 2 and totals["good"] == 2
    assert totals["satisfaction"] == pytest.approx(12 / 20)
    by_department = selectors.satisfaction_by("department")
    assert [(r["label"], r["count"]) for r in by_department] == [("县行政审批服务局", 4)]
    by_hall = selectors.satisfaction_by("hall")
    assert [(r["label"], r["count"], r["bad"]) for r in by_hall] == [("眉县政务服务中心", 1, 1)]
    by_staff = {r["label"]: r["count"] for r in selectors.satisfaction_by("staff")}
    assert by_staff == {"周敏": 3, "刘芳": 1}
    assert selectors.satisfaction_by("item")[0]["count"] == 4
    assert len(selectors.satisfaction_by("window")) == 1
    assert selectors.satisfaction_by("month")[0]["count"] == 4


def test_the_targets(rated):
    callback, rectified, on_time = selectors.targets()
    assert (callback.numerator, callback.denominator) == (1, 2)
    assert callback.measured == pytest.approx(0.5) and callback.target == 1.0 and not callback.met
    assert (rectified.numerator, rectified.denominator) == (0, 2)
    assert on_time.measured is None and on_time.county_default
