"""Meixian demo applications: six months of cases across items, halls, channels and states.

A bulk loader: every row here bypasses the case services. Cases, child cases, materials, review
steps, events, notices, decisions, deliveries, pauses, extensions, corrections, deferred materials,
pledges and their verifications, help requests and the working-day clocks are generated with a fixed
seed and written with ``bulk_create``, because the services would audit and notify each of
thousands of historical steps one by one (minutes of work, and messages nobody should receive); the
seed records one audit event for the whole run instead. Names, reasons and demand weights come from
``data/*.json`` (read by :mod:`.dataset`). Deadlines still come from the working-day calendar
(``add_workdays``), and the same workflow constants the services use (``DEFAULT_CHAIN``,
``_step_days``, ``CODE_ALPHABET``). Idempotent: a second run creates nothing.

The picture: kiwi cold-storage and trading companies opening through 企业开办, 农家乐 in 汤峪 and
红河谷, 太白山 tourism businesses, food shops in 首善街道, births, retirements, social insurance and
housing fund; some cases waiting for correction, accepted with deferred materials or on pledge,
paused for expert review or site inspection, extended, overdue.
"""

from __future__ import annotations

import datetime as dt
import random
import sys
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.contrib.contenttypes.models import ContentType
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Count, Max
from django.utils import timezone
from tqdm import tqdm

from yiwang.catalog.models import Bundle, BundleStatus, ItemStatus, ServiceItem, ServiceItemVersion
from yiwang.catalog.selectors import bundle_detail, bundle_merged_materials
from yiwang.core.audit import audit_record
from yiwang.core.identifiers import USCC_ALPHABET, make_id_number, make_uscc
from yiwang.core.models import AuditEvent
from yiwang.org.models import Membership, Region, Role, ServiceHall, User, Window
from yiwang.workdays.models import Clock, ClockPause
from yiwang.workdays.selectors import add_workdays, count_workdays, is_workday

from ..conf import DEFAULT_CHAIN, cases_setting
from ..models import (
    ApplicantKind,
    Case,
    CaseEvent,
    CaseMaterial,
    CasePause,
    CaseState,
    Channel,
    CorrectionEntry,
    CorrectionRequest,
    Decision,
    DeferredMaterial,
    Delivery,
    DeliveryMethod,
    Extension,
    FalsePledgeRecord,
    HelpLog,
    HelpRequest,
    MaterialStatus,
    Notice,
    NoticeKind,
    PauseKind,
    Pledge,
    PledgeMaterial,
    PledgeVerification,
    ReviewStep,
    StepRole,
)
from ..services import CODE_ALPHABET, NOTICE_PREFIX, _step_days
from ..services._common import _acceptance_place, _authority, _authority_abbreviation, _remedies_text
from .dataset import (
    COMPANIES,
    CORRECTION_NOTES,
    DENY_REASONS,
    GIVEN,
    HELP_TOPICS,
    PAUSE_REASONS,
    POPULAR,
    REJECT_REASONS,
    SURNAMES,
    VILLAGES,
)

SEED = 20260105
MONTHS = 6
SINGLE_PER_WORKDAY = (14, 26)
TZ = ZoneInfo("Asia/Shanghai")
S = CaseState


@dataclass
class Ctx:
    items: list
    weights: list
    versions: dict
    bundles: dict
    bundle_materials: dict
    halls: dict
    windows: dict
    clerks: dict
    handlers: dict
    citizens: list
    enterprise: User | None
    county: Region
    case_type: ContentType


@dataclass
class Plan:
    case: Case
    children: list = field(default_factory=list)
    materials: list = field(default_factory=list)
    steps: list = field(default_factory=list)
    events: list = field(default_factory=list)
    notices: list = field(default_factory=list)
    clock: dict | None = None
    intake_clock: dict | None = None
    decision: dict | None = None
    delivery: dict | None = None
    pause: dict | None = None
    extension: dict | None = None
    correction: dict | None = None
    deferred: list = field(default_factory=list)
    pledged: list = field(default_factory=list)
    verification: dict | None = None


def _write(stdout, text: str) -> None:
    stdout.write(text + "\n")


def _moment(day: dt.date, rng: random.Random, *, office: bool = True) -> dt.datetime:
    if office:
        minutes = rng.choice([rng.randint(8 * 60 + 30, 12 * 60), rng.randint(14 * 60 + 30, 18 * 60)])
    else:
        minutes = rng.randint(7 * 60, 23 * 60)
    return dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=TZ)


def _later(moment: dt.datetime, rng: random.Random, hours: tuple[int, int] = (1, 3)) -> dt.datetime:
    return moment + dt.timedelta(minutes=rng.randint(hours[0] * 60, hours[1] * 60))


def _wd(day: dt.date, n: int) -> dt.date:
    return add_workdays(day, n).due if n > 0 else day


def _load(stdout) -> Ctx | None:
    items = list(
        ServiceItem.objects.filter(status=ItemStatus.PUBLISHED, on_application=True, level__in=["county", "town"])
        .select_related("implementing_department", "region")
        .order_by("code")
    )
    if not items:
        return None
    versions = {v.item_id: v for v in ServiceItemVersion.objects.filter(item__in=items).order_by("item", "number")}
    items = [i for i in items if i.pk in versions]
    weights = []
    for item in items:
        weight = 1.0 if item.level == "county" else 0.25
        for word, boost in POPULAR.items():
            if word in item.name:
                weight = max(weight, boost)
        weights.append(weight)
    bundles = {b.code: bundle_detail(b.code) for b in Bundle.objects.filter(status=BundleStatus.PUBLISHED)}
    bundles = {code: b for code, b in bundles.items() if b is not None}
    bundle_materials = {code: bundle_merged_materials(b) for code, b in bundles.items()}
    halls = {
        kind: list(ServiceHall.objects.filter(kind=kind).select_related("region").order_by("pk"))
        for kind in ServiceHall.Kind.values
    }
    windows = {}
    for window in Window.objects.filter(kind=Window.Kind.COMPREHENSIVE).order_by("hall", "number"):
        windows.setdefault(window.hall_id, []).append(window)
    clerks, handlers = {}, {}
    for m in Membership.objects.filter(role__in=[Role.CLERK, Role.HANDLER]).select_related("user"):
        if m.role == Role.CLERK and m.hall_id:
            clerks.setdefault(m.hall_id, []).append(m.user)
        elif m.department_id:
            handlers.setdefault(m.department_id, []).append(m.user)
    citizens = list(User.objects.filter(memberships__role=Role.CITIZEN).order_by("pk"))
    enterprise = User.objects.filter(memberships__role=Role.ENTERPRISE).order_by("pk").first()
    county = Region.objects.filter(code="610326").first() or items[0].region
    return Ctx(
        items,
        weights,
        versions,
        bundles,
        bundle_materials,
        halls,
        windows,
        clerks,
        handlers,
        citizens,
        enterprise,
        county,
        ContentType.objects.get_for_model(Case),
    )


class Generator:
    def __init__(self, ctx: Ctx, rng: random.Random, today: dt.date):
        self.ctx, self.rng, self.today = ctx, rng, today
        self.now = timezone.now()
        self.person_seq = 0

    def moment(self, day: dt.date, rng: random.Random, *, office: bool = True) -> dt.datetime:
        # Nothing in the demo happens later than now.
        value = _moment(day, rng, office=office)
        return min(value, self.now - dt.timedelta(minutes=1)) if day >= self.today else value

    # --- who applies ----------------------------------------------------------------------------

    def person(self) -> dict:
        rng = self.rng
        self.person_seq += 1
        birth = dt.date(rng.randint(1950, 2003), rng.randint(1, 12), rng.randint(1, 28))
        return {
            "applicant_kind": ApplicantKind.PERSON,
            "applicant_name": rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2)))),
            "applicant_id_number": make_id_number("610326", birth, f"{self.person_seq % 999 + 1:03d}"),
            "applicant_phone": f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
            "applicant_uscc": "",
        }

    def company(self, trade: str | None = None) -> tuple[dict, str]:
        rng = self.rng
        options = [c for c in COMPANIES if trade is None or c[2] == trade] or COMPANIES
        pattern, scope, _kind = rng.choice(options)
        body = "91610326MA6" + "".join(rng.choice(USCC_ALPHABET) for _ in range(6))
        return {
            "applicant_kind": ApplicantKind.ENTERPRISE,
            "applicant_name": pattern.format(v=rng.choice(VILLAGES)),
            "applicant_id_number": None,
            "applicant_phone": f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
            "applicant_uscc": make_uscc(body),
        }, scope

    # --- where ----------------------------------------------------------------------------------

    def channel(self, depth: int, kiosk: bool) -> tuple[str, ServiceHall | None]:
        rng = self.rng
        halls = self.ctx.halls
        roll = rng.random()
        if depth >= 3 and roll < 0.5:
            return Channel.ONLINE, None
        if kiosk and roll < 0.56 and halls.get(ServiceHall.Kind.COUNTY_HALL):
            return Channel.KIOSK, halls[ServiceHall.Kind.COUNTY_HALL][0]
        if roll < 0.72 and halls.get(ServiceHall.Kind.TOWN_CENTRE):
            return Channel.TOWN_CENTRE, rng.choice(halls[ServiceHall.Kind.TOWN_CENTRE])
        if roll < 0.8 and halls.get(ServiceHall.Kind.VILLAGE_STATION):
            return Channel.VILLAGE_STATION, rng.choice(halls[ServiceHall.Kind.VILLAGE_STATION])
        county = halls.get(ServiceHall.Kind.COUNTY_HALL) or halls.get(ServiceHall.Kind.ZONE_CENTRE)
        return Channel.COUNTER, county[0] if county else None

    # --- one application ------------------------------------------------------------------------

    def single(self, day: dt.date, *, item=None, applicant=None, user=None, scope="") -> Plan | None:
        rng, ctx = self.rng, self.ctx
        item = item or rng.choices(ctx.items, weights=ctx.weights)[0]
        version = ctx.versions[item.pk]
        elements = version.elements
        if elements.get("audience") == "enterprise":
            if not applicant or applicant["applicant_kind"] != ApplicantKind.ENTERPRISE:
                applicant, scope = self.company()
        else:
            applicant = applicant or self.person()
        channel, hall = self.channel(item.online_depth, item.kiosk_available)
        if channel == Channel.ONLINE and item.online_depth < 3:
            channel = Channel.COUNTER
        if hall is None and channel != Channel.ONLINE:
            channel = Channel.ONLINE
        submitted = self.moment(day, rng, office=channel not in (Channel.ONLINE, Channel.KIOSK))
        if submitted > self.now:
            submitted = self.now - dt.timedelta(minutes=rng.randint(5, 120))
        delivery = self.delivery_method(elements)
        case = self.case(
            item=item,
            version=version,
            title=item.name,
            department=item.implementing_department,
            region=item.region,
            channel=channel,
            hall=hall,
            submitted=submitted,
            applicant=applicant,
            user=user,
            delivery=delivery,
            promised=item.promised_days,
            legal=item.legal_days,
            instant=item.is_instant,
            form={"applicant_address": f"眉县{rng.choice(VILLAGES)}村", **({"business_scope": scope} if scope else {})},
        )
        plan = Plan(case=case)
        plan.materials = self.materials_from_version(version)
        self.live(plan, elements)
        return plan

    def remedies(self, case: Case, document: str) -> str:
        """行政复议/行政诉讼 before the county's bodies (``services._remedies_text``), one text per department."""
        cache = self.__dict__.setdefault("_remedies", {})
        key = (case.department_id, document)
        if key not in cache:
            cache[key] = _remedies_text(case, document)
        return cache[key]

    def delivery_method(self, elements: dict) -> str:
        options = [
            m
            for m, flag in (
                ("window", "delivery_window"),
                ("post", "delivery_post"),
                ("electronic", "delivery_electronic"),
            )
            if elements.get(flag)
        ]
        weights = {"window": 3, "post": 1, "electronic": 4}
        return self.rng.choices(options, weights=[weights[o] for o in options])[0] if options else "window"

    def case(
        self,
        *,
        item,
        version,
        title,
        department,
        region,
        channel,
        hall,
        submitted,
        applicant,
        user,
        delivery,
        promised,
        legal,
        instant,
        form,
        bundle=None,
    ) -> Case:
        rng = self.rng
        window = None
        if hall is not None and channel != Channel.KIOSK:
            choices = self.ctx.windows.get(hall.pk) or []
            window = rng.choice(choices) if choices else None
        return Case(
            number=f"T{rng.getrandbits(64):016x}",
            verification_code="".join(rng.choice(CODE_ALPHABET) for _ in range(6)),
            region=region,
            department=department,
            channel=channel,
            hall=hall,
            window=window,
            pickup_hall=hall or (self.ctx.halls.get(ServiceHall.Kind.COUNTY_HALL) or [None])[0],
            item=item,
            item_version=version,
            bundle=bundle,
            title=title,
            applicant_user=user,
            agent_kind="proxy" if channel == Channel.VILLAGE_STATION else "",
            agent_user=self.clerk(hall) if channel == Channel.VILLAGE_STATION else None,
            form_data=form,
            state=S.SUBMITTED,
            instant=instant,
            promised_days=promised,
            legal_days=legal,
            delivery_method=delivery,
            postal_address=f"眉县{rng.choice(VILLAGES)}村{rng.randint(1, 12)}组{rng.randint(1, 80)}号"
            if delivery == "post"
            else "",
            visits=0 if channel == Channel.ONLINE else 1,
            submitted_at=submitted,
            **applicant,
        )

    def clerk(self, hall):
        users = self.ctx.clerks.get(hall.pk) if hall is not None else None
        return users[0] if users else None

    def handler(self, department):
        users = self.ctx.handlers.get(department.pk)
        return self.rng.choice(users) if users else None

    def materials_from_version(self, version) -> list[CaseMaterial]:
        rows = []
        for position, m in enumerate(version.materials, start=1):
            rows.append(
                CaseMaterial(
                    position=position,
                    code=m["code"],
                    name=m["name"],
                    required=m.get("required", True),
                    key=m.get("key", False),
                    deferrable=m.get("deferrable", False) and not m.get("key", False),
                    pledge_replaceable=m.get("pledge_replaceable", False),
                    licence_type=m.get("licence_type", ""),
                    sources=[[version.elements.get("code", ""), m["code"]]],
                    status=MaterialStatus.UPLOADED if m.get("required", True) else MaterialStatus.NOT_REQUIRED,
                )
            )
        return rows

    # --- what happened to it --------------------------------------------------------------------

    def live(self, plan: Plan, elements: dict, *, parent_accept: dt.datetime | None = None, fast: bool = False) -> None:
        """Walk one case along its path until today (or until a random open state)."""
        rng, case, today = self.rng, plan.case, self.today
        submitted = case.submitted_at
        day0 = timezone.localdate(submitted)
        ev = plan.events
        counter = case.channel != Channel.ONLINE
        if parent_accept is None:
            ev.append(
                (
                    "submitted",
                    f"提交申请：{Channel(case.channel).label}" + (f"（{case.hall}）" if case.hall else ""),
                    submitted,
                    None,
                )
            )
            roll = rng.random()
            intake_days = 0 if counter else rng.choice((0, 0, 1, 1, 2))
            decision_day = _wd(day0, intake_days) if intake_days else day0
            if decision_day > today:
                self.waiting(plan, S.SUBMITTED)
                return
            clerk_at = max(submitted, self.moment(decision_day, rng)) if not counter else _later(submitted, rng, (0, 1))
            hall = case.hall or (self.ctx.halls.get(ServiceHall.Kind.COUNTY_HALL) or [None])[0]
            case.hall = hall
            clerk = self.clerk(hall)
            if roll < 0.025:
                reason, basis = rng.choice(REJECT_REASONS)
                case.state, case.closed_at = S.REJECTED, clerk_at
                plan.notices.append(
                    (
                        NoticeKind.REJECTION,
                        clerk_at,
                        clerk,
                        {
                            "paragraphs": [
                                f"你（单位）提出的“{case.title}”申请，经审查，决定不予受理。",
                                f"理由：{reason}",
                                f"依据：{basis}",
                                self.remedies(case, "通知书"),
                            ]
                        },
                    )
                )
                ev.append(("rejected", f"不予受理：{reason}", clerk_at, clerk))
                return
            if roll < 0.04 and not counter:
                case.state, case.closed_at = S.WITHDRAWN, clerk_at
                ev.append(("withdrawn", "申请人撤回申请", clerk_at, None))
                return
            if roll < 0.16 and plan.materials:
                candidates = [m for m in plan.materials if m.required and not m.key] or [
                    m for m in plan.materials if m.required
                ]
                listed = rng.sample(candidates, min(len(candidates), rng.choice((1, 1, 2))))
                supplied_day = _wd(decision_day, rng.randint(1, 5))
                plan.correction = {"at": clerk_at, "by": clerk, "materials": listed, "supplied": None}
                plan.notices.append(
                    (
                        NoticeKind.CORRECTION,
                        clerk_at,
                        clerk,
                        {
                            "paragraphs": [
                                "经审查，申请材料不齐全或者不符合法定形式，现一次性告知需要补正的全部内容。"
                            ],
                            "table": [["序号", "材料名称", "问题"]]
                            + [[str(n), m.name, "缺少"] for n, m in enumerate(listed, 1)],
                        },
                    )
                )
                ev.append(("correction_requested", f"一次性告知补正（第1次）：{len(listed)} 项材料", clerk_at, clerk))
                if supplied_day > today:
                    for m in listed:
                        m.status = MaterialStatus.MISSING
                    self.waiting(plan, S.CORRECTION_REQUESTED, paused_on=decision_day)
                    return
                supplied_at = self.moment(supplied_day, rng, office=False)
                plan.correction["supplied"] = supplied_at
                ev.append(("correction_supplied", "已补正材料，等待窗口受理", supplied_at, None))
                accept_day = supplied_day if rng.random() < 0.6 else _wd(supplied_day, 1)
                if accept_day > today:
                    self.waiting(plan, S.SUBMITTED)
                    return
                clerk_at = max(supplied_at, self.moment(accept_day, rng))
            accepted_at = clerk_at
            self.accept(plan, elements, accepted_at, clerk)
        else:
            accepted_at = parent_accept
            case.state = S.ACCEPTED
            case.accepted_at = accepted_at
        self.handle(plan, accepted_at, fast=fast)

    def waiting(self, plan: Plan, state: str, *, paused_on: dt.date | None = None) -> None:
        case = plan.case
        case.state = state
        started = case.submitted_at
        due = add_workdays(started, 5)
        plan.intake_clock = {
            "label": "受理期限",
            "started": started,
            "days": 5,
            "due": due,
            "state": Clock.State.PAUSED if paused_on else Clock.State.RUNNING,
            "paused_since": paused_on,
        }

    def accept(self, plan: Plan, elements: dict, accepted_at: dt.datetime, clerk, *, defer: bool = True) -> None:
        rng, case = self.rng, plan.case
        deferrable = [m for m in plan.materials if m.deferrable and m.required] if defer else []
        pledgeable = (
            [m for m in plan.materials if m.pledge_replaceable and m.required]
            if elements.get("pledge_allowed", True)
            else []
        )
        if deferrable and rng.random() < 0.10:
            chosen = rng.choice(deferrable)
            chosen.status = MaterialStatus.DEFERRED
            plan.deferred.append(chosen)
        if pledgeable and rng.random() < 0.35:
            chosen = rng.choice(pledgeable)
            if chosen.status != MaterialStatus.DEFERRED:
                chosen.status = MaterialStatus.PLEDGED
                plan.pledged.append(chosen)
                case.has_pledge = True
        case.state = S.ACCEPTED_DEFERRED if plan.deferred else S.ACCEPTED
        case.accepted_at = accepted_at
        kind = NoticeKind.DEFERRED if plan.deferred else NoticeKind.ACCEPTANCE
        if plan.deferred:
            # 容缺: the county default of 10 working days, never past the promised completion date.
            due = add_workdays(accepted_at, min(10, case.promised_days)).due
            names = "、".join(m.name for m in plan.deferred)
            content = {
                "paragraphs": [
                    f"你（单位）提出的“{case.title}”申请，关键材料齐全，{names}等非关键材料尚未提交。根据《中华人民共和国"
                    "行政许可法》第三十二条和本县容缺受理制度，决定予以容缺受理，所缺材料须在下列期限前补交。"
                ],
                "table": [["序号", "容缺材料", "补交期限"]]
                + [[str(n), m.name, f"{due:%Y年%m月%d日}"] for n, m in enumerate(plan.deferred, start=1)],
            }
        else:
            content = {
                "paragraphs": [f"你（单位）提出的“{case.title}”申请，申请材料齐全、符合法定形式，决定予以受理。"]
            }
        plan.notices.append((kind, accepted_at, clerk, content))
        if plan.pledged:
            plan.notices.append(
                (
                    NoticeKind.PLEDGE,
                    accepted_at,
                    clerk,
                    {
                        "paragraphs": [
                            f"一、行政机关告知：申请人申请“{case.title}”，可以书面承诺代替提交以下证明材料："
                            + "、".join(m.name for m in plan.pledged)
                            + "。",
                            "二、申请人承诺：本人已知晓告知的全部内容，承诺符合条件，愿意承担不实承诺的法律责任。",
                            "三、行政机关将在作出决定后依法开展事中事后核查；经核查发现承诺不实的，依法撤销所作决定，"
                            "记入申请人信用记录。",
                        ],
                        "signature_lines": [
                            "承诺人（签字或盖章）：",
                            "签署日期：\u3000\u3000\u3000\u3000年\u3000\u3000月\u3000\u3000日",
                        ],
                    },
                )
            )
        plan.events.append(
            (
                "accepted",
                ("容缺受理" if plan.deferred else "已受理") + f"（{case.hall}），承诺{case.promised_days}个工作日",
                accepted_at,
                clerk,
            )
        )

    def handle(self, plan: Plan, accepted_at: dt.datetime, *, fast: bool = False) -> None:
        rng, case, today = self.rng, plan.case, self.today
        day = timezone.localdate(accepted_at)
        promised = case.promised_days
        pause_days = extension_days = 0
        if case.instant:
            duration = 0
        elif fast:
            duration = 0 if rng.random() < 0.7 else (1 if rng.random() < 0.8 else 2)
        else:
            roll = rng.random()
            if roll < 0.82:
                duration = rng.randint(max(1, promised // 5), max(1, int(promised * 0.9)))
            elif roll < 0.93:
                duration = promised
            else:
                duration = promised + rng.randint(1, 5)
            recent = (today - day).days < 45
            if rng.random() < (0.2 if recent else 0.06) and promised >= 5:
                pause_days = rng.randint(3, 20) if recent else rng.randint(2, 8)
            if rng.random() < 0.03 and promised >= 5:
                extension_days = 10
                duration = promised + rng.randint(2, 9)
        pause_start = _wd(day, max(1, duration // 3)) if pause_days else None
        pause_end = _wd(pause_start, pause_days) if pause_days else None
        ext_day = _wd(day, max(1, promised - 2)) if extension_days else None
        # The due day is the clock's (start + days + paused working days) as of today: a pause adds its
        # days once it has ended, an extension once granted — never a pause or extension still to come.
        counted_pause = pause_days if pause_days and pause_end <= today else 0
        granted = extension_days if extension_days and ext_day <= today else 0
        due = add_workdays(accepted_at, promised + counted_pause + granted)
        case.due_on, case.due_provisional = due.due, due.provisional
        handler = self.handler(case.department)
        assign_day = day if (case.instant or fast or rng.random() < 0.5) else _wd(day, 1)
        # A few cases stall in the department (no decision yet): the overdue list a leader chases.
        stalled = not case.instant and not fast and rng.random() < 0.015
        end_day = today + dt.timedelta(days=1) if stalled else _wd(day, duration + pause_days)
        clock = {
            "label": "办理期限",
            "started": accepted_at,
            "days": promised + granted,
            "due": due,
            "paused_workdays": 0,
        }
        plan.clock = clock
        chain = list(DEFAULT_CHAIN)
        step_days = _step_days(chain, promised)
        # 容缺: the county default of 10 working days, never past the promised completion date.
        deferred_due = add_workdays(accepted_at, min(10, promised)).due if plan.deferred else None
        if assign_day > today:
            clock["state"] = Clock.State.RUNNING
            self.steps(plan, chain, step_days, accepted_at, None, progress=0.0)
            self.defer_rows(plan, accepted_at, deferred_due, supplied=None)
            return
        assigned_at = (
            max(accepted_at, self.moment(assign_day, rng)) if assign_day != day else _later(accepted_at, rng, (0, 2))
        )
        case.assigned_to = handler
        case.state = S.IN_REVIEW
        plan.events.append(("assigned", f"{case.department}开始办理（审查）", assigned_at, handler))
        if pause_days and pause_start <= today:
            kind = rng.choice(list(PAUSE_REASONS))
            plan.pause = {
                "kind": kind,
                "on": pause_start,
                "resumed": pause_end if pause_end <= today else None,
                "by": handler,
            }
            plan.events.append(
                (
                    "paused",
                    f"进入{PauseKind(kind).label}程序，期间不计入办理时限",
                    self.moment(pause_start, rng),
                    handler,
                )
            )
            if pause_end <= today:
                plan.events.append(
                    (
                        "resumed",
                        f"{PauseKind(kind).label}结束，恢复计时（扣除{pause_days}个工作日）",
                        self.moment(pause_end, rng),
                        handler,
                    )
                )
                clock["paused_workdays"] = pause_days
        if granted:  # approved by today
            plan.extension = {"at": self.moment(ext_day, rng), "by": handler}
            case.extended = True
            plan.events.append(
                ("extended", f"经批准延期10个工作日，{case.due_on:%Y年%m月%d日}前办结", plan.extension["at"], None)
            )
        supplied = None
        if plan.deferred:
            supplied_day = _wd(day, rng.randint(2, 12)) if rng.random() < 0.85 else None
            supplied = self.moment(supplied_day, rng, office=False) if supplied_day and supplied_day <= today else None
        if end_day > today or (plan.deferred and supplied is None):
            # Still being handled today.
            if plan.pause and plan.pause["resumed"] is None:
                case.state = S.PAUSED
                clock["state"] = Clock.State.PAUSED
                clock["paused_since"] = plan.pause["on"]
            else:
                clock["state"] = Clock.State.RUNNING
            used = max(
                0,
                count_workdays(day, min(today, end_day)) - (pause_days if plan.pause and plan.pause["resumed"] else 0),
            )
            progress = 0.9 if stalled else min(0.95, used / max(1, duration))
            self.steps(plan, chain, step_days, accepted_at, handler, progress=progress)
            self.defer_rows(plan, accepted_at, deferred_due, supplied=supplied)
            return
        decided_at = self.moment(end_day, rng) if end_day != day else _later(assigned_at, rng, (0, 2))
        if decided_at > self.now:
            decided_at = self.now - dt.timedelta(minutes=1)
        if supplied and supplied > decided_at:
            decided_at = supplied + dt.timedelta(hours=1)
        self.defer_rows(plan, accepted_at, deferred_due, supplied=supplied)
        self.steps(plan, chain, step_days, accepted_at, handler, progress=1.0, decided_at=decided_at)
        denied = rng.random() < 0.04 and not case.instant
        self.decide(plan, decided_at, handler, denied=denied, clock=clock, pause_days=pause_days)

    def steps(self, plan: Plan, chain, step_days, accepted_at, handler, *, progress: float, decided_at=None) -> None:
        case = plan.case
        cumulative = 0.0
        moment = accepted_at
        active_set = False
        for position, (spec, days) in enumerate(zip(chain, step_days, strict=True), start=1):
            step = ReviewStep(position=position, name=spec["name"], role=spec["role"], share=spec["share"], days=days)
            cumulative += spec["share"]
            if position == 1 and spec["role"] == StepRole.CLERK:
                step.state, step.started_at, step.completed_at = ReviewStep.State.DONE, case.submitted_at, accepted_at
                step.opinion = _opinion(plan)
            elif decided_at is not None:
                step.state = ReviewStep.State.DONE
                step.started_at = moment
                moment = accepted_at + (decided_at - accepted_at) * min(1.0, cumulative)
                step.completed_at = moment
                step.completed_by = handler
                step.opinion = "符合条件，同意" if position < len(chain) else "准予"
            elif (
                case.state in (S.IN_REVIEW, S.PAUSED)
                and not active_set
                and (cumulative >= progress or position == len(chain))
            ):
                step.state = ReviewStep.State.ACTIVE
                step.started_at = moment
                step.due_on = _wd(timezone.localdate(moment), max(days, 0))
                active_set = True
            elif case.state in (S.IN_REVIEW, S.PAUSED) and not active_set:
                step.state = ReviewStep.State.DONE
                step.started_at = moment
                moment = moment + dt.timedelta(hours=20)
                step.completed_at = moment
                step.completed_by = handler
                step.opinion = "符合条件，同意"
            plan.steps.append(step)

    def defer_rows(self, plan: Plan, accepted_at, due: dt.date | None, *, supplied) -> None:
        # Most deferred materials are brought to the window, where the clerk checks the original.
        at_window = supplied is not None and self.rng.random() < 0.7
        clerk = self.clerk(plan.case.hall) if at_window else None
        if at_window:
            supplied = max(supplied, self.moment(timezone.localdate(supplied), self.rng))
        for material in plan.deferred:
            plan.case.deferred_overdue = plan.case.deferred_overdue or (supplied is None and due < self.today)
            if not supplied:
                material.status = MaterialStatus.DEFERRED
            elif at_window:
                material.status, material.note = MaterialStatus.RECEIVED, "窗口收取，原件已核验"
            else:
                material.status = MaterialStatus.UPLOADED
            material._deferral = {
                "due": due,
                "supplied": supplied,
                "overdue": supplied is None and due < self.today,
                "by": clerk,
                "original_checked": at_window,
            }
            if at_window:
                label = f"窗口收取容缺材料：{material.name}（原件已核验）"
                plan.events.append(("deferred_supplied", label, supplied, clerk))
            elif supplied:
                plan.events.append(("deferred_supplied", f"补交容缺材料：{material.name}", supplied, None))

    def decide(self, plan: Plan, decided_at, handler, *, denied: bool, clock: dict, pause_days: int) -> None:
        rng, case, today = self.rng, plan.case, self.today
        decided_day = timezone.localdate(decided_at)
        accepted_day = timezone.localdate(case.accepted_at)
        used = max(0, count_workdays(accepted_day, decided_day) - pause_days)
        case.state = S.DECIDED_DENIED if denied else S.DECIDED_APPROVED
        case.decided_at = decided_at
        case.decided_workdays = used
        case.on_time = decided_day <= case.due_on
        case.elapsed_seconds = int((decided_at - case.submitted_at).total_seconds())
        case.elapsed_workdays = max(0, count_workdays(timezone.localdate(case.submitted_at), decided_day))
        clock.update(state=Clock.State.STOPPED, stopped_on=decided_day)
        reasons = rng.choice(DENY_REASONS) if denied else "申请材料齐全，符合法定条件和标准，准予办理"
        plan.decision = {
            "outcome": "denied" if denied else "approved",
            "reasons": reasons,
            "by": handler,
            "at": decided_at,
        }
        plan.notices.append(
            (
                NoticeKind.DECISION,
                decided_at,
                handler,
                {
                    "title": (
                        ("不予行政许可决定书" if denied else "准予行政许可决定书")
                        if case.item_version_id and case.item_version.elements.get("kind") == "licensing"
                        else "办理决定书"
                    ),
                    "paragraphs": [
                        f"你（单位）提出的“{case.title}”申请，经审查，"
                        + ("决定不予许可。" if denied else "决定准予。"),
                        f"理由：{reasons}",
                        *(
                            [f"依据：{case.item_version.elements['legal_basis']}"]
                            if case.item_version_id and case.item_version.elements.get("legal_basis")
                            else []
                        ),
                        self.remedies(case, "决定书"),
                    ],
                },
            )
        )
        plan.events.append(
            ("decided", f"作出决定：{'不予许可' if denied else '准予'}（用时{used}个工作日）", decided_at, handler)
        )
        if case.has_pledge and not denied and case.parent_id is None:
            days = int(cases_setting("PLEDGE_VERIFICATION_DAYS"))
            due = add_workdays(decided_at, days).due
            state = PledgeVerification.State.PENDING
            if due < today:
                state = rng.choices(
                    [
                        PledgeVerification.State.CONFIRMED,
                        PledgeVerification.State.FALSE,
                        PledgeVerification.State.PENDING,
                    ],
                    [85, 5, 10],
                )[0]
            plan.verification = {"due": due, "state": state, "by": handler, "started": decided_at, "days": days}
        if case.parent_id is None and getattr(case, "_parent_plan", None) is None:
            self.deliver(plan, decided_at)

    def deliver(self, plan: Plan, decided_at) -> None:
        rng, case = self.rng, plan.case
        day = _wd(timezone.localdate(decided_at), rng.choice((0, 0, 1, 1, 2, 3)))
        if day > self.today or rng.random() < 0.05:
            return
        at = max(decided_at + dt.timedelta(minutes=30), self.moment(day, rng, office=case.delivery_method == "window"))
        if at > self.now:
            return
        method = case.delivery_method
        case.state = S.DELIVERED
        case.delivered_at = case.closed_at = at
        clerk = self.clerk(case.pickup_hall) if method == "window" else None
        if method == DeliveryMethod.WINDOW:
            case.visits += 1
        tracking = f"11{rng.randint(10**10, 10**11 - 1)}" if method == DeliveryMethod.POST else ""
        plan.delivery = {
            "method": method,
            "tracking": tracking,
            "at": at,
            "by": clerk,
            "hall": case.pickup_hall if method == "window" else None,
        }
        text = {
            "window": f"已在{case.pickup_hall}出件窗口领取",
            "post": f"已邮寄送达（单号 {tracking}）",
            "electronic": "已电子送达，可在线下载",
        }[method]
        plan.events.append(("delivered", text, at, clerk))

    # --- bundles --------------------------------------------------------------------------------

    def bundle(self, code: str, day: dt.date, *, user=None, applicant=None, trade=None) -> Plan | None:
        rng, ctx = self.rng, self.ctx
        bundle = ctx.bundles.get(code)
        if bundle is None:
            return None
        items = [bi.item for bi in bundle.bundle_items.all()]
        if bundle.audience == "enterprise":
            applicant, scope = (applicant, "") if applicant else self.company(trade)
        else:
            applicant, scope = applicant or self.person(), ""
        online = all(i.online_depth >= 3 for i in items) and rng.random() < 0.7
        county = (ctx.halls.get(ServiceHall.Kind.COUNTY_HALL) or [None])[0]
        channel, hall = (Channel.ONLINE, None) if online else (Channel.COUNTER, county)
        submitted = self.moment(day, rng, office=not online)
        if submitted > self.now:
            submitted = self.now - dt.timedelta(minutes=rng.randint(30, 240))
        flags = [
            {
                "delivery_window": i.delivery_window,
                "delivery_post": i.delivery_post,
                "delivery_electronic": i.delivery_electronic,
            }
            for i in items
        ]
        methods = [m for m in ("electronic", "window", "post") if all(f[f"delivery_{m}"] for f in flags)] or ["window"]
        promised = bundle.target_days or max(i.promised_days for i in items)
        parent = self.case(
            item=None,
            version=None,
            title=bundle.name,
            department=bundle.lead_department,
            region=bundle.region,
            channel=channel,
            hall=hall,
            submitted=submitted,
            applicant=applicant,
            user=user,
            delivery=methods[0],
            promised=promised,
            legal=max(i.legal_days for i in items),
            instant=False,
            bundle=bundle,
            form={"entity_address": f"眉县{rng.choice(VILLAGES)}", **({"business_scope": scope} if scope else {})},
        )
        plan = Plan(case=parent)
        for position, m in enumerate(ctx.bundle_materials[code], start=1):
            plan.materials.append(
                CaseMaterial(
                    position=position,
                    code=f"B{position:02d}",
                    name=m.name,
                    required=m.required,
                    key=m.key,
                    deferrable=m.deferrable and not m.key,
                    pledge_replaceable=m.pledge_replaceable,
                    licence_type=m.licence_type,
                    sources=[list(s) for s in m.sources],
                    status=MaterialStatus.UPLOADED if m.required else MaterialStatus.NOT_REQUIRED,
                )
            )
        plan.events.append(
            ("submitted", f"提交申请：{Channel(channel).label}（一件事：{bundle.name}）", submitted, None)
        )
        accept_day = (
            timezone.localdate(submitted) if not online or rng.random() < 0.8 else _wd(timezone.localdate(submitted), 1)
        )
        if accept_day > self.today:
            self.waiting(plan, S.SUBMITTED)
            return plan
        accepted_at = (
            _later(submitted, rng, (0, 1))
            if accept_day == timezone.localdate(submitted)
            else self.moment(accept_day, rng)
        )
        if accepted_at > self.now:
            self.waiting(plan, S.SUBMITTED)
            return plan
        parent.hall = parent.hall or county
        clerk = self.clerk(parent.hall)
        self.accept(plan, {"pledge_allowed": False}, accepted_at, clerk, defer=False)
        parent.state = S.IN_REVIEW
        due = add_workdays(accepted_at, promised)
        parent.due_on, parent.due_provisional = due.due, due.provisional
        plan.clock = {
            "label": "办理期限",
            "started": accepted_at,
            "days": promised,
            "due": due,
            "paused_workdays": 0,
            "state": Clock.State.RUNNING,
        }
        plan.events.append(("fanned_out", f"已分送 {len(items)} 个部门并联办理", accepted_at, None))
        fast = code == "qiye-kaiban"
        for position, item in enumerate(items, start=1):
            version = ctx.versions.get(item.pk)
            if version is None:
                continue
            child = self.case(
                item=item,
                version=version,
                title=item.name,
                department=item.implementing_department,
                region=parent.region,
                channel=channel,
                hall=parent.hall,
                submitted=submitted,
                applicant={**applicant, "applicant_phone": None},
                user=None,
                delivery=parent.delivery_method,
                promised=min(item.promised_days, promised) if promised else item.promised_days,
                legal=item.legal_days,
                instant=item.is_instant,
                form=parent.form_data,
            )
            child.verification_code = parent.verification_code
            child._position = position
            child._parent_plan = plan
            child_plan = Plan(case=child)
            child_plan.events.append(("accepted", f"由“{bundle.name}”分送{child.department}办理", accepted_at, clerk))
            self.live(child_plan, version.elements, parent_accept=accepted_at, fast=fast)
            plan.children.append(child_plan)
        children = [c.case for c in plan.children]
        if children and all(c.state in (S.DECIDED_APPROVED, S.DECIDED_DENIED) for c in children):
            decided_at = max(c.decided_at for c in children)
            denied = any(c.state == S.DECIDED_DENIED for c in children)
            parent.state = S.DECIDED_DENIED if denied else S.DECIDED_APPROVED
            decided_day = timezone.localdate(decided_at)
            parent.decided_at = decided_at
            parent.decided_workdays = count_workdays(timezone.localdate(accepted_at), decided_day)
            parent.on_time = decided_day <= parent.due_on
            parent.elapsed_seconds = int((decided_at - submitted).total_seconds())
            parent.elapsed_workdays = max(0, count_workdays(timezone.localdate(submitted), decided_day))
            plan.clock.update(state=Clock.State.STOPPED, stopped_on=decided_day)
            reasons = (
                "；".join(f"{c.title}：不予许可" for c in children if c.state == S.DECIDED_DENIED)
                or f"“{bundle.name}”所含 {len(children)} 个事项均已准予办结"
            )
            plan.decision = {
                "outcome": "denied" if denied else "approved",
                "reasons": reasons,
                "by": None,
                "at": decided_at,
            }
            plan.notices.append((NoticeKind.DECISION, decided_at, None, {"paragraphs": [reasons]}))
            plan.events.append(("decided", f"“{bundle.name}”全部办结", decided_at, None))
            self.deliver(plan, decided_at)
            if parent.state == S.DELIVERED:
                for c in children:
                    c.state, c.delivered_at, c.closed_at = S.DELIVERED, parent.delivered_at, parent.delivered_at
        return plan


# --- writing -----------------------------------------------------------------------------------


def _opinion(plan: Plan) -> str:
    """The 受理 step's opinion as the window wrote it (see ``services.acceptance._acceptance_opinion``)."""
    case = plan.case
    if plan.deferred:
        due = add_workdays(case.accepted_at, min(10, case.promised_days)).due
        owed = "；".join(f"{m.name}（{due:%Y年%m月%d日}前补交）" for m in plan.deferred)
        text = f"关键材料齐全，以下非关键材料容缺受理：{owed}"
    else:
        text = "材料齐全，符合法定形式"
    if plan.pledged:
        text += f"；以告知承诺替代：{'、'.join(m.name for m in plan.pledged)}"
    return text + "，予以受理"


def _signature(plan: Plan, ctx: Ctx) -> dict:
    """The signed 告知承诺书 on record: signed at the window when accepted (a few accepted online today
    are still waiting for the applicant's signature)."""
    case = plan.case
    waiting = case.channel == Channel.ONLINE and timezone.localdate(case.accepted_at) == timezone.localdate()
    if waiting:
        return {}
    users = ctx.clerks.get(case.hall_id) if case.hall_id else None  # town centres have no demo accounts
    return {
        "signature_method": "confirmed",
        "signature_recorded_at": case.accepted_at,
        "signature_recorded_by": users[0] if users else None,
    }


def _clock_row(spec: dict, case: Case, ctx: Ctx) -> Clock:
    due = spec["due"]
    return Clock(
        label=f"{case.number} {spec['label']}",
        started_at=spec["started"],
        days=spec["days"],
        due_on=due.due if hasattr(due, "due") else due,
        provisional=getattr(due, "provisional", False),
        state=spec.get("state", Clock.State.RUNNING),
        paused_since=spec.get("paused_since") if spec.get("state") == Clock.State.PAUSED else None,
        paused_workdays=spec.get("paused_workdays", 0),
        stopped_on=spec.get("stopped_on"),
        region_code=case.region.code,
        content_type=ctx.case_type,
        object_id=case.pk,
    )


def _reserve(model, n: int) -> int:
    """First of ``n`` primary keys to assign explicitly (sequences are reset after the inserts)."""
    return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def _reset_sequences(*models) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def _store(plans: list[Plan], ctx: Ctx, stdout) -> dict:
    # Primary keys are assigned up front so numbers, clocks and owners are known before inserting:
    # no second pass of UPDATEs over thousands of rows.
    singles = list(plans)
    children = [c for p in plans for c in p.children]
    all_plans = singles + children
    next_pk = _reserve(Case, len(all_plans))
    for p in all_plans:
        p.case.pk = next_pk
        next_pk += 1
    for p in singles:
        p.case.number = f"YW{timezone.localtime(p.case.submitted_at):%Y%m%d}{p.case.pk:07d}"
    for p in children:
        p.case.parent = p.case._parent_plan.case
        p.case.number = f"{p.case.parent.number}-{p.case._position:02d}"

    clocks, owners = [], []
    next_clock = _reserve(Clock, 0)
    for p in all_plans:
        for attr in ("clock", "intake_clock"):
            spec = getattr(p, attr)
            if spec:
                clock = _clock_row(spec, p.case, ctx)
                clock.pk = next_clock
                next_clock += 1
                clocks.append(clock)
                owners.append((p, attr))
                setattr(p.case, attr, clock)
    Clock.objects.bulk_create(clocks, batch_size=500)
    Case.objects.bulk_create([p.case for p in singles], batch_size=500)
    Case.objects.bulk_create([p.case for p in children], batch_size=500)
    pauses, ledger_of = [], {}  # ledger_of: plan → its decision clock's pause row (CasePause points at it)
    for clock, (p, attr) in zip(clocks, owners, strict=True):
        if clock.state == Clock.State.PAUSED:
            reason = (
                "一次性告知补正，等待申请人补正" if attr == "intake_clock" else str(PauseKind(p.pause["kind"]).label)
            )
            pauses.append(
                ClockPause(clock=clock, region_code=clock.region_code, paused_on=clock.paused_since, reason=reason)
            )
        elif attr == "clock" and p.pause and p.pause["resumed"]:
            pauses.append(
                ClockPause(
                    clock=clock,
                    region_code=clock.region_code,
                    paused_on=p.pause["on"],
                    resumed_on=p.pause["resumed"],
                    workdays=clock.paused_workdays,
                    reason=str(PauseKind(p.pause["kind"]).label),
                )
            )
        else:
            continue
        if attr == "clock":
            ledger_of[id(p)] = pauses[-1]
    ClockPause.objects.bulk_create(pauses, batch_size=500)

    materials, steps, events, decisions, deliveries, case_pauses, extensions = [], [], [], [], [], [], []
    for p in all_plans:
        case = p.case
        for m in p.materials:
            m.case, m.region_id = case, case.region_id
            materials.append(m)
        for s in p.steps:
            s.case, s.region_id = case, case.region_id
            steps.append(s)
        for action, label, at, actor in p.events:
            events.append(
                CaseEvent(
                    case=case,
                    region_id=case.region_id,
                    at=at,
                    action=action,
                    label=label[:300],
                    actor=actor,
                    public=action not in ("extension_requested",),
                )
            )
        if p.decision:
            decisions.append(
                Decision(
                    case=case,
                    region_id=case.region_id,
                    outcome=p.decision["outcome"],
                    reasons=p.decision["reasons"],
                    decided_by=p.decision["by"],
                    decided_at=p.decision["at"],
                    legal_basis="",
                )
            )
        if p.delivery:
            d = p.delivery
            deliveries.append(
                Delivery(
                    case=case,
                    region_id=case.region_id,
                    method=d["method"],
                    tracking_number=d["tracking"],
                    hall=d["hall"],
                    delivered_by=d["by"],
                    delivered_at=d["at"],
                    recipient=case.applicant_name if d["method"] == "window" else "",
                )
            )
        if p.pause:
            case_pauses.append(
                CasePause(
                    case=case,
                    region_id=case.region_id,
                    kind=p.pause["kind"],
                    reason=PAUSE_REASONS[p.pause["kind"]],
                    clock_pause=ledger_of.get(id(p)),
                    paused_by=p.pause["by"],
                )
            )
        if p.extension:
            extensions.append(
                Extension(
                    case=case,
                    region_id=case.region_id,
                    days=10,
                    reason="需征求县消防救援大队和生态环境分局意见",
                    state=Extension.State.APPROVED,
                    requested_by=p.extension["by"],
                    requested_at=p.extension["at"],
                    decided_at=p.extension["at"] + dt.timedelta(hours=3),
                    note="同意延期",
                )
            )
    CaseMaterial.objects.bulk_create(materials, batch_size=1000)
    ReviewStep.objects.bulk_create(steps, batch_size=1000)
    CaseEvent.objects.bulk_create(events, batch_size=1000)
    Decision.objects.bulk_create(decisions, batch_size=500)
    Delivery.objects.bulk_create(deliveries, batch_size=500)
    CasePause.objects.bulk_create(case_pauses, batch_size=500)
    Extension.objects.bulk_create(extensions, batch_size=500)

    notices = []
    next_notice = _reserve(Notice, 0)
    for p in all_plans:
        case = p.case
        for kind, at, actor, content in p.notices:
            authority = _authority(case)  # notices are issued by the item's implementing department
            year = timezone.localtime(at).year
            number = f"{_authority_abbreviation(authority)}{NOTICE_PREFIX[kind]}〔{year}〕{next_notice:06d}号"
            full = {
                "title": str(NoticeKind(kind).label),
                "number": number,
                "case_number": case.number,
                "issuer": authority.name,
                "seal": f"{authority.name}（印章）",
                "addressee": case.applicant_name,
                "date": f"{timezone.localtime(at):%Y年%m月%d日}",
                "facts": [["办件编号", case.number], ["受理地点", _acceptance_place(case)]],
                **content,
            }
            notices.append(
                Notice(
                    pk=next_notice,
                    case=case,
                    region_id=case.region_id,
                    kind=kind,
                    number=number,
                    content=full,
                    issued_by=actor,
                    issued_at=at,
                )
            )
            next_notice += 1
    Notice.objects.bulk_create(notices, batch_size=1000)
    _reset_sequences(Case, Clock, Notice)

    corrections, entries_plan = [], []
    for p in all_plans:
        if p.correction:
            c = p.correction
            corrections.append(
                CorrectionRequest(
                    case=p.case,
                    region_id=p.case.region_id,
                    round=1,
                    issued_by=c["by"],
                    issued_at=c["at"],
                    fulfilled_at=c["supplied"],
                )
            )
            entries_plan.append(c["materials"])
    CorrectionRequest.objects.bulk_create(corrections, batch_size=500)
    CorrectionEntry.objects.bulk_create(
        [
            CorrectionEntry(
                correction=correction,
                region_id=correction.region_id,
                material=m,
                problem="missing",
                note=random.Random(m.pk).choice(CORRECTION_NOTES),
            )
            for correction, listed in zip(corrections, entries_plan, strict=True)
            for m in listed
        ],
        batch_size=1000,
    )

    deferred_clocks, deferred_rows = [], []
    for p in all_plans:
        for m in p.deferred:
            info = m._deferral
            clock = None
            if info["supplied"] is None:
                clock = Clock(
                    label=f"{p.case.number} 容缺材料“{m.name}”",
                    started_at=p.case.accepted_at,
                    days=min(10, p.case.promised_days),
                    due_on=info["due"],
                    region_code=p.case.region.code,
                    content_type=ctx.case_type,
                    object_id=p.case.pk,
                )
                deferred_clocks.append(clock)
            deferred_rows.append(
                DeferredMaterial(
                    case=p.case,
                    material=m,
                    region=p.case.region,
                    clock=clock,
                    due_on=info["due"],
                    supplied_at=info["supplied"],
                    supplied_by=info["by"],
                    original_checked=info["original_checked"],
                    overdue=info["overdue"],
                )
            )
    Clock.objects.bulk_create(deferred_clocks, batch_size=500)
    DeferredMaterial.objects.bulk_create(deferred_rows, batch_size=500)

    pledges, pledge_plans = [], []
    for p in all_plans:
        if p.pledged:
            pledges.append(
                Pledge(
                    case=p.case,
                    region_id=p.case.region_id,
                    text="本人已知晓告知的全部内容，承诺符合条件，愿意承担不实承诺的法律责任。",
                    signed_by=p.case.applicant_name,
                    signed_at=p.case.accepted_at,
                    **_signature(p, ctx),
                )
            )
            pledge_plans.append(p)
    Pledge.objects.bulk_create(pledges, batch_size=500)
    PledgeMaterial.objects.bulk_create(
        [
            PledgeMaterial(pledge=pl, material=m, region_id=pl.region_id)
            for pl, p in zip(pledges, pledge_plans, strict=True)
            for m in p.pledged
        ],
        batch_size=1000,
    )
    verifications, verification_clocks, false_records = [], [], []
    for pledge, p in zip(pledges, pledge_plans, strict=True):
        v = p.verification
        if not v:
            continue
        done = v["state"] != PledgeVerification.State.PENDING
        # its working-day clock, as decision.py opens it: running while pending, stopped on the day verified
        clock = Clock(
            label=f"{p.case.number} 告知承诺核查",
            started_at=v["started"],
            days=v["days"],
            due_on=v["due"],
            state=Clock.State.STOPPED if done else Clock.State.RUNNING,
            stopped_on=v["due"] if done else None,
            region_code=p.case.region.code,
            content_type=ctx.case_type,
            object_id=p.case.pk,
        )
        verification_clocks.append(clock)
        verifications.append(
            PledgeVerification(
                pledge=pledge,
                case=p.case,
                department=p.case.department,
                region=p.case.region,
                clock=clock,
                due_on=v["due"],
                state=v["state"],
                overdue=not done and v["due"] < timezone.localdate(),
                verified_by=v["by"] if done else None,
                verified_at=dt.datetime.combine(v["due"], dt.time(10), tzinfo=TZ) if done else None,
                finding={
                    "confirmed": "现场核查，承诺内容属实",
                    "false": "现场核查发现从业人员健康证明系伪造，承诺不实",
                }.get(v["state"], ""),
            )
        )
    Clock.objects.bulk_create(verification_clocks, batch_size=500)
    PledgeVerification.objects.bulk_create(verifications, batch_size=500)
    for verification in verifications:
        if verification.state == PledgeVerification.State.FALSE:
            case = verification.case
            false_records.append(
                FalsePledgeRecord(
                    applicant_name=case.applicant_name,
                    applicant_id_number_hash=case.applicant_id_number_hash,
                    applicant_uscc=case.applicant_uscc,
                    case=case,
                    verification=verification,
                    region=case.region,
                    finding=verification.finding,
                    recorded_at=verification.verified_at,
                )
            )
    FalsePledgeRecord.objects.bulk_create(false_records)
    return {
        "cases": len(singles),
        "sub_cases": len(children),
        "materials": len(materials),
        "notices": len(notices),
        "deferred": len(deferred_rows),
        "pledges": len(pledges),
        "corrections": len(corrections),
    }


def _help_log(request: HelpRequest, at: dt.datetime, actor: User | None, action: str, note: str) -> HelpLog:
    """One line of a help request's log, with the request's region."""
    return HelpLog(help_request=request, region_id=request.region_id, at=at, actor=actor, action=action, note=note)


def _help_requests(ctx: Ctx, rng: random.Random, today: dt.date) -> int:
    clerks = [u for users in ctx.clerks.values() for u in users]
    rows, logs = [], []
    for n in range(18):
        created = dt.datetime.combine(
            today - dt.timedelta(days=rng.randint(0, 150)), dt.time(rng.randint(8, 21), rng.randint(0, 59)), tzinfo=TZ
        )
        state = HelpRequest.State.OPEN if n < 3 else (HelpRequest.State.TAKEN if n < 5 else HelpRequest.State.DONE)
        helper = rng.choice(clerks) if clerks and state != HelpRequest.State.OPEN else None
        request = HelpRequest(
            region=ctx.county,
            name=rng.choice(SURNAMES) + rng.choice(GIVEN),
            phone=f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
            topic=rng.choice(HELP_TOPICS),
            state=state,
            helper=helper,
            created_at=created,
            taken_at=created + dt.timedelta(minutes=rng.randint(5, 90)) if helper else None,
            closed_at=created + dt.timedelta(hours=rng.randint(1, 30)) if state == HelpRequest.State.DONE else None,
        )
        rows.append(request)
    HelpRequest.objects.bulk_create(rows)
    for r in rows:
        logs.append(_help_log(r, r.created_at, None, "created", r.topic))
        if r.helper:
            logs.append(_help_log(r, r.taken_at, r.helper, "taken", "已电话联系求助人"))
        if r.state == HelpRequest.State.DONE:
            logs.append(_help_log(r, r.closed_at, r.helper, "done", "视频指导完成在线填报"))
    HelpLog.objects.bulk_create(logs)
    return len(rows)


def seed(*, stdout) -> None:
    """Six months of Meixian applications (fixed seed), written in bulk; skipped if already seeded."""
    if AuditEvent.objects.filter(action="case.demo_seeded").exists():
        _write(stdout, "办件演示数据已存在，跳过")
        return
    ctx = _load(stdout)
    if ctx is None:
        _write(stdout, "没有已发布的事项，跳过办件演示数据（请先载入事项清单）")
        return
    rng = random.Random(SEED)
    today = timezone.localdate()
    start = today - dt.timedelta(days=30 * MONTHS)
    generator = Generator(ctx, rng, today)
    days = [start + dt.timedelta(days=n) for n in range((today - start).days + 1)]
    plans: list[Plan] = []
    citizens = ctx.citizens
    bundle_rates = {
        "qiye-kaiban": (0.9, "kiwi"),
        "qiye-zhuxiao": (0.15, None),
        "wo-yao-kai-nongjiale": (0.3, None),
        "wo-yao-kai-fandian": (0.25, None),
        "wo-yao-jian-lengku": (0.08, None),
        "xinshenger-chusheng": (0.35, None),
        "tuixiu": (0.25, None),
    }
    for day in tqdm(days, desc="办件", file=sys.stderr, leave=False):
        if not is_workday(day):
            # Online and the 7×24 kiosk never close: a few applications arrive at weekends too.
            for _ in range(rng.randint(0, 3)):
                plan = generator.single(day)
                if plan and plan.case.channel in (Channel.ONLINE, Channel.KIOSK):
                    plans.append(plan)
            continue
        for _ in range(rng.randint(*SINGLE_PER_WORKDAY)):
            plan = generator.single(day)
            if plan:
                plans.append(plan)
        for code, (rate, trade) in bundle_rates.items():
            if rng.random() < rate:
                trade = trade if rng.random() < 0.6 else rng.choice(("tourism", "farmstay", "trade", None))
                plan = generator.bundle(code, day, trade=trade)
                if plan:
                    plans.append(plan)
    # The demo accounts' own cases, so their "我的办件" pages have something in every state.
    for n, user in enumerate(citizens[:2]):
        person = generator.person()
        person["applicant_name"] = user.display_name or person["applicant_name"]
        if user.id_number:
            person["applicant_id_number"] = user.id_number
        for k in range(6):
            plan = generator.single(today - dt.timedelta(days=3 + 17 * k + n), applicant=dict(person), user=user)
            if plan and plan.case.applicant_kind == ApplicantKind.PERSON:
                plans.append(plan)
    if ctx.enterprise is not None and ctx.enterprise.uscc:
        company, _scope = generator.company("kiwi")
        company.update(applicant_name="眉县秦岭猕猴桃冷链有限公司", applicant_uscc=ctx.enterprise.uscc)
        for k, code in enumerate(("qiye-kaiban", "wo-yao-jian-lengku", "qiye-kaiban")):
            plan = generator.bundle(
                code, today - dt.timedelta(days=1 + 40 * k), user=ctx.enterprise, applicant=dict(company)
            )
            if plan:
                plans.append(plan)
    with transaction.atomic():
        counts = _store(plans, ctx, stdout)
        counts["help_requests"] = _help_requests(ctx, rng, today)
        audit_record(
            actor=None, action="case.demo_seeded", region_code=ctx.county.code, details={"seed": SEED, **counts}
        )
    states = {}
    for value, n in Case.objects.filter(parent__isnull=True).values_list("state").annotate(n=Count("pk")).order_by():
        states[CaseState(value).label] = n
    _write(
        stdout,
        f"办件：{counts['cases']} 件（含一件事分办件 {counts['sub_cases']} 件），材料 {counts['materials']}，文书 {counts['notices']}，"
        f"补正 {counts['corrections']}，容缺 {counts['deferred']}，告知承诺 {counts['pledges']}，远程帮办 {counts['help_requests']}",
    )
    _write(stdout, "状态：" + "，".join(f"{k} {v}" for k, v in sorted(states.items(), key=lambda kv: -kv[1])))
