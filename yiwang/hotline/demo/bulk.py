"""Six months of hotline history, bulk-loaded: the rows here bypass the hotline services.

Appeals with their dispatches (and co-departments), clocks, return and extension requests,
replies, revisits and events, and the 办不成事 entries with their clocks, are generated with a fixed
random seed (:class:`History`) and written with ``bulk_create``, because pushing each past event
through the services would take minutes and would audit and notify thousands of steps that never
happened live. The deadlines still come from the working-day calendar (``add_workdays``) and are
stored as real clocks; the tiers' working days come from ``hotline_config()`` like the services'.
Text templates, names and places come from ``data/*.json`` (read by :mod:`.dataset`).
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from yiwang.hotline.models import (
    Appeal,
    AppealEvent,
    Category,
    CategoryDepartmentMapping,
    Dispatch,
    ExtensionRequest,
    KnowledgeEntry,
    Reply,
    ReturnRequest,
    Revisit,
    UnresolvedMatter,
)
from yiwang.hotline.rules import ADVICE
from yiwang.hotline.services import CODE_ALPHABET
from yiwang.org.models import Department, Region, ServiceHall, User
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import add_workdays

from . import dataset as data

SEED = 20260601
DAYS = 183
WEEKDAY_MEAN = 16
WEEKEND_MEAN = 8
MARKER = "demo:0"  # submission key of the first demo appeal: the history exists
COUNTY = "610326"

S = Appeal.State
K = AppealEvent.Kind


def _write(stdout, text: str) -> None:
    stdout.write(text + "\n")


# --- the simulation ------------------------------------------------------------------------------


@dataclass
class ClockSpec:
    owner: object
    label: str
    started_at: dt.datetime
    days: int
    stopped_at: dt.datetime | None = None
    attach: tuple = ()  # (object, attribute) to point at the created clock


@dataclass
class Plan:
    appeal: Appeal
    dispatches: list = field(default_factory=list)  # (Dispatch, [co departments])
    clocks: list = field(default_factory=list)
    returns: list = field(default_factory=list)
    extensions: list = field(default_factory=list)
    replies: list = field(default_factory=list)
    revisits: list = field(default_factory=list)  # (Revisit, Reply)
    events: list = field(default_factory=list)
    merge_into: Appeal | None = None


class History:
    def __init__(self, now: dt.datetime, categories: dict[str, Category]):
        self.rng = random.Random(SEED)
        self.now = now
        self.tz = timezone.get_current_timezone()
        self.categories = categories
        self.county = Region.objects.get(code=COUNTY)
        self.towns = list(Region.objects.filter(level=Region.Level.TOWN, parent=self.county).order_by("code"))
        self.villages = defaultdict(list)
        for village in Region.objects.filter(level=Region.Level.VILLAGE, parent__in=self.towns):
            self.villages[village.parent_id].append(village)
        self.departments = {d.code: d for d in Department.objects.all()}
        self.mapping = {
            (m.category_id, m.town_id): m.department
            for m in CategoryDepartmentMapping.objects.select_related("department")
        }
        self.users = {
            u.username: u
            for u in User.objects.filter(username__in=["guoting", "zhoumin", "wugang", "sunlei", "liufang"])
        }
        self.dispatcher = self.users.get("guoting")
        self.handlers = {"admin-approval": "zhoumin", "market-regulation": "wugang", "housing-construction": "sunlei"}
        self.knowledge = defaultdict(list)
        for entry in KnowledgeEntry.objects.all():
            self.knowledge[entry.category_id].append(entry)
        self.codes: set[str] = set(Appeal.objects.values_list("code", flat=True))
        self.recent_open: dict[tuple[int, int], list[Appeal]] = defaultdict(list)
        self.plans: list[Plan] = []
        self.limits = {"simple": 1, "general": 5, "complex": 7}
        from yiwang.hotline.conf import hotline_config

        config = hotline_config()
        self.limits = {k: int(v) for k, v in config["REPLY_WORKDAYS"].items()}
        self.sign_off_days = int(config["SIGN_OFF_WORKDAYS"])
        self.urgent_sign_off = dt.timedelta(hours=config["URGENT_SIGN_OFF_HOURS"])
        self.urgent_reply = dt.timedelta(hours=config["URGENT_REPLY_HOURS"])

    # time helpers

    def at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), tzinfo=self.tz)

    def local(self, moment: dt.datetime) -> dt.datetime:
        return moment.astimezone(self.tz)

    def work_time(self, after: dt.datetime, workdays: int) -> dt.datetime:
        """A moment during office hours ``workdays`` working days after ``after`` (0: same day,
        later than ``after``; spills to the next working day when the office has closed)."""
        local = self.local(after)
        if workdays == 0:
            moment = local + dt.timedelta(minutes=self.rng.randint(20, 240))
            if moment.hour < 18 and moment.date() == local.date():
                return moment
            workdays = 1
        day = add_workdays(local.date(), workdays).due
        return self.at(day, self.rng.randint(8, 17), self.rng.randint(0, 59))

    def code(self, moment: dt.datetime) -> str:
        while True:
            code = (
                "YW" + self.local(moment).strftime("%y%m%d") + "".join(self.rng.choice(CODE_ALPHABET) for _ in range(5))
            )
            if code not in self.codes:
                self.codes.add(code)
                return code

    # text

    def fill(self, template: str, town: Region, village: Region | None) -> str:
        rng = self.rng
        return template.format(
            town=town.name,
            village=village.name if village else rng.choice(["北村", "东坡村", "河滩村", "新庄村"]),
            company=rng.choice(data.COMPANIES),
            n=rng.randint(2, 9),
            month=rng.randint(1, 12),
            day=rng.randint(1, 28),
            money=rng.choice([3600, 4800, 7200, 9500, 12000, 16800, 23000]),
            road=rng.choice(data.ROADS),
            school=town.name.replace("街道", "").replace("镇", "") + rng.choice(data.SCHOOLS),
            community=rng.choice(data.COMMUNITIES),
            place=town.name,
        )

    def person(self) -> tuple[str, str]:
        rng = self.rng
        name = rng.choice(data.NAMES_SURNAME) + rng.choice(data.NAMES_GIVEN)
        phone = rng.choice(["139", "138", "159", "189", "180", "152", "187", "133"]) + f"{rng.randint(0, 99999999):08d}"
        return name, phone

    def department_for(self, category: Category, town: Region) -> Department:
        return (
            self.mapping.get((category.pk, town.pk))
            or self.mapping.get((category.pk, None))
            or self.departments["government-office"]
        )

    # one appeal

    def appeal(
        self, index: int, received: dt.datetime, *, category_code: str | None = None, force_open: bool = False
    ) -> Plan:
        rng = self.rng
        month = self.local(received).month
        if category_code is None:
            weights = dict(data.WEIGHTS)
            if month in (9, 10, 11):  # kiwi harvest and storage season
                for code in ("kiwi-industry", "cold-storage", "wage-arrears"):
                    weights[code] *= 2
            if month in (7, 8, 10):  # summer and 国庆 tourism
                for code in ("scenic-traffic", "tourism-service", "farm-stay"):
                    weights[code] *= 2
            category_code = rng.choices(list(weights), weights=list(weights.values()))[0]
        category = self.categories[category_code]
        town = rng.choices(self.towns, weights=[3 if t.code.endswith("001") else 1 for t in self.towns])[0]
        if category_code in ("scenic-traffic", "tourism-service"):
            town = next((t for t in self.towns if t.name in ("汤峪镇", "营头镇") and rng.random() < 0.8), town)
        villages = self.villages.get(town.pk) or []
        village = rng.choice(villages) if villages and rng.random() < 0.75 else None
        title_t, body_t = rng.choice(data.TEMPLATES[category_code])
        title, content = self.fill(title_t, town, village), self.fill(body_t, town, village)
        question = "咨询" in title or "？" in content[-3:] or "怎么" in content
        kind = (
            Appeal.Kind.CONSULTATION
            if question
            else rng.choices(
                [Appeal.Kind.COMPLAINT, Appeal.Kind.HELP, Appeal.Kind.REPORT, Appeal.Kind.SUGGESTION],
                weights=[55, 25, 10, 10],
            )[0]
        )
        channel = rng.choices(["phone", "portal", "api", "counter", "letter"], weights=[60, 20, 10, 6, 4])[0]
        anonymous = rng.random() < 0.12
        name, phone = self.person()
        tier = rng.choices(["general", "complex", "simple", "urgent"], weights=[78, 12, 6, 4])[0]
        if tier == "urgent" and category_code not in (
            "water-supply",
            "power-supply",
            "gas-supply",
            "rural-roads",
            "wage-arrears",
        ):
            tier = "general"
        final = self.department_for(category, town)
        suggested = final if rng.random() < 0.84 else rng.choice(list(self.departments.values()))
        confidence = round(rng.uniform(0.55, 0.97) if suggested == final else rng.uniform(0.2, 0.6), 3)
        appeal = Appeal(
            code=self.code(received),
            region=self.county,
            channel=channel,
            kind=kind,
            title=title[:120],
            content=content,
            category=category,
            town=town,
            village=village,
            address=rng.choice(["", "村委会东侧", "三组", "村口", "主街北段", "学校附近", "果园路旁"]),
            anonymous=anonymous,
            contact_name=None if anonymous else name,
            contact_phone=None if anonymous and rng.random() < 0.5 else phone,
            public_consent=rng.random() < 0.55,
            tier=tier,
            state=S.RECEIVED,
            suggested_department=suggested,
            suggested_category=category,
            suggestion_confidence=confidence,
            suggestion_low_confidence=confidence < 0.5,
            submission_key=f"demo:{index}",
            received_by=self.dispatcher if channel in ("phone", "counter", "letter") else None,
            received_at=received,
        )
        plan = Plan(appeal)
        self.event(plan, K.RECEIVED, received, to_state=S.RECEIVED, note=appeal.get_channel_display())
        self.live(plan, received, force_open, final)
        return plan

    def event(self, plan: Plan, kind, at, *, actor=None, department=None, note="", from_state="", to_state=""):
        plan.events.append(
            AppealEvent(
                appeal=plan.appeal,
                region=self.county,
                kind=kind,
                actor=actor,
                department=department,
                note=note,
                from_state=from_state,
                to_state=to_state,
                created_at=at,
            )
        )

    def move(self, plan: Plan, kind, at, target, **kwargs):
        self.event(plan, kind, at, from_state=plan.appeal.state, to_state=target, **kwargs)
        plan.appeal.state = target

    def handler(self, department: Department):
        return self.users.get(self.handlers.get(department.code, ""))

    def dispatch(self, plan: Plan, department: Department, at: dt.datetime) -> Dispatch:
        appeal = plan.appeal
        dispatch = Dispatch(
            appeal=appeal,
            region=self.county,
            department=department,
            dispatched_by=self.dispatcher,
            dispatched_at=at,
            followed_suggestion=appeal.suggested_department_id == department.pk,
        )
        co = []
        if self.rng.random() < 0.12 and appeal.town_id:
            town_dept = self.departments.get(data.TOWN_DEPARTMENTS.get(appeal.town.code, ""))
            if town_dept and town_dept != department:
                co = [town_dept]
        plan.dispatches.append((dispatch, co))
        if appeal.tier == "urgent":
            dispatch.sign_off_due_at = at + self.urgent_sign_off
            appeal.reply_due_at = at + self.urgent_reply
        else:
            plan.clocks.append(
                ClockSpec(
                    dispatch, f"{appeal.code} 签收时限", at, self.sign_off_days, attach=(dispatch, "sign_off_clock")
                )
            )
            plan.clocks.append(
                ClockSpec(
                    appeal, f"{appeal.code} 答复时限", at, self.limits[appeal.tier], attach=(appeal, "handling_clock")
                )
            )
        appeal.lead_department = department
        appeal.dispatched_at = at
        self.move(
            plan, K.DISPATCHED, at, S.DISPATCHED, actor=self.dispatcher, department=department, note=f"派至{department}"
        )
        return dispatch

    def sign_off_due(self, dispatch: Dispatch) -> dt.date | dt.datetime:
        if dispatch.sign_off_due_at:
            return dispatch.sign_off_due_at
        return add_workdays(self.local(dispatch.dispatched_at).date(), self.sign_off_days).due

    def on_time(self, moment: dt.datetime, due) -> bool:
        if isinstance(due, dt.datetime):
            return moment <= due
        return self.local(moment).date() <= due

    def stop_last(self, plan: Plan, owner, at: dt.datetime) -> None:
        for spec in reversed(plan.clocks):
            if spec.owner is owner and spec.attach[1] != "sign_off_clock" and spec.stopped_at is None:
                spec.stopped_at = at
                return

    def stop_sign_off(self, plan: Plan, dispatch: Dispatch, at: dt.datetime) -> None:
        for spec in plan.clocks:
            if spec.owner is dispatch and spec.stopped_at is None:
                spec.stopped_at = at

    def live(self, plan: Plan, received: dt.datetime, force_open: bool, final: Department) -> None:  # noqa: C901 - one appeal's life, step by step
        rng, now, appeal = self.rng, self.now, plan.appeal
        # Answered on the spot, declined, merged.
        if (
            appeal.kind == Appeal.Kind.CONSULTATION
            and self.knowledge.get(appeal.category_id)
            and rng.random() < 0.6
            and not force_open
        ):
            entry = rng.choice(self.knowledge[appeal.category_id])
            at = received + dt.timedelta(minutes=rng.randint(3, 12))
            if at > now:
                return
            plan.replies.append(
                Reply(
                    appeal=appeal,
                    region=self.county,
                    department=None,
                    content=entry.answer,
                    result=Reply.Result.EXPLAINED,
                    knowledge_entry=entry,
                    replied_by=self.dispatcher,
                    replied_at=at,
                )
            )
            appeal.replied_at = appeal.closed_at = at
            self.move(plan, K.ANSWERED, at, S.ANSWERED, actor=self.dispatcher, note=entry.answer)
            return
        if rng.random() < 0.012 and not force_open:
            reason = rng.choice(["litigation", "arbitration", "petition", "traffic_122"])
            at = received + dt.timedelta(minutes=rng.randint(3, 30))
            if at > now:
                return
            appeal.decline_reason, appeal.decline_advice, appeal.closed_at = reason, ADVICE[reason], at
            self.move(plan, K.DECLINED, at, S.DECLINED, actor=self.dispatcher, note=ADVICE[reason])
            return
        key = (appeal.category_id, appeal.town_id)
        candidates = [a for a in self.recent_open[key] if received - a.received_at < dt.timedelta(days=10)]
        if candidates and rng.random() < 0.1 and not force_open:
            target = candidates[-1]
            at = received + dt.timedelta(minutes=rng.randint(10, 90))
            if at <= now:
                plan.merge_into = target
                appeal.closed_at = at
                self.move(plan, K.MERGED, at, S.MERGED, actor=self.dispatcher, note=f"合并至 {target.code}")
                return
        self.recent_open[key].append(appeal)

        # Dispatch (a pending few stay in the dispatcher's queue).
        delay = dt.timedelta(minutes=rng.randint(15, 150))
        if now - received < dt.timedelta(hours=30) and rng.random() < 0.35:
            delay = dt.timedelta(days=3)
        at = received + delay
        local = self.local(at)
        if local.hour >= 20 or local.hour < 8:
            at = self.work_time(at, 1)
        if at > now:
            return
        wrong = rng.random() < 0.07 and not force_open
        first = (
            rng.choice([d for d in self.departments.values() if d.kind == final.kind and d != final] or [final])
            if wrong
            else final
        )
        dispatch = self.dispatch(plan, first, at)
        if wrong:
            asked = at + dt.timedelta(minutes=rng.randint(30, 240))
            if asked > now:
                return
            reason = f"经核实，该事项不属于{first}职责范围，建议转{final}办理。"
            request = ReturnRequest(
                appeal=appeal,
                dispatch=dispatch,
                region=self.county,
                department=first,
                reason=reason,
                requested_by=self.handler(first),
                requested_at=asked,
            )
            plan.returns.append(request)
            dispatch.responded_on_time = True
            self.stop_sign_off(plan, dispatch, asked)
            self.move(
                plan, K.RETURN_REQUESTED, asked, S.RETURNED, actor=self.handler(first), department=first, note=reason
            )
            decided = asked + dt.timedelta(minutes=rng.randint(20, 180))
            if decided > now:
                return
            request.state, request.decided_by, request.decided_at = (
                ReturnRequest.State.APPROVED,
                self.dispatcher,
                decided,
            )
            dispatch.state = Dispatch.State.RETURNED
            self.stop_last(plan, appeal, decided)
            self.event(plan, K.RETURN_APPROVED, decided, actor=self.dispatcher, department=first)
            appeal.return_count += 1
            appeal.state = S.RETURNED
            dispatch = self.dispatch(plan, final, decided)
            at = decided
        self.handle(plan, dispatch, at, force_open)

    def handle(self, plan: Plan, dispatch: Dispatch, at: dt.datetime, force_open: bool) -> None:
        rng, now, appeal = self.rng, self.now, plan.appeal
        department = dispatch.department
        handler = self.handler(department)
        urgent = appeal.tier == "urgent"
        # Sign-off.
        roll = rng.random()
        if urgent:
            signed = at + dt.timedelta(minutes=rng.randint(5, 50) if roll < 0.93 else rng.randint(70, 180))
        else:
            signed = self.work_time(at, 0 if roll < 0.8 else (1 if roll < 0.96 else rng.randint(2, 3)))
        if signed > now:
            return
        dispatch.signed_off_at, dispatch.signed_off_by = signed, handler
        dispatch.responded_on_time = self.on_time(signed, self.sign_off_due(dispatch))
        self.stop_sign_off(plan, dispatch, signed)
        self.move(
            plan,
            K.SIGNED_OFF,
            signed,
            S.SIGNED_OFF,
            actor=handler,
            department=department,
            note="" if dispatch.responded_on_time else "超时签收",
        )
        self.reply_round(plan, dispatch, start=at, after=signed, force_open=force_open, round_no=1)

    def reply_round(
        self, plan: Plan, dispatch: Dispatch, *, start: dt.datetime, after: dt.datetime, force_open: bool, round_no: int
    ) -> None:
        rng, now, appeal = self.rng, self.now, plan.appeal
        department, handler = dispatch.department, self.handler(dispatch.department)
        urgent = appeal.tier == "urgent"
        limit = self.limits.get(appeal.tier, 1)  # urgent: counted in hours, see below
        extended = 0
        if not urgent and rng.random() < 0.07 and limit > 1:
            asked = self.work_time(after, rng.randint(1, limit - 1))
            if asked > now:
                return
            days = rng.choice([3, 5])
            request = ExtensionRequest(
                appeal=appeal,
                region=self.county,
                department=department,
                days=days,
                reason=rng.choice(["需协调多个部门现场会商", "涉及资金拨付，需走审批程序", "施工受天气影响，需延后"]),
                previous_due_on=add_workdays(self.local(start).date(), limit).due,
                requested_by=handler,
                requested_at=asked,
            )
            plan.extensions.append(request)
            self.event(
                plan,
                K.EXTENSION_REQUESTED,
                asked,
                actor=handler,
                department=department,
                note=f"{days} 个工作日：{request.reason}",
            )
            decided = asked + dt.timedelta(hours=rng.randint(1, 5))
            if decided > now:
                return  # still waiting for the dispatcher: no reply yet
            request.decided_by, request.decided_at = self.dispatcher, decided
            if rng.random() < 0.85:
                request.state = ExtensionRequest.State.APPROVED
                request.new_due_on = add_workdays(self.local(start).date(), limit + days).due
                extended = days
                appeal.extension_count += 1
                self.stop_last(plan, appeal, decided)
                plan.clocks.append(
                    ClockSpec(
                        appeal,
                        f"{appeal.code} 答复时限（延期 {days} 个工作日）",
                        start,
                        limit + days,
                        attach=(appeal, "handling_clock"),
                    )
                )
                self.event(
                    plan,
                    K.EXTENSION_APPROVED,
                    decided,
                    actor=self.dispatcher,
                    department=department,
                    note=f"延期 {days} 个工作日，至 {request.new_due_on}",
                )
            else:
                request.state, request.decision_note = ExtensionRequest.State.REJECTED, "时限充足，请按期办结"
                self.event(
                    plan,
                    K.EXTENSION_REJECTED,
                    decided,
                    actor=self.dispatcher,
                    department=department,
                    note=request.decision_note,
                )
        # The reply.
        if force_open:
            return
        if urgent:
            replied = after + dt.timedelta(hours=rng.randint(2, 20) if rng.random() < 0.92 else rng.randint(26, 40))
            due = appeal.reply_due_at
        else:
            total = limit + extended
            late = rng.random() < 0.08
            offset = rng.randint(total + 1, total + 3) if late else rng.randint(1, total)
            replied = self.work_time(start, offset)
            if replied <= after:
                replied = after + dt.timedelta(hours=2)
            due = add_workdays(self.local(start).date(), total).due
        if replied > now:
            return
        result = rng.choices(
            [Reply.Result.RESOLVED, Reply.Result.EXPLAINED, Reply.Result.UNRESOLVABLE], weights=[78, 17, 5]
        )[0]
        # The reply names the appeal and says what its result says: the category's action when
        # resolved, an explanation or the reason it cannot be solved otherwise.
        if result == Reply.Result.RESOLVED:
            templates = data.REPLY_TEMPLATES.get(appeal.category.code) or data.REPLY_TEMPLATES["default"]
        else:
            templates = data.REPLY_TEMPLATES[str(result)]
        content = rng.choice(templates).format(date=self.local(replied).strftime("%m月%d日"), title=appeal.title)
        reply = Reply(
            appeal=appeal,
            region=self.county,
            department=department,
            round=round_no,
            content=content,
            result=result,
            replied_by=handler,
            replied_at=replied,
            on_time=self.on_time(replied, due),
        )
        plan.replies.append(reply)
        appeal.replied_at = replied
        self.stop_last(plan, appeal, replied)
        self.move(plan, K.REPLIED, replied, S.REPLIED, actor=handler, department=department, note=content)
        # The revisit.
        revisited = replied + dt.timedelta(hours=rng.randint(18, 70))
        if revisited > now:
            return
        resolved = rng.random() < (0.95 if result == Reply.Result.RESOLVED else 0.4)
        satisfaction = rng.choices([5, 4, 3, 2, 1], weights=[52, 31, 10, 5, 2] if resolved else [3, 12, 30, 35, 20])[0]
        unhappy = not resolved or satisfaction <= 2
        within = unhappy and rng.random() < 0.4
        reopen = within and appeal.reopen_count < 1
        comment = rng.choice(
            ["认为处理不彻底", "反映问题仍然存在", "希望加快进度"]
            if unhappy
            else ["群众表示满意", "问题已解决", "对处理结果基本认可"]
        )
        revisit = Revisit(
            appeal=appeal,
            region=self.county,
            department=department,
            resolved=resolved,
            satisfaction=satisfaction,
            comment=comment,
            within_power=within,
            outcome=Revisit.Outcome.REOPENED if reopen else Revisit.Outcome.CLOSED,
            revisited_by=self.dispatcher,
            revisited_at=revisited,
        )
        plan.revisits.append((revisit, reply))
        label = Revisit.Satisfaction(satisfaction).label
        self.move(
            plan,
            K.REVISITED,
            revisited,
            S.REVISITED,
            actor=self.dispatcher,
            department=department,
            note=f"{'已解决' if resolved else '未解决'}，{label}。{comment}",
        )
        if reopen:
            appeal.reopen_count += 1
            if urgent:
                appeal.reply_due_at = revisited + self.urgent_reply
            else:
                plan.clocks.append(
                    ClockSpec(
                        appeal,
                        f"{appeal.code} 重办答复时限（第1次）",
                        revisited,
                        limit,
                        attach=(appeal, "handling_clock"),
                    )
                )
            self.move(
                plan, K.REOPENED, revisited, S.REOPENED, actor=self.dispatcher, department=department, note=comment
            )
            self.reply_round(plan, dispatch, start=revisited, after=revisited, force_open=False, round_no=2)
        else:
            appeal.closed_at = revisited
            self.move(plan, K.CLOSED, revisited, S.CLOSED, actor=self.dispatcher)

    # the whole period

    def generate(self, today: dt.date, progress) -> None:
        rng = self.rng
        index = 0
        start = today - dt.timedelta(days=DAYS)
        for offset in progress(range(DAYS + 1)):
            day = start + dt.timedelta(days=offset)
            mean = WEEKDAY_MEAN if day.weekday() < 5 else WEEKEND_MEAN
            for _ in range(max(0, int(rng.gauss(mean, mean * 0.25)))):
                received = self.at(
                    day,
                    rng.choices(range(7, 23), weights=[2, 6, 9, 9, 8, 6, 7, 8, 8, 7, 6, 5, 4, 3, 2, 1])[0],
                    rng.randint(0, 59),
                )
                if received > self.now:
                    continue
                self.plans.append(self.appeal(index, received))
                index += 1
        # A housing backlog: the 住建局 handler's queue holds forty-odd open appeals.
        for _ in range(44):
            received = self.now - dt.timedelta(days=rng.uniform(0.5, 10), hours=rng.uniform(0, 6))
            local = self.local(received)
            if local.hour < 8 or local.hour > 19:
                received = self.at(local.date(), rng.randint(9, 17))
            if received > self.now:
                continue
            self.plans.append(self.appeal(index, received, category_code="housing", force_open=True))
            index += 1


# --- writing -------------------------------------------------------------------------------------


def bulk_write(history: History, stdout) -> dict[str, int]:
    plans = history.plans
    plans.sort(key=lambda p: p.appeal.received_at)
    appeals = [p.appeal for p in plans]
    # Merged duplicates point at appeals written before them (the database checks the pointer).
    Appeal.objects.bulk_create([p.appeal for p in plans if p.merge_into is None], batch_size=500)
    for plan in plans:
        if plan.merge_into is not None:
            plan.appeal.merged_into = plan.merge_into
    Appeal.objects.bulk_create([p.appeal for p in plans if p.merge_into is not None], batch_size=500)
    dispatches = [d for p in plans for d, _ in p.dispatches]
    Dispatch.objects.bulk_create(dispatches, batch_size=500)
    through = Dispatch.co_departments.through
    through.objects.bulk_create(
        [through(dispatch_id=d.pk, department_id=c.pk) for p in plans for d, co in p.dispatches for c in co],
        batch_size=1000,
    )
    # Clocks: due days from the working-day calendar.
    types = {Appeal: ContentType.objects.get_for_model(Appeal), Dispatch: ContentType.objects.get_for_model(Dispatch)}
    specs = [s for p in plans for s in p.clocks]
    clocks = []
    for spec in specs:
        due = add_workdays(spec.started_at, spec.days)
        stopped = history.local(spec.stopped_at).date() if spec.stopped_at else None
        clocks.append(
            Clock(
                label=spec.label[:200],
                started_at=spec.started_at,
                days=spec.days,
                due_on=due.due,
                provisional=due.provisional,
                state=Clock.State.STOPPED if stopped else Clock.State.RUNNING,
                stopped_on=stopped,
                region_code=COUNTY,
                content_type=types[type(spec.owner)],
                object_id=spec.owner.pk,
            )
        )
    Clock.objects.bulk_create(clocks, batch_size=1000)
    for spec, clock in zip(specs, clocks, strict=True):
        setattr(spec.attach[0], spec.attach[1], clock)
    Dispatch.objects.bulk_update(dispatches, ["sign_off_clock"], batch_size=500)
    Appeal.objects.bulk_update(appeals, ["handling_clock"], batch_size=500)
    ReturnRequest.objects.bulk_create([r for p in plans for r in p.returns], batch_size=500)
    ExtensionRequest.objects.bulk_create([e for p in plans for e in p.extensions], batch_size=500)
    replies = [r for p in plans for r in p.replies]
    Reply.objects.bulk_create(replies, batch_size=500)
    revisits = []
    for plan in plans:
        for revisit, reply in plan.revisits:
            revisit.reply = reply
            revisits.append(revisit)
    Revisit.objects.bulk_create(revisits, batch_size=500)
    events = [e for p in plans for e in p.events]
    AppealEvent.objects.bulk_create(events, batch_size=1000)
    return {
        "appeals": len(appeals),
        "dispatches": len(dispatches),
        "clocks": len(clocks),
        "replies": len(replies),
        "revisits": len(revisits),
        "events": len(events),
    }


def unresolved_write(history: History, categories: dict[str, Category], today: dt.date) -> int:
    rng = history.rng
    hall = ServiceHall.objects.filter(kind=ServiceHall.Kind.COUNTY_HALL).first()
    clerk = history.users.get("liufang")
    departments = history.departments
    kinds = ContentType.objects.get_for_model(UnresolvedMatter)
    matters, specs = [], []
    days = {"simple": 0, "general": 1, "complex": 7}
    from yiwang.hotline.conf import hotline_config

    days.update({k: int(v) for k, v in hotline_config()["UNRESOLVED_WORKDAYS"].items()})
    for offset in range(DAYS, -1, -1):
        day = today - dt.timedelta(days=offset)
        if day.weekday() >= 5:
            continue
        for _ in range(rng.choice([0, 0, 1, 1, 1, 2])):
            summary, category_code, dept_code = rng.choice(data.UNRESOLVED)
            reported = history.at(day, rng.randint(9, 17), rng.randint(0, 59))
            if reported > history.now:
                continue
            tier = rng.choices(["simple", "general", "complex"], weights=[45, 40, 15])[0]
            name, phone = history.person()
            code = (
                "BC" + history.local(reported).strftime("%y%m%d") + "".join(rng.choice(CODE_ALPHABET) for _ in range(5))
            )
            if code in history.codes:
                continue
            history.codes.add(code)
            matter = UnresolvedMatter(
                code=code,
                region=history.county,
                town=rng.choice(history.towns),
                hall=hall,
                channel=rng.choices(["window", "phone", "online", "letter"], weights=[55, 25, 12, 8])[0],
                summary=summary,
                description=f"{summary}。群众反映：{rng.choice(['跑了两趟没办成', '不知道该找哪个部门', '窗口说系统不支持', '材料要求前后不一致'])}，希望帮助解决。",
                category=categories.get(category_code),
                department=departments.get(dept_code),
                tier=tier,
                reporter_name=name,
                reporter_phone=phone,
                reported_at=reported,
                recorded_by=clerk,
            )
            due = add_workdays(reported, days[tier]).due
            late = rng.random() < 0.08
            if tier == "simple" and not late:
                resolved_at = reported + dt.timedelta(minutes=rng.randint(10, 60))
            else:
                take = days[tier] + (rng.randint(1, 2) if late else 0)
                resolved_at = history.work_time(reported, rng.randint(1 if late else 0, max(take, 1)))
            if resolved_at <= history.now:
                matter.state = UnresolvedMatter.State.RESOLVED
                matter.resolution = rng.choices(["solved", "explained", "referred"], weights=[70, 20, 10])[0]
                matter.resolution_note = rng.choice(
                    ["现场协调窗口当场办结", "电话联系相关部门后办结并回复群众", "已向群众解释政策规定并指导网上办理"]
                )
                matter.resolved_at = resolved_at
                matter.resolved_by = clerk
                matter.on_time = history.local(resolved_at).date() <= due
            matters.append(matter)
            specs.append((matter, due))
    UnresolvedMatter.objects.bulk_create(matters, batch_size=500)
    clocks = []
    for matter, due in specs:
        clocks.append(
            Clock(
                label=f"办不成事 {matter.code}",
                started_at=matter.reported_at,
                days=days[matter.tier],
                due_on=due,
                state=Clock.State.STOPPED if matter.resolved_at else Clock.State.RUNNING,
                stopped_on=history.local(matter.resolved_at).date() if matter.resolved_at else None,
                region_code=COUNTY,
                content_type=kinds,
                object_id=matter.pk,
            )
        )
    Clock.objects.bulk_create(clocks, batch_size=1000)
    for (matter, _), clock in zip(specs, clocks, strict=True):
        matter.clock = clock
    UnresolvedMatter.objects.bulk_update(matters, ["clock"], batch_size=500)
    return len(matters)
