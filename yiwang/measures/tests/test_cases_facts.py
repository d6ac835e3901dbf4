"""Property: a random, seeded sequence of real application events — through the services alone,
which call the event functions of ``yiwang.cases.measures`` themselves — keeps exactly the facts a
rebuild computes from the rows. Acceptances include 容缺 (deferred materials) and 告知承诺 (pledges);
decisions of deferred cases supply the materials first."""

import random

import pytest

from yiwang.cases import measures as cm
from yiwang.cases import services
from yiwang.cases.models import Case, CaseState, DeliveryMethod
from yiwang.cases.tests.conftest import FORM, complete_steps
from yiwang.cases.tests.factories import pdf_file
from yiwang.core.errors import ApplicationError
from yiwang.measures.selectors import measures_check, stored_rows
from yiwang.measures.services import measures_rebuild

pytestmark = pytest.mark.django_db

METRICS = [cm.APPLIED, cm.DECIDED, cm.OPENING]


def attempt(case, action):
    """One service call on a fresh copy of the case; a refused one changes nothing."""
    try:
        return action(Case.objects.get(pk=case.pk) if case is not None else None)
    except ApplicationError:
        return None


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
        codes = set(case.materials.values_list("code", flat=True))
        if case.item_id and rng.random() < 0.4:  # 容缺: M03 later
            return services.case_accept(
                case=case, actor=clerk, received=tuple(codes - {"M03"}), deferred_materials=("M03",)
            )
        if case.item_id and rng.random() < 0.3:  # 告知承诺 instead of M04
            return services.case_accept(
                case=case, actor=clerk, received=tuple(codes - {"M04"}), pledged_materials=("M04",)
            )
        return services.case_accept(case=case, actor=clerk, received=tuple(codes))

    def supply_deferred(case):
        for deferral in case.deferred.filter(supplied_at__isnull=True).select_related("material"):
            actor = citizen if case.applicant_user_id == citizen.pk else enterprise_user
            services.case_material_upload(
                case=case, material_code=deferral.material.code, upload=pdf_file("补交.pdf"), actor=actor
            )

    def reject(case):
        return services.case_reject(
            case=case, actor=clerk, reason="材料不符合法定形式", legal_basis="《行政许可法》第三十二条"
        )

    def withdraw(case):
        return services.case_withdraw(
            case=case, actor=citizen if case.applicant_user_id == citizen.pk else enterprise_user
        )

    def decide(case):
        if rng.random() < 0.7:
            supply_deferred(case)
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
    for _ in range(8):
        cases.append(attempt(None, submit))
    for _ in range(90):
        if rng.random() < 0.1:
            created = attempt(None, submit)
            if created:
                cases.append(created)
            continue
        case = Case.objects.get(pk=rng.choice(cases).pk)
        choices = by_state.get(case.state)
        if choices:
            attempt(case, rng.choice(choices))

    kept = {name: stored_rows(name) for name in METRICS}
    counted = {name: sum(v["count"] for v in rows.values()) for name, rows in kept.items()}
    assert all(counted.values()), counted  # applications, decisions and 企业开办 all happened
    applied = list(kept[cm.APPLIED].values())
    assert sum(v["deferred"] for v in applied) and sum(v["pledged"] for v in applied)  # both happened
    assert measures_check(metrics=METRICS) == []
    measures_rebuild(metrics=METRICS)
    assert {name: stored_rows(name) for name in METRICS} == kept
