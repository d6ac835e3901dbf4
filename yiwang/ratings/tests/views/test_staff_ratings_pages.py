"""The department's ratings list counts every rating and links every page, keeping the level chosen: it
once showed the newest 200 as the whole list (评价（最近200条）)."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.cases.models import Case
from yiwang.core.tests.reads import read_page
from yiwang.core.tests.rows import bulk_copies
from yiwang.ratings.models import Rating
from yiwang.ratings.services.ratings import rating_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _copies(template: Rating, start: int, n: int, **fields) -> None:
    """``n`` copies of ``template``, each of its own case numbered YWP000000…, rated a minute after the last."""
    numbers = range(start, start + n)
    case = Case.objects.get(pk=template.case_id)

    def each_case(row, i):
        row.number, row.submission_token = f"YWP{i:06d}", None

    cases = dict(zip(numbers, bulk_copies(case, numbers, each_case), strict=True))

    def each(row, i):
        row.case, row.subject_number = cases[i], cases[i].number
        row.rated_at = template.rated_at + dt.timedelta(minutes=i + 1)

    bulk_copies(template, numbers, each, **fields)


def _shown(html: str, i: int) -> bool:
    return f"<td>YWP{i:06d}</td>" in html


def test_the_ratings_list_counts_every_rating_and_reads_only_the_page(client, finished_case, citizen, handler_a):
    rating = rating_submit(actor=citizen, case=finished_case, level=2, channel="online", comment="等了很久")
    client.force_login(handler_a)
    url = reverse("ratings:staff_ratings")
    _copies(rating, 0, 20)
    few, _ = read_page(client, url, level=2)
    _copies(rating, 20, 230)  # more than the 200 the list once read
    _copies(rating, 250, 40, level=5)  # another level: not in the filtered list
    many, first = read_page(client, url, level=2)
    _, last = read_page(client, url, level=2, page=6)
    everything = read_page(client, url)[1]

    assert many == few
    assert 'data-testid="list-total">共 251 条评价' in first and "第 1 / 6 页" in first
    # newest first
    assert _shown(first, 249) and _shown(first, 200) and not _shown(first, 199) and not _shown(first, 250)
    assert "?level=2&page=2" in first  # the next page keeps the level
    assert f"<td>{finished_case.number}</td>" in last and not _shown(last, 0) and "第 6 / 6 页" in last
    assert 'data-testid="list-total">共 291 条评价' in everything and _shown(everything, 289)
    assert "最近200条" not in first


def test_a_long_history_is_counted_up_to_the_cap_and_the_month_filter_reaches_older_ratings(
    client, settings, finished_case, citizen, handler_a
):
    settings.YIWANG_RATINGS = {"LIST_CAP": 100}
    rating = rating_submit(actor=citizen, case=finished_case, level=2, channel="online", comment="等了很久")
    client.force_login(handler_a)
    url = reverse("ratings:staff_ratings")
    _copies(rating, 0, 150)  # newest: this month, YWP000149 the newest of all
    earlier = (rating.rated_at.replace(day=1) - dt.timedelta(days=20)).replace(day=10)
    _copies(rating, 150, 30, rated_at=earlier)  # a month earlier, every one at the same minute

    with CaptureQueriesContext(connection) as captured:
        first = client.get(url).content.decode()
    counts = [
        q["sql"] for q in captured.captured_queries if "COUNT(" in q["sql"].upper() and "ratings_rating" in q["sql"]
    ]
    _, last = read_page(client, url, page=2)
    _, beyond = read_page(client, url, page=3)  # past the cap: the last page again

    # 181 ratings, the newest 100 counted: the count reads no more than 101 rows
    assert 'data-testid="list-total">共 100+ 条评价' in first and "第 1 / 2 页" in first
    assert 'data-testid="list-cap">列表只计最近 100 条；' in first  # overridden: not labelled a county default
    assert len(counts) == 1 and "LIMIT 101" in counts[0].upper()
    assert _shown(first, 149) and _shown(first, 100) and not _shown(first, 99)
    assert _shown(last, 99) and _shown(last, 50) and not _shown(last, 49) and "第 2 / 2 页" in last
    assert re.findall(r"<td>(YWP\d+)</td>", beyond) == re.findall(r"<td>(YWP\d+)</td>", last)

    month = earlier.strftime("%Y-%m")
    _, older = read_page(client, url, month=month)
    assert 'data-testid="list-total">共 30 条评价' in older and "list-cap" not in older
    assert all(_shown(older, i) for i in range(150, 180)) and not _shown(older, 149)
    assert f'value="{month}"' in older
    _, older_bad = read_page(client, url, month=month, level=5)
    assert 'data-testid="list-total">共 0 条评价' in older_bad


def test_a_month_that_is_not_one_is_said_so_and_the_list_is_not_narrowed(client, finished_case, citizen, handler_a):
    rating_submit(actor=citizen, case=finished_case, level=4, channel="online", comment="挺好")
    client.force_login(handler_a)
    _, html = read_page(client, reverse("ratings:staff_ratings"), month="2026-13")
    assert 'data-testid="month-error">“2026-13”不是可查询的月份，请按“年-月”填写' in html
    assert f"<td>{finished_case.number}</td>" in html and 'data-testid="list-total">共 1 条评价' in html


def test_the_cap_is_labelled_a_county_default_when_the_deployment_keeps_it(
    client, settings, finished_case, citizen, handler_a
):
    from yiwang.ratings.conf import DEFAULTS

    rating = rating_submit(actor=citizen, case=finished_case, level=3, channel="online", comment="一般")
    _copies(rating, 0, DEFAULTS["LIST_CAP"])
    client.force_login(handler_a)
    _, html = read_page(client, reverse("ratings:staff_ratings"))
    assert f"共 {DEFAULTS['LIST_CAP']}+ 条评价" in html
    assert f"列表只计最近 {DEFAULTS['LIST_CAP']} 条（县级默认值）" in html


@pytest.mark.parametrize("month", ["9999-12", "0001-01", "1999-12", "2026-5x"])
def test_a_month_out_of_the_platforms_years_is_refused_like_any_other_not_a_month(
    client, finished_case, citizen, handler_a, month
):
    rating = rating_submit(actor=citizen, case=finished_case, level=4, channel="online", comment="挺好")
    _copies(rating, 0, 60)  # two pages: the links must not carry the month on
    client.force_login(handler_a)
    _, html = read_page(client, reverse("ratings:staff_ratings"), month=month, level=4)
    assert f'data-testid="month-error">“{month}”不是可查询的月份' in html
    assert 'data-testid="list-total">共 61 条评价' in html
    assert "?level=4&page=2" in html and "month=" not in html.split('data-testid="staff-ratings"')[1]


def test_past_the_cap_the_last_page_leads_on_to_the_older_ratings(
    client, settings, finished_case, citizen, handler_a, handler_b
):
    settings.YIWANG_RATINGS = {"LIST_CAP": 100}
    rating = rating_submit(actor=citizen, case=finished_case, level=2, channel="online", comment="等了很久")
    _copies(rating, 0, 150)
    _copies(rating, 150, 10, level=5)  # newest of all, but another level
    client.force_login(handler_a)
    url = reverse("ratings:staff_ratings")
    _, last = read_page(client, url, level=2, page=2)
    fiftieth = Rating.objects.get(subject_number="YWP000050")  # the last row of the capped list
    assert _shown(last, 50) and f'href="?level=2&older={fiftieth.pk}">继续查看更早的评价' in last

    _, older = read_page(client, url, level=2, older=fiftieth.pk)
    # the 50 copies before it and the rated case itself: all counted, no cap, no further link
    assert 'data-testid="list-total">共 51 条评价' in older and "list-older" not in older
    assert _shown(older, 49) and not _shown(older, 50) and "list-continued" in older
    assert 'href="?level=2">回到最新评价' in older
    assert f"?level=2&amp;older={fiftieth.pk}&page=2" in older  # its pages keep the place
    _, second = read_page(client, url, level=2, older=fiftieth.pk, page=2)
    assert f"<td>{finished_case.number}</td>" in second and _shown(older, 0) and not _shown(second, 0)

    # a rating the reader cannot see is no place to start from: the list starts from the newest
    client.force_login(handler_b)
    _, other = read_page(client, url, older=fiftieth.pk)
    assert "list-continued" not in other and 'data-testid="list-total">共 0 条评价' in other
