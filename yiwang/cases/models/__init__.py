"""Applications (办件): a case from submission to delivery, against working-day clocks.

A case keeps the catalog *version* it was filed under, so later adjustments of the item never change
what the applicant was told. A bundle case (一件事) is a parent with one sub-case per item; the
applicant sees the parent. Materials, corrections, deferred materials and pledges belong to the case
that was accepted at the window (the parent for a bundle).

The models live in modules by topic; every name is importable from here, as before the split.
"""

from .case import (
    CLOSED_STATES,
    DECIDED_STATES,
    HANDLING_STATES,
    OPEN_STATES,
    AgentKind,
    ApplicantKind,
    Case,
    CaseState,
    Channel,
    DeliveryMethod,
    case_region_field,
)
from .events import (
    CaseEvent,
)
from .help import (
    HelpLog,
    HelpRequest,
)
from .materials import (
    SATISFIED_MATERIAL,
    CaseMaterial,
    CaseUpload,
    CorrectionEntry,
    CorrectionRequest,
    DeferredMaterial,
    MaterialStatus,
    _upload_path,
)
from .notices import (
    Notice,
    NoticeKind,
)
from .outcome import (
    Decision,
    Delivery,
)
from .pledges import (
    FalsePledgeRecord,
    Pledge,
    PledgeMaterial,
    PledgeVerification,
)
from .review import (
    CasePause,
    Extension,
    PauseKind,
    ReviewChain,
    ReviewStep,
    StepRole,
)

__all__ = [
    "Channel",
    "CaseState",
    "OPEN_STATES",
    "HANDLING_STATES",
    "DECIDED_STATES",
    "CLOSED_STATES",
    "ApplicantKind",
    "AgentKind",
    "DeliveryMethod",
    "Case",
    "case_region_field",
    "MaterialStatus",
    "SATISFIED_MATERIAL",
    "CaseMaterial",
    "_upload_path",
    "CaseUpload",
    "CorrectionRequest",
    "CorrectionEntry",
    "DeferredMaterial",
    "Pledge",
    "PledgeMaterial",
    "PledgeVerification",
    "FalsePledgeRecord",
    "StepRole",
    "ReviewChain",
    "ReviewStep",
    "PauseKind",
    "CasePause",
    "Extension",
    "Decision",
    "Delivery",
    "NoticeKind",
    "Notice",
    "HelpRequest",
    "HelpLog",
    "CaseEvent",
    "Founding",
    "FoundingShareholder",
    "UsccAssignment",
]

# Last: the 企业开办 models import case_region_field from this package.
from yiwang.cases.founding_models import Founding, FoundingShareholder, UsccAssignment  # noqa: E402, F401
