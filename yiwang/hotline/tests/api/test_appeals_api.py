import json

import pytest

from yiwang.hotline.models import Appeal

PAYLOAD = {
    "kind": "complaint",
    "title": "营头镇红河谷村通村路坑洼严重",
    "content": "红河谷村到营头镇的通村路多处坑洼，下雨积水，猕猴桃运输车辆通行困难。",
    "town_code": "610326105",
    "contact_name": "张建国",
    "contact_phone": "13991712345",
    "public_consent": True,
}


def post(client, url, data, **headers):
    return client.post(url, data=json.dumps(data), content_type="application/json", headers=headers)


@pytest.fixture
def citizen_client(client, citizen, categories):
    client.force_login(citizen)
    return client


def test_it_creates_an_appeal(citizen_client):
    response = post(citizen_client, "/api/hotline/appeals", PAYLOAD)

    assert response.status_code == 201
    body = response.json()
    assert body["state"] == "received" and body["code"].startswith("YW")
    assert body["town"] == "610326105"
    appeal = Appeal.objects.get(code=body["code"])
    assert appeal.channel == "api" and appeal.submitted_by.username == "citizen"


def test_it_creates_one_appeal_for_a_retried_request(citizen_client):
    first = post(citizen_client, "/api/hotline/appeals", PAYLOAD, **{"Idempotency-Key": "retry-1"})
    second = post(citizen_client, "/api/hotline/appeals", PAYLOAD, **{"Idempotency-Key": "retry-1"})

    assert first.status_code == second.status_code == 201
    assert second.json()["code"] == first.json()["code"]
    assert second.headers["Idempotent-Replayed"] == "true"
    assert Appeal.objects.count() == 1


def test_it_refuses_an_emergency_with_the_advice_and_creates_nothing(citizen_client):
    response = post(citizen_client, "/api/hotline/appeals", {**PAYLOAD, "content": "村口刚刚发生了车祸，有人倒在路边"})

    assert response.status_code == 400
    assert response.json()["code"] == "appeal.emergency"
    assert "122" in response.json()["message"]
    assert Appeal.objects.count() == 0


def test_it_answers_422_for_a_malformed_body(citizen_client):
    response = post(citizen_client, "/api/hotline/appeals", {"title": "缺少内容"})

    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"


def test_it_needs_a_session(client, categories):
    assert post(client, "/api/hotline/appeals", PAYLOAD).status_code == 401


def test_it_masks_contact_data_for_the_citizen_view_of_others(citizen_client, handler_b, client):
    code = post(citizen_client, "/api/hotline/appeals", PAYLOAD).json()["code"]
    client.force_login(handler_b)

    assert client.get(f"/api/hotline/appeals/{code}").status_code == 404


def test_it_runs_the_whole_life_through_the_api(client, operator, handler_a, dept_a, categories):
    client.force_login(operator)
    code = post(client, "/api/hotline/appeals", {**PAYLOAD, "channel": "phone"}).json()["code"]
    body = client.get(f"/api/hotline/appeals/{code}").json()
    assert body["contact_phone"] == "13991712345"  # the 12345 operator sees the number to call back

    response = post(client, f"/api/hotline/appeals/{code}/dispatch", {"department": dept_a.code, "tier": "general"})
    assert response.status_code == 200 and response.json()["state"] == "dispatched"
    assert response.json()["reply_deadline"]["status"] == "normal"

    client.force_login(handler_a)
    assert client.post(f"/api/hotline/appeals/{code}/sign-off").json()["state"] == "signed_off"
    response = post(client, f"/api/hotline/appeals/{code}/reply", {"content": ""})
    assert response.status_code == 400 and response.json()["code"] == "appeal.reply_content_required"
    response = post(client, f"/api/hotline/appeals/{code}/reply", {"content": "已安排施工队修补坑洼路段，本周完工。"})
    assert response.json()["state"] == "replied"

    client.force_login(operator)
    response = post(client, f"/api/hotline/appeals/{code}/revisit", {"resolved": True, "satisfaction": 5})
    assert response.json()["state"] == "closed"


def test_it_lists_only_the_handlers_department(client, make_appeal, operator, handler_a, handler_b, dept_a, dept_b):
    from yiwang.hotline import services

    mine = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator)
    services.appeal_dispatch(
        appeal=make_appeal(title="餐馆卫生差", content="县城一家餐馆后厨卫生很差。"), department=dept_b, actor=operator
    )
    client.force_login(handler_a)

    body = client.get("/api/hotline/appeals").json()

    assert body["count"] == 1 and body["items"][0]["code"] == mine.code
    assert body["items"][0]["contact_phone"] == "13991712345"  # the lead department calls back


def test_it_returns_and_extends_through_the_api(client, dispatched, handler_a, operator, dept_b):
    client.force_login(handler_a)
    response = post(client, f"/api/hotline/appeals/{dispatched.code}/return", {"reason": "属市场监管部门职责范围"})
    assert response.status_code == 201
    return_id = response.json()["id"]

    client.force_login(operator)
    response = post(client, f"/api/hotline/returns/{return_id}/decision", {"approve": True, "department": dept_b.code})
    assert response.json()["lead_department"] == dept_b.code


def test_it_suggests_a_department_with_its_latency(client, operator, categories, dept_b):
    client.force_login(operator)
    response = post(
        client, "/api/hotline/routing/suggest", {"title": "餐馆出售过期食品", "content": "县城一家餐馆出售过期食品"}
    )

    body = response.json()
    assert body["department"] == dept_b.code and body["low_confidence"] is True
    assert body["elapsed_ms"] >= 0


def test_it_publishes_the_unresolved_summary_without_personal_data(client, clerk, meixian, dept_a):
    client.force_login(clerk)
    response = post(
        client,
        "/api/hotline/unresolved",
        {
            "channel": "window",
            "department": dept_a.code,
            "summary": "异地医保备案不会操作",
            "description": "老人不会在手机上备案，跑了两趟。",
            "tier": "general",
            "reporter_name": "王秀兰",
            "reporter_phone": "13891760231",
        },
        **{"Idempotency-Key": "u-1"},
    )
    assert response.status_code == 201
    client.logout()

    summary = client.get("/api/hotline/unresolved/summary")

    assert summary.status_code == 200
    assert summary.json()[0]["total"] == 1
    assert "王秀兰" not in summary.content.decode() and "13891760231" not in summary.content.decode()


def test_it_keeps_kpis_from_handlers(client, handler_a):
    client.force_login(handler_a)
    assert client.get("/api/hotline/kpis").status_code == 403


def test_it_shows_similar_appeals_to_dispatchers_only(client, make_appeal, operator, handler_a, dept_a, dept_b):
    from yiwang.hotline import services

    own = services.appeal_dispatch(appeal=make_appeal(), department=dept_a, actor=operator)
    other = services.appeal_dispatch(appeal=make_appeal(contact_name="李秀英"), department=dept_b, actor=operator)

    client.force_login(handler_a)
    assert client.get(f"/api/hotline/appeals/{own.code}").status_code == 200
    response = client.get(f"/api/hotline/appeals/{own.code}/similar")
    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"  # the one refusal of yiwang.org.permissions
    assert other.code not in response.content.decode()

    client.force_login(operator)
    response = client.get(f"/api/hotline/appeals/{own.code}/similar")
    assert response.status_code == 200
    assert [s["code"] for s in response.json()] == [other.code]
