"""惠企政策管理 counts every policy and reads one page, with the roll-ups of that page's policies only: it
once read the 200 most recently changed (and a roll-up for each) and showed them as the whole list. 一业一证's
staff page likewise once showed the first 100 cases awaiting a licence and the newest 200 issued."""

import copy
import datetime as dt

import pytest
from django.urls import reverse

from yiwang.cases.models import Case
from yiwang.core.tests.reads import read_page
from yiwang.licences.models import Licence
from yiwang.policies.models import IntegratedLicence, Policy
from yiwang.policies.tests.services.test_integrated import (  # noqa: F401 — fixtures
    _approved_bundle_case,
    applicant,
    complete_steps,
    fresh_calendar,
    store_bundle,
    store_type,
)

pytestmark = pytest.mark.django_db


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
    few, _ = read_page(client, url, state=state)
    _copies(draft_policy, 40, 220)
    many, first = read_page(client, url, state=state)
    _, last = read_page(client, url, state=state, page=9)

    assert many == few
    assert 'data-testid="list-total">共 261 项政策' in first and "第 1 / 9 页" in first
    assert "T0259</a>" in first and "T0230</a>" in first and "T0229</a>" not in first
    assert f"?state={state}&page=2" in first  # the next page keeps the filter
    assert "T0000</a>" in last and f">{draft_policy.title}</a>" in last and "T0020</a>" not in last


def _cases(template: Case, prefix: str, n: int, start: int = 0) -> list[Case]:
    rows = [copy.copy(template) for _ in range(n)]
    for i, row in enumerate(rows, start):
        row.pk, row.number, row.submission_token = None, f"{prefix}{i:06d}", None
        row.decided_at = template.decided_at + dt.timedelta(minutes=i + 1)
    return Case.objects.bulk_create(rows)


def _issued(template: IntegratedLicence, start: int, n: int) -> None:
    """``n`` copies of an issued integrated licence, each of its own case and e-licence."""
    case, licence = Case.objects.get(pk=template.case_id), Licence.objects.get(pk=template.licence_id)
    cases = _cases(case, f"YI{start:02d}", n)
    licences = [copy.copy(licence) for _ in range(n)]
    for i, row in zip(range(start, start + n), licences, strict=True):
        row.pk, row.number, row.case = None, f"YYZ{i:06d}", None
    rows = [copy.copy(template) for _ in range(n)]
    made = zip(range(start, start + n), rows, cases, Licence.objects.bulk_create(licences), strict=True)
    for i, row, row_case, row_licence in made:
        row.pk, row.case, row.licence = None, row_case, row_licence
        row.issued_at = template.issued_at + dt.timedelta(minutes=i + 1)
    IntegratedLicence.objects.bulk_create(rows)


def test_the_integrated_licence_desk_counts_both_lists_and_pages_each(
    request, client, enterprise_user, clerk, handler_a, handler_b
):
    industry, company = request.getfixturevalue("store_type"), request.getfixturevalue("applicant")
    approved = _approved_bundle_case(enterprise_user, company, industry.bundle, clerk, handler_a, handler_b)
    integrated = IntegratedLicence.objects.get(case=approved)
    client.force_login(handler_a)
    url = reverse("policies:integrated_staff")
    _issued(integrated, 0, 20)
    _cases(approved, "YD", 5)  # approved without the issuer (the sweep has not caught up)
    few, _ = read_page(client, url)
    _issued(integrated, 20, 200)  # more than the 200 the page once read
    _cases(approved, "YD", 105, start=5)  # more than the 100 once read
    many, first = read_page(client, url)
    _, last = read_page(client, url, due_page=3, issued_page=5)

    assert many == few
    assert 'data-testid="due-total">共 110 件' in first and 'data-testid="issued-total">共 221 份' in first
    # awaiting: approved longest ago first; issued: newest first
    assert "<td>YD000000</td>" in first and "<td>YD000049</td>" in first and "<td>YD000050</td>" not in first
    assert ">YYZ000219</a>" in first and ">YYZ000170</a>" in first and ">YYZ000169</a>" not in first
    assert "?issued_page=5&due_page=2" in last and "?due_page=3&issued_page=4" in last
    assert "<td>YD000100</td>" in last and "<td>YD000109</td>" in last and "<td>YD000099</td>" not in last
    assert ">YYZ000019</a>" in last and ">YYZ000000</a>" in last and f">{integrated.licence.number}</a>" in last
    assert ">YYZ000020</a>" not in last


def test_the_public_policy_api_reads_every_policy_window_by_window(client, draft_policy):
    """The API once returned the first 200 policies with no way to the rest: ``offset`` reads on."""
    Policy.objects.filter(pk=draft_policy.pk).update(state="published")
    draft_policy.refresh_from_db()
    _copies(draft_policy, 0, 219)  # the same issue day: the newest record first

    first = client.get("/api/policies/policies").json()
    rest = client.get("/api/policies/policies", {"offset": 200}).json()

    assert [p["title"] for p in first] == [f"稳岗补贴T{i:04d}" for i in range(218, 18, -1)]
    assert [p["title"] for p in rest] == [f"稳岗补贴T{i:04d}" for i in range(18, -1, -1)] + [draft_policy.title]
