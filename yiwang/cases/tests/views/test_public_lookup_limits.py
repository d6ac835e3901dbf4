"""The public case lookups (status page and API, notice PDF by query code) are rate-limited per
client address and per case number: the try past the limit is a 429, another address or number is not."""

import pytest

from yiwang.cases import services

pytestmark = pytest.mark.django_db

LIMITS = {"cases.status": {"ip": "5/10m", "target": "3/10m"}, "cases.notice": {"ip": "3/10m", "target": "3/10m"}}


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.YIWANG_RATELIMITS = LIMITS


@pytest.fixture
def case(citizen, person, food_item):
    return services.case_submit(
        actor=citizen, applicant=person, item=food_item, form_data={"applicant_address": "东关社区"}
    )


def page(client, number, code="WRONG1", ip="198.51.100.1"):
    return client.get("/cases/status/", {"number": number, "code": code}, REMOTE_ADDR=ip)


def test_the_status_page_refuses_the_fourth_guess_at_one_number(client, case):
    assert [page(client, case.number, ip=f"198.51.100.{n}").status_code for n in (1, 2, 3)] == [200] * 3

    refused = page(client, case.number, code=case.verification_code, ip="198.51.100.4")

    assert refused.status_code == 429
    html = refused.content.decode()
    assert "操作过于频繁" in html and case.title not in html
    assert page(client, "2026-0000-OTHER", ip="198.51.100.4").status_code == 200


def test_the_status_page_refuses_the_sixth_try_from_one_address_only(client, case):
    numbers = [f"N{n}" for n in range(6)]
    assert [page(client, n).status_code for n in numbers[:5]] == [200] * 5
    assert page(client, numbers[5]).status_code == 429
    assert page(client, numbers[5], ip="198.51.100.77").status_code == 200


def test_showing_the_empty_form_is_not_a_try(client, db):
    for _ in range(8):
        assert client.get("/cases/status/", REMOTE_ADDR="198.51.100.1").status_code == 200


def test_the_status_api_answers_rate_limited_in_the_error_shape(client, case):
    for _ in range(3):
        assert client.get("/api/cases/status", {"number": case.number, "code": "WRONG1"}).status_code == 404
    refused = client.get("/api/cases/status", {"number": case.number, "code": case.verification_code})
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited" and "操作过于频繁" in body["message"]
    assert set(body) == {"code", "message", "details"}


def test_the_notice_pdf_by_query_code_is_rate_limited(client, db):
    codes = [client.get("/cases/notices/999.pdf", {"code": "GUESS1"}).status_code for _ in range(4)]
    assert codes == [404, 404, 404, 429]
