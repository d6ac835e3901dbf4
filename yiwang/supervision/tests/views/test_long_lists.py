"""A task's page counts every progress report and notice and pages each: it once showed the newest 50 of
each as if they were all."""

import copy
import datetime as dt

import pytest

from yiwang.core.tests.reads import read_page
from yiwang.supervision.models import Notice, PlanTask, ProgressReport
from yiwang.supervision.services.plan import plan_import
from yiwang.supervision.services.tasks import notice_issue_by_office, progress_report

from ..services.test_task_tracking import PLAN

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


@pytest.fixture
def plan(office, county_leader):
    return plan_import(text=PLAN, actor=office).plan


def _copies(model, template, start: int, n: int, **change) -> None:
    """``n`` copies of ``template``; ``change`` maps a field to a function of the copy's index."""
    rows = [copy.copy(template) for _ in range(n)]
    for i, row in zip(range(start, start + n), rows, strict=True):
        row.pk = None
        for field, value in change.items():
            setattr(row, field, value(i))
    model.objects.bulk_create(rows)


def test_the_task_page_counts_every_report_and_notice_and_pages_each(client, plan, office, approval, approval_handler):
    task = PlanTask.objects.get(plan=plan, part=4, no=1)
    report = progress_report(
        task=task, department=approval, text="平台建设启动", percent_done=10, actor=approval_handler
    )
    notice = notice_issue_by_office(task=task, actor=office, text="进度滞后，请加快推进")
    reports = dict(
        text=lambda i: f"进展R{i:04d}", reported_at=lambda i: report.reported_at + dt.timedelta(minutes=i + 1)
    )
    notices = dict(
        number=lambda i: f"DB-T-{i:06d}",
        text=lambda i: f"督办N{i:04d}",
        issued_on=lambda i: notice.issued_on + dt.timedelta(days=i + 1),
        clock=lambda i: None,
    )
    client.force_login(office)
    url = f"/supervision/tasks/{task.pk}/"
    _copies(ProgressReport, report, 0, 10, **reports)
    _copies(Notice, notice, 0, 10, **notices)
    few, _ = read_page(client, url)
    _copies(ProgressReport, report, 10, 50, **reports)  # more than the 50 of each the page once read
    _copies(Notice, notice, 10, 50, **notices)
    many, first = read_page(client, url)
    _, last = read_page(client, url, reports_page=4, notices_page=4)

    assert many == few
    assert 'data-testid="reports-total">共 61 次' in first and 'data-testid="notices-total">共 61 份' in first
    assert "进展R0059<" in first and "进展R0040<" in first and "进展R0039<" not in first
    assert "督办N0059<" in first and "督办N0040<" in first and "督办N0039<" not in first
    # each list's links keep the other list's page
    assert "?notices_page=4&reports_page=3" in last and "?reports_page=4&notices_page=3" in last
    # 3 pages of 20, then the first report and the first notice on the 4th
    assert "平台建设启动<" in last and "进展R0000<" not in last
    assert "进度滞后，请加快推进<" in last and "督办N0000<" not in last


def test_the_ledger_api_reads_every_item_window_by_window(client, office, approval, county):
    """The API once returned the first 500 ledger items with no way to the rest: ``offset`` reads on."""
    from yiwang.supervision.models import LedgerItem

    due = dt.date(2026, 12, 31)
    LedgerItem.objects.bulk_create(
        LedgerItem(
            kind="governance",
            number=f"TZ-{i:06d}",
            region=approval.region,
            department=approval,
            title=f"专项治理事项L{i:04d}",
            due_on=due,
            registered_on=due - dt.timedelta(days=300),
        )
        for i in range(520)
    )
    client.force_login(office)

    first = client.get("/api/supervision/ledgers").json()
    rest = client.get("/api/supervision/ledgers", {"offset": 500}).json()

    # open, due the same day: in the order they were registered
    assert [i["number"] for i in first] == [f"TZ-{i:06d}" for i in range(500)]
    assert [i["number"] for i in rest] == [f"TZ-{i:06d}" for i in range(500, 520)]


def _overdue_milestones(task, start: int, n: int) -> None:
    """``n`` open milestones of ``task`` past their due day, ``M{i}`` due ``200 - i`` days ago (so ``i``-th
    longest overdue)."""
    from django.utils import timezone

    from yiwang.supervision.models import Milestone

    today = timezone.localdate()
    Milestone.objects.bulk_create(
        Milestone(task=task, title=f"逾期节点M{i:03d}", due_on=today - dt.timedelta(days=200 - i), source="office")
        for i in range(start, start + n)
    )


def _listed(html: str, i: int) -> bool:
    return f"：逾期节点M{i:03d}，" in html


def test_the_dashboard_counts_every_overdue_milestone_and_reads_only_the_page(client, plan, county_leader, settings):
    """The dashboard once showed the 50 longest overdue milestones as the whole list, with no count."""
    from django.utils import timezone

    from yiwang.supervision.models import Milestone

    settings.YIWANG_SUPERVISION = {"DASHBOARD_CACHE_SECONDS": 0}  # every request computes the whole page
    task = PlanTask.objects.filter(plan=plan).order_by("part", "no").first()
    today = timezone.localdate()
    Milestone.objects.bulk_create(
        [  # neither is overdue: done, and due tomorrow
            Milestone(
                task=task, title="逾期节点D", due_on=today - dt.timedelta(days=300), source="office", state="done"
            ),
            Milestone(task=task, title="逾期节点T", due_on=today + dt.timedelta(days=1), source="office"),
        ]
    )
    client.force_login(county_leader)
    url = "/supervision/dashboard/"
    _overdue_milestones(task, 0, 10)
    few, _ = read_page(client, url, year=2026)
    _overdue_milestones(task, 10, 50)  # 60 overdue: more than the 50 the dashboard once showed
    many, first = read_page(client, url, year=2026)
    _, last = read_page(client, url, year=2026, overdue_page=6)

    assert many == few
    assert 'data-testid="overdue-total">共 60 项' in first and "第 1 / 6 页" in first
    # the longest overdue first, 10 a page
    assert _listed(first, 0) and _listed(first, 9) and not _listed(first, 10)
    assert _listed(last, 50) and _listed(last, 59) and not _listed(last, 49) and "第 6 / 6 页" in last
    assert "逾期节点D" not in first + last and "逾期节点T" not in first + last
    # the links keep the period asked for
    assert 'href="?year=2026&overdue_page=2"' in first and 'href="?year=2026&overdue_page=5"' in last


def test_the_dashboard_api_counts_every_overdue_milestone_and_reads_on_by_offset(client, plan, county_leader):
    """The API once returned the 50 longest overdue milestones as the whole list: ``overdue_total`` counts
    them all and ``offset`` reads on."""
    _overdue_milestones(PlanTask.objects.filter(plan=plan).order_by("part", "no").first(), 0, 60)
    client.force_login(county_leader)

    first = client.get("/api/supervision/dashboard").json()
    rest = client.get("/api/supervision/dashboard", {"offset": 50}).json()

    assert first["overdue_total"] == rest["overdue_total"] == 60
    assert [m["milestone"] for m in first["overdue"]] == [f"逾期节点M{i:03d}" for i in range(50)]
    assert [m["milestone"] for m in rest["overdue"]] == [f"逾期节点M{i:03d}" for i in range(50, 60)]


def _values(measure, department, start: int, n: int) -> None:
    """``n`` monthly values of ``measure``, ``V{i}`` for the ``i``-th month before 2026 (so the ``i``-th latest)."""
    from yiwang.supervision.models import IndicatorValue

    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            measure=measure,
            month=dt.date(2025 - i // 12, 12 - i % 12, 1),
            value=i,
            evidence=f"佐证V{i:03d}",
            department=department,
        )
        for i in range(start, start + n)
    )


def _value_shown(html: str, i: int) -> bool:
    return f"— 佐证V{i:03d}</li>" in html


def test_an_indicators_page_counts_every_month_entered_and_reads_only_the_page(client, office, approval):
    """The entry page once listed the latest 24 months under 已填报 as if they were all."""
    from yiwang.supervision.models import SubMeasure
    from yiwang.supervision.services.indicators import indicators_load

    indicators_load()
    measure, other = SubMeasure.objects.order_by("pk")[:2]
    _values(other, approval, 0, 3)  # another measure's: never on this page
    client.force_login(office)
    url = f"/supervision/indicators/{measure.pk}/enter/"
    _values(measure, approval, 0, 10)
    few, _ = read_page(client, url)
    _values(measure, approval, 10, 30)  # 40 months: more than the 24 the page once showed
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=2)

    assert many == few
    assert 'data-testid="list-total">共 40 个月' in first and "第 1 / 2 页" in first
    assert _value_shown(first, 0) and _value_shown(first, 23) and not _value_shown(first, 24)
    assert 'href="?page=2"' in first
    assert _value_shown(last, 24) and _value_shown(last, 39) and not _value_shown(last, 23) and "第 2 / 2 页" in last
    assert "2022-09：" in last  # the 40th month before 2026
