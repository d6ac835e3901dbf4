"""Pages of long staff and citizen lists: the count is over every row, only the page's rows are read.

A list that reads its first N rows and shows them as the whole list hides the rest once a county (or a
province) has more; these helpers let a view page a QuerySet instead, with links that keep its filters.
Render the links with ``{% include "cases/_list_pages.html" %}`` (it reads ``page`` and ``query``)."""

from __future__ import annotations

from django.core.paginator import Page, Paginator


def page_of(request, rows, per_page: int) -> Page:
    """The page ``?page=`` asks for (the last one when it is past the end, the first when it is not a
    number) of ``rows``, a QuerySet in its display order; its rows are read once, into a list, so a view
    may annotate them (deadlines, labels) before the template shows them."""
    page = Paginator(rows, per_page).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    return page


def query_without_page(request) -> str:
    """The request's query string without ``page``: the filters the page links must keep."""
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()
