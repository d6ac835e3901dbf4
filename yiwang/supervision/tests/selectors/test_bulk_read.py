"""The dashboard reads every metric in one grouped query per fact table, and the figures equal the
per-metric reads of ``yiwang.measures.selectors.facts``."""

import datetime as dt

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from yiwang.measures.services import measure_add, measures_fold
from yiwang.supervision.measuring import MEASUREMENTS, metric_rows, prefetch_metrics
from yiwang.supervision.selectors import period_months


def test_one_bulk_read_equals_the_reads_per_metric(county):
    with transaction.atomic():
        for month, n in ((1, 3), (2, 5), (11, 2)):
            on = dt.date(2026, month, 10)
            measure_add(metric="hotline.revisits", on=on, region=county, count=n, resolved=n - 1, satisfied=1)
            measure_add(metric="cases.opening", on=on, region=county, key=str(month % 3), count=n)
            measure_add(metric="hotline.dispatched", on=on, region=county, count=n, responded=n, responded_on_time=1)
        measure_add(metric="hotline.revisits", on=dt.date(2025, 12, 1), region=county, count=9, resolved=9)
    measures_fold()
    with transaction.atomic():  # some increments still pending: both tables are read
        measure_add(metric="hotline.revisits", on=dt.date(2026, 2, 3), region=county, count=1, satisfied=1)
    months = period_months(year=2026)
    names = [n for n, spec in MEASUREMENTS.items() if spec.available]
    cache: dict = {}
    with CaptureQueriesContext(connection) as queries:
        prefetch_metrics(names, months=months, region=county, cache=cache)
    assert len(queries) == 2
    for name in names:
        spec = MEASUREMENTS[name]
        expected = metric_rows(spec.metric, months=months, region=county, snapshot=spec.snapshot)
        assert cache[(spec.metric, spec.snapshot)] == expected, name
    revisits = cache[("hotline.revisits", False)]
    assert [(r["month"].month, r["count"], r["satisfied"]) for r in revisits] == [(1, 3, 1), (2, 6, 2), (11, 2, 1)]
