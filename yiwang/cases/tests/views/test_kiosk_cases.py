"""The kiosk's 我的办件 lists every application of the person identified at the terminal: it once took the
newest 20 cases of the ID number and only then kept those under the person's name, so newer cases filed
under the same number with another name hid the person's own, and a person with more than 20 saw 20."""

import datetime as dt

import pytest

from yiwang.cases.models import Case

from ..factories import CITIZEN_ID

pytestmark = pytest.mark.django_db


def _copies(template: Case, start: int, n: int, **fields) -> None:
    """``n`` copies of ``template`` numbered YWK000000…, each submitted a minute after the last."""
    rows = []
    for i in range(start, start + n):
        row = Case.objects.get(pk=template.pk)
        row.pk, row.number, row.submission_token = None, f"YWK{i:06d}", None
        row.submitted_at = template.submitted_at + dt.timedelta(minutes=i + 1)
        for field, value in fields.items():
            setattr(row, field, value)
        rows.append(row)
    Case.objects.bulk_create(rows)


def _identify(client, name="王秀兰"):
    response = client.post("/cases/kiosk/identify/", {"id_number": CITIZEN_ID, "name": name})
    assert response.status_code == 302


def _shown(html: str, i: int) -> bool:
    return f"YWK{i:06d} · " in html


def test_the_persons_cases_are_not_hidden_by_newer_cases_under_another_name(client, submitted_case):
    _copies(submitted_case, 0, 4)
    # newer applications under the same ID number with another name (an agent who typed the name wrongly)
    _copies(submitted_case, 4, 30, applicant_name="王秀蘭")
    _identify(client)

    html = client.get("/cases/kiosk/cases/").content.decode()

    assert 'data-testid="list-total">共 5 件' in html
    assert all(_shown(html, i) for i in range(4)) and f"{submitted_case.number} · " in html
    assert not any(_shown(html, i) for i in range(4, 34))


def test_a_person_with_many_cases_pages_through_all_of_them(client, submitted_case):
    _copies(submitted_case, 0, 44)
    _copies(submitted_case, 44, 10, applicant_name="王秀蘭")
    _identify(client)

    first = client.get("/cases/kiosk/cases/").content.decode()
    last = client.get("/cases/kiosk/cases/", {"page": 3}).content.decode()

    assert 'data-testid="list-total">共 45 件' in first and "第 1 / 3 页" in first
    # newest first: 43 … 24 on the first page, 3 … 0 and the original on the last
    assert _shown(first, 43) and _shown(first, 24) and not _shown(first, 23) and not _shown(first, 44)
    assert 'href="?page=2"' in first
    assert _shown(last, 3) and _shown(last, 0) and f"{submitted_case.number} · " in last
    assert not _shown(last, 4) and "第 3 / 3 页" in last
