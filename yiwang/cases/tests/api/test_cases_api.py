import pytest

from yiwang.cases.models import Case, CaseState
from yiwang.core.models import AuditEvent

from ..factories import CITIZEN_ID, pdf_file

pytestmark = pytest.mark.django_db
URL = "/api/cases/cases"


def _payload(food_item, **changes):
    data = {
        "item_code": food_item.code,
        "applicant": {"kind": "person", "name": "王秀兰", "id_number": CITIZEN_ID, "phone": "13891712345"},
        "form_data": {"applicant_address": "眉县首善街道东关社区"},
        "delivery_method": "electronic",
    }
    data.update(changes)
    return data


def test_it_creates_a_case(client, citizen, food_item):
    client.force_login(citizen)
    response = client.post(URL, _payload(food_item), content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "submitted" and body["item_version"] == 1 and len(body["materials"]) == 5
    assert Case.objects.get(number=body["number"]).applicant_user == citizen


def test_a_retry_with_the_same_idempotency_key_creates_nothing_new(client, citizen, food_item):
    client.force_login(citizen)
    first = client.post(
        URL, _payload(food_item), content_type="application/json", headers={"Idempotency-Key": "apply-1"}
    )
    again = client.post(
        URL, _payload(food_item), content_type="application/json", headers={"Idempotency-Key": "apply-1"}
    )
    assert first.status_code == again.status_code == 201
    assert again.json()["number"] == first.json()["number"] and again.headers["Idempotent-Replayed"] == "true"
    assert Case.objects.count() == 1
    assert AuditEvent.objects.filter(action="case.submitted").count() == 1


def test_the_same_key_for_another_request_is_refused(client, citizen, food_item):
    client.force_login(citizen)
    client.post(URL, _payload(food_item), content_type="application/json", headers={"Idempotency-Key": "apply-2"})
    other = client.post(
        URL,
        _payload(food_item, delivery_method="window"),
        content_type="application/json",
        headers={"Idempotency-Key": "apply-2"},
    )
    assert other.status_code == 422 and other.json()["code"] == "idempotency.key_reused"
    assert Case.objects.count() == 1


def test_a_bad_id_number_gets_a_specific_error_and_creates_nothing(client, citizen, food_item):
    client.force_login(citizen)
    payload = _payload(food_item)
    payload["applicant"]["id_number"] = "610326196803120421"
    response = client.post(URL, payload, content_type="application/json", headers={"Idempotency-Key": "bad-1"})
    assert response.status_code == 400 and response.json()["code"] == "case.id_number_invalid"
    assert Case.objects.count() == 0
    # The error released the key: the corrected request may reuse it.
    fixed = client.post(URL, _payload(food_item), content_type="application/json", headers={"Idempotency-Key": "bad-1"})
    assert fixed.status_code == 201


def test_it_needs_a_login(client, food_item):
    response = client.post(URL, _payload(food_item), content_type="application/json")
    assert response.status_code == 401


def test_it_uploads_a_material_and_refuses_a_bad_file(client, citizen, submitted_case):
    client.force_login(citizen)
    url = f"{URL}/{submitted_case.number}/materials/M03"
    ok = client.post(url, {"file": pdf_file("租赁合同.pdf")})
    assert ok.status_code == 201 and ok.json()["status"] == "uploaded"
    bad = client.post(url, {"file": pdf_file("合同.exe")})
    assert bad.status_code == 415 and bad.json()["code"] == "case.upload_type_not_allowed"


def test_the_whole_path_through_the_api(client, citizen, clerk, handler_a, food_item):
    client.force_login(citizen)
    number = client.post(URL, _payload(food_item), content_type="application/json").json()["number"]

    client.force_login(clerk)
    response = client.post(
        f"{URL}/{number}/correction",
        {"entries": [{"code": "M03", "problem": "missing", "note": "请提供租赁合同"}]},
        content_type="application/json",
    )
    assert response.json()["state"] == "correction_requested"

    client.force_login(citizen)
    client.post(f"{URL}/{number}/materials/M03", {"file": pdf_file()})
    assert client.post(f"{URL}/{number}/correction/supplied").json()["state"] == "submitted"

    client.force_login(clerk)
    accepted = client.post(
        f"{URL}/{number}/accept", {"received": ["M01", "M02", "M03", "M04"]}, content_type="application/json"
    )
    assert accepted.status_code == 200 and accepted.json()["state"] == "accepted"

    client.force_login(handler_a)
    assert client.post(f"{URL}/{number}/assign").json()["state"] == "in_review"
    for _ in range(2):
        client.post(f"{URL}/{number}/steps/complete", {"opinion": "同意"}, content_type="application/json")
    no_reason = client.post(f"{URL}/{number}/decision", {"outcome": "approved"}, content_type="application/json")
    assert no_reason.status_code == 400 and no_reason.json()["code"] == "case.reasons_required"
    decided = client.post(
        f"{URL}/{number}/decision",
        {"outcome": "approved", "reasons": "符合条件"},
        content_type="application/json",
        headers={"Idempotency-Key": "decide-1"},
    )
    assert decided.json()["state"] == "decided_approved"
    replay = client.post(
        f"{URL}/{number}/decision",
        {"outcome": "approved", "reasons": "符合条件"},
        content_type="application/json",
        headers={"Idempotency-Key": "decide-1"},
    )
    assert replay.status_code == 200 and replay.headers["Idempotent-Replayed"] == "true"
    delivered = client.post(f"{URL}/{number}/delivery", {"method": "electronic"}, content_type="application/json")
    assert delivered.json()["state"] == CaseState.DELIVERED


def test_a_handler_of_another_department_cannot_see_the_case(client, handler_b, accepted_case):
    client.force_login(handler_b)
    response = client.get(f"{URL}/{accepted_case.number}")
    assert response.status_code == 404 and response.json()["code"] == "case.not_found"


def test_an_invalid_transition_is_a_conflict(client, clerk, accepted_case):
    client.force_login(clerk)
    response = client.post(
        f"{URL}/{accepted_case.number}/reject", {"reason": "x", "legal_basis": "y"}, content_type="application/json"
    )
    assert response.status_code == 409 and response.json()["code"] == "case.invalid_transition"


def test_the_public_status_needs_no_login_and_shows_no_personal_data(client, submitted_case):
    response = client.get(
        "/api/cases/status", {"number": submitted_case.number, "code": submitted_case.verification_code}
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "王秀兰" not in text and CITIZEN_ID not in text and response.json()["state"] == "submitted"
    wrong = client.get("/api/cases/status", {"number": submitted_case.number, "code": "XXXXXX"})
    assert wrong.status_code == 404


def test_the_department_queue_is_scoped(client, handler_a, handler_b, review_case):
    client.force_login(handler_a)
    assert [c["number"] for c in client.get("/api/cases/queue").json()] == [review_case.number]
    client.force_login(handler_b)
    assert client.get("/api/cases/queue").json() == []


def _statements(client, url):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    # The reads of cases and their rows (the session, the login and the calendar's freshness check
    # are the same for any page).
    return response.json(), sum('"cases_' in q["sql"] for q in queries.captured_queries)


def test_the_lists_read_the_page_of_cases_at_once_and_carry_what_the_detail_carries(
    client, citizen, person, clerk, handler_a, food_item
):
    from yiwang.cases import services

    from ..conftest import FORM

    def accepted():
        case = services.case_submit(actor=citizen, applicant=person, item=food_item, form_data=FORM)
        return services.case_accept(case=case, actor=clerk, received=("M01", "M02", "M03", "M04"))

    accepted()
    client.force_login(handler_a)
    one, one_count = _statements(client, "/api/cases/queue")
    client.force_login(citizen)
    mine_one, mine_one_count = _statements(client, "/api/cases/cases")
    for _ in range(4):
        accepted()
    client.force_login(handler_a)
    five, five_count = _statements(client, "/api/cases/queue")
    client.force_login(citizen)
    mine_five, mine_five_count = _statements(client, "/api/cases/cases")
    assert (len(one), len(five), len(mine_one), len(mine_five)) == (1, 5, 1, 5)
    # Five cases cost what one costs: no read per case.
    assert five_count == one_count and mine_five_count == mine_one_count
    # Each row is what the case's own endpoint answers (checklist, deadline and all).
    for row in mine_five:
        assert row == client.get(f"/api/cases/cases/{row['number']}").json()
    client.force_login(handler_a)
    for row in five:
        assert row == client.get(f"/api/cases/cases/{row['number']}").json() and row["materials"]
    assert {row["deadline_status"] for row in five} == {"normal"}
    assert five_count == 3
