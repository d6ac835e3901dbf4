"""The project, issue and connection lists count every row and read one page: they once read the first
200, 200 and 300 rows and showed them as the whole list (each test makes more rows than that)."""

import datetime as dt

import pytest
from django.urls import reverse

from yiwang.core.tests.reads import read_page
from yiwang.projects import services
from yiwang.projects.models import ConstructionProject, ServiceIssue, StewardLog, UtilityConnection

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _copies(model, template, start: int, n: int, **change) -> list:
    """``n`` copies of ``template``; ``change`` maps a field to a function of the copy's index."""
    rows = []
    for i in range(start, start + n):
        row = model.objects.get(pk=template.pk)
        row.pk = None
        for field, value in change.items():
            setattr(row, field, value(i))
        rows.append(row)
    return model.objects.bulk_create(rows)


def test_it_counts_every_project_and_reads_only_the_page(client, social_project, handler_a):
    client.force_login(handler_a)
    url = reverse("projects:list")
    # created_at is set on insert: each copy is newer than the one before and than the template
    made = dict(code=lambda i: f"2101-610326-04-01-9{i:05d}", name=lambda i: f"猕猴桃冷库P{i:04d}")
    _copies(ConstructionProject, social_project, 0, 20, **made)
    few, _ = read_page(client, url)
    _copies(ConstructionProject, social_project, 20, 240, **made)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=6)

    assert ConstructionProject.objects.count() == 261
    assert many == few
    assert 'data-testid="list-total">共 261 个项目' in first and "第 1 / 6 页" in first
    assert "P0259</td>" in first and "P0210</td>" in first and "P0209</td>" not in first
    assert "P0009</td>" in last and "P0000</td>" in last and f">{social_project.code}</a>" in last
    assert "P0010</td>" not in last


def test_it_counts_every_issue_and_reads_only_the_page(client, social_project, handlers, handler_a):
    housing = handlers["housing-construction"]
    issue = services.service_issue_raise(
        enterprise_name="眉县秦岭果业有限公司",
        text="施工临时用水接入点位不明确",
        department=housing.memberships.first().department,
        project=social_project,
        actor=handler_a,
    )
    client.force_login(housing)
    url = reverse("projects:issues")
    made = dict(text=lambda i: f"问题I{i:04d}", raised_at=lambda i: issue.raised_at + dt.timedelta(minutes=i + 1))
    _copies(ServiceIssue, issue, 0, 20, **made)
    few, _ = read_page(client, url)
    _copies(ServiceIssue, issue, 20, 240, **made)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=6)

    assert many == few
    assert 'data-testid="list-total">共 261 个问题' in first and "第 1 / 6 页" in first
    assert "I0259<div" in first and "I0210<div" in first and "I0209<div" not in first
    assert "办结</button>" in first  # each row still says whether the reader may resolve it
    assert "I0009<div" in last and "I0000<div" in last and "施工临时用水接入点位不明确<div" in last
    assert "I0010<div" not in last


def test_it_counts_every_connection_and_reads_only_the_page(client, handlers, enterprise_user, meixian):
    power = handlers["state-grid-meixian"]
    applied = services.connection_apply(
        kind="electricity",
        category="low_voltage",
        applicant_name="眉县秦岭果业有限公司",
        applicant_phone="13891712345",
        address="眉县经开区渭河大道北侧",
        region=meixian.county,
        actor=enterprise_user,
    )
    client.force_login(power)
    url = reverse("projects:connections")
    made = dict(number=lambda i: f"DJ{i:06d}", accepted_at=lambda i: applied.accepted_at + dt.timedelta(minutes=i + 1))
    _copies(UtilityConnection, applied, 0, 20, **made)
    few, _ = read_page(client, url)
    _copies(UtilityConnection, applied, 20, 300, **made)  # more than the 300 the list once read
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=7)

    assert many == few
    assert 'data-testid="list-total">共 321 件报装' in first and "第 1 / 7 页" in first
    assert ">DJ000319</a>" in first and ">DJ000270</a>" in first and ">DJ000269</a>" not in first
    assert ">DJ000019</a>" in last and ">DJ000000</a>" in last and f">{applied.number}</a>" in last
    assert ">DJ000020</a>" not in last


def test_the_project_page_counts_every_log_entry_and_issue_and_pages_each(client, social_project, handlers, handler_a):
    """The project's page once showed the newest 50 log entries and 50 issues as if they were all."""
    issue = services.service_issue_raise(
        enterprise_name="眉县秦岭果业有限公司",
        text="施工临时用水接入点位不明确",
        department=handlers["housing-construction"].memberships.first().department,
        project=social_project,
        actor=handler_a,
    )
    start = dt.date(2026, 1, 1)

    def logs(first: int, n: int) -> None:
        StewardLog.objects.bulk_create(
            StewardLog(
                project=social_project,
                kind="visit",
                text=f"走访L{i:04d}",
                on=start + dt.timedelta(days=i),
                author=handler_a,
            )
            for i in range(first, first + n)
        )

    made = dict(text=lambda i: f"问题I{i:04d}", raised_at=lambda i: issue.raised_at + dt.timedelta(minutes=i + 1))
    client.force_login(handler_a)
    url = reverse("projects:detail", args=[social_project.pk])
    logs(0, 20)
    _copies(ServiceIssue, issue, 0, 20, **made)
    few, _ = read_page(client, url)
    logs(20, 50)  # more than the 50 of each the page once read
    _copies(ServiceIssue, issue, 20, 50, **made)
    many, first = read_page(client, url)
    _, last = read_page(client, url, logs_page=4, issues_page=4)

    assert many == few
    assert 'data-testid="logs-total">共 70 条' in first and 'data-testid="issues-total">共 71 件' in first
    assert "走访L0069 " in first and "走访L0050 " in first and "走访L0049 " not in first
    assert "问题I0069 " in first and "问题I0050 " in first and "问题I0049 " not in first
    # each list's links keep the other list's page
    assert "?issues_page=4&logs_page=3" in last and "?logs_page=4&issues_page=3" in last
    assert "走访L0009 " in last and "走访L0000 " in last and "走访L0010 " not in last
    assert "问题I0009 " in last and "问题I0000 " in last and "施工临时用水接入点位不明确 " in last
    assert "问题I0010 " not in last
