"""The ratings' daily unrated sweep finds the appeals replied within its window through the partial index
on their reply time (hotline 0009), not by walking every appeal there has been."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from yiwang.hotline.models import Appeal
from yiwang.ratings.conf import setting
from yiwang.ratings.models import Rating
from yiwang.ratings.services import ratings_record_unrated
from yiwang.ratings.services.ratings import RATEABLE_APPEAL_STATES, _end_of, unrated_cutoff

pytestmark = pytest.mark.django_db

HISTORY, IN_WINDOW = 20000, 5


def _copies(appeal: Appeal, count: int, replied_at: str) -> None:
    """``count`` copies of a replied appeal in one INSERT … SELECT, each with its own code and the reply
    time given as an SQL expression of ``g`` (1…count)."""
    columns = [f.column for f in Appeal._meta.concrete_fields if f.column not in ("id", "code", "submission_key")]
    values = [
        replied_at if c == "replied_at" else f"{replied_at} - interval '3 days'" if c == "received_at" else f'"{c}"'
        for c in columns
    ]
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO hotline_appeal (code, {names}) "
            f"SELECT 'H{count}-' || g, {', '.join(values)} FROM hotline_appeal, generate_series(1, %s) g WHERE id = %s",
            [count, appeal.pk],
        )


def test_the_index_covers_the_sweeps_states():
    (index,) = [i for i in Appeal._meta.indexes if i.name == "hotline_appeal_unrated_window"]
    children = dict(index.condition.children)
    assert set(children["state__in"]) == set(RATEABLE_APPEAL_STATES)
    assert children["lead_department__isnull"] is False


def test_the_sweep_reads_the_window_through_the_index(replied):
    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL query plan")
    before = _end_of(unrated_cutoff(timezone.localdate()))
    window_start = before - dt.timedelta(days=int(setting("UNRATED_LOOKBACK_DAYS")))
    # Three years of history before the window, and a few appeals replied inside it.
    _copies(replied, HISTORY, f"'{window_start.isoformat()}'::timestamptz - (mod(g, 1000) + 1) * interval '1 day'")
    _copies(replied, IN_WINDOW, f"'{before.isoformat()}'::timestamptz - (g + 10) * interval '1 day'")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE hotline_appeal")
        cursor.execute("ANALYZE ratings_rating")

    with CaptureQueriesContext(connection) as captured:
        counts = ratings_record_unrated()

    # Only the appeals replied in the window are rated (the fixture's own was replied today).
    assert counts["appeals"] == IN_WINDOW
    assert Rating.objects.filter(appeal__code__startswith=f"H{IN_WINDOW}-").count() == IN_WINDOW
    assert not Rating.objects.filter(appeal__code__startswith=f"H{HISTORY}-").exists()
    (search, *_) = [q["sql"] for q in captured if 'FROM "hotline_appeal"' in q["sql"] and "NOT EXISTS" in q["sql"]]
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN " + search)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "hotline_appeal_unrated_window" in plan, plan
    assert "Seq Scan on hotline_appeal" not in plan and "hotline_appeal_pkey" not in plan, plan
