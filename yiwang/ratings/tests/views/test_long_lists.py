"""The rectification queues (the department's, the supervisor's review queue and overdue list) count every
rectification and read one page: they once read the first 500 and showed them as the whole list."""

import copy
import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from yiwang.cases.models import Case
from yiwang.core.tests.reads import read_page
from yiwang.ratings.models import Rating, Rectification
from yiwang.ratings.services.ratings import rating_submit

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("calendar_checked_once")]


@pytest.fixture
def rectification(make_case, citizen) -> Rectification:
    rating = rating_submit(actor=citizen, case=make_case(), level=1, channel="online", comment="推诿扯皮")
    return Rectification.objects.get(rating=rating)


def _copies(template: Rectification, start: int, n: int, prefix: str = "ZG", **fields) -> None:
    """``n`` copies numbered ZG000000…, each of its own bad rating of its own case (one rating per case,
    one rectification per rating); created one after another, so each is updated after the last."""
    case, rating, rectification = (
        Case.objects.get(pk=template.rating.case_id),
        Rating.objects.get(pk=template.rating_id),
        Rectification.objects.get(pk=template.pk),
    )
    cases = [copy.copy(case) for _ in range(n)]
    for i, row in zip(range(start, start + n), cases, strict=True):
        row.pk, row.number, row.submission_token = None, f"YWR{prefix}{i:06d}", None
    ratings = [copy.copy(rating) for _ in range(n)]
    for row, made in zip(ratings, Case.objects.bulk_create(cases), strict=True):
        row.pk, row.case = None, made
    rows = [copy.copy(rectification) for _ in range(n)]
    for i, row, made in zip(range(start, start + n), rows, Rating.objects.bulk_create(ratings), strict=True):
        row.pk, row.number, row.rating = None, f"{prefix}{i:06d}", made
        for field, value in fields.items():
            setattr(row, field, value)
    Rectification.objects.bulk_create(rows)


def _shown(html: str, number: str) -> bool:
    return f"<td>{number}</td>" in html


def test_the_department_queue_counts_every_rectification_and_reads_only_the_page(client, handler_a, rectification):
    client.force_login(handler_a)
    url = reverse("ratings:queue")
    state = rectification.state
    _copies(rectification, 0, 20)
    few, _ = read_page(client, url, state=state)
    _copies(rectification, 20, 500)  # more than the 500 the queue once read
    many, first = read_page(client, url, state=state)
    _, last = read_page(client, url, state=state, page=11)

    assert many == few
    assert 'data-testid="list-total">共 521 件' in first and "第 1 / 11 页" in first
    # the same due day for all: the earliest recorded first
    assert _shown(first, rectification.number) and _shown(first, "ZG000048") and not _shown(first, "ZG000049")
    assert f"?state={state}&page=2" in first  # the next page keeps the filter
    assert _shown(last, "ZG000499") and _shown(last, "ZG000519") and not _shown(last, "ZG000498")


def test_the_review_queue_and_overdue_list_count_every_rectification_and_read_only_a_page(
    client, supervisor, rectification
):
    client.force_login(supervisor)
    url = reverse("ratings:review_queue")
    reviewing = dict(state=Rectification.State.REVIEWING)
    overdue = dict(due_on=timezone.localdate() - dt.timedelta(days=3))
    _copies(rectification, 0, 20, **reviewing)
    _copies(rectification, 0, 20, prefix="YQ", **overdue)
    few, _ = read_page(client, url)
    _copies(rectification, 20, 500, **reviewing)  # more than the 500 each list once read
    _copies(rectification, 20, 490, prefix="YQ", **overdue)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=11, overdue_page=11)

    assert many == few
    assert 'data-testid="list-total">待审核共 520 件' in first and "第 1 / 11 页" in first
    assert 'data-testid="overdue-total">共 510 件' in first
    # under review longest first; overdue by due day, then as recorded
    assert _shown(first, "ZG000000") and _shown(first, "ZG000049") and not _shown(first, "ZG000050")
    assert _shown(first, "YQ000000") and _shown(first, "YQ000049") and not _shown(first, "YQ000050")
    assert "?overdue_page=1&page=2" in first and "?page=1&overdue_page=2" in first  # each keeps the other
    assert _shown(last, "ZG000500") and _shown(last, "ZG000519") and not _shown(last, "ZG000499")
    assert _shown(last, "YQ000500") and _shown(last, "YQ000509") and not _shown(last, "YQ000499")


def _ratings(template: Rating, start: int, n: int) -> None:
    """``n`` copies of a rating, each of its own copy of the case, rated a minute after the last."""
    case = Case.objects.get(pk=template.case_id)
    cases = [copy.copy(case) for _ in range(n)]
    for i, row in zip(range(start, start + n), cases, strict=True):
        row.pk, row.number, row.submission_token = None, f"YWM{i:06d}", None
    rows = [copy.copy(template) for _ in range(n)]
    for i, row, made in zip(range(start, start + n), rows, Case.objects.bulk_create(cases), strict=True):
        row.pk, row.case, row.subject_number = None, made, f"YWM{i:06d}"
        row.rated_at = template.rated_at + dt.timedelta(minutes=i + 1)
    Rating.objects.bulk_create(rows)


def test_my_ratings_count_every_rating_and_read_only_the_page(client, citizen, rectification):
    client.force_login(citizen)
    url = reverse("ratings:mine")
    rating = Rating.objects.get(pk=rectification.rating_id)
    _ratings(rating, 0, 20)
    few, _ = read_page(client, url)
    _ratings(rating, 20, 240)  # more than the 100 the page once read
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=9)

    assert many == few
    assert 'data-testid="list-total">共 261 条' in first and "第 1 / 9 页" in first
    # newest first: the last copy heads the list, the first rating (with its rectification) ends it
    assert "<td>YWM000259</td>" in first and "<td>YWM000230</td>" in first and "<td>YWM000229</td>" not in first
    assert "<td>YWM000019</td>" in last and f"<td>{rating.subject_number}</td>" in last
    assert "<td>YWM000020</td>" not in last and rectification.get_state_display() in last


def test_my_ratings_api_reads_every_rating_window_by_window(client, citizen, rectification):
    """The API once returned the newest 200 ratings with no way to the rest: ``offset`` reads on."""
    rating = Rating.objects.get(pk=rectification.rating_id)
    _ratings(rating, 0, 210)
    client.force_login(citizen)

    first = client.get("/api/ratings/ratings/mine").json()
    rest = client.get("/api/ratings/ratings/mine", {"offset": 200}).json()

    assert [r["subject_number"] for r in first] == [f"YWM{i:06d}" for i in range(209, 9, -1)]
    assert [r["subject_number"] for r in rest] == [f"YWM{i:06d}" for i in range(9, -1, -1)] + [rating.subject_number]


def test_the_cases_to_rate_are_counted_and_paged(client, citizen, make_case):
    """待评价 once listed the newest 50 finished cases (and 50 appeals) with no count and no way to the rest."""
    finished = make_case()
    template = Case.objects.get(pk=finished.pk)

    def copies(start: int, n: int) -> None:
        rows = [copy.copy(template) for _ in range(n)]
        for i, row in zip(range(start, start + n), rows, strict=True):
            row.pk, row.number, row.submission_token = None, f"YWD{i:06d}", None
            row.decided_at = finished.decided_at + dt.timedelta(minutes=i + 1)
        Case.objects.bulk_create(rows)

    client.force_login(citizen)
    url = reverse("ratings:mine")
    copies(0, 10)
    few, _ = read_page(client, url)
    copies(10, 54)  # 65 in all: more than the 50 once listed
    many, first = read_page(client, url)
    _, last = read_page(client, url, cases_page=3)

    assert many == few
    assert 'data-testid="to-rate-total">办件 65 件 · 诉求 0 件' in first and "待评价办件 第 1 / 3 页" in first
    assert "办件 YWD000063 " in first and "办件 YWD000034 " in first and "办件 YWD000033 " not in first
    assert "办件 YWD000003 " in last and "办件 YWD000000 " in last and f"办件 {finished.number} " in last
    assert "办件 YWD000004 " not in last
