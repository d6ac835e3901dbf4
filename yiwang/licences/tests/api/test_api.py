import json

from django.test import Client

from yiwang.licences.models import Licence
from yiwang.licences.tests.conftest import COMPANY_USCC


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _issue(client, key="k-1", **overrides):
    payload = {
        "licence_type": "yyzz",
        "holder_name": "眉县汤峪镇农家乐",
        "holder_uscc": COMPANY_USCC,
        "fields": {"entity_name": "眉县汤峪镇农家乐", "scope": "餐饮服务"},
        "department_code": "admin-approval",
        **overrides,
    }
    return client.post(
        "/api/licences/licences", json.dumps(payload), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
    )


def test_it_issues_once_per_idempotency_key(business_type, dept_a, handler_a):
    client = _client(handler_a)
    first = _issue(client)
    second = _issue(client)
    assert first.status_code == 201 and second.status_code == 201
    assert first.json()["number"] == second.json()["number"]
    assert Licence.objects.count() == 1
    verification = Client().get(f"/api/licences/verify/{first.json()['number']}").json()
    assert verification["verdict"] == "genuine" and verification["holder_name"] == "眉县汤峪镇农家乐"


def test_it_refuses_bad_input_with_a_code(business_type, dept_a, handler_a):
    response = _issue(_client(handler_a), key="k-2", holder_uscc="123")
    assert response.status_code == 400 and response.json()["code"] == "licence.uscc_invalid"
    response = _issue(_client(handler_a), key="k-3", licence_type="nope")
    assert response.status_code == 400 and response.json()["code"] == "licence.type_unknown"
    assert not Licence.objects.exists()


def test_another_department_may_not_issue(business_type, dept_a, handler_b):
    response = _issue(_client(handler_b), key="k-4")
    assert response.status_code == 403 and not Licence.objects.exists()


def test_the_holder_lists_licences_and_uses(person_licence, citizen):
    Licence.objects.filter(pk=person_licence.pk).update(holder_user=citizen)
    client = _client(citizen)
    mine = client.get("/api/licences/mine").json()
    assert [m["number"] for m in mine] == [person_licence.number]
    assert client.get("/api/licences/mine/uses").json() == []


def test_verification_of_an_unknown_number(db):
    body = Client().get("/api/licences/verify/NOPE").json()
    assert body["verdict"] == "unknown" and body["number"] is None


def test_a_document_verifies_and_an_edited_copy_does_not(person_licence, citizen):
    Licence.objects.filter(pk=person_licence.pk).update(holder_user=citizen)
    document = _client(citizen).get(f"/api/licences/mine/{person_licence.number}/document").json()
    assert document["algorithm"] == "SM2-SM3" and document["content"]["number"] == person_licence.number

    def check(doc):
        body = {"content": doc["content"], "signature": doc["signature"]}
        return Client().post("/api/licences/verify-document", json.dumps(body), content_type="application/json").json()

    assert check(document)["verdict"] == "genuine"
    edited = {**document, "content": {**document["content"], "valid_until": "2099-12-31"}}
    assert check(edited)["verdict"] == "tampered"
    forged = {**document, "signature": "1" * 128}
    assert check(forged)["verdict"] == "tampered"
    # Another holder's licence document is not handed out.
    assert _client(citizen).get("/api/licences/mine/NOPE/document").status_code == 404


def test_the_types_are_public(business_type, food_type):
    body = Client().get("/api/licences/types").json()
    assert [t["code"] for t in body] == ["spjy", "yyzz"]
    assert body[1]["item_codes"] == ["610326-XK-001"] and body[0]["validity_years"] == 5
