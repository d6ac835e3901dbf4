"""``/api/policies/``: the public policy library, an enterprise's matches with explanations, the
officer's rule, publication, reach and grants.

Every staff operation asks the same action of ``yiwang.org.scoping`` as the page; an object outside
the caller's scope is 404. Errors are ``{"code", "message", "details"}``; a refused rule lists every
problem in ``details.errors`` (condition index and Chinese message).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema

from yiwang.core.errors import ApplicationError
from yiwang.core.idempotency import idempotent
from yiwang.core.paging import window
from yiwang.org.permissions import api_action_required, require_action

from . import selectors, services
from .models import PolicyMatch

router = Router(tags=["惠企政策"])


class PolicyOut(Schema):
    id: int
    title: str
    issuer: str
    document_number: str
    level: str
    department: str
    state: str
    issued_on: dt.date
    effective_on: dt.date
    expires_on: dt.date | None
    benefit_kind: str
    benefit_amount: Decimal | None
    no_application: bool
    conditions: list[str]


class PolicyDetailOut(PolicyOut):
    interpretation: str
    full_text: str
    steps: list[str]


def _policy_out(policy, detail=False) -> dict:
    data = {
        "id": policy.pk,
        "title": policy.title,
        "issuer": policy.issuer,
        "document_number": policy.document_number,
        "level": policy.level,
        "department": policy.department.name,
        "state": policy.state,
        "issued_on": policy.issued_on,
        "effective_on": policy.effective_on,
        "expires_on": policy.expires_on,
        "benefit_kind": policy.benefit_kind,
        "benefit_amount": policy.benefit_amount,
        "no_application": policy.no_application,
        "conditions": selectors.policy_conditions_text(policy),
    }
    if detail:
        data.update(interpretation=policy.interpretation, full_text=policy.full_text, steps=policy.steps or [])
    return data


@router.get("/policies", response=list[PolicyOut], auth=None)
def policy_list(request, q: str = "", level: str = "", current: bool = True, limit: int = 200, offset: int = 0):
    """The public library (published, and expired unless ``current``), ``limit`` (at most 200) from
    ``offset``: page on with ``offset``."""
    policies = selectors.public_policies(query=q[:50], level=level, current_only=current)
    return [_policy_out(p) for p in window(policies, offset=offset, limit=limit, most=200)]


@router.get("/policies/{pk}", response=PolicyDetailOut, auth=None)
def policy_get(request, pk: int):
    policy = selectors.public_policy(pk)
    if policy is None:
        raise ApplicationError("policy.not_found", "没有找到该政策", status=404)
    return _policy_out(policy, detail=True)


class ConditionOut(Schema):
    label: str
    met: bool
    actual: str
    requirement: str
    sentence: str


class MyPolicyOut(Schema):
    policy: PolicyOut
    match_id: int | None
    eligible: bool
    stage: str | None
    explanation: list[ConditionOut]


def _explained(row) -> dict:
    explanation = row["explanation"]
    match = row["match"]
    return {
        "policy": _policy_out(row["policy"]),
        "match_id": match.pk if match else None,
        "eligible": bool(match and match.eligible),
        "stage": match.stage if match else None,
        "explanation": [
            {"label": r.label, "met": r.met, "actual": r.actual, "requirement": r.requirement, "sentence": r.sentence}
            for r in explanation.results
        ],
    }


@router.get("/mine", response=list[MyPolicyOut])
@api_action_required("policy.mine")
def my_policies(request):
    """The signed-in enterprise's published policies: eligible ones first, each with its explanation."""
    entity = selectors.user_entity(request.auth if hasattr(request, "auth") and request.auth else request.user)
    if entity is None:
        raise ApplicationError("policy.no_entity", "账号尚未关联已登记的市场主体", status=404)
    rows = selectors.my_policies(entity)
    return [_explained(r) for r in rows["eligible"]] + [_explained(r) for r in rows["others"]]


class RulesIn(Schema):
    mode: str = "all"
    conditions: list[dict]


class ReachOut(Schema):
    matched: int
    eligible: int
    notified: int
    applied: int
    granted: int
    amount: float


def _staff_policy(request, pk: int, action: str):
    scope = require_action(request, action)
    policy = selectors.staff_policy(scope, pk, action)
    if policy is None:
        raise ApplicationError("policy.not_found", "没有找到该政策", status=404)
    return policy


@router.put("/policies/{pk}/rules", response=dict)
def rules_set(request, pk: int, payload: RulesIn):
    """Store a policy's eligibility rule (validated; 400 ``policy.rules_invalid`` lists every problem)."""
    policy = _staff_policy(request, pk, "policy.manage")
    policy = services.policy_rules_set(policy=policy, actor=request.user, rules=payload.dict())
    return policy.rules


@router.post("/policies/{pk}/publish", response=ReachOut)
def publish(request, pk: int):
    """Publish and match (the matching task runs after commit; eager in the embedded default)."""
    policy = _staff_policy(request, pk, "policy.manage")
    services.policy_publish(policy=policy, actor=request.user)
    return selectors.policy_reach(policy)


@router.get("/policies/{pk}/reach", response=ReachOut)
def reach(request, pk: int):
    return selectors.policy_reach(_staff_policy(request, pk, "policy.read"))


class GrantIn(Schema):
    amount: Decimal | None = None


class MatchOut(Schema):
    id: int
    policy_id: int
    entity: str
    stage: str
    amount: Decimal | None
    granted_at: dt.datetime | None


@router.post("/matches/{pk}/grant", response=MatchOut)
@idempotent
def grant(request, pk: int, payload: GrantIn):
    """Record the benefit granted to one matched entity (after its application, or 免申即享)."""
    scope = require_action(request, "policy.grant")
    match = PolicyMatch.objects.select_related("policy__department", "policy__region").filter(pk=pk).first()
    if match is None or not scope.can("policy.grant", department=match.policy.department):
        raise ApplicationError("policy.match_not_found", "没有找到该匹配", status=404)
    match = services.policy_match_grant(match=match, actor=request.user, amount=payload.amount)
    return {
        "id": match.pk,
        "policy_id": match.policy_id,
        "entity": match.entity.name,
        "stage": match.stage,
        "amount": match.amount,
        "granted_at": match.granted_at,
    }
