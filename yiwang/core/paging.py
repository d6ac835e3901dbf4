"""Pages of long staff and citizen lists: the count is over every row, only the page's rows are read.

A list that reads its first N rows and shows them as the whole list hides the rest once a county (or a
province) has more; these helpers let a view page a QuerySet instead, with links that keep its filters.
Render the links with ``{% include "cases/_list_pages.html" %}`` (it reads ``page`` and ``query``), or,
for one of several lists on a page, ``{% include "core/_sub_pages.html" with sub=… param=… keep=… %}``."""

from __future__ import annotations

from django.core.paginator import Page, Paginator
from django.utils.functional import cached_property


def page_of(request, rows, per_page: int, param: str = "page", *, cap: int | None = None) -> Page:
    """The page ``?page=`` (or ``param``, for one of several lists on a page) asks for — the last one
    when it is past the end, the first when it is not a number — of ``rows``, a QuerySet in its display
    order; its rows are read once, into a list, so a view may annotate them (deadlines, labels) before
    the template shows them. With ``cap``, over at most the first ``cap`` rows (:class:`CappedPaginator`:
    the template says "N+" when ``page.paginator.count_capped``)."""
    paginator = Paginator(rows, per_page) if cap is None else CappedPaginator(rows, per_page, cap=cap)
    page = paginator.get_page(request.GET.get(param))
    page.object_list = list(page.object_list)
    return page


def count_capped(rows, cap: int) -> tuple[int, bool]:
    """How many rows ``rows`` (a QuerySet) holds, counted to ``cap`` at most, and whether it holds more: a
    bounded read, however long the history."""
    found = rows.order_by()[: cap + 1].count()  # no sort to count by
    return min(found, cap), found > cap


class CappedPaginator(Paginator):
    """A Paginator that counts at most ``cap`` rows (``count_capped`` says there are more): the list of a
    province's history pages through its newest ``cap`` rows instead of counting millions on each view."""

    count_capped = False

    def __init__(self, object_list, per_page, *, cap: int, **kwargs):
        super().__init__(object_list, per_page, **kwargs)
        self.cap = cap

    @cached_property
    def count(self) -> int:
        found, self.count_capped = count_capped(self.object_list, self.cap)
        return found


def query_without_page(request, param: str = "page", *dropped: str) -> str:
    """The request's query string without ``page`` (or ``param``), nor any of ``dropped``: what the page
    links must keep."""
    params = request.GET.copy()
    for name in (param, *dropped):
        params.pop(name, None)
    return params.urlencode()


def window(rows, *, offset: int, limit: int, most: int):
    """``rows[offset : offset + limit]`` with ``limit`` held to 1…``most`` and ``offset`` to ≥ 0: one window of
    an API list. A JSON list that returns its first ``most`` rows hides the rest; with ``offset`` a client
    reads the next window until one comes back shorter than ``limit``."""
    offset, limit = max(0, offset), max(1, min(limit, most))
    return rows[offset : offset + limit]
