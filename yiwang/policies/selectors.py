"""Every read of the policies app: the public library, the officer's lists, an enterprise's matches, figures.

Staff reads go through ``scope_for(user)`` (action ``policy.read``: a handler sees the policies of
their department, leaders and supervisors those of their region). Figures come from the roll-ups
(``yiwang.measures``), never from counting matches on the page.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.cases.selectors import histogram_median
from yiwang.credit.models import Entity
from yiwang.measures.selectors import fact_total, facts
from yiwang.org.models import Department

from . import measures
from .models import Policy, PolicyMatch, PolicyState
from .rules import Explanation, rules_evaluate, rules_text
from .services import town_names

PUBLIC_STATES = (PolicyState.PUBLISHED, PolicyState.EXPIRED)


# --- public library -----------------------------------------------------------------------------


def public_policies(*, query: str = "", level: str = "", kind: str = "", current_only: bool = False) -> QuerySet:
    qs = Policy.objects.filter(state__in=PUBLIC_STATES).select_related("department")
    if current_only:
        qs = qs.filter(state=PolicyState.PUBLISHED)
    if query:
        qs = qs.filter(
            Q(title__icontains=query)
            | Q(document_number__icontains=query)
            | Q(issuer__icontains=query)
            | Q(interpretation__icontains=query)
        )
    if level:
        qs = qs.filter(level=level)
    if kind:
        qs = qs.filter(benefit_kind=kind)
    return qs.order_by("state", "-issued_on", "-pk")


def public_policy(pk) -> Policy | None:
    return Policy.objects.filter(pk=pk, state__in=PUBLIC_STATES).select_related("department", "catalog_item").first()


def policy_conditions_text(policy: Policy) -> list[str]:
    return rules_text(policy.rules, town_names=town_names())


@dataclass(frozen=True)
class FlowBox:
    index: int
    text: str
    y: int


def flow_chart(policy: Policy) -> dict:
    """The steps laid out for an SVG flow chart: one box per step, top to bottom, arrows between."""
    boxes = [FlowBox(index=i + 1, text=text, y=10 + i * 80) for i, text in enumerate(policy.steps or [])]
    return {"boxes": boxes, "height": 10 + len(boxes) * 80, "arrows": [b.y + 50 for b in boxes[:-1]]}


# --- staff --------------------------------------------------------------------------------------


def staff_policies(scope, *, state: str = "") -> QuerySet:
    qs = scope.filter(Policy.objects.select_related("department"), "policy.read")
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("-updated_at", "-pk")


def staff_policy(scope, pk, action: str = "policy.read") -> Policy | None:
    """The policy if the user may do ``action`` on it (its department), else None (→ 404)."""
    policy = Policy.objects.select_related("department", "region", "catalog_item").filter(pk=pk).first()
    if policy is None or not scope.can(action, department=policy.department, region=policy.region):
        return None
    return policy


def policy_reach(policy: Policy) -> dict:
    """Reached / notified / applied / granted and the amount of one policy, from the roll-ups."""
    row = fact_total(measures.REACH, key=str(policy.pk))
    return {
        "matched": row["count"],
        "eligible": row["eligible"],
        "notified": row["notified"],
        "applied": row["applied"],
        "granted": row["granted"],
        "amount": row["amount_fen"] / 100,
    }


def policy_matches(policy: Policy, *, stage: str = "") -> QuerySet:
    qs = PolicyMatch.objects.filter(policy=policy).select_related("entity", "entity__town", "region")
    if stage == "eligible":
        qs = qs.filter(eligible=True)
    elif stage == "notified":
        qs = qs.filter(notified_at__isnull=False)
    elif stage == "applied":
        qs = qs.filter(applied_at__isnull=False)
    elif stage == "granted":
        qs = qs.filter(granted_at__isnull=False)
    elif stage == "pending_grant":
        qs = qs.filter(eligible=True, granted_at__isnull=True)
        if not policy.no_application:
            qs = qs.filter(applied_at__isnull=False)
    elif stage == "ineligible":
        qs = qs.filter(eligible=False)
    return qs.order_by("-granted_at", "-applied_at", "entity__name")


def staff_match(policy: Policy, pk) -> PolicyMatch | None:
    return PolicyMatch.objects.filter(policy=policy, pk=pk).select_related("entity", "entity__town", "region").first()


def explain(policy: Policy, entity: Entity, *, today: dt.date | None = None) -> Explanation:
    """Why an entity is (not) eligible: each condition met or not, with the entity's own value."""
    entity = Entity.objects.select_related("town", "region").get(pk=entity.pk)
    explanation = rules_evaluate(policy.rules, entity, today=today or timezone.localdate(), town_names=town_names())
    return explanation


def entity_by_uscc(uscc: str) -> Entity | None:
    if not uscc:
        return None
    return Entity.objects.select_related("town", "region").filter(uscc=uscc).first()


# --- an enterprise's own page -------------------------------------------------------------------


def user_entity(user) -> Entity | None:
    """The market entity an enterprise account stands for (by its USCC)."""
    return entity_by_uscc(getattr(user, "uscc", "") or "")


def my_policies(entity: Entity, *, today: dt.date | None = None) -> dict:
    """The entity's matches (eligible first) with their explanations, and the published policies it
    does not meet with the reason — so an enterprise sees what it lacks."""
    today = today or timezone.localdate()
    names = town_names()
    matches = {
        m.policy_id: m for m in PolicyMatch.objects.filter(entity=entity).select_related("policy", "policy__department")
    }
    eligible, others = [], []
    for policy in Policy.objects.filter(state=PolicyState.PUBLISHED).select_related("department", "region"):
        if not entity.region.path.startswith(policy.region.path):
            continue
        explanation = rules_evaluate(policy.rules, entity, today=today, town_names=names)
        match = matches.pop(policy.pk, None)
        row = {"policy": policy, "match": match, "explanation": explanation}
        (eligible if match is not None and match.eligible else others).append(row)
    # Granted or applied under a policy that has since expired stays on the page.
    history = [{"policy": m.policy, "match": m} for m in matches.values() if m.applied_at or m.granted_at]
    return {"eligible": eligible, "others": others, "history": history}


def my_match(user, pk) -> PolicyMatch | None:
    entity = user_entity(user)
    if entity is None:
        return None
    return (
        PolicyMatch.objects.filter(pk=pk, entity=entity)
        .select_related("policy", "entity", "policy__catalog_item")
        .first()
    )


# --- figures ------------------------------------------------------------------------------------


def policy_measures(*, months, regions) -> dict:
    """Published, matched / notified / applied / granted, amounts and the median days from
    publication to grant, in total and by department; from the roll-ups."""
    published = fact_total(measures.PUBLISHED, months=months, region=regions)["count"]
    reach = fact_total(measures.REACH, months=months, region=regions)
    histogram: dict[int, int] = defaultdict(int)
    for row in facts(measures.GRANT_DAYS, months=months, region=regions, group_by=("key",)):
        histogram[int(row["key"])] += row["count"]
    by_department: dict[int, dict] = defaultdict(
        lambda: {"published": 0, "count": 0, "notified": 0, "applied": 0, "granted": 0, "amount_fen": 0, "days": {}}
    )
    for row in facts(measures.PUBLISHED, months=months, region=regions, group_by=("department",)):
        by_department[row["department"]]["published"] += row["count"]
    for row in facts(measures.REACH, months=months, region=regions, group_by=("department",)):
        target = by_department[row["department"]]
        for name in ("count", "notified", "applied", "granted", "amount_fen"):
            target[name] += row[name]
    for row in facts(measures.GRANT_DAYS, months=months, region=regions, group_by=("department", "key")):
        days = by_department[row["department"]]["days"]
        days[int(row["key"])] = days.get(int(row["key"]), 0) + row["count"]
    names = dict(Department.objects.filter(pk__in=[d for d in by_department if d]).values_list("pk", "short_name"))
    departments = [
        {
            "department": names.get(pk, "—"),
            "published": row["published"],
            "matched": row["count"],
            "notified": row["notified"],
            "applied": row["applied"],
            "granted": row["granted"],
            "amount": row["amount_fen"] / 100,
            "median_days": histogram_median(row["days"]),
        }
        for pk, row in by_department.items()
    ]
    departments.sort(key=lambda r: (-r["granted"], r["department"]))
    integrated = fact_total(measures.INTEGRATED, months=months, region=regions)
    return {
        "integrated_licences": integrated["count"],
        "integrated_cancelled": integrated["cancelled"],
        "published": published,
        "matched": reach["count"],
        "eligible": reach["eligible"],
        "notified": reach["notified"],
        "applied": reach["applied"],
        "granted": reach["granted"],
        "amount": reach["amount_fen"] / 100,
        "median_days": histogram_median(histogram),
        "grants_histogram": sorted(histogram.items()),
        "by_department": departments,
    }
