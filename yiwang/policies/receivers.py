"""Entity changes re-match policies (the credit app knows nothing of policies; this receiver listens).

On every ``credit.Entity`` save, after the saving transaction commits, the entity is re-matched
against every published policy (``services.policies_rematch_entity``, run as the task
``policies.rematch_entity``). Bulk writes (``bulk_create``, ``queryset.update``) send no signal: code
that changes entities in bulk calls ``policies_rematch_entity`` for each, or re-matches the policies
(``manage.py policies match``). ``rematch_suspended()`` turns the receiver off for a block (seeding).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from yiwang.credit.models import Entity

_suspended: ContextVar[bool] = ContextVar("policies_rematch_suspended", default=False)


@contextmanager
def rematch_suspended():
    token = _suspended.set(True)
    try:
        yield
    finally:
        _suspended.reset(token)


@receiver(post_save, sender=Entity, dispatch_uid="policies.rematch_on_entity_save")
def on_entity_saved(sender, instance, raw=False, **kwargs):
    if raw or _suspended.get():
        return
    from .models import Policy, PolicyState

    if not Policy.objects.filter(state=PolicyState.PUBLISHED).exists():
        return
    from .tasks import rematch_entity

    entity_id = instance.pk
    transaction.on_commit(lambda: rematch_entity.delay(entity_id))


@receiver(post_save, sender="cases.Case", dispatch_uid="policies.link_case_on_submit")
def on_case_saved(sender, instance, created=False, raw=False, **kwargs):
    """A case submitted for a catalog item links the enterprise's policy application made through it."""
    if raw or not created or not instance.item_id or not instance.applicant_uscc:
        return
    from .services import policy_match_link_case

    case = instance
    transaction.on_commit(lambda: policy_match_link_case(case))
