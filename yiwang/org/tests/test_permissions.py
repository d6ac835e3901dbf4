"""The page decorator and the API helper in ``yiwang.org.permissions``."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from ninja import Router
from ninja.testing import TestClient

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.org.permissions import (
    action_required,
    api_action_required,
    calendar_manage_required,
    require_action,
)


@action_required("case.decide", "case.review")
def decide_page(request):
    return HttpResponse(f"ok {sorted(request.scope.roles)}")


@calendar_manage_required
def calendar_page(request):
    return HttpResponse("calendar")


router = Router()


@router.get("/dashboard")
@api_action_required("appeal.dashboard")
def dashboard_operation(request):
    return {"ok": True}


@router.post("/appeals")
@api_action_required("appeal.intake")
@idempotent
def intake_under_idempotent(request):
    return {"ok": True}


@router.post("/cases")
@idempotent
@api_action_required("case.decide")
def decide_over_idempotent(request):
    return {"ok": True}


client = TestClient(router)


def _request(user, path="/cases/handling/"):
    request = RequestFactory().get(path)
    request.user = user
    return request


def test_it_sends_strangers_to_the_login_page():
    response = decide_page(_request(AnonymousUser()))
    assert response.status_code == 302
    assert "/login/" in response["Location"] and "next=/cases/handling/" in response["Location"]


def test_it_lets_a_handler_in_and_sets_the_scope(handler_a):
    response = decide_page(_request(handler_a))
    assert response.status_code == 200
    assert response.content.decode() == "ok ['handler']"


@pytest.mark.parametrize("who", ["inspector", "leader", "clerk", "citizen"])
def test_it_refuses_other_roles_with_a_chinese_message(request, who):
    user = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied, match="您没有访问此页面的权限"):
        decide_page(_request(user))


def test_it_opens_the_calendar_to_administrators_only(admin_user, handler_a):
    assert calendar_page(_request(admin_user)).status_code == 200
    with pytest.raises(PermissionDenied):
        calendar_page(_request(handler_a))


def test_it_checks_the_object_in_the_api(handler_a, inspector, dept_a, dept_b):
    assert require_action(_request(handler_a), "case.decide", department=dept_a).roles == {"handler"}
    with pytest.raises(ApplicationError) as refused:
        require_action(_request(handler_a), "case.decide", department=dept_b)
    assert (refused.value.code, refused.value.status) == ("auth.forbidden", 403)
    assert refused.value.details == {"action": "case.decide"}
    with pytest.raises(ApplicationError, match="auth.forbidden"):
        require_action(_request(inspector), "appeal.read_contact", department=dept_b)
    with pytest.raises(ApplicationError) as signed_out:
        require_action(_request(AnonymousUser()), "case.read")
    assert (signed_out.value.code, signed_out.value.status) == ("auth.required", 401)


def test_it_gates_an_api_operation_by_role(dispatcher, inspector):
    assert client.get("/dashboard", user=dispatcher).json() == {"ok": True}
    refused = client.get("/dashboard", user=inspector)
    assert refused.status_code == 403
    assert refused.json()["code"] == "auth.forbidden"


def test_it_gates_an_api_operation_in_either_order_with_idempotent(dispatcher, inspector, handler_a):
    assert client.post("/appeals", user=dispatcher).status_code == 200
    assert client.post("/appeals", user=inspector).status_code == 403
    assert client.post("/cases", user=handler_a).status_code == 200
    assert client.post("/cases", user=inspector, headers={"Idempotency-Key": "k-1"}).status_code == 403


def test_it_refuses_an_unknown_action_at_import_time():
    with pytest.raises(KeyError):
        action_required("case.teleport")
