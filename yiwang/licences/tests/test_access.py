"""Who may use each licence endpoint that takes an identifier (rows of the access matrix), driven for
several roles: the issuing department allowed, another department refused (403/404), anonymous
refused, the holder allowed to their own licence only; public verification shows no personal data."""

import pytest
from django.test import Client

from yiwang.licences.models import Licence, LicenceState
from yiwang.licences.tests.conftest import PERSON_ID

ACCESS_ROUTES = {
    "licences/verify/<str:number>/": "everyone (public verification; a person's name masked, no ID number)",
    "api/licences/verify/<number>": "everyone (public verification; a person's name masked, no ID number)",
    "licences/download/<str:number>/": "the holder, and licence.read within the issuing department / region",
    "api/licences/mine/<number>/document": "the holder only (licence.hold, their own licences)",
    "licences/staff/<int:pk>/": "licence.read within the issuing department (handler) or region (leader, supervisor)",
    "licences/staff/<int:pk>/revoke/": "licence.revoke within the issuing department",
    "api/licences/licences/<pk>": "licence.read within the issuing department or region",
    "api/licences/licences/<pk>/revoke": "licence.revoke within the issuing department",
}

REFUSED = {302, 401, 403, 404}


def _client(user=None) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def roles(citizen, enterprise_user, handler_a, handler_b, clerk, leader, inspector):
    return {
        "anonymous": None,
        "citizen": citizen,
        "enterprise": enterprise_user,
        "handler_a": handler_a,
        "handler_b": handler_b,
        "clerk": clerk,
        "leader": leader,
        "inspector": inspector,
    }


@pytest.fixture
def holder_licence(person_licence, citizen):
    # person_licence is issued by dept_b to 李建国; make the citizen its holder.
    Licence.objects.filter(pk=person_licence.pk).update(holder_user=citizen)
    return Licence.objects.get(pk=person_licence.pk)


def test_public_verification_answers_everyone_without_personal_data(roles, holder_licence):
    for name, user in roles.items():
        client = _client(user)
        page = client.get(f"/licences/verify/{holder_licence.number}/")
        api = client.get(f"/api/licences/verify/{holder_licence.number}")
        assert page.status_code == 200 and api.status_code == 200, name
        for body in (page.content.decode(), api.content.decode()):
            assert "李建国" not in body and PERSON_ID not in body
            assert "李**" in body


def test_reading_a_licence_follows_the_department(roles, company_licence):
    # company_licence is issued by dept_a.
    allowed = {"handler_a", "leader"}
    for name, user in roles.items():
        client = _client(user)
        page = client.get(f"/licences/staff/{company_licence.pk}/")
        api = client.get(f"/api/licences/licences/{company_licence.pk}")
        pdf = client.get(f"/licences/download/{company_licence.number}/")
        if name in allowed:
            assert page.status_code == 200 and api.status_code == 200, name
            assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf", name
        else:
            assert page.status_code in REFUSED, (name, page.status_code)
            assert api.status_code in REFUSED, (name, api.status_code)
            assert pdf.status_code in REFUSED, (name, pdf.status_code)


def test_the_holder_downloads_only_their_own_licence(holder_licence, company_licence, citizen):
    client = _client(citizen)
    assert client.get(f"/licences/download/{holder_licence.number}/").status_code == 200
    assert client.get(f"/licences/download/{company_licence.number}/").status_code == 404


def test_only_the_holder_gets_the_signed_document(roles, holder_licence):
    for name, user in roles.items():
        response = _client(user).get(f"/api/licences/mine/{holder_licence.number}/document")
        if name == "citizen":
            assert response.status_code == 200 and response.json()["signature"] == holder_licence.signature
        else:
            assert response.status_code in REFUSED, (name, response.status_code)


def test_revoking_follows_the_issuing_department(roles, company_licence):
    for name, user in roles.items():
        if name == "handler_a":
            continue
        client = _client(user)
        page = client.post(f"/licences/staff/{company_licence.pk}/revoke/", {"reason": "误发"})
        api = client.post(
            f"/api/licences/licences/{company_licence.pk}/revoke", {"reason": "误发"}, content_type="application/json"
        )
        assert page.status_code in REFUSED, (name, page.status_code)
        assert api.status_code in REFUSED, (name, api.status_code)
        assert Licence.objects.get(pk=company_licence.pk).state == LicenceState.VALID, name
    client = _client(roles["handler_a"])
    response = client.post(
        f"/api/licences/licences/{company_licence.pk}/revoke", {"reason": "误发"}, content_type="application/json"
    )
    assert response.status_code == 200 and response.json()["state"] == "revoked"
