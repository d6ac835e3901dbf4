"""惠企政策管理 counts every policy and reads one page, with the roll-ups of that page's policies only: it
once read the 200 most recently changed (and a roll-up for each) and showed them as the whole list."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from yiwang.policies.models import Policy

pytestmark = pytest.mark.django_db


def _read(client, url, **params) -> tuple[int, str]:
    client.get(url, params)  # sessions and caches warmed
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url, params)
    statements = len(captured)  # read now: the log restarts with the next request
    assert response.status_code == 200, response
    return statements, response.content.decode()


def _copies(template: Policy, start: int, n: int) -> None:
    """``n`` copies; updated_at is set on insert, so each copy is newer than the one before."""
    rows = []
    for i in range(start, start + n):
        row = Policy.objects.get(pk=template.pk)
        row.pk, row.title = None, f"稳岗补贴T{i:04d}"
        rows.append(row)
    Policy.objects.bulk_create(rows)


def test_it_counts_every_policy_and_reads_only_the_page(client, officer, draft_policy):
    client.force_login(officer)
    url = reverse("policies:staff")
    state = draft_policy.state
    # more than a page already, so the few and the many both read one page of roll-ups
    _copies(draft_policy, 0, 40)
    few, _ = _read(client, url, state=state)
    _copies(draft_policy, 40, 220)
    many, first = _read(client, url, state=state)
    _, last = _read(client, url, state=state, page=9)

    assert many == few
    assert 'data-testid="list-total">共 261 项政策' in first and "第 1 / 9 页" in first
    assert "T0259</a>" in first and "T0230</a>" in first and "T0229</a>" not in first
    assert f"?state={state}&page=2" in first  # the next page keeps the filter
    assert "T0000</a>" in last and f">{draft_policy.title}</a>" in last and "T0020</a>" not in last
