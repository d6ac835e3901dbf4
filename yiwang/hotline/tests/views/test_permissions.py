"""One permission rule for hotline pages and the API: the same action of ``yiwang.org.scoping`` decides
both, and a refusal changes nothing."""

import json

import pytest

from yiwang.hotline.models import Appeal, AppealEvent, ExtensionRequest, ReturnRequest
from yiwang.org.models import Role
from yiwang.org.tests.factories import MembershipFactory, UserFactory

REPLY = "已安排施工队于本周内修补坑洼路段并清理积水，感谢反映。"


def post_json(client, url, data=None):
    return client.post(url, data=json.dumps(data or {}), content_type="application/json")


@pytest.fixture
def inspector_a(dept_a):
    """An inspector of the lead department: reads its appeals, acts on none."""
    user = UserFactory(username="inspector_a", display_name="何平")
    MembershipFactory(user=user, role=Role.INSPECTOR, department=dept_a)
    return user


@pytest.fixture
def co_dispatched(make_appeal, operator, dept_a, dept_b):
    """Led by dept_a with dept_b as co-department, so dept_b's handler reads it but does not lead."""
    from yiwang.hotline import services

    return services.appeal_dispatch(appeal=make_appeal(), department=dept_a, co_departments=[dept_b], actor=operator)


def snapshot(appeal):
    appeal.refresh_from_db()
    return (
        appeal.state,
        AppealEvent.objects.filter(appeal=appeal).count(),
        ReturnRequest.objects.filter(appeal=appeal).count(),
        ExtensionRequest.objects.filter(appeal=appeal).count(),
    )


WEB = {
    "sign_off": {},
    "reply": {"content": REPLY, "result": "resolved"},
    "return": {"reason": "不属于本部门职责范围"},
    "extend": {"days": 3, "reason": "需要现场勘查后才能答复"},
}
API = {
    "sign-off": None,
    "reply": {"content": REPLY},
    "return": {"reason": "不属于本部门职责范围"},
    "extensions": {"days": 3, "reason": "需要现场勘查后才能答复"},
}


@pytest.mark.parametrize("who", ["inspector_a", "handler_b"])
@pytest.mark.parametrize("action", list(WEB))
def test_it_refuses_a_reader_who_does_not_lead_on_the_web(client, request, co_dispatched, who, action):
    user = request.getfixturevalue(who)
    before = snapshot(co_dispatched)
    client.force_login(user)

    assert client.get(f"/hotline/staff/appeals/{co_dispatched.code}/").status_code == 200  # may read it
    response = client.post(f"/hotline/staff/appeals/{co_dispatched.code}/{action}/", WEB[action])

    assert response.status_code == 403
    assert snapshot(co_dispatched) == before


@pytest.mark.parametrize("who", ["inspector_a", "handler_b"])
@pytest.mark.parametrize("action", list(API))
def test_it_refuses_a_reader_who_does_not_lead_in_the_api(client, request, co_dispatched, who, action):
    user = request.getfixturevalue(who)
    before = snapshot(co_dispatched)
    client.force_login(user)

    response = post_json(client, f"/api/hotline/appeals/{co_dispatched.code}/{action}", API[action])

    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"
    assert snapshot(co_dispatched) == before


def test_it_refuses_the_inspector_a_reply_after_sign_off(client, signed_off, inspector_a):
    before = snapshot(signed_off)
    client.force_login(inspector_a)

    assert client.post(f"/hotline/staff/appeals/{signed_off.code}/reply/", WEB["reply"]).status_code == 403
    assert post_json(client, f"/api/hotline/appeals/{signed_off.code}/reply", API["reply"]).status_code == 403
    assert snapshot(signed_off) == before


@pytest.mark.parametrize(
    ("who", "unmasked"),
    [("operator", True), ("handler_a", True), ("inspector_a", False), ("leader", False), ("handler_b", False)],
)
def test_it_masks_contact_data_in_the_api_for_all_but_the_12345_centre_and_the_lead(
    client, request, co_dispatched, who, unmasked
):
    client.force_login(request.getfixturevalue(who))

    detail = client.get(f"/api/hotline/appeals/{co_dispatched.code}").json()
    listed = client.get("/api/hotline/appeals").json()["items"]

    for body in (detail, next(a for a in listed if a["code"] == co_dispatched.code)):
        assert (body["contact_phone"] == "13991712345") is unmasked
        assert (body["contact_name"] == "张建国") is unmasked
        if not unmasked:
            assert body["contact_phone"].endswith("2345") and "*" in body["contact_phone"]


# --- role × action, through HTTP ------------------------------------------------------------------

ROLES = ["citizen", "clerk", "handler_a", "handler_b", "inspector_a", "operator", "leader", "supervisor"]

# Who may do it, per the table in yiwang.org.scoping (appeal led by dept_a; dept_b is another department).
ALLOWED = {
    "dispatch": {"operator"},
    "sign_off": {"handler_a"},
    "reply": {"handler_a"},
    "read": {"handler_a", "inspector_a", "operator", "leader", "supervisor"},
    "dashboard": {"operator", "leader", "supervisor"},
}


def _try(client, action, appeals, dept_a) -> tuple[int, int]:
    """(web status, API status) for one action, each on its own appeal (a write done once is done)."""
    code, api_code = (a.code for a in appeals)
    if action == "dispatch":
        web = client.post(f"/hotline/staff/appeals/{code}/dispatch/", {"department": dept_a.pk, "tier": "general"})
        api = post_json(client, f"/api/hotline/appeals/{api_code}/dispatch", {"department": dept_a.code})
    elif action == "sign_off":
        web = client.post(f"/hotline/staff/appeals/{code}/sign_off/")
        api = post_json(client, f"/api/hotline/appeals/{api_code}/sign-off")
    elif action == "reply":
        web = client.post(f"/hotline/staff/appeals/{code}/reply/", WEB["reply"])
        api = post_json(client, f"/api/hotline/appeals/{api_code}/reply", API["reply"])
    elif action == "read":
        web = client.get(f"/hotline/staff/appeals/{code}/")
        api = client.get(f"/api/hotline/appeals/{api_code}")
    else:
        web = client.get("/hotline/staff/dashboard/")
        api = client.get("/api/hotline/kpis")
    return web.status_code, api.status_code


@pytest.mark.parametrize("action", list(ALLOWED))
@pytest.mark.parametrize("role", ROLES)
def test_role_by_hotline_action(client, request, make_appeal, operator, dept_a, action, role):
    from yiwang.hotline import services

    appeals = []
    for _ in range(2):
        appeal = make_appeal()
        if action != "dispatch":
            appeal = services.appeal_dispatch(appeal=appeal, department=dept_a, actor=operator)
        if action == "reply":
            appeal = services.appeal_sign_off(appeal=appeal, actor=request.getfixturevalue("handler_a"))
        appeals.append(appeal)
    client.force_login(request.getfixturevalue(role))

    web, api = _try(client, action, appeals, dept_a)

    if role in ALLOWED[action]:
        assert web in (200, 302) and api == 200, (web, api)
    else:
        # Refused (403), or not found (404) when the appeal is outside what the user may read at all.
        assert web in (403, 404) and api in (403, 404), (web, api)
        if action in ("dispatch", "sign_off", "reply"):
            assert [Appeal.objects.get(pk=a.pk).state for a in appeals] == [a.state for a in appeals]
