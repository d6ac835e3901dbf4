import json

import pytest

from yiwang.org.services import department_load_from_data, region_load_from_data


@pytest.fixture
def loaded(db):
    region_load_from_data(actor=None)
    department_load_from_data(actor=None)


def test_it_answers_me_with_roles_and_departments_and_no_clear_pii(client, handler_a, dept_b):
    from yiwang.org.models import Role
    from yiwang.org.tests.factories import MembershipFactory

    handler_a.phone = "13991700009"
    handler_a.id_number = "610326198607150483"
    handler_a.save()
    MembershipFactory(user=handler_a, role=Role.INSPECTOR, department=dept_b)
    client.force_login(handler_a)
    response = client.get("/api/org/me")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == "handler_a"
    assert body["display_name"] == "周敏"
    assert body["roles"] == ["handler", "inspector"]
    assert [d["short_name"] for d in body["departments"]] == ["县行政审批服务局", "县市场监管局"]
    assert body["phone_masked"] == "139****0009"
    assert body["id_number_masked"] == "6103**********0483"
    assert {m["role_label"] for m in body["memberships"]} == {"部门经办", "执法检查"}
    raw = response.content.decode()
    assert "13991700009" not in raw and "610326198607150483" not in raw
    assert "周敏" in raw  # readable Chinese, not \\u escapes


def test_it_shows_a_clerk_their_hall_and_window(client, clerk):
    client.force_login(clerk)
    membership = client.get("/api/org/me").json()["memberships"][0]
    assert membership["hall"] == "眉县政务服务中心"
    assert membership["window"] == "1号 综合受理窗口"
    assert membership["department"] is None


def test_it_refuses_me_without_a_session(client, db):
    response = client.get("/api/org/me")
    assert response.status_code == 401
    assert response.json()["code"] == "auth.required"


def test_it_lists_regions_publicly(client, loaded):
    roots = client.get("/api/org/regions").json()
    assert [r["name"] for r in roots] == ["陕西省"]
    towns = client.get("/api/org/regions", {"parent": "610326"}).json()
    assert [t["name"] for t in towns][:2] == ["首善街道", "横渠镇"]
    assert towns[0] == {
        "code": "610326001",
        "name": "首善街道",
        "level": "town",
        "level_label": "镇/街道",
        "parent_code": "610326",
        "path": "610000/610300/610326/610326001/",
        "is_illustrative": False,
    }
    villages = client.get("/api/org/regions", {"parent": "610326100"}).json()
    assert all(v["is_illustrative"] for v in villages)


def test_it_answers_404_for_an_unknown_parent(client, loaded):
    response = client.get("/api/org/regions", {"parent": "999999"})
    assert response.status_code == 404
    assert response.json() == {
        "code": "org.region_unknown",
        "message": "区划代码不存在：999999",
        "details": {"code": "999999"},
    }


def test_it_lists_departments_with_aliases_publicly(client, loaded):
    body = client.get("/api/org/departments", {"q": "市场监管"}).json()
    assert [d["code"] for d in body] == ["market-regulation"]
    assert body[0]["name"] == "眉县市场监督管理局"
    assert "县市场监督管理局" in body[0]["aliases"]
    assert body[0]["kind_label"] == "县政府部门"
    assert len(client.get("/api/org/departments").json()) == 57


def test_it_resolves_a_written_name(client, loaded):
    response = client.get("/api/org/departments/resolve", {"name": "县人民法院"})
    assert response.status_code == 200
    body = response.json()
    assert body["code"] == "court"
    assert body["kind"] == "court_procuratorate"
    assert "县人民法院" in response.content.decode()


def test_it_answers_404_with_a_code_for_an_unknown_name(client, loaded):
    response = client.get("/api/org/departments/resolve", {"name": "县档案局"})
    assert response.status_code == 404
    body = json.loads(response.content)
    assert body["code"] == "org.department_unknown"
    assert body["message"] == "无法识别的单位名称：县档案局"


def test_it_requires_the_name_parameter(client, db):
    response = client.get("/api/org/departments/resolve")
    assert response.status_code == 422
    assert response.json()["code"] == "request.invalid"
