"""Property: a random, seeded sequence of real application events, each followed by the event
functions the services will call, keeps exactly the facts a rebuild computes from the rows."""

import random

import pytest
from django.db import transaction

from yiwang.cases import measures as cm
from yiwang.cases import services
from yiwang.cases.models import Case, CaseState, DeliveryMethod
from yiwang.cases.tests.conftest import FORM, complete_steps
from yiwang.core.errors import ApplicationError
from yiwang.measures.selectors import measures_check, stored_rows
from yiwang.measures.services import measures_rebuild

pytestmark = pytest.mark.django_db

METRICS = [cm.APPLIED, cm.DECIDED, cm.OPENING]


def _family(case):
    root = case.parent or case
    return [root, *root.children.all()]


def tracked(case, action):
    """Run one service call, then the event functions at the points the services will call them."""
    before = {}
    if case is not None:
        case = Case.objects.get(pk=case.pk)
        before = {c.pk: cm.case_facts(c) for c in _family(case)}
    try:
        result = action(case)
    except ApplicationError:
        return None
    case = Case.objects.get(pk=(case or result).pk)
    with transaction.atomic():
        for member in _family(case):
            if member.pk in before:
                cm.on_case_changed(member, before=before[member.pk])
            else:
                cm.on_case_submitted(member)
    return case


def test_it_keeps_the_facts_a_rebuild_computes(
    citizen, enterprise_user, person, company, food_item, counter_item, opening_bundle, clerk, handler_a, handler_b
):
    rng = random.Random(20250302)
    handlers = {handler_a.pk: handler_a, handler_b.pk: handler_b}
    cases = []

    def handler_of(case):
        for handler in handlers.values():
            if handler.memberships.filter(department_id=case.department_id).exists():
                return handler
        return handler_a

    def submit(_):
        if rng.random() < 0.25:
            return services.case_submit(
                actor=enterprise_user,
                applicant=company,
                bundle=opening_bundle,
                form_data={"entity_address": "眉县常兴镇"},
            )
        return services.case_submit(
            actor=citizen,
            applicant=person,
            item=food_item,
            form_data=FORM,
            delivery_method=rng.choice([DeliveryMethod.WINDOW, DeliveryMethod.ELECTRONIC]),
        )

    def accept(case):
        codes = list(case.materials.values_list("code", flat=True))
        return services.case_accept(case=case, actor=clerk, received=tuple(codes))

    def reject(case):
        return services.case_reject(
            case=case, actor=clerk, reason="材料不符合法定形式", legal_basis="《行政许可法》第三十二条"
        )

    def withdraw(case):
        return services.case_withdraw(
            case=case, actor=citizen if case.applicant_user_id == citizen.pk else enterprise_user
        )

    def decide(case):
        target = case
        if case.children.exists():
            target = rng.choice(
                [
                    c
                    for c in case.children.all()
                    if c.state not in (CaseState.DECIDED_APPROVED, CaseState.DECIDED_DENIED)
                ]
                or [case]
            )
        handler = handler_of(target)
        if target.assigned_to_id is None:
            services.case_assign(case=target, actor=handler)
        target = complete_steps(Case.objects.get(pk=target.pk), handler)
        outcome = "approved" if rng.random() < 0.8 else "denied"
        return services.case_decide(case=target, actor=handler, outcome=outcome, reasons="符合条件")

    def deliver(case):
        if rng.random() < 0.5:
            return services.case_deliver(case=case, actor=clerk, method=DeliveryMethod.WINDOW)
        return services.case_deliver(case=case, actor=handler_of(case), method=DeliveryMethod.ELECTRONIC)

    by_state = {
        CaseState.SUBMITTED: [accept, accept, accept, reject, withdraw],
        CaseState.ACCEPTED: [decide, decide, withdraw],
        CaseState.ACCEPTED_DEFERRED: [decide],
        CaseState.IN_REVIEW: [decide],
        CaseState.DECIDED_APPROVED: [deliver],
        CaseState.DECIDED_DENIED: [deliver],
    }
    for _ in range(6):
        cases.append(tracked(None, submit))
    for _ in range(70):
        if rng.random() < 0.1:
            created = tracked(None, submit)
            if created:
                cases.append(created)
            continue
        case = Case.objects.get(pk=rng.choice(cases).pk)
        choices = by_state.get(case.state)
        if choices:
            tracked(case, rng.choice(choices))

    kept = {name: stored_rows(name) for name in METRICS}
    counted = {name: sum(v["count"] for v in rows.values()) for name, rows in kept.items()}
    assert all(counted.values()), counted  # applications, decisions and 企业开办 all happened
    assert measures_check(metrics=METRICS) == []
    measures_rebuild(metrics=METRICS)
    assert {name: stored_rows(name) for name in METRICS} == kept
