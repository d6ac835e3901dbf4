import json

import pytest
from django.test import override_settings
from ninja import NinjaAPI

from yiwang.api.api import ReadableJSONRenderer, api, application_error
from yiwang.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


def test_it_publishes_the_openapi_document(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    document = response.json()
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Yiwang 一网 API"
    assert any(path.startswith("/api/workdays/") for path in document["paths"])


def test_it_serves_the_docs_page_without_any_outside_address(client):
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger" in html.lower()
    # Everything the docs page loads comes from this server: no CDN.
    assert "cdn." not in html and "unpkg" not in html and "jsdelivr" not in html


def test_it_keeps_chinese_readable_in_json():
    rendered = ReadableJSONRenderer().render(None, {"message": "请先登录"}, response_status=200)
    assert rendered == '{"message": "请先登录"}'


def test_it_maps_an_application_error_to_code_message_details(rf):
    request = rf.get("/api/anything")
    error = ApplicationError("case.materials_missing", "材料不齐全", details={"missing": ["身份证"]}, status=409)
    response = application_error(request, error)
    assert response.status_code == 409
    assert json.loads(response.content) == {
        "code": "case.materials_missing",
        "message": "材料不齐全",
        "details": {"missing": ["身份证"]},
    }


def test_it_answers_a_request_without_login_with_a_coded_401(client):
    response = client.get("/api/org/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_it_answers_malformed_input_with_a_coded_422(client):
    response = client.get("/api/workdays/add", {"start": "2026-13-45", "days": 1})
    assert response.status_code == 422
    body = response.json()
    assert body["code"] == "request.invalid" and body["details"]["errors"]


def test_it_is_the_single_api_instance():
    assert isinstance(api, NinjaAPI)


@override_settings(DEBUG=False)
def test_it_keeps_the_docs_available_in_production(client):
    assert client.get("/api/openapi.json").status_code == 200
