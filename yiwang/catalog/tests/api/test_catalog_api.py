"""/api/catalog/: public search and detail, proposals with Idempotency-Key, blind review."""

import pytest

from yiwang.catalog import services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.models import ChangeStatus, ItemChange
from yiwang.catalog.tests.factories import elements

pytestmark = pytest.mark.django_db


def test_it_searches_published_items_without_signing_in(client, food_item):
    response = client.get("/api/catalog/items", {"q": "我要开饭店"})
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["fuzzy"] is False
    first = body["results"][0]
    assert first["code"] == "610326-XK-0001" and first["name"] == "食品经营许可（新办）"
    assert first["implementing_department_name"] == "眉县行政审批服务局"
    assert first["url"] == "/services/items/610326-XK-0001/"


def test_it_validates_filters(client, food_item):
    response = client.get("/api/catalog/items", {"online_depth": 7})
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_it_returns_every_guide_element(client, food_item):
    body = client.get("/api/catalog/items/610326-XK-0001").json()
    assert body["legal_days"] == 20 and body["promised_days"] == 5
    assert body["delivery_modes"] == ["window", "post"]
    assert [m["name"] for m in body["materials"]] == ["食品经营许可申请书", "营业执照", "经营场所平面布局图"]
    assert body["materials"][2]["deferrable"] is True and body["materials"][1]["licence_type"] == "营业执照"
    assert body["form_fields"][0]["key"] == "entity_name"


def test_an_unknown_item_is_a_404_with_a_code(client, departments):
    response = client.get("/api/catalog/items/nope")
    assert response.status_code == 404
    assert response.json()["code"] == "catalog.item_not_found"


def test_a_version_stays_readable_after_an_adjustment(client, food_item, handler_a, handler_c):
    change = services.item_change_propose(
        elements={**item_elements(food_item), "promised_days": 2}, reason="压缩", actor=handler_a, item=food_item
    )
    services.item_change_approve(change=change, actor=handler_c)
    v1 = client.get("/api/catalog/items/610326-XK-0001/versions/1").json()
    v2 = client.get("/api/catalog/items/610326-XK-0001/versions/2").json()
    assert (v1["elements"]["promised_days"], v2["elements"]["promised_days"]) == (5, 2)
    assert client.get("/api/catalog/items/610326-XK-0001/versions/3").status_code == 404


def test_proposing_needs_a_session(client, departments):
    response = client.post(
        "/api/catalog/changes", {"elements": elements(), "reason": "新增"}, content_type="application/json"
    )
    assert response.status_code == 401


def test_a_retried_proposal_creates_one_change(client, handler_a, departments):
    client.force_login(handler_a)
    payload = {"elements": elements(code="610326-XK-0500"), "reason": "新增事项"}
    headers = {"Idempotency-Key": "propose-610326-XK-0500"}
    first = client.post("/api/catalog/changes", payload, content_type="application/json", headers=headers)
    again = client.post("/api/catalog/changes", payload, content_type="application/json", headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert ItemChange.objects.count() == 1
    assert first.json()["kind"] == "create" and first.json()["status"] == "pending"


def test_a_bad_proposal_gets_the_rule_code_and_changes_nothing(client, handler_a, departments):
    client.force_login(handler_a)
    payload = {"elements": elements(legal_days=3, promised_days=5), "reason": "新增"}
    response = client.post(
        "/api/catalog/changes", payload, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "catalog.promised_exceeds_legal"
    assert body["details"]["field"] == "promised_days"
    assert not ItemChange.objects.exists()
    # The key was released: the corrected request goes through under the same key.
    payload["elements"]["legal_days"] = 20
    fixed = client.post(
        "/api/catalog/changes", payload, content_type="application/json", headers={"Idempotency-Key": "k1"}
    )
    assert fixed.status_code == 201


def test_a_malformed_proposal_is_a_422(client, handler_a, departments):
    client.force_login(handler_a)
    response = client.post(
        "/api/catalog/changes", {"elements": {"code": "x"}, "reason": "新增"}, content_type="application/json"
    )
    assert response.status_code == 422


def test_the_review_api_is_blind_and_cross_departmental(client, food_item, handler_a, handler_b, handler_c):
    change = services.item_change_propose(
        elements={**item_elements(food_item), "promised_days": 3},
        reason="压缩承诺时限",
        actor=handler_a,
        item=food_item,
    )
    client.force_login(handler_c)
    reviews = client.get("/api/catalog/reviews").json()
    assert [r["id"] for r in reviews] == [change.pk]
    assert "周敏" not in str(reviews) and "proposed_by" not in reviews[0]
    assert reviews[0]["changes"][0]["key"] == "promised_days"

    client.force_login(handler_b)
    refused = client.post(f"/api/catalog/changes/{change.pk}/approve", {"note": ""}, content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "catalog.reviewer_same_department"

    client.force_login(handler_c)
    approved = client.post(
        f"/api/catalog/changes/{change.pk}/approve", {"note": "同意"}, content_type="application/json"
    )
    assert approved.status_code == 200 and approved.json()["number"] == 2
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    closed = client.post(f"/api/catalog/changes/{change.pk}/reject", {"note": "晚了"}, content_type="application/json")
    assert closed.status_code == 409 and closed.json()["code"] == "change.invalid_transition"


def test_bundles_api_returns_merged_lists(client, food_item, admin_user, dept_a):
    from yiwang.catalog.tests.factories import publish

    publish(admin_user, elements(code="610326-XK-0002", name="城镇污水排入排水管网许可（新办）"))
    services.bundle_create(
        code="wo-yao-kai-fandian",
        name="我要开饭店",
        lead_department=dept_a,
        item_codes=["610326-XK-0001", "610326-XK-0002"],
        actor=admin_user,
    )
    listing = client.get("/api/catalog/bundles", {"q": "饭店"}).json()
    assert [b["code"] for b in listing] == ["wo-yao-kai-fandian"] and listing[0]["item_count"] == 2
    detail = client.get("/api/catalog/bundles/wo-yao-kai-fandian").json()
    assert [i["code"] for i in detail["items"]] == ["610326-XK-0001", "610326-XK-0002"]
    assert len(detail["materials"]) == 3  # the same three materials, once each
    assert detail["materials"][0]["items"] == ["食品经营许可（新办）", "城镇污水排入排水管网许可（新办）"]
    assert client.get("/api/catalog/bundles/nope").status_code == 404
