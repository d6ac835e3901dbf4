"""The window's intake queue and delivery desk, the department's queue and the applicant's 我的办件 count
every case and read one page: they once read the first 50, 100, 200 and 100 cases and showed them as the
whole list."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from yiwang.cases.models import Case, CaseState
from yiwang.core.tests.reads import read_page
from yiwang.core.tests.rows import bulk_copies, item_copies

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _copies(template: Case, start: int, n: int, **fields) -> None:
    """``n`` copies of ``template`` numbered YWT000000…, each submitted (accepted, decided) a minute after the last."""

    def each(row, i):
        row.number, row.submission_token = f"YWT{i:06d}", None
        for moment in ("submitted_at", "accepted_at", "decided_at"):
            if getattr(row, moment) is not None:
                setattr(row, moment, getattr(template, moment) + dt.timedelta(minutes=i + 1))

    bulk_copies(template, range(start, start + n), each, **fields)


def _shown(html: str, i: int) -> bool:
    return f"YWT{i:06d}</" in html


def test_it_counts_every_case_waiting_at_the_window_and_reads_only_the_page(client, clerk, submitted_case):
    client.force_login(clerk)
    url = reverse("cases:counter")
    _copies(submitted_case, 0, 20)
    few, _ = read_page(client, url)
    _copies(submitted_case, 20, 240)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=6)

    assert many == few
    assert 'data-testid="list-total">共 261 件' in first and "第 1 / 6 页" in first
    # the same intake deadline for all: the earliest submitted first
    assert f">{submitted_case.number}</a>" in first and _shown(first, 0) and _shown(first, 48)
    assert not _shown(first, 49)
    assert _shown(last, 249) and _shown(last, 259) and not _shown(last, 248)


def test_it_counts_every_case_to_hand_out_and_reads_only_the_page(client, clerk, submitted_case, county_hall):
    client.force_login(clerk)
    url = reverse("cases:delivery_desk")
    Case.objects.filter(pk=submitted_case.pk).update(
        state=CaseState.DECIDED_APPROVED, decided_at=timezone.now(), hall=county_hall
    )
    submitted_case.refresh_from_db()
    _copies(submitted_case, 0, 20)
    few, _ = read_page(client, url)
    _copies(submitted_case, 20, 240)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=6)

    assert many == few
    assert 'data-testid="list-total">待出件共 261 件' in first and "第 1 / 6 页" in first
    # decided longest ago first
    assert f"<td>{submitted_case.number}</td>" in first and _shown(first, 0) and _shown(first, 48)
    assert not _shown(first, 49)
    assert _shown(last, 249) and _shown(last, 259) and not _shown(last, 248)
    assert last.count("出件</button>") == 11


def test_it_counts_every_case_of_the_applicant_and_reads_only_the_page(client, citizen, submitted_case):
    client.force_login(citizen)
    url = reverse("cases:my_cases")
    _copies(submitted_case, 0, 20)
    few, _ = read_page(client, url)
    _copies(submitted_case, 20, 240)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=9)

    assert many == few
    assert 'data-testid="list-total">共 261 件办件' in first and "第 1 / 9 页" in first
    # newest first: the last copy heads the list, the case first filed ends it
    assert _shown(first, 259) and _shown(first, 230) and not _shown(first, 229)
    assert _shown(last, 19) and _shown(last, 0) and f">{submitted_case.number}</a>" in last
    assert not _shown(last, 20)


def test_it_counts_every_case_in_the_department_queue_and_reads_only_the_page(client, handler_a, review_case):
    client.force_login(handler_a)
    url = reverse("cases:handler_queue")
    _copies(review_case, 0, 20)
    few, _ = read_page(client, url, mine="1")
    _copies(review_case, 20, 240)
    many, first = read_page(client, url, mine="1")
    _, last = read_page(client, url, mine="1", page=6)

    assert many == few
    assert 'data-testid="list-total">共 261 件待办' in first and "第 1 / 6 页" in first
    # the same due day for all: the earliest accepted first
    assert f">{review_case.number}</a>" in first and _shown(first, 0) and _shown(first, 48)
    assert not _shown(first, 49)
    assert "?mine=1&page=2" in first  # the next page keeps the filter
    assert _shown(last, 249) and _shown(last, 259) and not _shown(last, 248)


def test_the_case_apis_read_every_case_window_by_window(client, citizen, handler_a, review_case):
    """我的办件 and the department queue over the API returned at most 200 cases with no way to the rest:
    ``offset`` reads on, in the same statements for every window."""
    _copies(review_case, 0, 230)

    def window(url, **params) -> tuple[int, list[str]]:
        client.get(url, params)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url, params)
        statements = len(captured)  # read now: the log restarts with the next request
        assert response.status_code == 200, response
        return statements, [c["number"] for c in response.json()]

    client.force_login(citizen)
    first_cost, first = window("/api/cases/cases", limit=200)
    rest_cost, rest = window("/api/cases/cases", limit=200, offset=200)
    assert first == [f"YWT{i:06d}" for i in range(229, 29, -1)]
    assert rest == [f"YWT{i:06d}" for i in range(29, -1, -1)] + [review_case.number]
    assert first_cost == rest_cost

    client.force_login(handler_a)
    first_cost, first = window("/api/cases/queue", limit=200)
    rest_cost, rest = window("/api/cases/queue", limit=200, offset=200)
    # the same due day for all: the earliest accepted first
    assert first == [review_case.number] + [f"YWT{i:06d}" for i in range(199)]
    assert rest == [f"YWT{i:06d}" for i in range(199, 230)]
    assert first_cost == rest_cost


def _found(html: str, i: int) -> bool:
    return f'href="{reverse("cases:counter_intake", args=["item", f"610326-ZZ-{i:04d}"])}"' in html


def test_the_clerks_item_search_counts_every_match_and_reads_only_the_page(client, clerk, food_item):
    """The counter's 查找事项 once showed the first 20 matching items as the whole result, with no count."""
    from yiwang.catalog.models import ItemStatus

    client.force_login(clerk)
    url = reverse("cases:counter")
    item_copies(food_item, 1000, 5, status=ItemStatus.DRAFT)  # not published: never found
    item_copies(food_item, 0, 20)
    few, _ = read_page(client, url, q="食品经营许可")
    item_copies(food_item, 20, 70)  # 91 matches: more than the 20 the search once showed
    many, first = read_page(client, url, q="食品经营许可")
    _, last = read_page(client, url, q="食品经营许可", found_page=5)
    partial = client.get(url, {"q": "食品经营许可"}, headers={"HX-Request": "true"}).content.decode()

    assert many == few
    assert 'data-testid="found-total">共 91 项事项' in first and "查找结果 第 1 / 5 页" in first
    # by level and code: the item, then its copies in number order, 20 a page
    assert f'href="{reverse("cases:counter_intake", args=["item", food_item.code])}"' in first
    assert _found(first, 0) and _found(first, 18) and not _found(first, 19)
    assert _found(last, 79) and _found(last, 89) and not _found(last, 78) and "查找结果 第 5 / 5 页" in last
    assert not any(_found(first + last, i) for i in range(1000, 1005))
    # the links keep the search; typed in the box, the results come with their count and links
    assert "?q=%E9%A3%9F%E5%93%81%E7%BB%8F%E8%90%A5%E8%AE%B8%E5%8F%AF&found_page=2" in first
    assert "<html" not in partial and 'data-testid="found-total">共 91 项事项' in partial and "found_page=2" in partial


def test_a_search_typed_on_the_queues_second_page_keeps_that_page_on_its_result_links(
    client, clerk, submitted_case, food_item
):
    """The box's live search sends the form: on the intake queue's page 2 the form carries that page, so the
    results' own page links do not put the queue back on page 1."""
    client.force_login(clerk)
    url = reverse("cases:counter")
    _copies(submitted_case, 0, 60)  # two pages of the queue
    item_copies(food_item, 0, 25)  # two pages of results
    _, second = read_page(client, url, page=2)
    _, first = read_page(client, url)
    assert '<input type="hidden" name="page" value="2">' in second
    assert 'name="page" value="1"' not in first and '<input type="hidden" name="page"' not in first
    # what the box sends from page 2: the results' links keep it
    partial = client.get(url, {"q": "食品经营许可", "page": "2"}, headers={"HX-Request": "true"}).content.decode()
    assert "page=2&found_page=2" in partial or "found_page=2&page=2" in partial
