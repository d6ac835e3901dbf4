"""The public column (有问必应) reads the published replies through their partial index (hotline 0012): the
window's edge, the page and its count from the index's head, on both engines, not a scan and sort of every
appeal the county has received."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.hotline import services
from yiwang.hotline.models import REPLIED_STATES, Appeal
from yiwang.hotline.selectors.public import _published

pytestmark = pytest.mark.django_db

HISTORY = 3000


def test_the_index_holds_what_the_column_publishes():
    (index,) = [i for i in Appeal._meta.indexes if i.name == "hotline_appeal_public_replied"]
    children = dict(index.condition.children)
    assert set(children["state__in"]) == set(REPLIED_STATES)
    assert children["public_consent"] is True and children["merged_into__isnull"] is True
    assert list(index.fields) == ["replied_at", "id"]
    # The column's own filter is written with the same states in the same order: SQLite uses a partial
    # index only when the query repeats its terms.
    assert f"IN {tuple(children['state__in'])}".replace("'", "") in str(_published().query).replace("'", "")


def _history(appeal: Appeal, count: int) -> None:
    """``count`` copies of ``appeal`` that were never published (no consent), in one INSERT … SELECT,
    and a few published ones, then ANALYZE: the statistics of a county's years."""
    columns = [f.column for f in Appeal._meta.concrete_fields if f.column not in ("id", "code", "submission_key")]
    names = ", ".join(f'"{c}"' for c in columns)
    for prefix, consent, rows in (("H", False, count), ("P", True, 20)):
        earlier = (  # each copy replied g hours before the appeal
            "replied_at - g * interval '1 hour'"
            if connection.vendor == "postgresql"
            else "strftime('%Y-%m-%d %H:%M:%S', replied_at, '-' || g || ' hours') || substr(replied_at, 20)"
        )
        values = [
            ("TRUE" if consent else "FALSE") if c == "public_consent" else earlier if c == "replied_at" else f'"{c}"'
            for c in columns
        ]
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                series = "generate_series(1, %s) g"
            else:
                series = (
                    "(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < %s) SELECT g FROM s)"
                )
            cursor.execute(
                f"INSERT INTO hotline_appeal (code, {names}) "  # noqa: S608 - column names from the model
                f"SELECT '{prefix}' || g, {', '.join(values)} FROM hotline_appeal, {series} WHERE id = %s",
                [rows, appeal.pk],
            )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _plan(sql: str, params) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("EXPLAIN " + sql, params)
            return "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return "\n".join(str(row[-1]) for row in cursor.fetchall())


def test_the_column_reads_its_window_page_and_count_from_the_index(client, make_appeal, operator, categories, settings):
    settings.HOTLINE = {"PUBLIC_REPLIES_WINDOW": 10}
    appeal = make_appeal(kind="consultation", title="村口路灯咨询", content="村口路灯什么时候修？", public_consent=True)
    services.appeal_answer(appeal=appeal, content="已转告镇上电工，本周内修好。", actor=operator)
    _history(Appeal.objects.get(pk=appeal.pk), HISTORY)

    with CaptureQueriesContext(connection) as captured:
        page = client.get(reverse("hotline:public_list")).content.decode()

    assert "共 10 条公开答复" in page  # 21 published: the window's 10
    reads = [q["sql"] for q in captured if 'FROM "hotline_appeal"' in q["sql"] and "public_consent" in q["sql"]]
    assert len(reads) == 3, reads  # the window's edge, the count, the page
    for sql in reads:
        plan = _plan(sql, None)
        assert "hotline_appeal_public_replied" in plan, (sql, plan)
        # a scan of the partial index reads published replies only; of the table, every appeal
        assert "Seq Scan on hotline_appeal" not in plan, (sql, plan)
        assert not re.search(
            r"SCAN hotline_appeal\b(?! USING (COVERING )?INDEX hotline_appeal_public_replied)", plan
        ), (
            sql,
            plan,
        )
