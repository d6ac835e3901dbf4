"""Market entities: one at a time and in bulk (the xlsx import and the demo use the bulk path)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import AuditEntry, audit_record, audit_record_many, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import is_valid_uscc
from yiwang.credit import measures
from yiwang.credit.models import Entity, RiskClass, RiskClassChange
from yiwang.measures.services import measure_add

ENTITY_AUDIT_FIELDS = [
    "uscc",
    "name",
    "kind",
    "industry_code",
    "industry_name",
    "region",
    "town",
    "registered_capital",
    "established_on",
    "status",
    "size",
    "risk_class",
]


def _initial_changes(entities: list[Entity], now) -> list[RiskClassChange]:
    return [
        RiskClassChange(
            entity=e,
            region_id=e.town_id or e.region_id,
            from_class="",
            to_class=e.risk_class,
            score=0,
            reason="建档（初始分类）",
            changed_at=now,
        )
        for e in entities
    ]


def entity_create(*, actor, **fields) -> Entity:
    """One entity, with its initial class (B unless given) kept as the first class-history row.

    Errors: ``credit.uscc_invalid``, ``credit.uscc_duplicate`` (409).
    """
    uscc = (fields.get("uscc") or "").strip().upper()
    if not is_valid_uscc(uscc):
        raise ApplicationError("credit.uscc_invalid", f"统一社会信用代码“{uscc}”校验不通过", details={"field": "uscc"})
    fields["uscc"] = uscc
    with transaction.atomic():
        if Entity.objects.filter(uscc=uscc).exists():
            raise ApplicationError(
                "credit.uscc_duplicate", f"统一社会信用代码{uscc}已登记", details={"field": "uscc"}, status=409
            )
        entity = Entity.objects.create(**fields)
        now = timezone.now()
        (change,) = RiskClassChange.objects.bulk_create(_initial_changes([entity], now))
        measures.on_class_changed(change)
        audit_record(
            actor=actor, action="credit.entity_created", obj=entity, after=snapshot(entity, ENTITY_AUDIT_FIELDS)
        )
    return entity


def entities_bulk_create(*, entities: Iterable[Entity], actor, audit: bool = True) -> list[Entity]:
    """Insert many new entities at once (all or nothing), their first class-history rows and one
    roll-up increment per (month, region, class). Callers validate first (``importing``)."""
    entities = list(entities)
    if not entities:
        return []
    now = timezone.now()
    with transaction.atomic():
        for e in entities:
            e.risk_class = e.risk_class or RiskClass.B
        created = Entity.objects.bulk_create(entities, batch_size=1000)
        if created and created[0].pk is None:  # backends without RETURNING
            by_uscc = dict(Entity.objects.filter(uscc__in=[e.uscc for e in created]).values_list("uscc", "pk"))
            for e in created:
                e.pk = by_uscc[e.uscc]
        RiskClassChange.objects.bulk_create(_initial_changes(created, now), batch_size=1000)
        counts = Counter((e.town_id or e.region_id, e.risk_class) for e in created)
        for (region_id, risk_class), n in counts.items():
            measure_add(metric=measures.CLASS_MOVES, on=now, region=region_id, key=risk_class, count=n)
        if audit:
            audit_record_many(
                actor=actor,
                action="credit.entity_created",
                entries=[AuditEntry(obj=e, after=snapshot(e, ENTITY_AUDIT_FIELDS)) for e in created],
            )
    return created
