"""Every write on appeals, the 办不成事 register and the router.

Each state change runs in one transaction: it locks the appeal row, checks the transition in
``workflow.py``, changes it, appends the timeline event, writes the audit event and queues the
notifications (``yiwang.core.notify``, texts in ``yiwang.hotline.messages``), so they commit or
roll back together. Who may act is the scope of ``yiwang.org.scoping``. Rules and their sources
are in the docstrings; violations raise ``ApplicationError`` with a dotted code and change nothing.

The services live in one module per part: appeal intake, dispatch (sign-off, returns), replies
(extensions, replies, revisits, merging), the reminder sweep, the 办不成事 register and routing; this
package exports them all (``from yiwang.hotline import services``).
"""

from yiwang.hotline.services._common import (  # noqa: F401
    AUDIT_FIELDS,
    CODE_ALPHABET,
    LANDLINE,
    MOBILE,
    SELF_SERVICE_CHANNELS,
    STAFF_CHANNELS,
    Kind,
    State,
    _active_dispatch,
    _audit,
    _county,
    _error,
    _event,
    _forbidden,
    _locked,
    _move,
    _new_code,
    _notify_citizen,
    _notify_department,
    _notify_dispatchers,
    _open_dispatch,
    _region_code,
    _reply_workdays,
    _require,
    _require_dispatcher,
    _require_intake,
    _require_lead,
    _staff_link,
    _start_handling,
    _stop,
)
from yiwang.hotline.services.batch import BatchOutcome, appeal_submit_many  # noqa: F401
from yiwang.hotline.services.dispatch import (  # noqa: F401
    appeal_dispatch,
    appeal_return,
    appeal_return_decide,
    appeal_sign_off,
)
from yiwang.hotline.services.intake import (  # noqa: F401
    _clean_phone,
    appeal_answer,
    appeal_decline,
    appeal_intake,
    appeal_reclassify,
    appeal_submit,
    appeal_suggest,
    appeal_suggest_many,
    appeal_suggest_missing,
    appeal_suggest_pending,
    routing_after_commit,
)
from yiwang.hotline.services.replies import (  # noqa: F401
    appeal_add_opinion,
    appeal_extension_decide,
    appeal_extension_request,
    appeal_extension_withdraw,
    appeal_merge,
    appeal_reply,
    appeal_revisit,
)
from yiwang.hotline.services.routing import (  # noqa: F401
    routing_history,
    routing_model_train,
    routing_sample_queries,
    routing_sample_query,
    routing_sample_window,
)
from yiwang.hotline.services.sweep import (  # noqa: F401
    SweepReport,
    _notice,
    appeal_sweep,
    appeal_urgent_sweep,
)
from yiwang.hotline.services.unresolved import (  # noqa: F401
    _unresolved_days,
    unresolved_register,
    unresolved_resolve,
)
