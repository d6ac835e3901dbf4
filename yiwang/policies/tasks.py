"""Background work of the policies app (eager in the embedded default, a worker in production)."""

from celery import shared_task


@shared_task(name="policies.match_policy")
def match_policy(policy_id: int) -> dict:
    """Match a published policy against every entity and push new matches once."""
    from .models import Policy
    from .services import policy_match

    policy = Policy.objects.filter(pk=policy_id).first()
    if policy is None:
        return {}
    return policy_match(policy=policy).as_dict()


@shared_task(name="policies.rematch_entity")
def rematch_entity(entity_id: int) -> int:
    """Re-match one entity whose attributes changed against every published policy."""
    from yiwang.credit.models import Entity

    from .services import policies_rematch_entity

    entity = Entity.objects.filter(pk=entity_id).first()
    return len(policies_rematch_entity(entity)) if entity is not None else 0
