"""The request guard: NUL bytes, oversized and malformed bodies get a coded 4xx before any view runs;
every error under /api/ has the API's {code, message, details} shape."""

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.middleware import RequestGuardMiddleware
from yiwang.org.models import Department

pytestmark = pytest.mark.django_db


def _api_error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == code, body
    return body


@pytest.mark.parametrize(
    ("path", "where"),
    [
        ("/api/org/departments?q=%00", "url"),
        ("/api/org/regions?parent=6103%0026", "url"),
        ("/api/cases/cases/YB%00123", "url"),
        ("/api/catalog/items/610326%00/", "url"),
    ],
)
def test_a_nul_in_an_api_path_or_query_is_a_coded_400(client, path, where):
    body = _api_error(client.get(path), 400, "request.nul_byte")
    assert body["details"]["where"] == where


@pytest.mark.parametrize("path", ["/services/?q=%00", "/services/items/a%00b/", "/cases/status/?number=%00&code=1"])
def test_a_nul_in_a_page_url_is_a_chinese_400_page(client, path):
    response = client.get(path)
    assert response.status_code == 400 and response["X-Error-Code"] == "request.nul_byte"
    assert "空字符" in response.content.decode()


def test_a_nul_in_a_form_field_changes_nothing(client, admin_user):
    client.force_login(admin_user)
    departments = Department.objects.count()
    response = client.post("/login/", {"username": "admin\x00", "password": "x"})
    assert response.status_code == 400 and response["X-Error-Code"] == "request.nul_byte"
    assert Department.objects.count() == departments


def test_a_body_over_the_limit_is_413_in_the_api_shape(client, settings):
    settings.REQUEST_MAX_BYTES = 2048
    response = client.post("/api/org/me", data="{" + '"a": "' + "x" * 4096 + '"}', content_type="application/json")
    body = _api_error(response, 413, "request.too_large")
    assert body["details"]["limit"] == 2048


def test_form_fields_over_the_memory_limit_are_413(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024
    response = client.post("/hotline/submit/", "title=" + "x" * 4096, content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413 and response["X-Error-Code"] == "request.too_large"


def test_a_json_body_over_the_memory_limit_names_that_limit(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 2048  # under REQUEST_MAX_BYTES: the body is read, then refused
    response = client.post("/api/org/me", data='{"a": "' + "x" * 4096 + '"}', content_type="application/json")
    body = _api_error(response, 413, "request.too_large")
    assert body["details"]["limit"] == 2048
    assert body["message"] == "请求内容超过 2 KB 的上限"


@pytest.mark.parametrize("path", ["/api/hotline/appeals", "/hotline/submit/"])
def test_multipart_without_a_boundary_is_a_coded_400(client, path):
    response = client.post(path, data=b"--x\r\nhello", content_type="multipart/form-data")
    assert response.status_code == 400 and response["X-Error-Code"] == "request.multipart_malformed"


def test_an_unparsable_json_body_is_a_coded_400(client, admin_user):
    client.force_login(admin_user)
    _api_error(
        client.post("/api/catalog/changes", data="{not json", content_type="application/json"), 400, "request.malformed"
    )


def test_an_unknown_api_url_is_a_coded_404(client):
    _api_error(client.get("/api/no/such/thing"), 404, "request.not_found")


def test_a_method_not_allowed_is_a_coded_405(client):
    response = client.put("/api/org/regions", data="{}", content_type="application/json")
    _api_error(response, 405, "request.method_not_allowed")
    assert "GET" in response["Allow"]


def test_get_object_or_404_in_the_api_is_a_coded_404(client, dispatcher):
    client.force_login(dispatcher)
    response = client.post("/api/hotline/returns/999999/decision", {"approve": True}, content_type="application/json")
    assert response.status_code in (403, 404, 422)
    assert set(response.json()) == {"code", "message", "details"}


def test_an_application_error_escaping_a_page_is_a_coded_page(rf):
    middleware = RequestGuardMiddleware(lambda request: None)
    request = rf.get("/cases/leader/")
    response = middleware.process_exception(request, ApplicationError("period.reversed", "起始日期不能晚于截止日期"))
    assert response.status_code == 400 and response["X-Error-Code"] == "period.reversed"
    assert "起始日期不能晚于截止日期" in response.content.decode()
    assert middleware.process_exception(request, ValueError("x")) is None
