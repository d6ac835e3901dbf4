"""Every read of cases: the applicant's view, the public status page, the window's and the department's
queues, and the leader's measures.

Scoping (DESIGN: department scoping) is enforced here: a handler sees only their department's cases,
a clerk only cases of their hall (and online cases of their region awaiting a window), leaders their
region. Public reads never return personal data.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from functools import reduce
from operator import or_

from django.db.models import Avg, Count, F, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.core.pii import pii_lookup
from yiwang.org.models import Membership, Role
from yiwang.org.selectors import scope_to_user_departments
from yiwang.workdays.selectors import count_workdays

from .conf import cases_setting
from .models import (
    CLOSED_STATES,
    DECIDED_STATES,
    HANDLING_STATES,
    Case,
    CaseEvent,
    CaseMaterial,
    CaseState,
    Channel,
    DeferredMaterial,
    DeliveryMethod,
    Extension,
    HelpRequest,
    MaterialStatus,
    Notice,
    PledgeVerification,
    ReviewStep,
)

S = CaseState


# --- applicant -----------------------------------------------------------------------------------


def applicant_cases(user) -> QuerySet[Case]:
    """The cases a citizen or enterprise filed (or a helper filed for them); sub-cases stay inside their bundle."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    condition = Q(applicant_user=user)
    if getattr(user, "uscc", ""):
        condition |= Q(applicant_uscc=user.uscc)
    if getattr(user, "id_number", None):
        condition |= Q(**pii_lookup("applicant_id_number", user.id_number))
    return (
        Case.objects.filter(condition, parent__isnull=True)
        .select_related("department", "hall", "pickup_hall")
        .order_by("-submitted_at", "-id")
    )


def applicant_case(user, number: str) -> Case | None:
    return applicant_cases(user).filter(number=number).first()


def case_detail(case: Case) -> Case:
    """A case with what its pages show: materials, uploads, corrections, steps, notices, sub-cases."""
    return (
        Case.objects.select_related(
            "department",
            "region",
            "hall",
            "window",
            "pickup_hall",
            "item_version",
            "clock",
            "intake_clock",
            "assigned_to",
            "parent",
        )
        .prefetch_related(
            Prefetch("materials", queryset=CaseMaterial.objects.order_by("position").prefetch_related("uploads")),
            Prefetch("steps", queryset=ReviewStep.objects.order_by("position").select_related("completed_by")),
            Prefetch("notices", queryset=Notice.objects.order_by("issued_at", "id")),
            Prefetch("deferred", queryset=DeferredMaterial.objects.select_related("material").order_by("due_on")),
            Prefetch("children", queryset=Case.objects.select_related("department", "assigned_to").order_by("number")),
            "corrections__entries__material",
            "pauses",
            "extensions",
        )
        .get(pk=case.pk)
    )


def case_timeline(case: Case, *, public_only: bool = True) -> list[CaseEvent]:
    events = CaseEvent.objects.filter(Q(case=case) | Q(case__parent=case)) if case.is_bundle_parent else case.events
    if public_only:
        events = events.filter(public=True)
    return list(events.select_related("case").order_by("at", "id"))


@dataclass
class Outstanding:
    """What the applicant still has to do, and by when."""

    missing: list[CaseMaterial] = field(default_factory=list)
    correction_notes: dict[int, str] = field(default_factory=dict)
    deferred: list[DeferredMaterial] = field(default_factory=list)


def case_outstanding(case: Case) -> Outstanding:
    result = Outstanding()
    if case.state in (S.SUBMITTED, S.CORRECTION_REQUESTED):
        result.missing = [m for m in case.materials.all() if m.required and not m.satisfied]
        correction = case.corrections.order_by("-round").first()
        if correction is not None and case.state == S.CORRECTION_REQUESTED:
            result.correction_notes = {e.material_id: e.note for e in correction.entries.all()}
            listed = set(result.correction_notes)
            result.missing = [m for m in case.materials.all() if m.pk in listed]
    result.deferred = list(
        DeferredMaterial.objects.filter(case=case, supplied_at__isnull=True).select_related("material")
    )
    return result


def public_status(number: str, code: str) -> dict | None:
    """The public status page: state, steps and dates by case number + verification code — no personal data."""
    number, code = (number or "").strip().upper(), (code or "").strip().upper()
    if not number or not code:
        return None
    case = (
        Case.objects.filter(number=number, verification_code=code, parent__isnull=True)
        .select_related("department", "hall")
        .first()
    )
    if case is None:
        return None
    return {
        "number": case.number,
        "title": case.title,
        "state": case.state,
        "state_label": str(CaseState(case.state).label),
        "department": str(case.department),
        "channel": str(Channel(case.channel).label),
        "submitted_on": timezone.localdate(case.submitted_at),
        "accepted_on": timezone.localdate(case.accepted_at) if case.accepted_at else None,
        "due_on": case.due_on,
        "due_provisional": case.due_provisional,
        "decided_on": timezone.localdate(case.decided_at) if case.decided_at else None,
        "delivered_on": timezone.localdate(case.delivered_at) if case.delivered_at else None,
        "events": [(e.at, e.label) for e in case_timeline(case) if e.action not in ("uploaded",)],
        "children": [
            {"title": c.title, "department": str(c.department), "state_label": str(CaseState(c.state).label)}
            for c in case.children.select_related("department").order_by("number")
        ],
    }


def kiosk_cases(id_number: str, name: str) -> list[Case]:
    """Cases of the person whose ID card was read at the kiosk (name must match the card)."""
    qs = Case.objects.filter(**pii_lookup("applicant_id_number", id_number), parent__isnull=True)
    return [c for c in qs.order_by("-submitted_at")[:20] if c.applicant_name == name.strip()]


# --- window (综合窗口) ---------------------------------------------------------------------------


def clerk_halls(user) -> list:
    return [m.hall for m in Membership.objects.filter(user=user, role=Role.CLERK).select_related("hall__region")]


def _clerk_condition(user) -> Q | None:
    halls = clerk_halls(user)
    if not halls:
        return None
    conditions = [Q(hall__in=halls)]
    for hall in halls:
        # Online cases not yet taken by a hall: open to windows whose hall region contains the case's
        # region (the county hall sees every county case; a town centre never sees a county-level one).
        conditions.append(Q(hall__isnull=True, region__path__startswith=hall.region.path))
    return reduce(or_, conditions)


def clerk_intake_queue(user) -> QuerySet[Case]:
    """Cases awaiting the window: submitted (oldest intake deadline first) or waiting for correction."""
    condition = _clerk_condition(user)
    if condition is None:
        return Case.objects.none()
    return (
        Case.objects.filter(condition, state__in=[S.SUBMITTED, S.CORRECTION_REQUESTED], parent__isnull=True)
        .select_related("intake_clock", "hall", "department")
        .order_by(F("intake_clock__due_on").asc(nulls_last=True), "submitted_at")
    )


def clerk_delivery_queue(user) -> QuerySet[Case]:
    """Decided cases to hand out at this hall's windows (统一窗口出件)."""
    halls = clerk_halls(user)
    if not halls:
        return Case.objects.none()
    return (
        Case.objects.filter(
            Q(pickup_hall__in=halls) | Q(pickup_hall__isnull=True, hall__in=halls),
            state__in=DECIDED_STATES,
            parent__isnull=True,
        )
        .select_related("department", "decision")
        .order_by("decided_at")
    )


def clerk_case(user, number: str) -> Case | None:
    condition = _clerk_condition(user)
    if condition is None:
        return None
    return Case.objects.filter(condition, number=number, parent__isnull=True).first()


# --- department (后台分类办理) -------------------------------------------------------------------


def handler_cases(user) -> QuerySet[Case]:
    """Every case (not bundle parents) of the departments the user may see."""
    return scope_to_user_departments(Case.objects.filter(bundle__isnull=True), user)


def handler_queue(user, *, mine: bool = False, status: str | None = None) -> QuerySet[Case]:
    """The department's open cases, nearest deadline first (paused ones after the running)."""
    qs = handler_cases(user).filter(state__in=HANDLING_STATES)
    if mine:
        qs = qs.filter(assigned_to=user)
    if status:
        qs = qs.filter(deadline_status=status)
    return qs.select_related("assigned_to", "department", "parent").order_by(
        F("due_on").asc(nulls_last=True), "accepted_at"
    )


def handler_case(user, number: str) -> Case | None:
    return handler_cases(user).filter(number=number).first()


def verification_queue(user) -> QuerySet[PledgeVerification]:
    return (
        scope_to_user_departments(PledgeVerification.objects.all(), user)
        .filter(state=PledgeVerification.State.PENDING)
        .select_related("case", "pledge")
        .order_by("due_on")
    )


def extension_queue(user) -> QuerySet[Extension]:
    """Pending extensions the user may approve: their departments' (not their own) or their region's as leader."""
    qs = Extension.objects.filter(state=Extension.State.REQUESTED).select_related(
        "case", "case__department", "requested_by"
    )
    scoped = scope_to_user_departments(qs, user, field="case__department")
    leader_regions = [m.region for m in Membership.objects.filter(user=user, role=Role.LEADER).select_related("region")]
    if leader_regions:
        scoped = scoped | qs.filter(reduce(or_, [Q(case__region__path__startswith=r.path) for r in leader_regions]))
    return scoped.exclude(requested_by=user).distinct().order_by("requested_at")


def help_regions_of(user) -> list:
    """Regions whose remote-help requests the staff member serves: the hall's region for a clerk, the
    department's region for a handler, the membership's region for an administrator."""
    regions = []
    memberships = Membership.objects.filter(user=user, role__in=[Role.CLERK, Role.HANDLER, Role.ADMIN]).select_related(
        "hall__region", "department__region", "region"
    )
    for m in memberships:
        if m.role == Role.CLERK and m.hall_id:
            regions.append(m.hall.region)
        elif m.role == Role.HANDLER and m.department_id and m.department.region_id:
            regions.append(m.department.region)
        elif m.role == Role.ADMIN and m.region_id:
            regions.append(m.region)
    return regions


def help_queue(user) -> QuerySet[HelpRequest]:
    """Open requests (and those the user took) within the regions the staff member serves."""
    if not getattr(user, "is_authenticated", False):
        return HelpRequest.objects.none()
    qs = HelpRequest.objects.filter(Q(state=HelpRequest.State.OPEN) | Q(state=HelpRequest.State.TAKEN, helper=user))
    if not user.is_superuser:
        regions = help_regions_of(user)
        if not regions:
            return HelpRequest.objects.none()
        qs = qs.filter(reduce(or_, [Q(region__path__startswith=r.path) for r in regions]))
    return qs.order_by("state", "created_at")


# --- the leader's measures -----------------------------------------------------------------------


def leader_scope(user) -> QuerySet[Case]:
    """Cases in the regions the user looks over (leaders, supervisors, administrators)."""
    if not getattr(user, "is_authenticated", False):
        return Case.objects.none()
    if user.is_superuser:
        return Case.objects.all()
    memberships = Membership.objects.filter(
        user=user, role__in=[Role.LEADER, Role.SUPERVISOR, Role.ADMIN], region__isnull=False
    ).select_related("region")
    paths = [m.region.path for m in memberships]
    if not paths:
        return Case.objects.none()
    return Case.objects.filter(reduce(or_, [Q(region__path__startswith=p) for p in paths]))


def _rate(part: int, whole: int) -> float | None:
    return part / whole if whole else None


@dataclass
class CaseMeasures:
    submitted: int = 0
    decided: int = 0
    on_time: int = 0
    avg_workdays: float | None = None
    online: int = 0
    fully_online: int = 0
    zero_visit: int = 0
    deferred: int = 0
    deferred_overdue: int = 0
    pledges: int = 0
    verifications_overdue: int = 0
    open_overdue: int = 0
    by_department: list[dict] = field(default_factory=list)
    by_item: list[dict] = field(default_factory=list)
    by_channel: dict = field(default_factory=dict)
    by_month: list[dict] = field(default_factory=list)
    opening: dict = field(default_factory=dict)

    @property
    def on_time_rate(self) -> float | None:
        return _rate(self.on_time, self.decided)

    @property
    def fully_online_share(self) -> float | None:
        return _rate(self.fully_online, self.submitted)

    @property
    def zero_visit_share(self) -> float | None:
        return _rate(self.zero_visit, self.submitted)

    @property
    def online_share(self) -> float | None:
        return _rate(self.online, self.submitted)


def case_measures(user, *, start: dt.date, end: dt.date) -> CaseMeasures:
    """The leader's measures over applications submitted (and decisions taken) in [start, end].

    - on-time completion rate = decided on or before the clock's due day ÷ decided (承诺时限内办结率);
    - average working days accepted → decided, paused days excluded, per department and per item;
    - fully online = applied online, zero visits, result delivered electronically (全程网办);
      zero-visit share = no visit at all (零跑动), post included;
    - 容缺 and 告知承诺 counts with overdue follow-ups (materials not supplied, verifications late);
    - 企业开办: median working days and share done within the target (plan 三、2: 1 working day).
    One application counts once: a bundle is its parent; department figures count the sub-cases.
    """
    scope = leader_scope(user)
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    applications = scope.filter(parent__isnull=True, submitted_at__gte=start_at, submitted_at__lt=end_at)
    handled = scope.filter(bundle__isnull=True)  # single cases and sub-cases: the department's work
    decided = handled.filter(decided_at__gte=start_at, decided_at__lt=end_at, state__in=[*DECIDED_STATES, S.DELIVERED])

    m = CaseMeasures()
    totals = applications.aggregate(
        submitted=Count("pk"),
        online=Count("pk", filter=Q(channel=Channel.ONLINE)),
        fully_online=Count("pk", filter=Q(channel=Channel.ONLINE, visits=0, delivery_method=DeliveryMethod.ELECTRONIC)),
        zero_visit=Count("pk", filter=Q(visits=0) & ~Q(state__in=[S.SUBMITTED, S.CORRECTION_REQUESTED])),
        pledges=Count("pk", filter=Q(has_pledge=True)),
    )
    m.submitted, m.online, m.fully_online = totals["submitted"], totals["online"], totals["fully_online"]
    m.zero_visit, m.pledges = totals["zero_visit"], totals["pledges"]
    d = decided.aggregate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)), avg=Avg("decided_workdays"))
    m.decided, m.on_time, m.avg_workdays = d["n"], d["on_time"], d["avg"]
    deferred = DeferredMaterial.objects.filter(case__in=applications)
    m.deferred = deferred.values("case").distinct().count()
    m.deferred_overdue = deferred.filter(overdue=True, supplied_at__isnull=True).count()
    m.verifications_overdue = PledgeVerification.objects.filter(
        case__in=scope, state=PledgeVerification.State.PENDING, overdue=True
    ).count()
    m.open_overdue = handled.filter(state__in=HANDLING_STATES, deadline_status="overdue").count()
    m.by_department = [
        {
            "department": row["department__short_name"],
            "decided": row["n"],
            "on_time": row["on_time"],
            "on_time_rate": _rate(row["on_time"], row["n"]),
            "avg_workdays": row["avg"],
        }
        for row in decided.values("department__short_name")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)), avg=Avg("decided_workdays"))
        .order_by("-n", "department__short_name")
    ]
    m.by_item = [
        {
            "item": row["title"],
            "department": row["department__short_name"],
            "decided": row["n"],
            "on_time_rate": _rate(row["on_time"], row["n"]),
            "avg_workdays": row["avg"],
        }
        for row in decided.values("title", "department__short_name")
        .annotate(n=Count("pk"), on_time=Count("pk", filter=Q(on_time=True)), avg=Avg("decided_workdays"))
        .order_by("-n", "title")[:30]
    ]
    m.by_channel = {
        Channel(row["channel"]).label: row["n"]
        for row in applications.values("channel").annotate(n=Count("pk")).order_by("channel")
    }
    months = defaultdict(dict)
    for row in (
        applications.annotate(month=TruncMonth("submitted_at", tzinfo=tz))
        .values("month", "channel")
        .annotate(n=Count("pk"))
        .order_by("month")
    ):
        months[row["month"].date().isoformat()[:7]][row["channel"]] = row["n"]
    m.by_month = [{"month": k, **v} for k, v in sorted(months.items())]
    m.opening = enterprise_opening_measures(scope, start_at=start_at, end_at=end_at)
    return m


def enterprise_opening_measures(scope: QuerySet[Case], *, start_at, end_at) -> dict:
    """企业开办: completed bundles' working days from submission to the last result (0 = same day)."""
    code = cases_setting("ENTERPRISE_OPENING_BUNDLE")
    target = int(cases_setting("ENTERPRISE_OPENING_TARGET_DAYS"))
    done = scope.filter(
        bundle__code=code,
        decided_at__gte=start_at,
        decided_at__lt=end_at,
        elapsed_workdays__isnull=False,
    )
    days = list(done.values_list("elapsed_workdays", flat=True))
    hours = [s / 3600 for s in done.values_list("elapsed_seconds", flat=True) if s is not None]
    within = sum(1 for n in days if n <= target)
    return {
        "completed": len(days),
        "median_workdays": statistics.median(days) if days else None,
        "median_hours": statistics.median(hours) if hours else None,
        "within_target": within,
        "within_share": _rate(within, len(days)),
        "target_days": target,
        "open": scope.filter(
            bundle__code=code, state__in=[S.SUBMITTED, S.CORRECTION_REQUESTED, *HANDLING_STATES]
        ).count(),
        "distribution": _distribution(days),
    }


def _distribution(days: list[int]) -> list[dict]:
    buckets = [
        ("当日", 0, 0),
        ("1个工作日", 1, 1),
        ("2个工作日", 2, 2),
        ("3–5个工作日", 3, 5),
        ("5个工作日以上", 6, 10**6),
    ]
    return [{"label": label, "n": sum(1 for d in days if lo <= d <= hi)} for label, lo, hi in buckets]


def deadline_badge(case: Case, today: dt.date | None = None) -> dict:
    """What a queue row shows: status label, days left (working days), provisional, flags."""
    today = today or timezone.localdate()
    left = count_workdays(today, case.due_on) if case.due_on else None
    labels = {"normal": "正常", "warning": "临期", "due": "今日到期", "overdue": "已超期"}
    return {
        "status": case.deadline_status,
        "label": labels.get(case.deadline_status, case.deadline_status),
        "left": left,
        "provisional": case.due_provisional,
        "paused": case.state == S.PAUSED,
        "deferred_overdue": case.deferred_overdue,
    }


def materials_summary(case: Case) -> dict:
    rows = list(case.materials.all())
    return {
        "total": len(rows),
        "satisfied": sum(1 for m in rows if m.satisfied),
        "missing": [m for m in rows if m.required and m.status in (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE)],
    }


def form_rows(case: Case) -> list[tuple[str, str]]:
    """The application form as (label, value) pairs, labelled from the version (or bundle parent) it was filed on."""
    labels = {}
    source = case.item_version.elements.get("form_fields", []) if case.item_version_id else []
    for spec in source:
        labels[spec["key"]] = spec["label"]
    if case.bundle_id:
        from yiwang.catalog.selectors import bundle_detail, bundle_merged_form

        bundle = bundle_detail(case.bundle.code)
        labels.update({f["key"]: f["label"] for f in bundle_merged_form(bundle)} if bundle else {})
    extra = {"business_scope": "经营范围", "applicant_address": "住址", "entity_address": "住所（经营场所）"}
    return [(labels.get(key) or extra.get(key, key), value) for key, value in (case.form_data or {}).items()]


def closed_states() -> tuple:
    return CLOSED_STATES
