"""Bad input to the cases pages and API: a clear 4xx with a code, and nothing changed."""

import pytest
from django.test import Client

from yiwang.cases.models import Case, CaseState, CaseUpload
from yiwang.cases.uploads import cut_name
from yiwang.core.models import AuditEvent

from ..factories import pdf_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def leader_client(leader):
    client = Client(raise_request_exception=False)
    client.force_login(leader)
    return client


@pytest.mark.parametrize(
    "query",
    [
        {"start": "0001-01-01", "end": "9999-12-31"},
        {"start": "0001-01-01", "end": "0001-01-01"},
        {"start": "9999-12-31", "end": "9999-12-31"},
        {"start": "2026-05-01", "end": "9999-12-31"},
    ],
)
@pytest.mark.parametrize("path", ["/cases/leader/", "/cases/leader/export.xlsx"])
def test_the_leader_page_and_export_refuse_a_period_out_of_range(leader_client, path, query):
    response = leader_client.get(path, query)
    assert response.status_code == 400
    assert response["X-Error-Code"] == "period.out_of_range"
    assert "超出可查询范围" in response.content.decode()


@pytest.mark.parametrize("path", ["/cases/leader/", "/cases/leader/export.xlsx"])
def test_the_leader_page_refuses_a_period_that_ends_before_it_starts(leader_client, path):
    response = leader_client.get(path, {"start": "2026-05-01", "end": "2026-01-01"})
    assert response.status_code == 400 and response["X-Error-Code"] == "period.reversed"


def test_the_leader_page_still_answers_a_sound_period(leader_client):
    assert leader_client.get("/cases/leader/", {"start": "2026-01-01", "end": "2026-03-31"}).status_code == 200


def test_resuming_a_case_that_is_not_paused_is_a_conflict(client, handler_a, review_case):
    client.force_login(handler_a)
    events = AuditEvent.objects.count()
    response = client.post(f"/api/cases/cases/{review_case.number}/resume", content_type="application/json")
    assert response.status_code == 409, response.content
    body = response.json()
    assert set(body) == {"code", "message", "details"} and body["code"] == "case.invalid_transition"
    review_case.refresh_from_db()
    assert review_case.state == CaseState.IN_REVIEW and AuditEvent.objects.count() == events


def test_a_300_character_chinese_file_name_is_cut_by_bytes_keeping_its_extension(client, citizen, submitted_case):
    client.force_login(citizen)
    name = "营业场所租赁合同" * 37 + "扫描件.pdf"  # 303 characters, 907 bytes
    response = client.post(f"/api/cases/cases/{submitted_case.number}/materials/M03", {"file": pdf_file(name)})
    assert response.status_code == 201, response.content
    row = CaseUpload.objects.get(case=submitted_case)
    assert row.original_name.endswith("扫描件.pdf") is False and row.original_name.endswith(".pdf")
    assert len(row.original_name.encode()) <= 150
    assert name.startswith(row.original_name[:-4])
    assert len(row.file.name.rsplit("/", 1)[-1].encode()) < 255
    assert row.file.storage.exists(row.file.name)


def test_cut_name_never_splits_a_character_and_keeps_short_names():
    assert cut_name("申请书.pdf") == "申请书.pdf"
    cut = cut_name("中" * 100 + ".jpeg", max_bytes=20)
    assert cut == "中" * 5 + ".jpeg" and len(cut.encode()) <= 20
    assert cut_name("无扩展名" * 40, max_bytes=10) == "无扩展名"[:3]


@pytest.mark.parametrize(
    ("body", "content_type", "code"),
    [
        (
            '{"item_code": "610326-XK-0001\\u0000", "applicant": {"kind": "person", "name": "王"}}',
            "application/json",
            "request.nul_byte",
        ),
        ("{not json", "application/json", "request.malformed"),
        ("--x\r\n", "multipart/form-data", "request.multipart_malformed"),
    ],
)
def test_a_submission_with_bad_bytes_is_refused_and_creates_nothing(
    client, citizen, food_item, body, content_type, code
):
    client.force_login(citizen)
    response = client.post("/api/cases/cases", data=body, content_type=content_type)
    assert response.status_code == 400
    assert response.json()["code"] == code and set(response.json()) == {"code", "message", "details"}
    assert Case.objects.count() == 0


def test_an_upload_over_the_request_limit_is_413_and_stores_nothing(client, citizen, submitted_case, settings):
    settings.REQUEST_MAX_BYTES = 4096
    client.force_login(citizen)
    response = client.post(
        f"/api/cases/cases/{submitted_case.number}/materials/M03", {"file": pdf_file("合同.pdf", size=8192)}
    )
    assert response.status_code == 413 and response.json()["code"] == "request.too_large"
    assert not CaseUpload.objects.exists()


@pytest.mark.parametrize(
    ("path", "payload"),
    [
        ("reject", {"reason": "材料不符合要求。" * 300, "legal_basis": "《行政许可法》第三十二条"}),
        ("correction", {"entries": [{"code": "M01"}], "note": "请补正。" * 600}),
    ],
)
def test_notes_and_reasons_over_the_limit_are_refused(client, clerk, submitted_case, path, payload):
    client.force_login(clerk)
    response = client.post(f"/api/cases/cases/{submitted_case.number}/{path}", payload, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "request.invalid"
    submitted_case.refresh_from_db()
    assert submitted_case.state == CaseState.SUBMITTED


@pytest.mark.parametrize("query", [{"q": "事" * 101}, {"page": "99999999999999999999"}, {"page_size": "100000"}])
def test_the_catalog_search_refuses_an_overlong_query_or_a_huge_page(client, query):
    response = client.get("/api/catalog/items", query)
    assert response.status_code == 422 and response.json()["code"] == "request.invalid"


# --- non-numeric ids in query strings and forms: 404, never a ValueError --------------------------


@pytest.mark.parametrize("value", ["abc", "0", "-1", "1.5", "９", "99999999999999999999999"])
@pytest.mark.parametrize(
    ("method", "path", "field"),
    [
        ("post", "/cases/handling/verifications/", "verification"),
        ("post", "/cases/handling/extensions/", "extension"),
        ("post", "/cases/help/queue/", "help"),
    ],
)
def test_a_non_numeric_id_in_a_form_is_a_404(admin_user, handler_a, method, path, field, value):
    client = Client(raise_request_exception=False)
    client.force_login(handler_a if "handling" in path else admin_user)
    events = AuditEvent.objects.count()
    response = getattr(client, method)(path, {field: value, "decision": "approve", "action": "take"})
    assert response.status_code == 404
    assert AuditEvent.objects.count() == events


@pytest.mark.parametrize("value", ["abc", "99999999999999999999999"])
def test_a_non_numeric_help_id_on_the_application_page_is_a_404(admin_user, food_item, value):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    assert client.get(f"/cases/apply/item/{food_item.code}/", {"help": value}).status_code == 404


@pytest.mark.parametrize(
    "path",
    [
        "/api/hotline/returns/99999999999999999999/decision",
        "/api/hotline/extensions/0/decision",
        "/api/catalog/changes/99999999999999999999/approve",
    ],
)
def test_an_id_past_the_integer_range_in_an_api_path_is_a_coded_422(admin_user, path):
    client = Client(raise_request_exception=False)
    client.force_login(admin_user)
    response = client.post(path, {"approve": True, "note": ""}, content_type="application/json")
    assert response.status_code == 422 and response.json()["code"] == "request.invalid"


def test_id_or_none():
    from yiwang.core.lookups import MAX_ID, id_or_none

    assert id_or_none("42") == 42 and id_or_none(str(MAX_ID)) == MAX_ID
    assert [id_or_none(v) for v in ("", None, "abc", "0", "-1", "1e3", "٣", str(MAX_ID + 1))] == [None] * 8
