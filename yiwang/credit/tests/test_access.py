"""Who may use each credit URL with an object identifier; each is driven for several roles below."""

import datetime as dt

import pytest
from django.urls import reverse

from yiwang.credit import services
from yiwang.credit.models import Clue, CreditRepair
from yiwang.credit.tests.factories import EntityFactory

ACCESS_ROUTES = {
    "credit/my/records/<int:pk>/repair/": "the entity's own account (USCC); others 404",
    "credit/staff/entities/<str:uscc>/": "county staff with credit.read; citizens/enterprises 403; anonymous → login",
    "credit/staff/entities/<str:uscc>/records/": "handlers/inspectors (credit.record), recorded for their own department",
    "credit/staff/records/<int:pk>/revoke/": "the deciding department's handlers; other departments 404",
    "credit/staff/repairs/<int:pk>/decide/": "the deciding department's handlers; other departments 404",
    "credit/staff/clues/<int:pk>/": "the receiving department, supervisors and leaders; other departments 404",
    "api/credit/entities/<uscc>": "county staff with credit.read",
    "api/credit/entities/<uscc>/records": "handlers/inspectors (credit.record)",
    "api/credit/clues/<pk>": "the receiving department, supervisors and leaders; other departments 404",
    "api/credit/clues/<pk>/handle": "the receiving department (credit.clue); others 403/404",
    "api/credit/clues/<pk>/feedback": "the receiving department (credit.clue); others 403/404",
    "api/credit/records/<pk>/repair": "the entity's own account, or the deciding department's handlers; others 404/403",
    "api/credit/repairs/<pk>/decide": "the deciding department's handlers; other departments 404",
}


@pytest.fixture
def world(meixian, dept_a, handler_a, enterprise_user):
    entity = EntityFactory(uscc=enterprise_user.uscc, name="眉县汤峪镇张记农家乐", region=meixian.county)
    record = services.credit_record_create(
        entity=entity,
        kind="dishonesty",
        title="虚报冒领补贴",
        department=dept_a,
        decided_on=dt.date.today() - dt.timedelta(days=400),
        actor=handler_a,
        expires_on=dt.date.today() + dt.timedelta(days=300),
    )
    clue = Clue.objects.get(entity=entity)
    return entity, record, clue


def _status(client, user, method, url, data=None):
    if user is not None:
        client.force_login(user)
    else:
        client.logout()
    response = client.post(url, data or {}) if method == "POST" else client.get(url)
    return response.status_code


def test_entity_report_is_staff_only(client, world, handler_a, handler_b, inspector, leader, citizen, enterprise_user):
    entity, _, _ = world
    url = reverse("credit:entity", args=[entity.uscc])
    for user in (handler_a, handler_b, inspector, leader):
        assert _status(client, user, "GET", url) == 200
    assert _status(client, citizen, "GET", url) == 403
    assert _status(client, enterprise_user, "GET", url) == 403
    assert _status(client, None, "GET", url) == 302
    api = f"/api/credit/entities/{entity.uscc}"
    assert _status(client, handler_b, "GET", api) == 200
    assert _status(client, citizen, "GET", api) == 403
    assert _status(client, None, "GET", api) in (401, 403)


def test_records_are_added_by_own_department_and_revoked_only_by_it(
    client, world, handler_a, handler_b, leader, citizen
):
    entity, record, _ = world
    add = reverse("credit:record_add", args=[entity.uscc])
    data = {
        "form": "record",
        "kind": "penalty",
        "severity": "general",
        "title": "冷库温控记录缺失",
        "decided_on": dt.date.today().isoformat(),
    }
    assert _status(client, leader, "POST", add, data) == 403
    assert _status(client, citizen, "POST", add, data) == 403
    assert _status(client, None, "POST", add, data) == 302
    assert _status(client, handler_b, "POST", add, data) == 302  # recorded for dept_b
    assert entity.credit_records.filter(department__code=handler_b.memberships.first().department.code).count() == 1
    revoke = reverse("credit:record_revoke", args=[record.pk])
    assert _status(client, handler_b, "POST", revoke, {"reason": "x"}) == 404
    assert _status(client, citizen, "POST", revoke, {"reason": "x"}) == 403
    record.refresh_from_db()
    assert record.state == "effective"
    assert _status(client, handler_a, "POST", revoke, {"reason": "复议撤销"}) == 302
    record.refresh_from_db()
    assert record.state == "revoked"
    api = f"/api/credit/entities/{entity.uscc}/records"
    assert _status(client, leader, "POST", api) == 403


def test_repair_is_asked_by_the_entity_and_decided_by_the_department(
    client, world, handler_a, handler_b, enterprise_user, citizen
):
    entity, record, _ = world
    ask = reverse("credit:repair_request", args=[record.pk])
    assert _status(client, citizen, "POST", ask, {"statement": "已退回补贴", "commitment": "on"}) == 403
    assert (
        _status(client, enterprise_user, "POST", ask, {"statement": "已退回全部补贴并缴纳罚款", "commitment": "on"})
        == 302
    )
    repair = CreditRepair.objects.get(record=record)
    decide = reverse("credit:repair_decide", args=[repair.pk])
    assert _status(client, handler_b, "POST", decide, {"approve": "1", "opinion": "同意"}) == 404
    assert _status(client, enterprise_user, "POST", decide, {"approve": "1", "opinion": "同意"}) == 403
    assert _status(client, handler_a, "POST", decide, {"approve": "1", "opinion": "已纠正，同意修复"}) == 302
    record.refresh_from_db()
    assert record.state == "repaired"


def test_clues_belong_to_the_receiving_department(client, world, handler_a, handler_b, supervisor, citizen):
    _, _, clue = world
    url = reverse("credit:clue", args=[clue.pk])
    assert _status(client, handler_a, "GET", url) == 200
    assert _status(client, supervisor, "GET", url) == 200
    assert _status(client, handler_b, "GET", url) == 404
    assert _status(client, citizen, "GET", url) == 403
    assert _status(client, None, "GET", url) == 302
    assert _status(client, supervisor, "POST", url, {"form": "handle", "measures_taken": "约谈"}) == 403
    for path in (f"/api/credit/clues/{clue.pk}",):
        assert _status(client, handler_b, "GET", path) == 404
        assert _status(client, handler_a, "GET", path) == 200
    client.force_login(handler_b)
    r = client.post(f"/api/credit/clues/{clue.pk}/handle", {"measures_taken": "约谈"}, content_type="application/json")
    assert r.status_code == 404
    client.force_login(handler_a)
    r = client.post(
        f"/api/credit/clues/{clue.pk}/handle",
        {"measures_taken": "约谈负责人并现场检查"},
        content_type="application/json",
    )
    assert r.status_code == 200 and r.json()["state"] == "handled"
    client.force_login(handler_b)
    r = client.post(
        f"/api/credit/clues/{clue.pk}/feedback",
        {"finding": "confirmed", "feedback": "x"},
        content_type="application/json",
    )
    assert r.status_code == 404


def test_the_public_page_shows_no_personal_data(client, meixian, dept_a, handler_a):
    shop = EntityFactory(
        name="眉县横渠镇李秀芳小吃店", kind="individual", legal_representative="李秀芳", region=meixian.county
    )
    services.credit_record_create(
        entity=shop,
        kind="penalty",
        title="使用过期食品原料",
        department=dept_a,
        decided_on=dt.date.today(),
        actor=handler_a,
    )
    services.credit_record_create(
        entity=shop,
        kind="penalty",
        severity="minor",
        title="简易程序：价签不规范",
        department=dept_a,
        decided_on=dt.date.today(),
        actor=handler_a,
    )
    client.logout()
    body = client.get(reverse("credit:public")).content.decode()
    assert "使用过期食品原料" in body
    assert "李秀芳" not in body and "李**" in body
    assert "价签不规范" not in body  # minor penalties by 简易程序 are not published
    data = client.get("/api/credit/public").json()
    assert data and all("李秀芳" not in row["subject"] for row in data)


def test_the_repair_api_for_the_entity_and_the_department(
    client, world, handler_a, handler_b, enterprise_user, citizen
):
    _, record, _ = world
    url = f"/api/credit/records/{record.pk}/repair"
    body = {"statement": "已退回全部补贴", "commitment": True}
    client.force_login(citizen)
    assert client.post(url, body, content_type="application/json").status_code == 403
    client.force_login(handler_b)
    assert client.post(url, body, content_type="application/json").status_code == 404
    client.force_login(enterprise_user)
    response = client.post(url, body, content_type="application/json")
    assert response.status_code == 201
    decide = f"/api/credit/repairs/{response.json()['id']}/decide"
    client.force_login(handler_b)
    assert client.post(decide, {"approve": True, "opinion": "同意"}, content_type="application/json").status_code == 404
    client.force_login(enterprise_user)
    assert client.post(decide, {"approve": True, "opinion": "同意"}, content_type="application/json").status_code == 403
    client.force_login(handler_a)
    response = client.post(decide, {"approve": True, "opinion": "已纠正"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["state"] == "approved"


def test_the_financing_api(client, world, meixian, enterprise_user, handler_a):
    services.loan_product_publish(
        bank="眉县农村商业银行", name="秦岭农家乐贷", region=meixian.county, max_amount=30, actor=None
    )
    assert len(client.get("/api/credit/products").json()) == 1
    client.force_login(handler_a)
    assert (
        client.post(
            "/api/credit/financing-needs", {"amount": 10, "purpose": "改造客房"}, content_type="application/json"
        ).status_code
        == 403
    )
    client.force_login(enterprise_user)
    response = client.post(
        "/api/credit/financing-needs", {"amount": 10, "purpose": "改造客房"}, content_type="application/json"
    )
    assert response.status_code == 201
    # the world's entity is class C (a dishonesty record): the default classes A–C accept it
    assert [p["name"] for p in response.json()["matched_products"]] == ["秦岭农家乐贷"]
