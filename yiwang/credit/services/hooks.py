"""Connections from other apps into credit.

False pledges (告知承诺, 国办发〔2020〕42号): when cases records a ``FalsePledgeRecord`` for an applicant
with a USCC that names a known entity, a credit record of kind ``false_pledge`` follows.

Why a ``post_save`` listener plus a daily idempotent import rather than an edit of the cases service:
cases must keep working without credit (its credit policy is pluggable and the app came first), so
credit listens instead of cases calling credit. The listener runs inside the cases transaction, so
the credit record commits or rolls back with the pledge record and is audited with it. Rows written
without ``save()`` (bulk inserts of the demo, data loads) and entities imported after the pledge are
caught by ``false_pledges_import``, registered as a sweep hook; ``source = "cases.falsepledge:<pk>"``
is unique, so running both never makes two records. A natural person (no USCC) or a USCC no entity
holds gets no credit record here; cases itself keeps refusing that applicant further pledges.
"""

from __future__ import annotations

from django.utils import timezone

from yiwang.credit.models import Entity, RecordKind, Severity

FALSE_PLEDGE_SOURCE = "cases.falsepledge:{pk}"


def credit_from_false_pledge(pledge):
    """The credit record for one ``FalsePledgeRecord`` (made once); None when no entity matches."""
    from yiwang.credit.models import CreditRecord
    from yiwang.credit.services.records import credit_record_create

    if not pledge.applicant_uscc:
        return None
    entity = Entity.objects.filter(uscc=pledge.applicant_uscc.strip().upper()).first()
    if entity is None:
        return None
    source = FALSE_PLEDGE_SOURCE.format(pk=pledge.pk)
    existing = CreditRecord.objects.filter(source=source).first()
    if existing is not None:
        return existing
    case = pledge.case
    return credit_record_create(
        entity=entity,
        kind=RecordKind.FALSE_PLEDGE,
        severity=Severity.GENERAL,
        title=f"告知承诺不实（办件{case.number}）",
        department=case.department,
        decided_on=timezone.localdate(pledge.recorded_at),
        legal_basis="国办发〔2020〕42号《关于全面推行证明事项告知承诺制的指导意见》",
        document_number=case.number[:64],
        source=source,
        actor=None,
    )


def on_false_pledge_saved(sender, instance, created, raw=False, **kwargs) -> None:
    if created and not raw:
        credit_from_false_pledge(instance)


def false_pledges_import(**_) -> int:
    """Make the credit records of false pledges that have none yet (idempotent); returns how many."""
    from django.db import transaction

    from yiwang.cases.models import FalsePledgeRecord
    from yiwang.credit.models import CreditRecord

    done = {
        int(s.split(":", 1)[1])
        for s in CreditRecord.objects.filter(source__startswith="cases.falsepledge:").values_list("source", flat=True)
    }
    known = set(Entity.objects.values_list("uscc", flat=True))
    made = 0
    pledges = FalsePledgeRecord.objects.exclude(applicant_uscc="").select_related("case__department")
    for pledge in pledges.iterator(chunk_size=500):
        if pledge.pk in done or pledge.applicant_uscc.upper() not in known:
            continue
        with transaction.atomic():
            if credit_from_false_pledge(pledge) is not None:
                made += 1
    return made


def register() -> None:
    """Sweep hooks (record expiry, the false-pledge catch-up, complaint clues) and deadline handlers."""
    from yiwang.credit.conf import credit_setting
    from yiwang.credit.models import Clue, CreditRepair
    from yiwang.credit.services.clues import clues_scan_appeals, on_clue_deadline
    from yiwang.credit.services.records import credit_expiry_sweep
    from yiwang.credit.services.repair import on_repair_deadline
    from yiwang.workdays.sweep import register_deadline_handler, register_sweep_hook

    register_sweep_hook("credit.expiry", credit_expiry_sweep)
    register_sweep_hook("credit.false_pledges", false_pledges_import)
    register_sweep_hook("credit.appeal_clues", clues_scan_appeals)
    register_deadline_handler(Clue, on_clue_deadline, remind_lead_workdays=int(credit_setting("CLUE_REMIND_WORKDAYS")))
    register_deadline_handler(
        CreditRepair, on_repair_deadline, remind_lead_workdays=int(credit_setting("REPAIR_REMIND_WORKDAYS"))
    )
