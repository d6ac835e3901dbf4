"""The shared page links (core/_sub_pages.html) every paged list uses, the public catalog search and the
public replies column among them: the current page marked, 首页 and 末页 once they save a click, the list's
filters kept, and the links in the visitor's language (the public pages have an English version)."""

import re

import pytest
from django.core.paginator import Paginator
from django.template.loader import render_to_string
from django.utils import translation


def _links(number: int, pages: int = 10, lang: str = "zh-hans") -> list[tuple[str, str]]:
    page = Paginator(range(pages * 10), 10).get_page(number)
    with translation.override(lang):
        html = render_to_string("core/_sub_pages.html", {"sub": page, "param": "page", "keep": "q=%E8%B7%AF"})
    current = re.findall(r'aria-current="page"><span class="page-link">([^<]+)<', html)
    return current + re.findall(r'href="\?q=%E8%B7%AF&page=(\d+)">([^<]+)</a>', html)


def test_the_links_mark_the_page_and_keep_the_filter():
    assert _links(5) == ["第 5 / 10 页", ("1", "首页"), ("4", "上一页"), ("6", "下一页"), ("10", "末页")]
    assert _links(2) == ["第 2 / 10 页", ("1", "上一页"), ("3", "下一页"), ("10", "末页")]  # 首页 would be 上一页
    assert _links(10) == ["第 10 / 10 页", ("1", "首页"), ("9", "上一页")]


@pytest.mark.parametrize("number", [1, 5, 10])
def test_the_links_speak_english_on_the_english_pages(number):
    english = _links(number, lang="en")
    assert english[0] == f"Page {number} of 10"
    assert all(not re.search(r"[\u4e00-\u9fff]", text) for _, text in english[1:]), english


def test_one_page_has_no_links():
    assert _links(1, pages=1) == []
