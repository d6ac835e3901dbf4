"""The staff licence list, a licence's use log and 我的证照's use log count every row and read one page:
they once read the first 200 (the staff list said so, with no way to see the rest)."""

import datetime as dt

import pytest
from django.test import Client

from yiwang.core.tests.reads import read_page
from yiwang.licences.models import Licence, LicenceUse
from yiwang.licences.services import licence_record_use

pytestmark = pytest.mark.django_db


def _client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _licences(template: Licence, start: int, n: int) -> None:
    rows = []
    for i in range(start, start + n):
        row = Licence.objects.get(pk=template.pk)
        row.pk, row.number = None, f"LT{i:06d}"
        rows.append(row)
    Licence.objects.bulk_create(rows)


def _uses(template: LicenceUse, start: int, n: int) -> None:
    rows = []
    for i in range(start, start + n):
        row = LicenceUse.objects.get(pk=template.pk)
        row.pk, row.purpose = None, f"核验U{i:04d}"
        row.used_at = template.used_at + dt.timedelta(minutes=i + 1)
        rows.append(row)
    LicenceUse.objects.bulk_create(rows)


def test_the_staff_list_counts_every_licence_and_reads_only_the_page(company_licence, handler_a):
    client = _client(handler_a)
    url = "/licences/staff/"
    _licences(company_licence, 0, 20)
    few, _ = read_page(client, url, type="yyzz")
    _licences(company_licence, 20, 240)
    many, first = read_page(client, url, type="yyzz")
    _, last = read_page(client, url, type="yyzz", page=6)

    assert many == few
    assert 'data-testid="list-total">共 261 份。' in first and "第 1 / 6 页" in first
    # issued the same day: the newest record first
    assert "<code>LT000259</code>" in first and "<code>LT000210</code>" in first
    assert "<code>LT000209</code>" not in first
    assert "?type=yyzz&page=2" in first  # the next page keeps the filter
    assert "<code>LT000000</code>" in last and f"<code>{company_licence.number}</code>" in last
    assert "<code>LT000010</code>" not in last


@pytest.fixture
def used(person_licence, citizen, handler_b) -> LicenceUse:
    Licence.objects.filter(pk=person_licence.pk).update(holder_user=citizen)
    licence_record_use(licence=person_licence, purpose="食品经营许可延续核验", actor=handler_b)
    return LicenceUse.objects.get(licence=person_licence)


@pytest.mark.parametrize("reader", ["holder", "department"])
def test_the_use_log_counts_every_use_and_reads_only_the_page(reader, used, citizen, handler_b):
    client = _client(citizen if reader == "holder" else handler_b)
    url = "/licences/mine/" if reader == "holder" else f"/licences/staff/{used.licence_id}/"
    _uses(used, 0, 20)
    few, _ = read_page(client, url)
    _uses(used, 20, 240)
    many, first = read_page(client, url)
    _, last = read_page(client, url, page=6)

    assert many == few
    total = "共 261 次调用" if reader == "holder" else "共 261 次"
    assert f'data-testid="list-total">{total}<' in first and "第 1 / 6 页" in first
    assert "核验U0259<" in first and "核验U0210<" in first and "核验U0209<" not in first
    assert "核验U0000<" in last and "食品经营许可延续核验<" in last and "核验U0010<" not in last


def test_the_use_log_api_reads_every_use_window_by_window(used, citizen):
    """The API once returned the newest 500 uses with no way to the rest: ``offset`` reads on."""
    _uses(used, 0, 520)
    client = _client(citizen)

    first = client.get("/api/licences/mine/uses").json()
    rest = client.get("/api/licences/mine/uses", {"offset": 500}).json()

    assert [u["purpose"] for u in first] == [f"核验U{i:04d}" for i in range(519, 19, -1)]
    assert [u["purpose"] for u in rest] == [f"核验U{i:04d}" for i in range(19, -1, -1)] + ["食品经营许可延续核验"]
