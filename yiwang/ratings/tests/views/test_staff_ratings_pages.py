"""The department's ratings list counts every rating and links every page, keeping the level chosen: it
once showed the newest 200 as the whole list (评价（最近200条）)."""

import copy
import datetime as dt

import pytest
from django.urls import reverse

from yiwang.cases.models import Case
from yiwang.core.tests.reads import read_page
from yiwang.ratings.models import Rating
from yiwang.ratings.services.ratings import rating_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


def _copies(template: Rating, start: int, n: int, **fields) -> None:
    """``n`` copies of ``template``, each of its own case numbered YWP000000…, rated a minute after the last."""
    case = Case.objects.get(pk=template.case_id)
    cases = [copy.copy(case) for _ in range(n)]
    for i, row in zip(range(start, start + n), cases, strict=True):
        row.pk, row.number, row.submission_token = None, f"YWP{i:06d}", None
    ratings = [copy.copy(template) for _ in range(n)]
    for i, row, made in zip(range(start, start + n), ratings, Case.objects.bulk_create(cases), strict=True):
        row.pk, row.case, row.subject_number = None, made, made.number
        row.rated_at = template.rated_at + dt.timedelta(minutes=i + 1)
        for field, value in fields.items():
            setattr(row, field, value)
    Rating.objects.bulk_create(ratings)


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
