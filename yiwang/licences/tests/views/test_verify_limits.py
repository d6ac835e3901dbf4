"""Public verification (the QR page, the API and the document check) is rate-limited per client
address and per licence number: the try past the limit is a 429 with the Chinese message on the page
and ``rate_limited`` in the API; another number or address is not refused."""

import json

import pytest
from django.test import Client

from yiwang.core.ratelimits import DEFAULTS

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def small_limits(settings):
    settings.YIWANG_RATELIMITS = {"licences.verify": {"ip": "5/10m", "target": "3/10m"}}


def page(number, ip="198.51.100.1"):
    return Client().get(f"/licences/verify/{number}/", REMOTE_ADDR=ip)


def test_the_county_default_limits_of_verification():
    assert DEFAULTS["licences.verify"] == {"ip": "60/10m", "target": "30/10m"}


def test_the_page_refuses_the_fourth_look_at_one_number(company_licence):
    number = company_licence.number
    assert [page(number, ip=f"198.51.100.{n}").status_code for n in (11, 12, 13)] == [200] * 3

    refused = page(number, ip="198.51.100.14")

    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    html = refused.content.decode()
    assert "操作过于频繁" in html and "眉县秦岭猕猴桃" not in html
    assert page("OTHER-NUMBER", ip="198.51.100.14").status_code == 200


def test_the_page_refuses_the_sixth_guess_from_one_address_only(db):
    assert [page(f"GUESS-{n}", ip="198.51.100.21").status_code for n in range(5)] == [200] * 5
    assert page("GUESS-5", ip="198.51.100.21").status_code == 429
    assert page("GUESS-5", ip="198.51.100.22").status_code == 200


def test_the_verify_form_itself_is_not_a_try(db):
    for _ in range(8):
        assert Client().get("/licences/verify/", REMOTE_ADDR="198.51.100.31").status_code == 200


def test_the_api_answers_rate_limited_in_the_error_shape(company_licence):
    client = Client(REMOTE_ADDR="198.51.100.41")
    for _ in range(3):
        assert client.get(f"/api/licences/verify/{company_licence.number}").json()["verdict"] == "genuine"

    refused = client.get(f"/api/licences/verify/{company_licence.number}")

    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited" and "操作过于频繁" in body["message"]
    assert set(body) == {"code", "message", "details"}


def test_the_document_check_counts_against_the_same_number(company_licence):
    client = Client(REMOTE_ADDR="198.51.100.51")
    body = json.dumps({"content": {"number": company_licence.number}, "signature": "00"})
    codes = [
        client.post("/api/licences/verify-document", body, content_type="application/json").status_code
        for _ in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    assert client.get(f"/api/licences/verify/{company_licence.number}").status_code == 429
