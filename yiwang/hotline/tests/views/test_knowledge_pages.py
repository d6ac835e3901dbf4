"""The knowledge base page counts every entry (and, searched, every match) and reads one page: a search
once showed the best 50 matches as the whole list, with no count and no way to the rest."""

import pytest
from django.urls import reverse

from yiwang.core.tests.reads import read_page
from yiwang.hotline.models import KnowledgeEntry

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _entries(start: int, n: int, categories, dept_a) -> None:
    """``n`` entries sharing 补贴 and 申请 with the search, entry ``i`` used ``1000 - i`` times (so ranked ``i``-th)."""
    KnowledgeEntry.objects.bulk_create(
        KnowledgeEntry(
            question=f"第{i:03d}号补贴申请须知",
            answer="按口径答复。",
            keywords="补贴 申请",
            use_count=1000 - i,
            category=categories["licence"],
            department=dept_a,
        )
        for i in range(start, start + n)
    )


def _shown(html: str, i: int) -> bool:
    return f">第{i:03d}号补贴申请须知</h2>" in html


def test_a_search_counts_every_match_and_reads_only_the_page(client, operator, knowledge, categories, dept_a):
    client.force_login(operator)
    url = reverse("hotline:knowledge")
    _entries(0, 25, categories, dept_a)
    few, _ = read_page(client, url, q="补贴申请")
    _entries(25, 50, categories, dept_a)  # 75 matches: more than the 50 the search once showed
    many, first = read_page(client, url, q="补贴申请")
    _, last = read_page(client, url, q="补贴申请", page=4)

    assert many == few
    assert 'data-testid="list-total">共 75 条匹配的口径' in first and "第 1 / 4 页" in first
    # the same two words shared by all: the most used first
    assert _shown(first, 0) and _shown(first, 19) and not _shown(first, 20)
    assert _shown(last, 60) and _shown(last, 74) and not _shown(last, 59)
    assert knowledge.question not in first + last  # shares no word with the search
    assert "?q=%E8%A1%A5%E8%B4%B4%E7%94%B3%E8%AF%B7&page=2" in first  # the next page keeps the search


def test_the_list_counts_every_entry_and_reads_only_the_page(client, operator, knowledge, categories, dept_a):
    client.force_login(operator)
    url = reverse("hotline:knowledge")
    _entries(0, 25, categories, dept_a)
    few, _ = read_page(client, url)
    _entries(25, 50, categories, dept_a)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=4)

    assert many == few
    assert 'data-testid="list-total">共 76 条口径' in first and "第 1 / 4 页" in first
    assert _shown(first, 0) and _shown(first, 19) and not _shown(first, 20)
    # the most used first: the fixture's entry, never cited, ends the list
    assert _shown(last, 60) and _shown(last, 74) and knowledge.question in last and not _shown(last, 59)


def test_the_search_typed_in_the_box_renders_the_list_with_its_count_and_links(client, operator, categories, dept_a):
    client.force_login(operator)
    _entries(0, 45, categories, dept_a)
    response = client.get(reverse("hotline:knowledge"), {"q": "补贴申请"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert "<html" not in html and 'data-testid="list-total">共 45 条匹配的口径' in html
    assert "第 1 / 3 页" in html and "page=2" in html
