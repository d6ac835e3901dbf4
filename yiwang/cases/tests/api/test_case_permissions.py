"""One permission rule for cases: the API and the web pages ask the same action of ``yiwang.org.scoping``.

Inspectors inspect and verify pledges; they do not review, decide, pause or extend a department's cases
(before, the API let them). A handler of another department is refused too, and nothing changes.
"""

import pytest

from yiwang.cases.models import Case, CaseState, Decision, Extension, ReviewStep
from yiwang.core.models import AuditEvent, InboxMessage, OutboxMessage
from yiwang.org.models import Role
from yiwang.org.tests.factories import MembershipFactory, UserFactory

from ..conftest import complete_steps

URL = "/api/cases/cases"


@pytest.fixture
def inspector_a(dept_a):
    user = UserFactory(username="inspector_a", display_name="韩磊")
    MembershipFactory(user=user, role=Role.INSPECTOR, department=dept_a)
    return user


def _snapshot(case: Case) -> dict:
    case.refresh_from_db()
    return {
        "state": case.state,
        "assigned_to": case.assigned_to_id,
        "due_on": case.due_on,
        "steps": list(case.steps.order_by("position").values_list("state", "opinion")),
        "pauses": case.pauses.count(),
        "extensions": Extension.objects.filter(case=case).count(),
        "decisions": Decision.objects.filter(case=case).count(),
        "audit": AuditEvent.objects.count(),
        "outbox": OutboxMessage.objects.count(),
        "inbox": InboxMessage.objects.count(),
    }


# (API path suffix, JSON body, web form action, web form fields)
OPERATIONS = {
    "decide": ("decision", {"outcome": "approved", "reasons": "符合条件"}, "decide", {"outcome": "approved"}),
    "review": ("steps/complete", {"opinion": "同意"}, "step", {"opinion": "同意"}),
    "pause": ("pause", {"kind": "expert_review", "reason": "组织专家评审"}, "pause", {"kind": "expert_review"}),
    "extend": ("extension", {"reason": "现场核查需要时间"}, "extension", {"reason": "现场核查需要时间"}),
}


@pytest.mark.parametrize("who", ["inspector_a", "handler_b"])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_it_refuses_an_inspector_or_another_department_in_the_api(client, request, review_case, who, operation):
    if operation == "decide":
        complete_steps(review_case, request.getfixturevalue("handler_a"))
    before = _snapshot(review_case)
    client.force_login(request.getfixturevalue(who))
    path, body, _, _ = OPERATIONS[operation]

    response = client.post(f"{URL}/{review_case.number}/{path}", body, content_type="application/json")

    assert response.status_code == 403
    assert response.json()["code"] == "auth.forbidden"
    assert _snapshot(review_case) == before


@pytest.mark.parametrize("who", ["inspector_a", "handler_b"])
@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_it_refuses_an_inspector_or_another_department_on_the_page(client, request, review_case, who, operation):
    if operation == "decide":
        complete_steps(review_case, request.getfixturevalue("handler_a"))
    before = _snapshot(review_case)
    client.force_login(request.getfixturevalue(who))
    _, _, action, fields = OPERATIONS[operation]

    response = client.post(
        f"/cases/handling/case/{review_case.number}/", {"action": action, "reason": "理由", "reasons": "理由", **fields}
    )

    assert response.status_code == 403
    assert _snapshot(review_case) == before


def test_the_case_department_still_does_each_of_them(client, handler_a, review_case):
    client.force_login(handler_a)
    number = review_case.number
    assert (
        client.post(f"{URL}/{number}/pause", OPERATIONS["pause"][1], content_type="application/json").status_code == 200
    )
    assert client.post(f"{URL}/{number}/resume").status_code == 200
    extended = client.post(f"{URL}/{number}/extension", OPERATIONS["extend"][1], content_type="application/json")
    assert extended.status_code == 201
    while review_case.steps.filter(state=ReviewStep.State.PENDING).exists():
        step = client.post(f"{URL}/{number}/steps/complete", {"opinion": "同意"}, content_type="application/json")
        assert step.status_code == 200
    decided = client.post(f"{URL}/{number}/decision", OPERATIONS["decide"][1], content_type="application/json")
    assert decided.status_code == 200 and decided.json()["state"] == CaseState.DECIDED_APPROVED


# --- role × action → allowed?, through the HTTP layer ------------------------------------------------

ROLES = ["clerk", "handler_a", "handler_b", "inspector_a", "dispatcher", "leader", "supervisor", "citizen"]

ALLOWED = {
    "read": {"clerk", "handler_a", "inspector_a", "leader", "supervisor", "citizen"},  # citizen: the applicant
    "accept": {"clerk"},
    "decide": {"handler_a"},
    "deliver": {"clerk", "handler_a"},
}


@pytest.fixture
def decided_case(review_case, handler_a):
    from yiwang.cases import services

    complete_steps(review_case, handler_a)
    services.case_decide(case=review_case, actor=handler_a, outcome="approved", reasons="符合条件")
    review_case.refresh_from_db()
    return review_case


def _attempt(client, action: str, request) -> int:
    if action == "read":
        case = request.getfixturevalue("accepted_case")
        return client.get(f"{URL}/{case.number}").status_code
    if action == "accept":
        case = request.getfixturevalue("submitted_case")
        body = {"received": ["M01", "M02", "M03", "M04"]}
        return client.post(f"{URL}/{case.number}/accept", body, content_type="application/json").status_code
    if action == "decide":
        case = request.getfixturevalue("review_case")
        complete_steps(case, request.getfixturevalue("handler_a"))
        body = OPERATIONS["decide"][1]
        return client.post(f"{URL}/{case.number}/decision", body, content_type="application/json").status_code
    case = request.getfixturevalue("decided_case")
    body = {"method": "electronic"}
    return client.post(f"{URL}/{case.number}/delivery", body, content_type="application/json").status_code


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", sorted(ALLOWED))
def test_role_by_case_action_through_http(client, request, role, action):
    user = request.getfixturevalue(role)
    # Build the case (as its own staff) before signing in as the role under test.
    _prepare = {"read": "accepted_case", "accept": "submitted_case", "decide": "review_case"}
    request.getfixturevalue(_prepare.get(action, "decided_case"))
    client.force_login(user)

    status = _attempt(client, action, request)

    if role in ALLOWED[action]:
        assert status == 200, (role, action, status)
    else:
        # Reading a case outside one's scope finds nothing; acting on it is refused.
        assert status == (404 if action == "read" else 403), (role, action, status)
