"""Every read of cases: the applicant's view, the public status page, the window's and the department's
queues, and the leader's measures.

Scoping (DESIGN: department scoping) is enforced here: a handler sees only their department's cases,
a clerk only cases of their hall (and online cases of their region awaiting a window), leaders their
region. Public reads never return personal data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import F, Prefetch, Q, QuerySet, prefetch_related_objects
from django.utils import timezone

from yiwang.catalog.models import ServiceItem
from yiwang.catalog.selectors import (
    FormFieldSpec,
    MaterialSpec,
    bundle_detail,
    bundle_merged_form,
    bundle_merged_materials,
    item_spec,
)
from yiwang.core.fields import revealed
from yiwang.core.indexes import literal_in
from yiwang.core.pii import pii_lookup, pii_lookup_hash
from yiwang.measures.selectors import facts
from yiwang.org.models import Department, Region, Role, ServiceHall
from yiwang.org.scoping import scope_for
from yiwang.org.selectors import region_ancestors, user_memberships
from yiwang.workdays.deadlines import Deadline, deadline_of_clock

from . import measures as case_metrics
from .conf import cases_setting
from .founding_conf import FOUNDING_FORM_LABELS
from .models import (
    CLOSED_STATES,
    DECIDED_STATES,
    HANDLING_STATES,
    ApplicantKind,
    Case,
    CaseEvent,
    CaseMaterial,
    CasePause,
    CaseState,
    CaseUpload,
    Channel,
    CorrectionEntry,
    CorrectionRequest,
    DeferredMaterial,
    DeliveryMethod,
    Extension,
    FalsePledgeRecord,
    HelpRequest,
    MaterialStatus,
    Notice,
    Pledge,
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
        # An ID number typed at sign-up proves nothing by itself (its check character only proves its
        # shape): a case filed elsewhere under it is the account's only when the mobile number the
        # account proved by SMS code was left with the case too.
        by_id = Q(**pii_lookup("applicant_id_number", user.id_number))
        if getattr(user, "phone", None):
            by_id &= Q(**pii_lookup("applicant_phone", user.phone))
        condition |= by_id
    return (
        Case.objects.filter(condition, parent__isnull=True)
        .select_related("department", "hall", "pickup_hall")
        .order_by("-submitted_at", "-id")
    )


def applicant_case(user, number: str) -> Case | None:
    return applicant_cases(user).filter(number=number).first()


def case_detail(case: Case) -> Case:
    """A case with what its pages show: materials, uploads, corrections, extensions, steps, notices, sub-cases.

    Every read names the case's region (the child rows carry it, sub-cases share it), so on a
    cluster distributed by county each goes to the case's shard (docs/scale.md, step 3)."""
    region = case.region_id
    return (
        Case.objects.filter(region_id=region)
        .select_related(
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
            Prefetch(
                "materials",
                queryset=CaseMaterial.objects.filter(region_id=region)
                .order_by("position")
                .prefetch_related(Prefetch("uploads", queryset=CaseUpload.objects.filter(region_id=region))),
            ),
            Prefetch(
                "steps",
                queryset=ReviewStep.objects.filter(region_id=region)
                .order_by("position")
                .select_related("completed_by"),
            ),
            Prefetch("notices", queryset=Notice.objects.filter(region_id=region).order_by("issued_at", "id")),
            Prefetch(
                "deferred",
                queryset=DeferredMaterial.objects.filter(region_id=region)
                .select_related("material")
                .order_by("due_on"),
            ),
            Prefetch(
                "children",
                queryset=Case.objects.filter(region_id=region)
                .select_related("department", "assigned_to")
                .order_by("number"),
            ),
            Prefetch(
                "corrections",
                queryset=CorrectionRequest.objects.filter(region_id=region)
                .order_by("round")
                .prefetch_related(
                    Prefetch(
                        "entries",
                        # with their material in the same statement, its table pinned by the region too
                        queryset=CorrectionEntry.objects.filter(region_id=region, material__region_id=region)
                        .select_related("material")
                        .order_by("correction_id", "material__position"),
                    )
                ),
            ),
            Prefetch("pauses", queryset=CasePause.objects.filter(region_id=region)),
            Prefetch("extensions", queryset=Extension.objects.filter(region_id=region)),
        )
        .get(pk=case.pk)
    )


def case_root(case: Case) -> Case:
    """The application whose materials, deferred materials and pledge a case's page shows: a bundle part's
    parent (accepted at the window; its parts share its region), else the case itself (from ``case_detail``).
    Read with the case's region, like ``case_detail``, so each statement stays on the case's shard."""
    region = case.region_id
    root = case
    if case.parent_id:
        root = (
            Case.objects.filter(region_id=region)
            .prefetch_related(
                Prefetch(
                    "materials",
                    queryset=CaseMaterial.objects.filter(region_id=region)
                    .order_by("position")
                    .prefetch_related(Prefetch("uploads", queryset=CaseUpload.objects.filter(region_id=region))),
                ),
                Prefetch(
                    "deferred",
                    queryset=DeferredMaterial.objects.filter(region_id=region)
                    .select_related("material")
                    .order_by("due_on"),
                ),
            )
            .get(pk=case.parent_id)
        )
    if root.has_pledge:
        prefetch_related_objects([root], Prefetch("pledge", queryset=Pledge.objects.filter(region_id=region)))
    return root


def case_timeline(case: Case, *, public_only: bool = True) -> list[CaseEvent]:
    if case.is_bundle_parent:
        # The parent's and its parts' events by their indexed case ids (an OR across a join to the
        # parts would read the whole timeline table).
        ids = [case.pk, *Case.objects.filter(parent=case, region_id=case.region_id).values_list("pk", flat=True)]
        events = CaseEvent.objects.filter(case_id__in=ids)
    else:
        events = case.events
    events = events.filter(region_id=case.region_id)  # the case's shard (docs/scale.md, step 3)
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
        correction = case.corrections.filter(region_id=case.region_id).order_by("-round").first()
        if correction is not None and case.state == S.CORRECTION_REQUESTED:
            entries = correction.entries.filter(region_id=case.region_id)
            result.correction_notes = {e.material_id: e.note for e in entries}
            listed = set(result.correction_notes)
            result.missing = [m for m in case.materials.all() if m.pk in listed]
    result.deferred = list(
        DeferredMaterial.objects.filter(case=case, region_id=case.region_id, supplied_at__isnull=True).select_related(
            "material"
        )
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
            for c in case.children.filter(region_id=case.region_id).select_related("department").order_by("number")
        ],
    }


def kiosk_case(*, id_number_hash: str, name: str, number: str) -> Case | None:
    """One case for the kiosk's receipt: only an application (not a bundle's part) whose applicant
    matches the person identified at the terminal by ID number (its lookup hash) *and* name.
    Case numbers are sequential, so the number alone never opens anything here."""
    if not id_number_hash or not (name or "").strip():
        return None
    case = (
        Case.objects.filter(number=number, applicant_id_number_hash=id_number_hash, parent__isnull=True)
        .select_related("department")
        .first()
    )
    if case is None or case.applicant_name != name.strip():
        return None
    return case


def kiosk_cases(*, id_number_hash: str, name: str) -> QuerySet[Case]:
    """Applications (not a bundle's parts) of the person identified at the kiosk, newest first: the ID
    number (its lookup hash) *and* the name must match. Filtered in the query, so a page of them holds
    every case of the person, not what is left of the newest few of the ID number."""
    if not id_number_hash or not (name or "").strip():
        return Case.objects.none()
    return (
        Case.objects.filter(applicant_id_number_hash=id_number_hash, applicant_name=name.strip(), parent__isnull=True)
        .select_related("department")
        .order_by("-submitted_at", "-id")
    )


# --- the application form -----------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationSpec:
    """What an application form offers: title, form fields, material list, delivery choices, applicant kinds."""

    title: str
    materials: tuple[MaterialSpec, ...]
    form_fields: tuple[FormFieldSpec, ...]
    delivery: list[tuple[str, str]]
    kinds: list[str]
    promised: int
    promised_text: str = ""  # "20个工作日" or "30个自然日"


def application_spec(*, item=None, bundle=None) -> ApplicationSpec:
    """The form of an item's current version (``item_spec``), or a bundle's one form and merged materials."""
    if item is not None:
        spec = item_spec(item)
        specs = [spec]
        materials, form_fields, audience = spec.materials, spec.form_fields, spec.audience
        title, promised = item.name, item.promised_days
        promised_text = item.promised_limit_text
    else:
        materials = tuple(
            MaterialSpec(
                code=f"B{n:02d}",
                name=m.name,
                required=m.required,
                key=m.key,
                deferrable=m.deferrable and not m.key,
                licence_type=m.licence_type,
            )
            for n, m in enumerate(bundle_merged_materials(bundle), start=1)
        )
        form_fields = tuple(
            FormFieldSpec(
                key=f["key"],
                label=f.get("label") or f["key"],
                type=f.get("type") or "text",
                required=bool(f.get("required")),
            )
            for f in bundle_merged_form(bundle)
        )
        audience = bundle.audience
        items = [bi.item for bi in bundle.bundle_items.all()]
        specs = [item_spec(i) for i in items]
        title, promised = bundle.name, bundle.target_days or max((i.promised_days for i in items), default=0)
        promised_text = f"{promised}个工作日"
    delivery = [(m.value, m.label) for m in DeliveryMethod if all(s.offers_delivery(m.value) for s in specs)]
    kinds = {"person": [ApplicantKind.PERSON], "enterprise": [ApplicantKind.ENTERPRISE]}.get(
        audience, [ApplicantKind.PERSON, ApplicantKind.ENTERPRISE]
    )
    return ApplicationSpec(
        title=title,
        materials=materials,
        form_fields=form_fields,
        delivery=delivery,
        kinds=[k.value for k in kinds],
        promised=promised,
        promised_text=promised_text,
    )


# --- window (综合窗口) ---------------------------------------------------------------------------


def clerk_halls(user) -> list[ServiceHall]:
    """The halls whose windows the user works at (their clerk memberships, in the order granted)."""
    hall_ids = [g.hall_id for g in scope_for(user).grants if g.role == Role.CLERK and g.hall_id]
    halls = ServiceHall.objects.in_bulk(hall_ids)
    return [halls[pk] for pk in dict.fromkeys(hall_ids) if pk in halls]


def clerk_hall(user) -> ServiceHall | None:
    """The hall a clerk works in (the first clerk membership), or None."""
    halls = clerk_halls(user)
    return halls[0] if halls else None


def clerk_hall_over(user, region: Region) -> ServiceHall | None:
    """The first of the clerk's halls whose region contains ``region`` (where an online case is taken in)."""
    above = set(region_ancestors(region).values_list("pk", flat=True))
    return next((h for h in clerk_halls(user) if h.region_id in above), None)


def clerk_window(user, hall: ServiceHall):
    """The window the clerk is seated at in ``hall``, if their membership names one."""
    membership = user_memberships(user).filter(role=Role.CLERK, hall=hall, window__isnull=False).first()
    return membership.window if membership else None


def _clerk_cases(user, action: str = "case.accept") -> QuerySet[Case]:
    # The hall anchor of ``yiwang.org.scoping``: the clerk's hall, and online cases not yet at any hall
    # within the hall's region (the county hall sees every county case; a town centre never a county one).
    return scope_for(user).filter(Case.objects.all(), action, department=None, region="region", hall="hall")


def clerk_intake_queue(user) -> QuerySet[Case]:
    """Cases awaiting the window: submitted (oldest intake deadline first) or waiting for correction."""
    return (
        _clerk_cases(user)
        .filter(state__in=[S.SUBMITTED, S.CORRECTION_REQUESTED], parent__isnull=True)
        .select_related("intake_clock", "hall", "department")
        .order_by(F("intake_clock__due_on").asc(nulls_last=True), "submitted_at")
    )


def clerk_intake_queue_shown(user) -> QuerySet[Case]:
    """``clerk_intake_queue`` as the counter page lists it: without what its rows do not show
    (``QUEUE_DEFERRED``, decrypted per row as it loads), the key last in the order so pages never overlap."""
    return (
        clerk_intake_queue(user)
        .defer(*QUEUE_DEFERRED)
        .order_by(F("intake_clock__due_on").asc(nulls_last=True), "submitted_at", "pk")
    )


def clerk_delivery_queue(user) -> QuerySet[Case]:
    """Decided cases to hand out at this hall's windows (统一窗口出件). Counted on every counter page and
    listed by decision time on the delivery desk: the partial index ``cases_case_delivery_waiting`` holds the
    decided cases not yet handed out in that order, so both read the results waiting, not every case the
    county ever had."""
    halls = clerk_halls(user)
    if not halls:
        return Case.objects.none()
    return (
        Case.objects.filter(
            Q(pickup_hall__in=halls) | Q(pickup_hall__isnull=True, hall__in=halls),
            literal_in(Case, "state", DECIDED_STATES),  # SQLite matches the partial index by the literal states
            parent__isnull=True,
        )
        .select_related("department", "decision")
        .order_by("decided_at")
    )


def clerk_case(user, number: str) -> Case | None:
    return _clerk_cases(user).filter(number=number, parent__isnull=True).first()


def case_visible(user, number: str) -> Case | None:
    """The case if the user may read it: the applicant (or their agent's filing), else ``case.read``
    (the window of its hall, its department, a leader or supervisor of its region)."""
    case = applicant_case(user, number)
    if case is None:
        readable = scope_for(user).filter(Case.objects.all(), "case.read", region="region", hall="hall")
        case = readable.filter(number=number).first()
    return case


def case_by_number(number: str) -> Case | None:
    """The case with this number, unscoped: for refusing an act on it (403) rather than hiding it."""
    return Case.objects.filter(number=number).select_related("department", "region", "hall", "pickup_hall").first()


def case_readable(user, case: Case) -> bool:
    """Whether the user may read the case: its applicant (or agent), or ``case.read`` where it lies."""
    root = case.parent or case
    if getattr(user, "is_authenticated", False) and user.pk in (root.applicant_user_id, root.agent_user_id):
        return True
    if applicant_case(user, root.number) is not None:
        return True
    return scope_for(user).can("case.read", department=case.department, region=case.region, hall=case.hall)


# --- department (后台分类办理) -------------------------------------------------------------------


def handler_cases(user) -> QuerySet[Case]:
    """Every case (not bundle parents) of the departments the user reviews (``case.review``)."""
    return scope_for(user).filter(Case.objects.filter(bundle__isnull=True), "case.review", hall=None)


def handler_queue(user, *, mine: bool = False, status: str | None = None) -> QuerySet[Case]:
    """The department's open cases, nearest deadline first (paused ones after the running)."""
    # The states written into the statement: SQLite reads the (department, state, due) index by them; bound,
    # it read every case of the department (143 ms at 459 k cases).
    qs = handler_cases(user).filter(literal_in(Case, "state", HANDLING_STATES))
    if mine:
        qs = qs.filter(assigned_to=user)
    if status:
        qs = qs.filter(clock__status=status)  # the status the one sweep stored on the clock
    # The department in a second read (a page's few), not joined: joined, SQLite put the department first
    # and read its cases through the bare department index, every case it ever had (143 ms at 459 k cases),
    # not through (department, state, due).
    return (
        qs.select_related("assigned_to", "parent", "clock")
        .prefetch_related("department")
        .order_by(F("due_on").asc(nulls_last=True), "accepted_at")
    )


# What a queue row never shows: the applicant's encrypted numbers and the form. Each is decrypted
# (SM4) as its row loads, for every case and its bundle — a fifth of the queue page's time, measured.
QUEUE_DEFERRED = ("applicant_id_number", "applicant_phone", "form_data", "pii_originals")


def handler_queue_shown(user, *, mine: bool = False, status: str | None = None) -> QuerySet[Case]:
    """``handler_queue`` as its page shows it: without what the rows do not show (``QUEUE_DEFERRED``,
    on the case and its bundle), and with the key last in the order so that pages never overlap."""
    deferred = (*QUEUE_DEFERRED, *(f"parent__{name}" for name in QUEUE_DEFERRED))
    return (
        handler_queue(user, mine=mine, status=status)
        .defer(*deferred)
        .order_by(F("due_on").asc(nulls_last=True), "accepted_at", "pk")
    )


def with_case_deadlines(cases, today: dt.date | None = None) -> list[tuple[Case, Deadline | None]]:
    """Each case with its deadline (a page's rows: the deadlines are computed for those only)."""
    return [(case, case_deadline(case, today)) for case in cases]


def handler_queue_rows(
    user, *, mine: bool = False, status: str | None = None, limit: int = 200, today: dt.date | None = None
) -> list[tuple[Case, Deadline | None]]:
    """The first ``limit`` cases of ``handler_queue_shown`` with their deadlines."""
    return with_case_deadlines(handler_queue_shown(user, mine=mine, status=status)[:limit], today)


def handler_case(user, number: str) -> Case | None:
    return handler_cases(user).filter(number=number).first()


def department_reviewer_count(department) -> int:
    """How many active people review the department's cases (``case.review``: its handlers)."""
    from yiwang.org.models import Membership

    return (
        Membership.objects.filter(department=department, role=Role.HANDLER, user__is_active=True)
        .values("user")
        .distinct()
        .count()
    )


def find_case_for_window(user, number: str) -> Case | None:
    """A case found by its number at the counter: the root case (a bundle's sub-case number finds its
    bundle), whether open at intake or already accepted, if the clerk's hall may act on it."""
    number = (number or "").strip().upper()
    if not number:
        return None
    root_number = number.rsplit("-", 1)[0] if "-" in number else number
    return clerk_case(user, root_number)


def relevant_deferred(case: Case) -> list[DeferredMaterial]:
    """Deferred materials (容缺) still owed for this case: the bundle's own, or a sub-case's share of them."""
    root = case.parent or case
    outstanding = DeferredMaterial.objects.filter(
        case=root, region_id=case.region_id, supplied_at__isnull=True
    ).select_related("material")  # a bundle's parts share its region
    if not case.parent_id:
        return list(outstanding)
    code = case.item.code if case.item_id else ""
    return [d for d in outstanding if any(src[0] == code for src in d.material.sources)]


def applicant_false_pledges(case: Case) -> QuerySet[FalsePledgeRecord]:
    """False pledges recorded against this case's applicant (by USCC, else by ID number hash)."""
    condition = Q()
    if case.applicant_uscc:
        condition |= Q(applicant_uscc=case.applicant_uscc)
    if case.applicant_id_number:
        condition |= Q(applicant_id_number_hash=pii_lookup_hash(case.applicant_id_number))
    if not condition:
        return FalsePledgeRecord.objects.none()
    return FalsePledgeRecord.objects.filter(condition)


def verification_queue(user) -> QuerySet[PledgeVerification]:
    """Pending pledge verifications (事中事后核查) of the departments the user verifies for."""
    return (
        scope_for(user)
        .filter(PledgeVerification.objects.all(), "case.verify_pledge", hall=None)
        .filter(state=PledgeVerification.State.PENDING)
        .select_related("case", "pledge")
        .prefetch_related("pledge__materials")  # the page names each pledge's materials: one query, not one per row
        .order_by("due_on", "pk")
    )


def verification_queue_shown(user) -> QuerySet[PledgeVerification]:
    """``verification_queue`` as its page lists it: the case without what a task does not show
    (``QUEUE_DEFERRED``: the applicant's encrypted numbers and the form, decrypted per row as it loads)."""
    return verification_queue(user).defer(*(f"case__{name}" for name in QUEUE_DEFERRED))


def extension_queue(user) -> QuerySet[Extension]:
    """Pending extensions the user may approve (``case.approve_extension``): their department's, or their
    region's as leader (本行政机关负责人批准) — never their own request."""
    qs = Extension.objects.filter(state=Extension.State.REQUESTED).select_related(
        "case", "case__department", "requested_by"
    )
    scoped = scope_for(user).filter(
        qs, "case.approve_extension", department="case__department", region="case__region", hall=None
    )
    return scoped.exclude(requested_by=user).order_by("requested_at")


def help_regions_of(user) -> QuerySet[Region]:
    """Regions whose remote-help requests the staff member serves (``case.help``): the hall's town for a
    clerk, the department's region for a handler, an administrator's region."""
    return scope_for(user).regions("case.help")


def help_queue(user) -> QuerySet[HelpRequest]:
    """Open requests (and those the user took) within the regions the staff member serves."""
    qs = HelpRequest.objects.filter(Q(state=HelpRequest.State.OPEN) | Q(state=HelpRequest.State.TAKEN, helper=user.pk))
    return (
        scope_for(user)
        .filter(qs, "case.help", department=None, region="region", hall=None)
        .order_by("state", "created_at")
    )


# --- the leader's measures -----------------------------------------------------------------------


def leader_scope(user) -> QuerySet[Case]:
    """Cases in the regions the user looks over (``case.measures``: leaders, supervisors, administrators)."""
    return scope_for(user).filter(Case.objects.all(), "case.measures", department=None, region="region", hall=None)


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


def _measure_regions(user) -> list[Region] | None:
    """The regions whose facts the user reads (``case.measures``): the roots of their subtrees; None = all."""
    scope = scope_for(user)
    if scope.allows_everywhere("case.measures"):
        return None
    roots: list[Region] = []
    for region in sorted(scope.regions("case.measures").only("pk", "code", "path", "level"), key=lambda r: r.path):
        if not any(region.path.startswith(root.path) for root in roots):
            roots.append(region)
    return roots


def whole_months(start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    """The figures are monthly roll-ups: a period covers the whole months of ``start`` and ``end``."""
    last = (end.replace(day=28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start.replace(day=1), last


def case_measures(user, *, start: dt.date, end: dt.date) -> CaseMeasures:
    """The leader's measures over the months of [start, end], read from the monthly facts
    (``yiwang.cases.measures``: ``cases.applied`` by month of submission, ``cases.decided`` by month of
    decision, ``cases.opening``) — never from history, so the page costs the same at any volume.

    - on-time completion rate = decided on or before the clock's due day ÷ decided (承诺时限内办结率);
    - average working days accepted → decided, paused days excluded, per department and per item;
    - fully online = applied online, zero visits, result delivered electronically (全程网办);
      zero-visit share = no visit at all (零跑动), post included;
    - 容缺 and 告知承诺 counts with overdue follow-ups (materials not supplied, verifications late);
    - 企业开办: median working days and share done within the target (plan 三、2: 1 working day).
    One application counts once: a bundle is its parent; department figures count the sub-cases.
    Open work (overdue open cases, deferred materials and verifications overdue, open 企业开办
    bundles) is counted live over the open rows.
    """
    start, end = whole_months(start, end)
    months, regions = (start, end), _measure_regions(user)
    scope = leader_scope(user)
    m = CaseMeasures()
    if regions == []:
        m.opening = enterprise_opening_measures(scope, months=months, regions=regions)
        return m

    by_month = defaultdict(dict)
    by_channel = defaultdict(int)
    for row in facts(case_metrics.APPLIED, months=months, region=regions, group_by=("month", "key")):
        m.submitted += row["count"]
        m.fully_online += row["fully_online"]
        m.zero_visit += row["zero_visit"]
        m.pledges += row["pledged"]
        m.deferred += row["deferred"]
        if row["key"] == Channel.ONLINE:
            m.online += row["count"]
        by_channel[row["key"]] += row["count"]
        by_month[row["month"].isoformat()[:7]][row["key"]] = row["count"]
    m.by_channel = {Channel(key).label: n for key, n in sorted(by_channel.items())}
    m.by_month = [{"month": k, **v} for k, v in sorted(by_month.items())]

    decided = facts(case_metrics.DECIDED, months=months, region=regions, group_by=("department", "key"))
    workdays_sum = workdays_count = 0
    departments, items = defaultdict(lambda: defaultdict(int)), defaultdict(lambda: defaultdict(int))
    for row in decided:
        m.decided += row["count"]
        m.on_time += row["on_time"]
        workdays_sum += row["workdays_sum"]
        workdays_count += row["workdays_count"]
        for bucket in (departments[row["department"]], items[(row["key"], row["department"])]):
            for name in ("count", "on_time", "workdays_sum", "workdays_count"):
                bucket[name] += row[name]
    m.avg_workdays = _mean(workdays_sum, workdays_count)
    names = dict(Department.objects.filter(pk__in=list(departments)).values_list("pk", "short_name"))
    item_names = dict(ServiceItem.objects.filter(code__in={code for code, _ in items}).values_list("code", "name"))
    m.by_department = sorted(
        (
            {
                "department": names.get(pk, ""),
                "department_id": pk,
                "decided": row["count"],
                "on_time": row["on_time"],
                "on_time_rate": _rate(row["on_time"], row["count"]),
                "avg_workdays": _mean(row["workdays_sum"], row["workdays_count"]),
            }
            for pk, row in departments.items()
        ),
        key=lambda r: (-r["decided"], r["department"]),
    )
    m.by_item = sorted(
        (
            {
                "item": item_names.get(code, code),
                "department": names.get(pk, ""),
                "decided": row["count"],
                "on_time_rate": _rate(row["on_time"], row["count"]),
                "avg_workdays": _mean(row["workdays_sum"], row["workdays_count"]),
            }
            for (code, pk), row in items.items()
        ),
        key=lambda r: (-r["decided"], r["item"]),
    )  # every item: the page shows the busiest (cases.views.leader.ITEMS_SHOWN), the workbook all

    # Open work, counted live over the open rows.
    tz = timezone.get_current_timezone()
    start_at = dt.datetime.combine(start, dt.time.min, tzinfo=tz)
    end_at = dt.datetime.combine(end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    applications = scope.filter(parent__isnull=True, submitted_at__gte=start_at, submitted_at__lt=end_at)
    m.deferred_overdue = DeferredMaterial.objects.filter(
        overdue=True, supplied_at__isnull=True, case__in=applications
    ).count()
    # by the verification's own region (its case's, written with it), not ``case__in`` the scope's
    # cases: a semi-join over every case of the regions (180 ms at 10 M cases)
    m.verifications_overdue = (
        scope_for(user)
        .filter(
            PledgeVerification.objects.filter(state=PledgeVerification.State.PENDING, overdue=True),
            "case.measures",
            department=None,
            region="region",
            hall=None,
        )
        .count()
    )
    from .drill import open_overdue_q  # the overdue list selects with the same rule

    m.open_overdue = scope.filter(open_overdue_q()).count()
    m.opening = enterprise_opening_measures(scope, months=months, regions=regions)
    return m


def _mean(total: int, count: int) -> float | None:
    return total / count if count else None


def histogram_median(histogram: dict[int, int]) -> float | int | None:
    """The exact median of the values a histogram ``{value: count}`` stands for (as ``statistics.median``
    of the expanded list: the middle value, or the mean of the two middle ones); None when empty."""
    total = sum(histogram.values())
    if not total:
        return None

    def nth(index: int) -> int:
        seen = 0
        for value in sorted(histogram):
            seen += histogram[value]
            if index < seen:
                return value
        raise IndexError(index)

    if total % 2:
        return nth(total // 2)
    return (nth(total // 2 - 1) + nth(total // 2)) / 2


def enterprise_opening_measures(scope: QuerySet[Case], *, months, regions) -> dict:
    """企业开办 (plan 三、2: done within 1 working day): bundles completed in ``months``, from the
    ``cases.opening`` histogram (key = working days from submission to the last result, 0 = same day):
    the exact median in working days, the share within the target, the mean hours; open ones live."""
    code = cases_setting("ENTERPRISE_OPENING_BUNDLE")
    target = int(cases_setting("ENTERPRISE_OPENING_TARGET_DAYS"))
    histogram: dict[int, int] = defaultdict(int)
    seconds_sum = seconds_count = 0
    if regions != []:
        for row in facts(case_metrics.OPENING, months=months, region=regions, group_by=("key",)):
            histogram[int(row["key"])] += row["count"]
            seconds_sum += row["seconds_sum"]
            seconds_count += row["seconds_count"]
    completed = sum(histogram.values())
    within = sum(n for days, n in histogram.items() if days <= target)
    mean_seconds = _mean(seconds_sum, seconds_count)
    return {
        "completed": completed,
        "median_workdays": histogram_median(histogram),
        "mean_hours": mean_seconds / 3600 if mean_seconds is not None else None,
        "within_target": within,
        "within_share": _rate(within, completed),
        "target_days": target,
        "open": scope.filter(
            bundle__code=code, state__in=[S.SUBMITTED, S.CORRECTION_REQUESTED, *HANDLING_STATES]
        ).count(),
        "distribution": _distribution(histogram),
    }


def _distribution(histogram: dict[int, int]) -> list[dict]:
    buckets = [
        ("当日", 0, 0),
        ("1个工作日", 1, 1),
        ("2个工作日", 2, 2),
        ("3–5个工作日", 3, 5),
        ("5个工作日以上", 6, 10**6),
    ]
    return [
        {"label": label, "n": sum(n for days, n in histogram.items() if lo <= days <= hi)} for label, lo, hi in buckets
    ]


def case_deadline(case: Case, today: dt.date | None = None) -> Deadline | None:
    """The deadline a case's pages show (``{% deadline_badge %}``): the intake clock while it awaits the
    window, then the decision clock; None without one."""
    if case.state in (S.SUBMITTED, S.CORRECTION_REQUESTED):
        clock, label = case.intake_clock, "受理期限"
    else:
        clock, label = case.clock, "办理期限"
    return deadline_of_clock(clock, label=label, today=today) if clock is not None else None


def materials_summary(case: Case) -> dict:
    rows = list(case.materials.all())
    return {
        "total": len(rows),
        "satisfied": sum(1 for m in rows if m.satisfied),
        "missing": [m for m in rows if m.required and m.status in (MaterialStatus.MISSING, MaterialStatus.DEFECTIVE)],
    }


def form_rows(case: Case, *, reveal: bool = False) -> list[tuple[str, str]]:
    """The application form as (label, value) pairs, labelled from the version (or bundle parent) it was filed on.

    Phone and ID numbers typed into the answers are stored masked; ``reveal`` (for the applicant and
    the case's handlers only) shows them as typed."""
    labels = {}
    if case.item_version_id:
        labels = {f.key: f.label for f in item_spec(version=case.item_version).form_fields}
    if case.bundle_id:
        bundle = bundle_detail(case.bundle.code)
        labels.update({f["key"]: f["label"] for f in bundle_merged_form(bundle)} if bundle else {})
    extra = {"business_scope": "经营范围", "applicant_address": "住址", "entity_address": "住所（经营场所）"}
    extra.update(FOUNDING_FORM_LABELS)  # 企业开办 for a company-to-be (services.founding)
    answers = revealed(case, "form_data") if reveal else case.form_data
    return [(labels.get(key) or extra.get(key, key), value) for key, value in (answers or {}).items()]


def closed_states() -> tuple:
    return CLOSED_STATES
