"""Every read on appeals: scoped lists and queues, the timeline, similar appeals, routing
suggestions, the public column, and the measured rates (三率) by department and month.

Scoping (DESIGN: department scoping) is enforced here, on querysets: a handler sees only appeals
of their department (as lead, co-department or an earlier dispatch); a dispatcher sees the
county's appeals; leaders, supervisors and administrators their region.
"""

from __future__ import annotations

import datetime as dt
import re
import threading
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.core.errors import ApplicationError
from yiwang.core.limits import analysis_prefix
from yiwang.core.pii import pii_lookup
from yiwang.hotline import deadlines, similar
from yiwang.hotline.conf import conf
from yiwang.hotline.models import (
    REPLIED_STATES,
    Appeal,
    AppealEvent,
    Category,
    CategoryDepartmentMapping,
    Dispatch,
    ExtensionRequest,
    KnowledgeEntry,
    Reply,
    ReturnRequest,
    RoutingModel,
    UnresolvedMatter,
)
from yiwang.hotline.rules import redact_text
from yiwang.hotline.workflow import EXTENSION_STATES, can_transition
from yiwang.org.models import Department, Region
from yiwang.org.scoping import Anchor, action_get, scope_for
from yiwang.workdays.deadlines import DeadlineStatus, worst

State = Appeal.State


# --- who may see what ----------------------------------------------------------------------------
# One scope (``yiwang.org.scoping``): the action names are those of its table.


def user_is_dispatcher(user) -> bool:
    return scope_for(user).can("appeal.dispatch")


def user_is_intake_staff(user) -> bool:
    return scope_for(user).can("appeal.intake")


def user_sees_dashboard(user) -> bool:
    return scope_for(user).can("appeal.dashboard")


def user_is_handler(user) -> bool:
    """Acts on appeals for a department (signs off, replies); inspectors only read."""
    return scope_for(user).can("appeal.sign_off")


def appeal_can(user, action: str, appeal: Appeal) -> bool:
    """Whether ``user`` may do ``action`` on this appeal: department-anchored grants by the lead
    department, the 12345 centre and leaders by the appeal's region (intake: its town's too, so a
    town's clerks act for their town)."""
    scope = scope_for(user)
    where = {"department": appeal.lead_department, "region": appeal.region}
    if scope.can(action, **where):
        return True
    return action == "appeal.intake" and appeal.town_id is not None and scope.can(action, region=appeal.town)


def _reading_departments(scope) -> list[int]:
    """The departments whose appeals the scope reads by a department grant (``appeal.read`` anchored
    on the department: handlers and inspectors)."""
    grants = action_get("appeal.read").grants
    return sorted(
        {g.department_id for g in scope.grants if g.department_id and grants.get(g.role) == Anchor.DEPARTMENT}
    )


def scope_appeals(qs: QuerySet, user) -> QuerySet:
    """Narrow an Appeal queryset to what ``user`` may read (``appeal.read``): the region's appeals
    for the 12345 centre, leaders and supervisors; for a department, the appeals it leads or was
    ever dispatched (as lead or co-department), so it keeps reading its history after a return."""
    scope = scope_for(user)
    condition = scope.q("appeal.read", department="lead_department", region="region")
    if condition is None:
        return qs.none()
    if not condition:
        return qs
    department_ids = _reading_departments(scope)
    if department_ids:
        # Earlier and co-department dispatches (area grants already cover them by the appeal's region),
        # each found by its own indexed department column: an OR across the join to the co-departments
        # would read every dispatch there is (issue: province scale).
        led = Dispatch.objects.filter(department_id__in=department_ids).values("appeal_id")
        helped = Dispatch.co_departments.through.objects.filter(department_id__in=department_ids)
        condition |= Q(pk__in=led) | Q(pk__in=helped.values("dispatch__appeal_id"))
    return qs.filter(condition)


def appeal_get_for_user(*, user, code: str) -> Appeal:
    """The appeal if ``user`` may see it; 404 ``appeal.not_found`` otherwise (no hint that it exists)."""
    appeal = (
        scope_appeals(Appeal.objects.all(), user)
        .select_related(
            "region",
            "category",
            "town",
            "village",
            "lead_department",
            "lead_department__region",
            "handling_clock",
            "merged_into",
            "suggested_department",
        )
        .filter(code=code)
        .first()
    )
    if appeal is None:
        raise ApplicationError("appeal.not_found", f"未找到诉求 {code}", details={"code": code}, status=404)
    return appeal


def user_departments_ids(user, action: str = "appeal.opinion") -> set[int]:
    """The departments ``user`` acts for on appeals (their own department; an administrator's region)."""
    return set(scope_for(user).departments(action).values_list("pk", flat=True))


def appeal_allowed_actions(*, user, appeal: Appeal) -> set[str]:
    """What the page offers this user on this appeal (the services check again)."""

    def can(action: str) -> bool:
        return appeal_can(user, action, appeal)

    actions: set[str] = set()
    if appeal.state == State.RECEIVED:
        if can("appeal.dispatch"):
            actions |= {"dispatch", "merge", "reclassify"}
        if can("appeal.intake"):
            actions |= {"decline"} | ({"answer"} if appeal.kind == Appeal.Kind.CONSULTATION else set())
    if appeal.state == State.DISPATCHED:
        if can("appeal.sign_off"):
            actions.add("sign_off")
        if can("appeal.return"):
            actions.add("return")
        if can("appeal.dispatch"):
            actions.add("merge")
    if appeal.state == State.RETURNED and can("appeal.approve_return"):
        actions.add("decide_return")
    if appeal.state in EXTENSION_STATES:
        if can("appeal.reply"):
            actions.add("reply")
        pending = appeal.extensions.filter(state="pending").exists()
        if can("appeal.request_extension"):
            actions.add("withdraw_extension" if pending else "extend")
        if can("appeal.approve_extension") and pending:
            actions.add("decide_extension")
    if can_transition(appeal, State.REVISITED) and can("appeal.revisit"):
        actions.add("revisit")
    if appeal.is_open and appeal.state != State.RECEIVED:
        co = Dispatch.objects.filter(
            appeal=appeal, state=Dispatch.State.ACTIVE, co_departments__in=user_departments_ids(user)
        )
        if can("appeal.opinion") or co.exists():
            actions.add("opinion")
    return actions


def user_sees_contact(*, user, appeal: Appeal) -> bool:
    """Full name and phone only for the 12345 staff and the lead department (to call back):
    ``appeal.read_contact``. Inspectors, leaders, supervisors and co-departments see them masked."""
    return appeal_can(user, "appeal.read_contact", appeal)


# --- one appeal, for the staff page -------------------------------------------------------------


def appeal_by_submission_key(key: str | None) -> Appeal | None:
    """The appeal a form submission already created (a resent form must not register it twice)."""
    return Appeal.objects.filter(submission_key=key).first() if key else None


def appeal_last_intake(*, user, code: str | None) -> Appeal | None:
    """The call the operator registered last, shown above the intake form: only one they took."""
    if not code or not getattr(user, "pk", None):
        return None
    return Appeal.objects.filter(code=code, received_by=user).first()


def appeal_pending_return(appeal: Appeal) -> ReturnRequest | None:
    return appeal.returns.filter(state=ReturnRequest.State.PENDING).select_related("department").first()


def appeal_pending_extension(appeal: Appeal) -> ExtensionRequest | None:
    return appeal.extensions.filter(state=ExtensionRequest.State.PENDING).select_related("department").first()


def appeal_records(appeal: Appeal) -> dict:
    """What the staff page lists besides the timeline: replies, revisits, merged duplicates and the
    pending return and extension requests."""
    return {
        "replies": list(appeal.replies.select_related("department", "replied_by").order_by("replied_at")),
        "revisits": list(appeal.revisits.select_related("department").order_by("revisited_at")),
        "merged": list(appeal.merged_appeals.order_by("received_at")),
        "pending_return": appeal_pending_return(appeal),
        "pending_extension": appeal_pending_extension(appeal),
    }


# --- deadlines and queues ------------------------------------------------------------------------


@dataclass
class QueueRow:
    appeal: Appeal
    deadline: deadlines.Deadline | None
    sign_off: deadlines.Deadline | None = None
    role: str = "lead"  # lead | co

    @property
    def status(self) -> str:
        most = worst([self.deadline, self.sign_off])
        return most.status if most is not None else DeadlineStatus.NORMAL

    @property
    def sort_key(self):
        d = self.sign_off if self.appeal.state == State.DISPATCHED and self.sign_off else self.deadline
        return d.sort_key if d else timezone.make_aware(dt.datetime.max - dt.timedelta(days=2))


HANDLER_STATES = (State.DISPATCHED, State.SIGNED_OFF, State.REOPENED, State.RETURNED)


def handler_queue(*, user, sort: str = "deadline", state: str | None = None, now=None) -> list[QueueRow]:
    """The department's open appeals (lead and co-handled) with deadline status, sorted by the
    nearest deadline (default), by intake time or by state."""
    now = now or timezone.now()
    department_ids = user_departments_ids(user)
    co_handled = Dispatch.objects.filter(state=Dispatch.State.ACTIVE, co_departments__in=department_ids)
    qs = (
        scope_appeals(Appeal.objects.filter(state__in=HANDLER_STATES), user)
        .filter(Q(lead_department_id__in=department_ids) | Q(pk__in=co_handled.values("appeal_id")))
        .select_related("category", "town", "handling_clock", "lead_department")
    )
    if state:
        qs = qs.filter(state=state)
    appeals = list(qs)
    active = {
        d.appeal_id: d
        for d in Dispatch.objects.filter(appeal__in=appeals, state=Dispatch.State.ACTIVE).select_related(
            "sign_off_clock"
        )
    }
    rows = []
    for appeal in appeals:
        dispatch = active.get(appeal.pk)
        rows.append(
            QueueRow(
                appeal=appeal,
                deadline=deadlines.reply_deadline(appeal, now),
                sign_off=deadlines.sign_off_deadline(dispatch, now)
                if dispatch and not dispatch.signed_off_at
                else None,
                role="lead" if appeal.lead_department_id in department_ids else "co",
            )
        )
    if sort == "received":
        rows.sort(key=lambda r: r.appeal.received_at, reverse=True)
    elif sort == "status":
        order = {"overdue": 0, "due": 1, "warning": 2, "normal": 3}
        rows.sort(key=lambda r: (order[r.status], r.sort_key))
    else:
        rows.sort(key=lambda r: (r.sort_key, r.appeal.pk))
    return rows


@dataclass
class DispatcherQueue:
    received: list[Appeal]
    returns: list[ReturnRequest]
    extensions: list[ExtensionRequest]
    revisits: list[Appeal]
    flagged: int = 0


def dispatcher_queue(*, user) -> DispatcherQueue:
    """待派单 (oldest first), pending returns and extensions, replied appeals awaiting a revisit."""
    if not user_is_dispatcher(user):
        return DispatcherQueue([], [], [], [])
    scoped = scope_appeals(Appeal.objects.all(), user)
    received = list(
        scoped.filter(state=State.RECEIVED)
        .select_related("category", "town", "village", "suggested_department", "suggested_category")
        .defer(*similar.UNSHOWN_FIELDS)
        .order_by("received_at", "pk")[:200]
    )
    returns = list(
        ReturnRequest.objects.filter(state=ReturnRequest.State.PENDING, appeal__in=scoped)
        .select_related("appeal", "department", "appeal__suggested_department")
        .order_by("requested_at")
    )
    extensions = list(
        ExtensionRequest.objects.filter(state=ExtensionRequest.State.PENDING, appeal__in=scoped)
        .select_related("appeal", "department")
        .order_by("requested_at")
    )
    revisits = list(
        scoped.filter(state=State.REPLIED)
        .select_related("lead_department", "category")
        .defer(*similar.UNSHOWN_FIELDS)
        .order_by("replied_at", "pk")[:200]
    )
    return DispatcherQueue(
        received, returns, extensions, revisits, flagged=sum(1 for a in received if a.suggestion_low_confidence)
    )


def appeal_deadlines(appeal: Appeal, now=None) -> dict:
    now = now or timezone.now()
    dispatch = appeal.dispatches.filter(state=Dispatch.State.ACTIVE).select_related("sign_off_clock").first()
    return {
        "reply": deadlines.reply_deadline(appeal, now),
        "sign_off": deadlines.sign_off_deadline(dispatch, now) if dispatch and not dispatch.signed_off_at else None,
        "dispatch": dispatch,
    }


def appeal_timeline(appeal: Appeal, *, public: bool = False) -> list[AppealEvent]:
    # With the appeal's region, which each of its events carries: the appeal's shard (docs/scale.md, step 3).
    qs = appeal.events.filter(region_id=appeal.region_id).select_related("actor", "department")
    qs = qs.order_by("created_at", "pk")
    if public:
        qs = qs.filter(kind__in=AppealEvent.PUBLIC_KINDS)
    return list(qs)


# --- similar appeals (duplicates): hotline.similar, through a trigram index on PostgreSQL ------------

SimilarAppeal = similar.SimilarAppeal
similar_open_appeals = similar.similar_open_appeals
similar_open_appeals_for = similar.similar_open_appeals_for
text_similarity = similar.text_similarity


# --- routing suggestions -------------------------------------------------------------------------


@dataclass
class Suggestion:
    department: Department | None = None
    category: Category | None = None
    confidence: float | None = None
    low_confidence: bool = True
    source: str = "none"  # model | mapping | keywords | none
    alternatives: list[tuple[Department, float]] = field(default_factory=list)


_router_lock = threading.Lock()
# target -> (model pk, loaded router): one loaded model per target, replaced when retrained.
_routers: dict[str, tuple[int, object]] = {}


def _active_router(target: str):
    from yiwang.hotline.routing import TextRouter

    pk = RoutingModel.objects.filter(target=target, is_active=True).values_list("pk", flat=True).first()
    if pk is None:
        return None
    cached = _routers.get(target)
    if cached is not None and cached[0] == pk:
        return cached[1]
    with _router_lock:
        cached = _routers.get(target)
        if cached is None or cached[0] != pk:
            blob = RoutingModel.objects.filter(pk=pk).values_list("blob", flat=True).first()
            cached = (pk, TextRouter.loads(blob))
            _routers[target] = cached
    return cached[1]


def routing_active_model(target: str = RoutingModel.Target.DEPARTMENT) -> RoutingModel | None:
    """The model in use (without its blob), for showing when and on what it was trained."""
    return RoutingModel.objects.filter(target=target, is_active=True).defer("blob").first()


def category_department(category: Category | None, town: Region | None = None) -> Department | None:
    """The department the mapping table names for a category (town-specific first)."""
    if category is None:
        return None
    mappings = {
        m.town_id: m.department
        for m in CategoryDepartmentMapping.objects.filter(category=category).select_related("department")
    }
    if town is not None and town.pk in mappings:
        return mappings[town.pk]
    return mappings.get(None)


def _keyword_category(text: str) -> Category | None:
    best, best_hits = None, 0
    for category in Category.objects.filter(is_active=True).exclude(keywords=""):
        hits = sum(1 for k in re.split(r"[,，、\s]+", category.keywords) if k and k in text)
        if hits > best_hits:
            best, best_hits = category, hits
    return best


def routing_suggest(*, title: str, content: str, town: Region | None = None) -> Suggestion:
    """Suggest the lead department and the category for an appeal's text.

    The trained department model answers first (learned from which department finally handled
    past appeals); without one, the category model and the mapping table; without either, the
    categories' keywords. Below ``ROUTING_CONFIDENCE_THRESHOLD`` the suggestion is flagged; the
    dispatcher always decides.
    """
    from yiwang.hotline.routing import appeal_document

    title, content = analysis_prefix(title), analysis_prefix(content)  # a bounded prefix, whatever was stored
    document = appeal_document(title, content)
    threshold = conf("ROUTING_CONFIDENCE_THRESHOLD")
    suggestion = Suggestion()
    category_router = _active_router(RoutingModel.Target.CATEGORY)
    if category_router is not None:
        prediction = category_router.predict([document])[0]
        suggestion.category = Category.objects.filter(code=prediction.label).first()
        suggestion.confidence = prediction.confidence
        suggestion.source = "mapping"
    department_router = _active_router(RoutingModel.Target.DEPARTMENT)
    if department_router is not None:
        prediction = department_router.predict([document])[0]
        departments = Department.objects.in_bulk([label for label, _ in prediction.ranked], field_name="code")
        suggestion.department = departments.get(prediction.label)
        suggestion.confidence = prediction.confidence
        suggestion.alternatives = [(departments[label], p) for label, p in prediction.ranked if label in departments]
        suggestion.source = "model"
    if suggestion.category is None:
        suggestion.category = _keyword_category(f"{title} {content}")
        if suggestion.category is not None and suggestion.source == "none":
            suggestion.source = "keywords"
    # A town-specific mapping (a rural road in one town → that town) overrides the county model.
    mapped = category_department(suggestion.category, town)
    if suggestion.department is None or (
        town is not None
        and mapped is not None
        and CategoryDepartmentMapping.objects.filter(category=suggestion.category, town=town).exists()
        and (suggestion.confidence or 0) < threshold
    ):
        suggestion.department = mapped
    suggestion.low_confidence = suggestion.confidence is None or suggestion.confidence < threshold
    return suggestion


# --- knowledge base and caller history -----------------------------------------------------------


def knowledge_search(q: str, *, limit: int = 5) -> list[KnowledgeEntry]:
    """Entries whose question, keywords or answer share words with ``q`` (most shared first)."""
    q = (q or "").strip()
    if len(q) < 2:
        return []
    from yiwang.hotline.routing import segment

    words = {w for w in segment(q) if len(w) >= 2} or {q}
    condition = reduce(or_, [Q(question__icontains=w) | Q(keywords__icontains=w) for w in words])
    entries = list(KnowledgeEntry.objects.filter(is_active=True).filter(condition).select_related("department")[:50])

    def hits(entry):
        text = f"{entry.question} {entry.keywords}"
        return sum(1 for w in words if w in text), entry.use_count

    entries.sort(key=hits, reverse=True)
    return entries[:limit]


def knowledge_list() -> QuerySet[KnowledgeEntry]:
    return (
        KnowledgeEntry.objects.filter(is_active=True)
        .select_related("category", "department")
        .order_by("-use_count", "pk")
    )


def caller_history(*, user, phone: str, limit: int = 5) -> list[Appeal]:
    """Earlier appeals from the same phone number (found by its keyed hash), for the operator."""
    if not phone or not user_is_intake_staff(user):
        return []
    return list(
        scope_appeals(Appeal.objects.filter(**pii_lookup("contact_phone", phone)), user)
        .select_related("lead_department")
        .order_by("-received_at")[:limit]
    )


# --- the public column ---------------------------------------------------------------------------


def appeal_track(*, code: str) -> Appeal | None:
    """An appeal found by its tracking code (the code is the citizen's key; personal data is
    masked on the page)."""
    code = (code or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9]{6,20}", code):
        return None
    return (
        Appeal.objects.select_related("category", "town", "village", "lead_department", "merged_into")
        .filter(code=code)
        .first()
    )


def appeal_track_public(*, code: str, phone_last4: str = "", user=None, known_codes=()) -> Appeal | None:
    """The appeal the public tracking page may show for ``code``.

    A citizen who consented to publication sees it by the code, as before. Without consent the
    code alone is not enough (codes can be guessed): the last four digits of the phone left with
    the appeal must match too, unless the visitor submitted it — signed in as its submitter, or in
    the browser session that submitted it (``known_codes``). Anything else looks like an unknown
    code, so a guess learns nothing."""
    appeal = appeal_track(code=code)
    if appeal is None or appeal.public_consent:
        return appeal
    if appeal.code in set(known_codes or ()):
        return appeal
    if user is not None and getattr(user, "pk", None) and appeal.submitted_by_id == user.pk:
        return appeal
    phone = appeal.contact_phone or ""
    if phone_last4 and len(phone) >= 4 and phone[-4:] == phone_last4:
        return appeal
    return None


def public_reply(appeal: Appeal) -> Reply | None:
    """The reply a citizen reads: the appeal's latest, or that of the appeal it was merged into."""
    source = appeal.merged_into if appeal.state == State.MERGED and appeal.merged_into_id else appeal
    if source.state not in REPLIED_STATES and source.state != State.REOPENED:
        return None
    return source.replies.select_related("department").order_by("-replied_at", "-id").first()


def public_appeal_list(
    *, category: str | None = None, town: str | None = None, q: str | None = None
) -> QuerySet[Appeal]:
    """Replied appeals whose citizen consented to publication (plan 二(四) 有问必应).

    ``q`` matches the category name and the title and text *as published* (masked by
    ``redact_text``): searching the raw text would let anyone confirm that a given phone or ID
    number appears in an appeal, the very data the page masks."""
    qs = Appeal.objects.filter(public_consent=True, state__in=REPLIED_STATES, merged_into__isnull=True)
    if category:
        qs = qs.filter(category__code=category)
    if town:
        qs = qs.filter(town__code=town)
    q = (q or "").strip()
    if q:
        needle = q.casefold()
        # The database narrows the candidates; the masked text decides.
        candidates = qs.filter(Q(title__icontains=q) | Q(content__icontains=q) | Q(category__name__icontains=q))
        keep = [
            pk
            for pk, title, content, category_name in candidates.values_list("pk", "title", "content", "category__name")
            if needle in (category_name or "").casefold()
            or needle in redact_text(title).casefold()
            or needle in redact_text(content).casefold()
        ]
        qs = qs.filter(pk__in=keep)
    return qs.select_related("category", "town", "lead_department").order_by("-replied_at", "-pk")


def latest_replies(appeals) -> dict[int, Reply]:
    result: dict[int, Reply] = {}
    for reply in Reply.objects.filter(appeal__in=appeals).select_related("department").order_by("replied_at", "id"):
        result[reply.appeal_id] = reply
    return result


def categories() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).order_by("sort_order", "code")


def towns() -> QuerySet[Region]:
    return Region.objects.filter(level=Region.Level.TOWN, parent__code=conf("COUNTY_CODE")).order_by("code")


def villages(town: Region | None) -> QuerySet[Region]:
    if town is None:
        return Region.objects.none()
    return Region.objects.filter(parent=town, level=Region.Level.VILLAGE).order_by("code")


# --- measured: the three rates and more ----------------------------------------------------------


def _rate(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass
class Kpi:
    dispatched: int = 0
    responded: int = 0
    revisited: int = 0
    resolved: int = 0
    satisfied: int = 0
    replies: int = 0
    replies_on_time: int = 0
    returns: int = 0
    extensions: int = 0
    reopened: int = 0

    def add(self, other: Kpi) -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    @property
    def response_rate(self):
        return _rate(self.responded, self.dispatched)

    @property
    def resolution_rate(self):
        return _rate(self.resolved, self.revisited)

    @property
    def satisfaction_rate(self):
        return _rate(self.satisfied, self.revisited)

    @property
    def on_time_rate(self):
        return _rate(self.replies_on_time, self.replies)


@dataclass
class KpiReport:
    start: dt.date
    end: dt.date
    months: list[dt.date]
    departments: list[Department]
    cells: dict[tuple[int, dt.date], Kpi]
    total: Kpi

    def by_department(self) -> list[tuple[Department, Kpi]]:
        rows = []
        for department in self.departments:
            kpi = Kpi()
            for month in self.months:
                if (department.pk, month) in self.cells:
                    kpi.add(self.cells[(department.pk, month)])
            rows.append((department, kpi))
        return rows

    def by_month(self) -> list[tuple[dt.date, Kpi]]:
        rows = []
        for month in self.months:
            kpi = Kpi()
            for department in self.departments:
                if (department.pk, month) in self.cells:
                    kpi.add(self.cells[(department.pk, month)])
            rows.append((month, kpi))
        return rows


def _month(value) -> dt.date:
    if isinstance(value, dt.datetime):
        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.date().replace(day=1)
    return value.replace(day=1)


def _bounds(start: dt.date, end: dt.date) -> tuple[dt.datetime, dt.datetime]:
    tz = timezone.get_current_timezone()
    return (
        dt.datetime.combine(start, dt.time.min, tzinfo=tz),
        dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz),
    )


def _dashboard_regions(user) -> list[Region] | None:
    """Where the user reads the dashboard (``appeal.dashboard``): None = everywhere, else the top
    regions of their area (facts are summed over each region's subtree)."""
    scope = scope_for(user)
    if not user_sees_dashboard(user):
        return []
    if scope.allows_everywhere("appeal.dashboard"):
        return None
    regions = scope.regions("appeal.dashboard")
    return list(regions.exclude(parent__in=regions))


def _months(start: dt.date, end: dt.date) -> list[dt.date]:
    months = []
    cursor = start.replace(day=1)
    while cursor <= end:
        months.append(cursor)
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    return months


def appeal_kpis(*, user, start: dt.date, end: dt.date, department: Department | None = None, now=None) -> KpiReport:
    """三率 and more by department and month (DESIGN: measured), read from the monthly facts of
    ``yiwang.hotline.measures`` (whole months from ``start`` to ``end``):

    - response rate = dispatches signed off (or returned) within the sign-off limit ÷ dispatches
      whose response is due or done, by month of dispatch; "due" is a live count of open dispatches
      still unanswered past their sign-off limit (bounded by open work, not history);
    - resolution rate = revisits "resolved" ÷ revisits; satisfaction rate = revisits 满意 or
      better (非常满意, 满意, 基本满意) ÷ revisits, by month of revisit;
    - on-time reply rate = replies within the reply deadline ÷ replies, by month of reply;
    - returns and extensions requested, and reopenings (重办), by month of the event.
    """
    from yiwang.hotline import measures as hm
    from yiwang.measures.selectors import facts

    now = now or timezone.now()
    today = timezone.localtime(now).date()
    regions = _dashboard_regions(user)
    cells: dict[tuple[int, dt.date], Kpi] = defaultdict(Kpi)
    if regions != []:
        where = {
            "months": (start, end),
            "region": regions,
            "department": department,
            "group_by": ("department", "month"),
        }
        for row in facts(hm.DISPATCHED, **where):
            cell = cells[(row["department"], row["month"])]
            cell.dispatched += row["responded"]
            cell.responded += row["responded_on_time"]
        for row in facts(hm.REVISITS, **where):
            cell = cells[(row["department"], row["month"])]
            cell.revisited += row["count"]
            cell.resolved += row["resolved"]
            cell.satisfied += row["satisfied"]
            cell.reopened += row["reopened"]
        for row in facts(hm.REPLIES, **where):
            cell = cells[(row["department"], row["month"])]
            cell.replies += row["count"]
            cell.replies_on_time += row["on_time"]
        for row in facts(hm.RETURNS, **where):
            cells[(row["department"], row["month"])].returns += row["count"]
        for row in facts(hm.EXTENSIONS, **where):
            cells[(row["department"], row["month"])].extensions += row["count"]
        # Open dispatches past their sign-off limit with no response yet: due, not answered.
        lo, hi = _bounds(start.replace(day=1), end)
        late = scope_for(user).filter(
            Dispatch.objects.filter(
                state=Dispatch.State.ACTIVE,
                responded_on_time__isnull=True,
                dispatched_at__gte=lo,
                dispatched_at__lt=hi,
            ).filter(Q(sign_off_clock__due_on__lt=today) | Q(sign_off_due_at__lt=now)),
            "appeal.dashboard",
            department=None,
            region="region",
        )
        if department is not None:
            late = late.filter(department=department)
        tz = timezone.get_current_timezone()
        for row in (
            late.annotate(month=TruncMonth("dispatched_at", tzinfo=tz))
            .values("department_id", "month")
            .annotate(n=Count("id"))
            .order_by()
        ):
            cells[(row["department_id"], _month(row["month"]))].dispatched += row["n"]

    department_ids = {key[0] for key in cells}
    departments = list(Department.objects.filter(pk__in=department_ids).order_by("kind", "code"))
    total = Kpi()
    for kpi in cells.values():
        total.add(kpi)
    return KpiReport(start, end, _months(start, end), departments, dict(cells), total)


@dataclass
class Hotspots:
    towns: list[Region]
    categories: list[Category]
    counts: dict[tuple[int, int], int]
    max_count: int
    total: int

    def row(self, category: Category) -> list[int]:
        return [self.counts.get((category.pk, town.pk), 0) for town in self.towns]


def hotspots(*, user, start: dt.date, end: dt.date) -> Hotspots:
    """Appeals by category × town in the period, whole months (duplicates merged away and declined
    appeals are not counted), read from the monthly facts ``hotline.received``."""
    from yiwang.hotline import measures as hm
    from yiwang.measures.selectors import facts

    regions = _dashboard_regions(user)
    rows = [] if regions == [] else facts(hm.RECEIVED, months=(start, end), region=regions, group_by=("region", "key"))
    by_code = {c.code: c for c in Category.objects.filter(code__in={row["key"] for row in rows})}
    counts: dict[tuple[int, int], int] = {}
    for row in rows:
        category = by_code.get(row["key"])
        if category is not None and row["count"]:
            counts[(category.pk, row["region"])] = counts.get((category.pk, row["region"]), 0) + row["count"]
    per_category = Counter()
    for (category_id, _), n in counts.items():
        per_category[category_id] += n
    category_list = sorted(
        (c for c in by_code.values() if per_category[c.pk]), key=lambda c: (-per_category[c.pk], c.pk)
    )
    return Hotspots(
        towns=list(towns()),
        categories=category_list,
        counts=counts,
        max_count=max(counts.values(), default=0),
        total=sum(counts.values()),
    )


def appeal_open_work(*, user, since: dt.date) -> tuple[dict[str, int], int]:
    """Open appeals by state and overdue notices since ``since``, within the user's scope (the
    dashboard's header figures)."""
    scoped = scope_appeals(Appeal.objects.all(), user) if user_sees_dashboard(user) else Appeal.objects.none()
    open_counts = dict(
        scoped.filter(state__in=[State.RECEIVED, *HANDLER_STATES])
        .values_list("state")
        .annotate(n=Count("id"))
        .order_by()
    )
    # A bound on the moment itself (not on its local date, which no index can serve): the overdue
    # notices since ``since`` are found by the (kind, created_at) index, then checked against the scope.
    overdue = AppealEvent.objects.filter(
        kind=AppealEvent.Kind.OVERDUE, appeal__in=scoped, created_at__gte=_bounds(since, since)[0]
    ).count()
    return open_counts, overdue


# --- 办不成事 --------------------------------------------------------------------------------------


def unresolved_list(*, user, state: str | None = None, tier: str | None = None) -> QuerySet[UnresolvedMatter]:
    """The register as ``unresolved.read`` allows: the county's clerks, 12345 centre, leaders and
    supervisors the matters of their area (a town's clerks their town's), a department the
    matters assigned to it."""
    qs = UnresolvedMatter.objects.select_related("department", "category", "town", "clock", "hall")
    scope = scope_for(user)
    conditions = [scope.q("unresolved.read", region=region) for region in ("region", "town")]
    conditions = [c for c in conditions if c is not None]
    if not conditions:
        qs = qs.none()
    elif all(conditions):  # an empty Q (a platform administrator) means every row
        qs = qs.filter(reduce(or_, conditions))
    if state:
        qs = qs.filter(state=state)
    if tier:
        qs = qs.filter(tier=tier)
    return qs.order_by("-reported_at", "-pk")


@dataclass
class MonthlySummary:
    month: dt.date
    total: int
    by_tier: dict[str, int]
    by_channel: dict[str, int]
    by_resolution: dict[str, int]
    top_categories: list[tuple[str, int]]
    resolved: int
    on_time: int

    @property
    def on_time_rate(self):
        return _rate(self.on_time, self.resolved)


def unresolved_monthly_summary(*, months: int = 6, today: dt.date | None = None) -> list[MonthlySummary]:
    """The public monthly summary of the register: counts, categories and how matters were
    resolved — no names, phone numbers or free text (plan 三、4: 分类汇总、梳理反馈)."""
    today = today or timezone.localdate()
    first = today.replace(day=1)
    for _ in range(months - 1):
        first = (first - dt.timedelta(days=1)).replace(day=1)
    lo, _ = _bounds(first, today)
    rows = UnresolvedMatter.objects.filter(reported_at__gte=lo).values_list(
        "reported_at", "tier", "channel", "resolution", "category__name", "state", "on_time"
    )
    buckets: dict[dt.date, list] = defaultdict(list)
    for row in rows:
        buckets[_month(row[0])].append(row)
    result = []
    cursor = first
    while cursor <= today:
        items = buckets.get(cursor, [])
        result.append(
            MonthlySummary(
                month=cursor,
                total=len(items),
                by_tier={
                    str(label): sum(1 for r in items if r[1] == value) for value, label in UnresolvedMatter.Tier.choices
                },
                by_channel={
                    str(label): sum(1 for r in items if r[2] == value)
                    for value, label in UnresolvedMatter.Channel.choices
                },
                by_resolution={
                    str(label): sum(1 for r in items if r[3] == value)
                    for value, label in UnresolvedMatter.Resolution.choices
                },
                top_categories=Counter(r[4] or "其他" for r in items).most_common(5),
                resolved=sum(1 for r in items if r[5] == UnresolvedMatter.State.RESOLVED),
                on_time=sum(1 for r in items if r[6]),
            )
        )
        cursor = (cursor + dt.timedelta(days=32)).replace(day=1)
    result.reverse()
    return result


def unresolved_deadline(matter: UnresolvedMatter, today=None) -> deadlines.Deadline | None:
    return deadlines.unresolved_deadline(matter, today)
