"""Every read on appeals: scoped lists and queues, the timeline, similar appeals, routing
suggestions, the public column, and the measured rates (三率) by department and month.

Scoping (DESIGN: department scoping) is enforced here, on querysets: a handler sees only appeals
of their department (as lead, co-department or an earlier dispatch); a dispatcher sees the
county's appeals; leaders, supervisors and administrators their region.

The selectors live in one module per part: who may see what (``access``), one appeal for the staff
page (``appeal``), the work queues (``queues``), the intake and dispatch desk (``desk``: similar
appeals, routing suggestions, knowledge base, caller history), the public column (``public``), the
measured figures (``dashboards``) and the 办不成事 register (``unresolved``); this package exports
them all (``from yiwang.hotline import selectors``).
"""

from yiwang.hotline import deadlines, similar  # noqa: F401
from yiwang.hotline.selectors.access import (  # noqa: F401
    State,
    _reading_departments,
    appeal_allowed_actions,
    appeal_can,
    appeal_get_for_user,
    scope_appeals,
    user_departments_ids,
    user_is_dispatcher,
    user_is_handler,
    user_is_intake_staff,
    user_sees_contact,
    user_sees_dashboard,
)
from yiwang.hotline.selectors.appeal import (  # noqa: F401
    appeal_by_submission_key,
    appeal_deadlines,
    appeal_last_intake,
    appeal_pending_extension,
    appeal_pending_return,
    appeal_records,
    appeal_timeline,
)
from yiwang.hotline.selectors.dashboards import (  # noqa: F401
    Hotspots,
    Kpi,
    KpiReport,
    _bounds,
    _dashboard_regions,
    _month,
    _months,
    _rate,
    appeal_kpis,
    appeal_open_work,
    hotspots,
)
from yiwang.hotline.selectors.desk import (  # noqa: F401
    SimilarAppeal,
    Suggestion,
    _active_router,
    _keyword_category,
    _router_lock,
    _routers,
    caller_history,
    category_department,
    knowledge_list,
    knowledge_ranking,
    knowledge_search,
    routing_active_model,
    routing_suggest,
    routing_suggest_many,
    similar_open_appeals,
    similar_open_appeals_for,
    text_similarity,
)
from yiwang.hotline.selectors.public import (  # noqa: F401
    appeal_track,
    appeal_track_public,
    categories,
    latest_replies,
    public_appeal_list,
    public_replies_since,
    public_reply,
    towns,
    villages,
)
from yiwang.hotline.selectors.queues import (  # noqa: F401
    HANDLER_STATES,
    DispatcherQueue,
    QueueRow,
    dispatcher_queue,
    handler_queue,
)
from yiwang.hotline.selectors.unresolved import (  # noqa: F401
    MonthlySummary,
    unresolved_deadline,
    unresolved_list,
    unresolved_monthly_summary,
)
