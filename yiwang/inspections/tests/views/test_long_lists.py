"""The task list counts every task the filters leave and reads one page: it once read the first 500 and
showed them as the whole list."""

import datetime as dt

import pytest
from django.urls import reverse

from yiwang.core.tests.reads import read_page
from yiwang.core.tests.rows import bulk_copies
from yiwang.inspections.models import Plan, Task
from yiwang.inspections.tests import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _copies(template: Task, n: int, region) -> None:
    """``n`` copies of ``template`` in its draw, each of a new entity (one task per entity and draw)."""
    entities = f.entities(region, {"B": n})
    bulk_copies(template, range(n), lambda row, i: setattr(row, "entity", entities[i]))


def _link(pk: int) -> str:
    return f'href="/inspections/tasks/{pk}/"'


def test_it_counts_every_task_and_reads_only_the_page(client, drawn, handler_b, meixian):
    template = Task.objects.filter(state=Task.State.ASSIGNED).order_by("pk").first()
    client.force_login(handler_b)
    url = reverse("inspections:tasks")
    _copies(template, 20, meixian.county)
    few, _ = read_page(client, url, state="assigned")
    _copies(template, 600, meixian.county)  # more than the 500 the list once read
    many, first = read_page(client, url, state="assigned")

    ordered = list(
        Task.objects.filter(state=Task.State.ASSIGNED).order_by("plan_id", "pk").values_list("pk", flat=True)
    )
    total = len(ordered)
    pages = -(-total // 50)
    _, last = read_page(client, url, state="assigned", page=pages)

    assert total > 620
    assert many == few
    assert f'data-testid="list-total">共 {total} 项检查任务' in first and f"第 1 / {pages} 页" in first
    assert _link(ordered[0]) in first and _link(ordered[49]) in first and _link(ordered[50]) not in first
    assert "?state=assigned&page=2" in first  # the next page keeps the filter
    assert _link(ordered[-1]) in last and _link(ordered[(pages - 1) * 50]) in last
    assert _link(ordered[(pages - 1) * 50 - 1]) not in last


def test_the_task_api_reads_every_task_window_by_window(client, drawn, handler_b, meixian):
    """The API once returned the first 500 tasks with no way to the rest: ``offset`` reads on."""
    template = Task.objects.filter(state=Task.State.ASSIGNED).order_by("pk").first()
    _copies(template, 600, meixian.county)
    ordered = list(
        Task.objects.filter(state=Task.State.ASSIGNED).order_by("plan_id", "pk").values_list("pk", flat=True)
    )
    client.force_login(handler_b)

    first = client.get("/api/inspections/tasks", {"state": "assigned"}).json()
    rest = client.get("/api/inspections/tasks", {"state": "assigned", "offset": 500}).json()
    small = client.get("/api/inspections/tasks", {"state": "assigned", "offset": 20, "limit": 5}).json()

    assert len(ordered) > 600
    assert [t["id"] for t in first] == ordered[:500]
    assert [t["id"] for t in rest] == ordered[500:]
    assert [t["id"] for t in small] == ordered[20:25]


def _plans(template: Plan, start: int, n: int, **fields) -> None:
    """``n`` copies of ``template``, ``P{i}`` checked from ``i`` days before the end of 2025 (so the ``i``-th
    latest after it)."""

    def each(row, i):
        row.number, row.title = f"SJ-P{i:03d}", f"抽查计划P{i:03d}"
        row.period_start = dt.date(2025, 12, 31) - dt.timedelta(days=i)

    bulk_copies(template, range(start, start + n), each, **fields)


def _plan_shown(html: str, i: int) -> bool:
    return f"<td>抽查计划P{i:03d}</td>" in html


def test_the_public_plan_list_counts_every_plan_and_reads_only_the_page(client, plan):
    """The public 一公开 list once showed the latest 100 plans as the whole list, with no count."""
    Plan.objects.filter(pk=plan.pk).update(state=Plan.State.PUBLISHED)
    _plans(plan, 1000, 5, state=Plan.State.DRAFT)  # not published: never on the public list
    _plans(plan, 0, 20, state=Plan.State.PUBLISHED)
    url = reverse("inspections:public")
    few, _ = read_page(client, url)
    _plans(plan, 20, 100, state=Plan.State.DRAWN)  # 121 plans: more than the 100 the list once showed
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=3)

    assert many == few
    assert 'data-testid="list-total">共 121 项抽查计划' in first and "第 1 / 3 页" in first
    # the latest period first, 50 a page: the fixture's plan (2026), then P000, P001, …
    assert f"<td>{plan.title}</td>" in first and _plan_shown(first, 0) and _plan_shown(first, 48)
    assert not _plan_shown(first, 49) and 'href="?page=2"' in first
    assert _plan_shown(last, 99) and _plan_shown(last, 119) and not _plan_shown(last, 98) and "第 3 / 3 页" in last
    assert not any(_plan_shown(first + last, i) for i in range(1000, 1005))
