"""The staff lists of clues, repair requests, financing needs and 政务失信 records count every row and
link every page: the first three paged 50, 50 and 30 at a time but showed neither the count nor any link
to the rest, and the 政务失信 list read the newest 100 and showed them as the whole list."""

import copy
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.core.tests.reads import read_page
from yiwang.credit import services
from yiwang.credit.models import Clue, CreditRecord, CreditRepair, FinancingNeed
from yiwang.credit.tests.factories import EntityFactory

pytestmark = pytest.mark.django_db


def test_the_clue_list_counts_every_clue_and_links_every_page(client, meixian, dept_a, handler_a):
    entity = EntityFactory(name="眉县营头镇红河谷农家乐", region=meixian.county, town=meixian.yingtou)
    pushed = timezone.now()

    def clues(start: int, n: int) -> None:
        Clue.objects.bulk_create(
            Clue(
                entity=entity,
                region=meixian.county,
                department=dept_a,
                rule_code="serious_penalty",
                rule_label=f"规则C{i:04d}",
                summary="受到严重行政处罚",
                dedupe_key=f"test:{i}",
                pushed_at=pushed + dt.timedelta(minutes=i),
                due_on=pushed.date() + dt.timedelta(days=10),
            )
            for i in range(start, start + n)
        )

    client.force_login(handler_a)
    url = reverse("credit:clues")
    clues(0, 20)
    few, _ = read_page(client, url, state="pushed")
    clues(20, 240)
    many, first = read_page(client, url, state="pushed")
    _, last = read_page(client, url, state="pushed", page=6)

    assert many == few
    assert 'data-testid="list-total">共 260 条线索' in first and "第 1 / 6 页" in first
    # newest pushed first
    assert "<td>规则C0259</td>" in first and "<td>规则C0210</td>" in first and "<td>规则C0209</td>" not in first
    assert "?state=pushed&page=2" in first  # the next page keeps the filter
    assert "<td>规则C0009</td>" in last and "<td>规则C0000</td>" in last and "<td>规则C0010</td>" not in last


def test_the_government_dishonesty_list_counts_every_record_and_reads_only_the_page(client, dept_a, dept_b, handler_a):
    today = timezone.localdate()
    record = services.credit_record_create(
        entity=None,
        kind="government",
        subject_department=dept_b,
        title="承诺的招商奖励逾期未兑现",
        department=dept_a,
        decided_on=today - dt.timedelta(days=300),
        actor=handler_a,
    )

    def copies(start: int, n: int) -> None:
        rows = [copy.copy(record) for _ in range(n)]
        for i, row in zip(range(start, start + n), rows, strict=True):
            row.pk, row.title = None, f"拖欠账款G{i:04d}"
            row.decided_on = record.decided_on + dt.timedelta(days=i + 1)
        CreditRecord.objects.bulk_create(rows)

    client.force_login(handler_a)
    url = reverse("credit:government")
    copies(0, 20)
    few, _ = read_page(client, url)
    copies(20, 110)  # more than the 100 the list once read
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=3)

    assert many == few
    assert 'data-testid="list-total">共 131 条记录' in first and "第 1 / 3 页" in first
    # newest decision first
    assert "<td>拖欠账款G0129</td>" in first and "<td>拖欠账款G0080</td>" in first
    assert "<td>拖欠账款G0079</td>" not in first
    assert "<td>拖欠账款G0029</td>" in last and "<td>拖欠账款G0000</td>" in last
    assert "<td>承诺的招商奖励逾期未兑现</td>" in last and "<td>拖欠账款G0030</td>" not in last


@pytest.fixture
def entity(meixian):
    return EntityFactory(name="眉县营头镇红河谷农家乐", region=meixian.county, town=meixian.yingtou)


def test_the_repair_list_counts_every_request_and_links_every_page(client, meixian, dept_a, handler_a, entity):
    record = services.credit_record_create(
        entity=entity,
        kind="penalty",
        title="超范围经营",
        department=dept_a,
        decided_on=timezone.localdate(),
        actor=handler_a,
    )
    now = timezone.now()

    def repairs(start: int, n: int) -> None:
        CreditRepair.objects.bulk_create(
            CreditRepair(
                record=record,
                department=dept_a,
                region=meixian.county,
                statement=f"已整改R{i:04d}",
                state="rejected",
                requested_at=now + dt.timedelta(minutes=i),
                due_on=now.date(),
            )
            for i in range(start, start + n)
        )

    client.force_login(handler_a)
    url = reverse("credit:repairs")
    repairs(0, 20)
    few, _ = read_page(client, url, state="rejected")
    repairs(20, 100)
    many, first = read_page(client, url, state="rejected")
    _, last = read_page(client, url, state="rejected", page=3)

    assert many == few
    assert 'data-testid="list-total">共 120 件申请' in first and "第 1 / 3 页" in first
    assert "<td>已整改R0119</td>" in first and "<td>已整改R0070</td>" in first and "<td>已整改R0069</td>" not in first
    assert "?state=rejected&page=2" in first  # the next page keeps the filter
    assert "<td>已整改R0019</td>" in last and "<td>已整改R0000</td>" in last and "<td>已整改R0020</td>" not in last


def test_the_financing_desk_counts_every_need_and_links_every_page(client, meixian, handler_a, entity):
    now = timezone.now()

    def needs(start: int, n: int) -> None:
        FinancingNeed.objects.bulk_create(
            FinancingNeed(
                entity=entity,
                region=meixian.county,
                amount=50,
                purpose=f"收购鲜果F{i:04d}",
                published_at=now + dt.timedelta(minutes=i),
            )
            for i in range(start, start + n)
        )

    client.force_login(handler_a)
    url = reverse("credit:staff_financing")
    needs(0, 20)
    few, _ = read_page(client, url)
    needs(20, 100)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=4)

    assert many == few
    assert 'data-testid="list-total">共 120 条融资需求' in first and "第 1 / 4 页" in first
    assert "<td>收购鲜果F0119</td>" in first and "<td>收购鲜果F0090</td>" in first
    assert "<td>收购鲜果F0089</td>" not in first
    assert (
        "<td>收购鲜果F0029</td>" in last and "<td>收购鲜果F0000</td>" in last and "<td>收购鲜果F0030</td>" not in last
    )


def test_the_clue_api_reads_every_clue_window_by_window(client, meixian, dept_a, handler_a, entity):
    """The API once returned the newest 200 clues with no way to the rest: ``offset`` reads on."""
    pushed = timezone.now()
    Clue.objects.bulk_create(
        Clue(
            entity=entity,
            region=meixian.county,
            department=dept_a,
            rule_code="serious_penalty",
            rule_label=f"规则C{i:04d}",
            summary="受到严重行政处罚",
            dedupe_key=f"test:{i}",
            pushed_at=pushed + dt.timedelta(minutes=i),
            due_on=pushed.date() + dt.timedelta(days=10),
        )
        for i in range(230)
    )
    client.force_login(handler_a)

    first = client.get("/api/credit/clues").json()
    rest = client.get("/api/credit/clues", {"offset": 200}).json()

    assert [c["rule_label"] for c in first] == [f"规则C{i:04d}" for i in range(229, 29, -1)]
    assert [c["rule_label"] for c in rest] == [f"规则C{i:04d}" for i in range(29, -1, -1)]


def test_the_public_announcement_api_reads_every_record_window_by_window(client, dept_a, dept_b, handler_a):
    """The announcement API returned at most the newest 500 records with no way to the rest: ``offset``
    reads on."""
    record = services.credit_record_create(
        entity=None,
        kind="government",
        subject_department=dept_b,
        title="承诺的招商奖励逾期未兑现",
        department=dept_a,
        decided_on=timezone.localdate() - dt.timedelta(days=600),
        actor=handler_a,
    )
    rows = [copy.copy(record) for _ in range(510)]
    for i, row in enumerate(rows):
        row.pk, row.title = None, f"拖欠账款G{i:04d}"
        row.decided_on = record.decided_on + dt.timedelta(days=i + 1)
    CreditRecord.objects.bulk_create(rows)

    first = client.get("/api/credit/public", {"list_code": "government", "limit": 500}).json()
    rest = client.get("/api/credit/public", {"list_code": "government", "limit": 500, "offset": 500}).json()

    assert [r["title"] for r in first] == [f"拖欠账款G{i:04d}" for i in range(509, 9, -1)]
    assert [r["title"] for r in rest] == [f"拖欠账款G{i:04d}" for i in range(9, -1, -1)] + [record.title]
