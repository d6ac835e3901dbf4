import datetime as dt
from decimal import Decimal

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage, OutboxMessage
from yiwang.measures.selectors import measures_check
from yiwang.policies import selectors, services
from yiwang.policies.models import PolicyMatch, PolicyState

pytestmark = pytest.mark.django_db


def _publish(policy, officer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_publish(policy=policy, actor=officer)
    policy.refresh_from_db()
    return policy


def test_it_matches_on_publish_and_explains_a_non_match(
    draft_policy, officer, entities, django_capture_on_commit_callbacks
):
    grower, small, restaurant = entities
    policy = _publish(draft_policy, officer, django_capture_on_commit_callbacks)
    assert policy.state == PolicyState.PUBLISHED and policy.published_at and policy.matched_at
    assert set(PolicyMatch.objects.filter(policy=policy).values_list("entity_id", flat=True)) == {grower.pk}
    why = selectors.explain(policy, small)
    assert not why.eligible
    assert why.results[1].sentence == "注册资本 80 万元，不满足 ≥ 100 万元"
    assert why.results[0].met
    reach = selectors.policy_reach(policy)
    assert reach == {"matched": 1, "eligible": 1, "notified": 1, "applied": 0, "granted": 0, "amount": 0.0}
    assert AuditEvent.objects.filter(action="policy.published", object_id=str(policy.pk)).count() == 1
    assert AuditEvent.objects.get(action="policy.matched").details["created"] == 1


def test_it_pushes_exactly_once_per_policy_and_entity(
    draft_policy, officer, entities, enterprise_user, django_capture_on_commit_callbacks
):
    grower = entities[0]
    enterprise_user.phone = "13891700001"
    enterprise_user.save()
    policy = _publish(draft_policy, officer, django_capture_on_commit_callbacks)
    assert InboxMessage.objects.filter(user=enterprise_user, template="policies.matched").count() == 1
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    # re-match, expire and publish again, entity re-saved: no second push
    services.policy_match(policy=policy)
    services.policy_expire(policy=policy, actor=officer)
    _publish(policy, officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        grower.name = "眉县金桔猕猴桃专业合作社（更名）"
        grower.save()
    assert PolicyMatch.objects.filter(policy=policy).count() == 1
    assert InboxMessage.objects.filter(user=enterprise_user, template="policies.matched").count() == 1
    assert OutboxMessage.objects.filter(channel="sms").count() == 1
    assert selectors.policy_reach(policy)["notified"] == 1


def test_an_entity_change_rematches(draft_policy, officer, entities, django_capture_on_commit_callbacks):
    grower, small, _ = entities
    policy = _publish(draft_policy, officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        small.registered_capital = Decimal("150")
        small.save()
    assert PolicyMatch.objects.get(policy=policy, entity=small).eligible
    with django_capture_on_commit_callbacks(execute=True):
        grower.status = grower.Status.CANCELLED
        grower.save()
    assert not PolicyMatch.objects.get(policy=policy, entity=grower).eligible
    assert selectors.policy_reach(policy) | {} == {
        "matched": 2,
        "eligible": 1,
        "notified": 1,
        "applied": 0,
        "granted": 0,
        "amount": 0.0,
    }
    assert measures_check() == []


def test_changing_the_rule_of_a_published_policy_rematches(
    draft_policy, officer, entities, django_capture_on_commit_callbacks
):
    grower, small, restaurant = entities
    policy = _publish(draft_policy, officer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        services.policy_rules_set(
            policy=policy,
            actor=officer,
            rules={"mode": "any", "conditions": [{"attribute": "tag", "operator": "has", "values": ["农家乐"]}]},
        )
    eligible = set(PolicyMatch.objects.filter(policy=policy, eligible=True).values_list("entity_id", flat=True))
    assert eligible == {restaurant.pk}
    assert measures_check() == []


def test_publishing_needs_a_rule_and_follows_the_workflow(dept_a, officer):
    from yiwang.policies.tests.factories import PolicyFactory

    policy = PolicyFactory(department=dept_a, rules={})
    with pytest.raises(ApplicationError) as info:
        services.policy_publish(policy=policy, actor=officer)
    assert info.value.code == "policy.rules_missing"
    with pytest.raises(ApplicationError) as info:
        services.policy_expire(policy=policy, actor=officer)
    assert info.value.code == "policy.invalid_transition"
    with pytest.raises(ApplicationError) as info:
        services.policy_rules_set(
            policy=policy, actor=officer, rules={"conditions": [{"attribute": "size", "operator": "in", "values": []}]}
        )
    assert info.value.code == "policy.rules_invalid"
    assert info.value.message == "第 1 个条件：条件项“企业规模”的取值不能为空"
    policy.refresh_from_db()
    assert policy.rules == {}


def test_apply_and_grant(draft_policy, officer, entities, enterprise_user, django_capture_on_commit_callbacks):
    policy = _publish(draft_policy, officer, django_capture_on_commit_callbacks)
    match = PolicyMatch.objects.get(policy=policy)
    with pytest.raises(ApplicationError) as info:
        services.policy_match_grant(match=match, actor=officer)
    assert info.value.code == "policy.not_applied"
    services.policy_match_apply(match=match, actor=enterprise_user, contact_name="赵海涛", contact_phone="13891712345")
    match.refresh_from_db()
    assert match.application["uscc"] == enterprise_user.uscc
    assert match.application["contact_phone_masked"] == "138****2345"
    services.policy_match_grant(match=match, actor=officer, amount=Decimal("15000"))
    match.refresh_from_db()
    assert match.amount == Decimal("15000.00") and match.granted_by == officer
    with pytest.raises(ApplicationError) as info:
        services.policy_match_grant(match=match, actor=officer)
    assert info.value.code == "policy.already_granted"
    reach = selectors.policy_reach(policy)
    assert (reach["applied"], reach["granted"], reach["amount"]) == (1, 1, 15000.0)
    assert measures_check() == []


def test_no_application_grant_flow(dept_a, officer, entities, enterprise_user, django_capture_on_commit_callbacks):
    from yiwang.policies.tests.factories import PolicyFactory

    grower, small, restaurant = entities
    policy = PolicyFactory(
        department=dept_a,
        no_application=True,
        benefit_amount=Decimal("3000"),
        rules={"mode": "all", "conditions": [{"attribute": "industry_code", "operator": "prefix", "values": ["A"]}]},
    )
    policy = _publish(policy, officer, django_capture_on_commit_callbacks)
    matches = list(selectors.policy_matches(policy, stage="pending_grant"))
    assert {m.entity_id for m in matches} == {grower.pk, small.pk}
    with pytest.raises(ApplicationError) as info:
        services.policy_match_apply(
            match=matches[0], actor=enterprise_user, contact_name="赵海涛", contact_phone="13891712345"
        )
    assert info.value.code == "policy.no_application_needed"
    granted = services.policy_grants_confirm(policy=policy, actor=officer, match_ids=[m.pk for m in matches])
    assert len(granted) == 2
    again = services.policy_grants_confirm(policy=policy, actor=officer, match_ids=[m.pk for m in matches])
    assert again == []
    assert InboxMessage.objects.filter(user=enterprise_user, template="policies.granted").count() == 1
    assert AuditEvent.objects.filter(action="policy.granted").count() == 2
    reach = selectors.policy_reach(policy)
    assert (reach["granted"], reach["amount"]) == (2, 6000.0)
    m = selectors.policy_measures(months=(dt.date(2026, 1, 1), dt.date(2027, 12, 31)), regions=None)
    assert m["granted"] == 2 and m["median_days"] == 0 and m["published"] == 1
    assert measures_check() == []


def test_a_rebuild_equals_the_incremental_facts(draft_policy, officer, entities, django_capture_on_commit_callbacks):
    from yiwang.measures.services import measures_fold, measures_rebuild

    policy = _publish(draft_policy, officer, django_capture_on_commit_callbacks)
    match = PolicyMatch.objects.get(policy=policy)
    PolicyMatch.objects.filter(pk=match.pk).update(applied_at=match.matched_at)
    services.policy_match_grant(match=match, actor=officer)
    # the update above bypassed the service: the check finds it, a rebuild fixes it
    assert measures_check() != []
    measures_rebuild(metrics=["policies.reach"])
    measures_fold()
    assert measures_check() == []
