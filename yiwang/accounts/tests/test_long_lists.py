"""我的诉求 counts every appeal of the person and reads one page: it once read the newest 100 (each with
its timeline) and showed them as the whole list."""

import datetime as dt

import pytest
from django.urls import reverse

from yiwang.core.tests.reads import read_page
from yiwang.hotline import services as hotline_services
from yiwang.hotline.models import Appeal

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _copies(template: Appeal, start: int, n: int) -> None:
    rows = []
    for i in range(start, start + n):
        row = Appeal.objects.get(pk=template.pk)
        row.pk, row.code, row.submission_key = None, f"WD{i:04d}", None
        row.received_at = template.received_at + dt.timedelta(minutes=i + 1)
        rows.append(row)
    Appeal.objects.bulk_create(rows)


def _shown(html: str, code: str) -> bool:
    return f'<span class="font-monospace">{code}</span>' in html


def test_it_counts_every_appeal_of_the_person_and_reads_only_the_page(client, citizen):
    appeal = hotline_services.appeal_submit(
        channel=Appeal.Channel.PORTAL,
        kind=Appeal.Kind.COMPLAINT,
        title="小区路灯不亮",
        content="小区路灯不亮，已经一个多星期了，请尽快处理。",
        actor=citizen,
        contact_name="王秀兰",
        contact_phone="13891712345",
        confirm_not_emergency=True,
    )
    client.force_login(citizen)
    url = reverse("accounts:my_appeals")
    # more than a page already, so the few and the many both fill one page with timelines
    _copies(appeal, 0, 30)
    few, _ = read_page(client, url)
    _copies(appeal, 30, 230)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=14)

    assert many == few
    assert 'data-testid="list-total">共 261 件诉求' in first and "第 1 / 14 页" in first
    # newest first: the last copy heads the list, the appeal first raised ends it
    assert _shown(first, "WD0259") and _shown(first, "WD0240") and not _shown(first, "WD0239")
    assert _shown(last, appeal.code) and not _shown(last, "WD0000")  # 13 pages of 20, then the 261st
