"""The 办不成事 register reads one page of 30 with the count of every matter the filters leave, and its
page links keep the filters (they are the shared page links)."""

import re

import pytest
from django.urls import reverse

from yiwang.hotline.models import UnresolvedMatter

pytestmark = pytest.mark.django_db


def _copies(template: UnresolvedMatter, start: int, n: int, **fields) -> None:
    rows = []
    for i in range(start, start + n):
        row = UnresolvedMatter.objects.get(pk=template.pk)
        row.pk, row.code = None, f"BCT{i:06d}"
        for field, value in fields.items():
            setattr(row, field, value)
        rows.append(row)
    UnresolvedMatter.objects.bulk_create(rows)


def test_the_register_counts_every_matter_and_its_page_links_keep_the_filters(client, clerk, meixian, dept_a):
    client.force_login(clerk)
    url = reverse("hotline:unresolved")
    client.post(
        url,
        {
            "channel": "window",
            "tier": "general",
            "department": dept_a.pk,
            "summary": "社保卡激活失败",
            "description": "老人社保卡激活反复失败。",
        },
    )
    matter = UnresolvedMatter.objects.get()
    _copies(matter, 0, 39)  # 40 general matters
    _copies(matter, 100, 7, tier="complex")

    first = client.get(url, {"tier": "general"}).content.decode()
    last = client.get(url, {"tier": "general", "page": 2}).content.decode()
    everything = client.get(url).content.decode()

    assert 'data-testid="list-total">共 40 件' in first and "第 1 / 2 页" in first
    assert 'href="?state=&amp;tier=general&page=2"' in first  # the next page keeps the filters
    shown = set(re.findall(r"BCT\d{6}|" + matter.code, first)) | set(re.findall(r"BCT\d{6}|" + matter.code, last))
    assert "第 2 / 2 页" in last and len(shown) == 40  # every general matter once, over the two pages
    assert not any(code.startswith("BCT0001") for code in shown)  # none of the complex ones
    assert 'data-testid="list-total">共 47 件' in everything
