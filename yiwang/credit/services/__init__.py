"""Every write on credit: records and risk class, repair, entities, clues, the financing board.

Callers write ``from yiwang.credit import services`` and ``services.credit_record_create(...)``.
"""

from yiwang.credit.services.clues import (  # noqa: F401
    clue_feedback,
    clue_handle,
    clue_push,
    clues_scan_appeals,
)
from yiwang.credit.services.entities import entities_bulk_create, entity_create  # noqa: F401
from yiwang.credit.services.financing import financing_need_publish, loan_grant, loan_product_publish  # noqa: F401
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
from yiwang.credit.services.repair import credit_repair_decide, credit_repair_request  # noqa: F401
