import json

from django.test import Client

from yiwang.inspections.models import Plan, Task


def _client(user):
    client = Client()
    client.force_login(user)
    return client


def test_it_creates_a_plan_once_per_idempotency_key_and_draws_it(handler_b, market_item, pool, roster_b):
    client = _client(handler_b)
    body = {
        "number": "SJ-API-1",
        "title": "接口计划",
        "item_codes": [market_item.code],
        "period_start": "2026-01-01",
        "period_end": "2026-06-30",
    }
    headers = {"HTTP_IDEMPOTENCY_KEY": "plan-sj-api-1"}
    first = client.post("/api/inspections/plans", json.dumps(body), content_type="application/json", **headers)
    again = client.post("/api/inspections/plans", json.dumps(body), content_type="application/json", **headers)
    assert first.status_code == 201 and again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Plan.objects.count() == 1
    plan_id = first.json()["id"]
    published = client.post(f"/api/inspections/plans/{plan_id}/publish", "{}", content_type="application/json")
    assert published.json()["commitment"]
    drawn = client.post(f"/api/inspections/plans/{plan_id}/draw", "{}", content_type="application/json")
    assert drawn.status_code == 201 and drawn.json()["consistent"] is True
    refused = client.post(f"/api/inspections/plans/{plan_id}/draw", "{}", content_type="application/json")
    assert refused.status_code == 400 and refused.json()["code"] == "inspection.redraw_reason_required"


def test_it_records_a_result_with_a_clear_error_code(drawn, handler_b):
    task = Task.objects.filter(draw=drawn).first()
    client = _client(handler_b)
    bad = client.post(
        f"/api/inspections/tasks/{task.pk}/result",
        json.dumps({"result": "problems", "inspected_on": "2026-03-02"}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "inspection.findings_required"
    ok = client.post(
        f"/api/inspections/tasks/{task.pk}/result",
        json.dumps({"result": "normal", "inspected_on": "2026-03-02"}),
        content_type="application/json",
    )
    assert ok.status_code == 200 and ok.json()["state"] == "recorded" and ok.json()["publish_due_on"]
