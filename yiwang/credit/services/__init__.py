"""Every write on credit: records and risk class, repair, entities, clues, the financing board.

Callers write ``from yiwang.credit import services`` and ``services.credit_record_create(...)``.
"""

from yiwang.credit.services.entities import entities_bulk_create, entity_create  # noqa: F401
from yiwang.credit.services.hooks import credit_from_false_pledge, false_pledges_import  # noqa: F401
from yiwang.credit.services.records import (  # noqa: F401
    assess,
    credit_expiry_sweep,
    credit_record_create,
    credit_record_revoke,
    entity_risk_assess,
    entity_risk_recompute,
    first_offence_record,
)
