"""Every write on appeals, the 办不成事 register and the router.

Each state change runs in one transaction: it locks the appeal row, checks the transition in
``workflow.py``, changes it, appends the timeline event, writes the audit event and queues the
notifications (outbox), so they commit or roll back together. Rules and their sources are in the
docstrings; violations raise ``ApplicationError`` with a dotted code and change nothing.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.outbox import outbox_enqueue
from yiwang.hotline import deadlines
from yiwang.hotline.conf import conf
from yiwang.hotline.models import (
    Appeal,
    AppealEvent,
    Category,
    Dispatch,
    ExtensionRequest,
    KnowledgeEntry,
    Reply,
    ReturnRequest,
    Revisit,
    RoutingModel,
    UnresolvedMatter,
)
from yiwang.hotline.rules import EMERGENCY_REASONS, advice_for, screen_text
from yiwang.hotline.workflow import EXTENSION_STATES, check_transition
from yiwang.org.models import Department, Membership, Region, Role
from yiwang.org.selectors import user_can_act_for_department, user_roles
from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_start, clock_stop

State = Appeal.State
Kind = AppealEvent.Kind

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"  # no 0/O, 1/I: read aloud over the phone
SELF_SERVICE_CHANNELS = frozenset({Appeal.Channel.PORTAL, Appeal.Channel.API})
STAFF_CHANNELS = frozenset({Appeal.Channel.PHONE, Appeal.Channel.COUNTER, Appeal.Channel.LETTER})
DISPATCH_ROLES = frozenset({Role.DISPATCHER, Role.ADMIN})
INTAKE_ROLES = frozenset({Role.DISPATCHER, Role.CLERK, Role.ADMIN})
MOBILE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE = re.compile(r"^0\d{2,3}-?\d{7,8}$")
AUDIT_FIELDS = ["state", "lead_department", "tier", "category", "return_count", "extension_count", "reopen_count"]


# --- helpers -------------------------------------------------------------------------------------


def _error(code: str, message: str, *, status: int = 400, **details) -> ApplicationError:
    return ApplicationError(code, message, details=details, status=status)


def _forbidden(message: str) -> ApplicationError:
    return ApplicationError("appeal.forbidden", message, status=403)


def _require_dispatcher(actor) -> None:
    if not (DISPATCH_ROLES & user_roles(actor)):
        raise _forbidden("只有 12345 派单员可以执行此操作")


def _require_lead(actor, appeal: Appeal) -> None:
    """首接负责: only the lead department acts on the appeal (DESIGN: department scoping)."""
    if appeal.lead_department is None or not user_can_act_for_department(actor, appeal.lead_department):
        raise _forbidden("只有主办部门的经办人员可以办理该诉求")


def _new_code(prefix: str, model, at: dt.datetime) -> str:
    day = timezone.localtime(at).strftime("%y%m%d")
    for _ in range(10):
        code = prefix + day + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))
        if not model.objects.filter(code=code).exists():
            return code
    raise RuntimeError("could not draw a free code")  # 32**5 codes a day; never in practice


def _county() -> Region:
    return Region.objects.get(code=conf("COUNTY_CODE"))


def _region_code(appeal: Appeal) -> str:
    return appeal.region.code


def _locked(appeal: Appeal) -> Appeal:
    return (
        Appeal.objects.select_for_update(of=("self",))
        .select_related("region", "lead_department", "lead_department__region", "handling_clock")
        .get(pk=appeal.pk)
    )


def _event(
    appeal: Appeal,
    kind: str,
    *,
    actor,
    note: str = "",
    department=None,
    from_state="",
    to_state="",
    dedupe_key=None,
    at=None,
):
    return AppealEvent.objects.create(
        appeal=appeal,
        region_id=appeal.region_id,
        kind=kind,
        actor=actor if getattr(actor, "pk", None) else None,
        department=department,
        note=note,
        from_state=from_state,
        to_state=to_state,
        dedupe_key=dedupe_key,
        created_at=at or timezone.now(),
    )


def _audit(appeal: Appeal, action: str, *, actor, before: dict | None, details: dict | None = None) -> None:
    audit_record(
        actor=actor if getattr(actor, "pk", None) else None,
        action=f"hotline.appeal_{action}",
        obj=appeal,
        before=before,
        after=snapshot(appeal, AUDIT_FIELDS),
        region_code=_region_code(appeal),
        details=details,
    )


def _move(appeal: Appeal, target: str, *, actor, kind: str, note: str = "", department=None, extra_fields=()) -> dict:
    """Check and apply one transition; returns the ``before`` snapshot for the audit event."""
    check_transition(appeal, target)
    before = snapshot(appeal, AUDIT_FIELDS)
    source = appeal.state
    appeal.state = target
    appeal.save(update_fields=["state", "updated_at", *extra_fields])
    _event(appeal, kind, actor=actor, note=note, department=department, from_state=source, to_state=target)
    return before


def _user_ids(role: str, department: Department | None = None) -> list[int]:
    qs = Membership.objects.filter(role=role, user__is_active=True)
    if department is not None:
        qs = qs.filter(department=department)
    return sorted(set(qs.values_list("user_id", flat=True)))


def _notify_department(department: Department, body: str, key: str) -> None:
    for user_id in _user_ids(Role.HANDLER, department):
        outbox_enqueue(channel="inapp", recipient=str(user_id), body=body, dedupe_key=f"{key}:u{user_id}")


def _notify_dispatchers(body: str, key: str) -> None:
    for user_id in _user_ids(Role.DISPATCHER):
        outbox_enqueue(channel="inapp", recipient=str(user_id), body=body, dedupe_key=f"{key}:u{user_id}")


def _notify_citizen(appeal: Appeal, body: str, key: str) -> None:
    if appeal.contact_phone and MOBILE.match(appeal.contact_phone):
        outbox_enqueue(channel="sms", recipient=appeal.contact_phone, body=body, dedupe_key=key)


def _stop(clock: Clock | None, actor) -> None:
    if clock is not None and clock.state != Clock.State.STOPPED:
        clock_stop(clock=clock, actor=actor if getattr(actor, "pk", None) else None)


def _reply_workdays(tier: str) -> int:
    return int(conf("REPLY_WORKDAYS")[tier])


def _start_handling(appeal: Appeal, *, at: dt.datetime, actor, label: str) -> None:
    """The reply deadline from ``at``: urgent in hours, other tiers in working days."""
    if appeal.tier == Appeal.Tier.URGENT:
        appeal.handling_clock = None
        appeal.reply_due_at = at + dt.timedelta(hours=conf("URGENT_REPLY_HOURS"))
    else:
        appeal.reply_due_at = None
        appeal.handling_clock = clock_start(
            label=f"{appeal.code} {label}",
            started_at=at,
            days=_reply_workdays(appeal.tier),
            actor=actor if getattr(actor, "pk", None) else None,
            owner=appeal,
            region_code=_region_code(appeal),
        )


def _open_dispatch(
    appeal: Appeal, *, department: Department, co_departments, actor, note: str, at: dt.datetime
) -> Dispatch:
    dispatch = Dispatch(
        appeal=appeal,
        region_id=appeal.region_id,
        department=department,
        note=note,
        dispatched_by=actor if getattr(actor, "pk", None) else None,
        dispatched_at=at,
        followed_suggestion=(appeal.suggested_department_id == department.pk)
        if appeal.suggested_department_id
        else None,
    )
    if appeal.tier == Appeal.Tier.URGENT:
        dispatch.sign_off_due_at = at + dt.timedelta(hours=conf("URGENT_SIGN_OFF_HOURS"))
    dispatch.save()
    if appeal.tier != Appeal.Tier.URGENT:
        dispatch.sign_off_clock = clock_start(
            label=f"{appeal.code} 签收时限",
            started_at=at,
            days=int(conf("SIGN_OFF_WORKDAYS")),
            actor=actor if getattr(actor, "pk", None) else None,
            owner=dispatch,
            region_code=_region_code(appeal),
        )
        dispatch.save(update_fields=["sign_off_clock"])
    co = [d for d in co_departments if d.pk != department.pk]
    if co:
        dispatch.co_departments.set(co)
    appeal.lead_department = department
    appeal.dispatched_at = at
    _start_handling(appeal, at=at, actor=actor, label="答复时限")
    _notify_department(
        department,
        f"【12345】新派诉求 {appeal.code}：{appeal.title}。请及时签收办理。",
        f"appeal:{appeal.pk}:dispatch:{dispatch.pk}",
    )
    for co_department in co:
        _notify_department(
            co_department,
            f"【12345】诉求 {appeal.code} 请贵单位协办（主办：{department}）。",
            f"appeal:{appeal.pk}:dispatch:{dispatch.pk}:co:{co_department.pk}",
        )
    return dispatch


def _active_dispatch(appeal: Appeal) -> Dispatch | None:
    return (
        Dispatch.objects.select_for_update(of=("self",))
        .select_related("sign_off_clock")
        .filter(appeal=appeal, state=Dispatch.State.ACTIVE)
        .first()
    )


# --- intake --------------------------------------------------------------------------------------


def _clean_phone(phone: str) -> str:
    phone = re.sub(r"[\s]", "", phone or "")
    if phone and not (MOBILE.match(phone) or LANDLINE.match(phone)):
        raise _error(
            "appeal.bad_phone", "联系电话格式不正确（手机号 11 位，座机如 0917-5541234）", field="contact_phone"
        )
    return phone


def appeal_submit(
    *,
    channel: str,
    kind: str,
    title: str,
    content: str,
    actor=None,
    town: Region | None = None,
    village: Region | None = None,
    address: str = "",
    latitude=None,
    longitude=None,
    anonymous: bool = False,
    contact_name: str = "",
    contact_phone: str = "",
    contact_email: str = "",
    public_consent: bool = False,
    category: Category | None = None,
    tier: str | None = None,
    confirm_not_emergency: bool = False,
    submission_key: str | None = None,
    received_at: dt.datetime | None = None,
) -> Appeal:
    """Register an appeal from any channel (plan 二(四): 统一受理).

    Rules: types 咨询/求助/投诉/举报/建议; a named appeal needs a name and a phone number (for the
    reply and the revisit), an anonymous one keeps no name; staff channels (phone, counter,
    letter) are registered by an operator or clerk. An online submission that reads like an
    emergency in progress is turned away with the 110/119/120/122 advice unless the person
    confirms it is not one; other out-of-scope hints are kept for the dispatcher
    (``screening``). A repeated ``submission_key`` returns the first appeal (double submit).
    """
    if submission_key:
        existing = Appeal.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    if channel not in Appeal.Channel.values:
        raise _error("appeal.bad_channel", f"未知的受理渠道：{channel}", field="channel")
    if kind not in Appeal.Kind.values:
        raise _error("appeal.bad_kind", "诉求类型应为 咨询、求助、投诉、举报 或 建议", field="kind")
    if tier is not None and tier not in Appeal.Tier.values:
        raise _error("appeal.bad_tier", f"未知的办理等级：{tier}", field="tier")
    title, content = (title or "").strip(), (content or "").strip()
    if not title:
        raise _error("appeal.title_required", "请填写诉求标题", field="title")
    if len(content) < 5:
        raise _error("appeal.content_required", "请具体描述诉求内容（至少 5 个字）", field="content")
    if channel in STAFF_CHANNELS and not (INTAKE_ROLES & user_roles(actor)):
        raise _forbidden("电话、窗口、来信渠道的诉求由话务员或窗口工作人员登记")
    contact_name = (contact_name or "").strip()
    contact_phone = _clean_phone(contact_phone)
    if anonymous:
        contact_name = ""
    elif not contact_name or not contact_phone:
        raise _error(
            "appeal.contact_required", "实名诉求请填写联系人和联系电话（或选择匿名反映）", field="contact_phone"
        )
    county = _county()
    if town is not None and (town.level != Region.Level.TOWN or not town.path.startswith(county.path)):
        raise _error("appeal.bad_town", f"{town.name} 不是本县的镇（街道）", field="town")
    if village is not None:
        if town is None:
            town = village.parent
        if village.parent_id != town.pk:
            raise _error("appeal.bad_village", f"{village.name} 不属于 {town.name}", field="village")

    screening = screen_text(f"{title} {content}")
    if (
        screening is not None
        and screening.reason in EMERGENCY_REASONS
        and channel in SELF_SERVICE_CHANNELS
        and not confirm_not_emergency
    ):
        raise ApplicationError(
            "appeal.emergency",
            screening.advice + "如确属非紧急事项，请勾选“不是正在发生的紧急情况”后再提交。",
            details={"reason": screening.reason, "advice": screening.advice, "field": "content"},
            status=400,
        )

    from yiwang.hotline.selectors import routing_suggest  # the router reads; no cycle at import

    suggestion = routing_suggest(title=title, content=content, town=town)
    at = received_at or timezone.now()
    actor_user = actor if getattr(actor, "pk", None) else None
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                code=_new_code("YW", Appeal, at),
                region=county,
                channel=channel,
                kind=kind,
                title=title[:120],
                content=content,
                category=category or suggestion.category,
                town=town,
                village=village,
                address=(address or "").strip()[:200],
                latitude=latitude,
                longitude=longitude,
                anonymous=anonymous,
                contact_name=contact_name or None,
                contact_phone=contact_phone or None,
                contact_email=(contact_email or "").strip() or None,
                public_consent=public_consent,
                tier=tier or Appeal.Tier.GENERAL,
                screening=screening.reason if screening else "",
                suggested_department=suggestion.department,
                suggested_category=suggestion.category,
                suggestion_confidence=suggestion.confidence,
                suggestion_low_confidence=suggestion.low_confidence,
                submission_key=submission_key or None,
                submitted_by=actor_user if channel in SELF_SERVICE_CHANNELS else None,
                received_by=actor_user if channel in STAFF_CHANNELS else None,
                received_at=at,
            )
            _event(
                appeal,
                Kind.RECEIVED,
                actor=actor_user,
                to_state=State.RECEIVED,
                note=appeal.get_channel_display(),
                at=at,
            )
            audit_record(
                actor=actor_user,
                action="hotline.appeal_received",
                obj=appeal,
                after=snapshot(appeal, [*AUDIT_FIELDS, "channel", "kind", "anonymous", "contact_phone"]),
                region_code=county.code,
            )
            _notify_citizen(
                appeal,
                f"【眉县12345】您的诉求已受理，受理编号 {appeal.code}，可凭编号在“有问必应、接诉即办”专栏查询办理进度。",
                f"appeal:{appeal.pk}:received",
            )
    except IntegrityError:
        # A concurrent double submit with the same key won the race: answer with its appeal.
        if submission_key:
            existing = Appeal.objects.filter(submission_key=submission_key).first()
            if existing is not None:
                return existing
        raise
    return appeal


def appeal_reclassify(*, appeal: Appeal, actor, category: Category | None = None, tier: str | None = None) -> Appeal:
    """The dispatcher corrects the category or tier of an appeal not yet dispatched."""
    _require_dispatcher(actor)
    if tier is not None and tier not in Appeal.Tier.values:
        raise _error("appeal.bad_tier", f"未知的办理等级：{tier}", field="tier")
    with transaction.atomic():
        appeal = _locked(appeal)
        if appeal.state != State.RECEIVED:
            raise _error("appeal.transition_not_allowed", "只有待派单的诉求可以调整分类", status=409)
        before = snapshot(appeal, AUDIT_FIELDS)
        if category is not None:
            appeal.category = category
        if tier is not None:
            appeal.tier = tier
        appeal.save(update_fields=["category", "tier", "updated_at"])
        _event(appeal, Kind.RECLASSIFIED, actor=actor, note=f"{appeal.category or ''} {appeal.get_tier_display()}")
        _audit(appeal, "reclassified", actor=actor, before=before)
    return appeal


def appeal_answer(*, appeal: Appeal, content: str, actor, knowledge_entry: KnowledgeEntry | None = None) -> Appeal:
    """直接办结: the operator answers a consultation on the spot from the knowledge base."""
    if not (INTAKE_ROLES & user_roles(actor)):
        raise _forbidden("只有话务员或窗口工作人员可以直接办结")
    content = (content or "").strip()
    if not content and knowledge_entry is not None:
        content = knowledge_entry.answer
    if len(content) < conf("REPLY_MIN_LENGTH"):
        raise _error("appeal.reply_content_required", "请填写答复内容（至少 10 个字）", field="content")
    with transaction.atomic():
        appeal = _locked(appeal)
        if appeal.kind != Appeal.Kind.CONSULTATION:
            raise _error(
                "appeal.answer_only_consultation", "只有咨询类诉求可以直接办结，其他诉求请派单办理", status=409
            )
        now = timezone.now()
        appeal.replied_at = now
        appeal.closed_at = now
        before = _move(
            appeal,
            State.ANSWERED,
            actor=actor,
            kind=Kind.ANSWERED,
            note=content,
            extra_fields=["replied_at", "closed_at"],
        )
        Reply.objects.create(
            appeal=appeal,
            region_id=appeal.region_id,
            department=None,  # answered by the hotline itself: no department's reply to measure
            content=content,
            result=Reply.Result.EXPLAINED,
            knowledge_entry=knowledge_entry,
            replied_by=actor,
            replied_at=now,
            on_time=True,
        )
        if knowledge_entry is not None:
            KnowledgeEntry.objects.filter(pk=knowledge_entry.pk).update(use_count=F("use_count") + 1)
        _audit(
            appeal,
            "answered",
            actor=actor,
            before=before,
            details={"knowledge_entry": getattr(knowledge_entry, "pk", None)},
        )
        _notify_citizen(
            appeal, f"【眉县12345】您的咨询（{appeal.code}）已答复：{content[:200]}", f"appeal:{appeal.pk}:answered"
        )
    return appeal


def appeal_decline(*, appeal: Appeal, reason: str, actor, note: str = "") -> Appeal:
    """不予受理 with the advice of the proper channel (DESIGN: emergencies stay with 110/119/120/122;
    litigation, arbitration, discipline, reconsideration and 信访 follow their own procedures)."""
    if not (INTAKE_ROLES & user_roles(actor)):
        raise _forbidden("只有话务员或窗口工作人员可以不予受理")
    if reason not in Appeal.DeclineReason.values:
        raise _error("appeal.bad_decline_reason", "请选择不予受理的原因", field="reason")
    with transaction.atomic():
        appeal = _locked(appeal)
        appeal.decline_reason = reason
        appeal.decline_advice = advice_for(reason)
        appeal.closed_at = timezone.now()
        before = _move(
            appeal,
            State.DECLINED,
            actor=actor,
            kind=Kind.DECLINED,
            note=f"{appeal.decline_advice}{(' ' + note.strip()) if note and note.strip() else ''}",
            extra_fields=["decline_reason", "decline_advice", "closed_at"],
        )
        _audit(appeal, "declined", actor=actor, before=before, details={"reason": reason})
        _notify_citizen(
            appeal, f"【眉县12345】{appeal.decline_advice}（编号 {appeal.code}）", f"appeal:{appeal.pk}:declined"
        )
    return appeal


# --- dispatch, sign-off, return ------------------------------------------------------------------


def appeal_dispatch(
    *,
    appeal: Appeal,
    department: Department,
    actor,
    tier: str | None = None,
    category: Category | None = None,
    co_departments: Iterable[Department] = (),
    note: str = "",
) -> Appeal:
    """派单 to one lead department (首接负责) with optional co-departments. Starts the sign-off
    deadline (``SIGN_OFF_WORKDAYS``, urgent: ``URGENT_SIGN_OFF_HOURS``) and the reply deadline of
    the tier (``REPLY_WORKDAYS``; urgent: ``URGENT_REPLY_HOURS``). The dispatcher decides; the
    router only suggests."""
    _require_dispatcher(actor)
    if department is None or not department.is_active:
        raise _error("appeal.department_required", "请选择主办部门", field="department")
    if tier is not None and tier not in Appeal.Tier.values:
        raise _error("appeal.bad_tier", f"未知的办理等级：{tier}", field="tier")
    with transaction.atomic():
        appeal = _locked(appeal)
        # Before any field changes: _open_dispatch already sets the new lead department.
        before = snapshot(appeal, AUDIT_FIELDS)
        check_transition(appeal, State.DISPATCHED)
        if tier:
            appeal.tier = tier
        if category is not None:
            appeal.category = category
        at = timezone.now()
        dispatch = _open_dispatch(
            appeal, department=department, co_departments=list(co_departments), actor=actor, note=note, at=at
        )
        _move(
            appeal,
            State.DISPATCHED,
            actor=actor,
            kind=Kind.DISPATCHED,
            department=department,
            note=note or f"派至{department}",
            extra_fields=["tier", "category", "lead_department", "dispatched_at", "handling_clock", "reply_due_at"],
        )
        _audit(
            appeal,
            "dispatched",
            actor=actor,
            before=before,
            details={"dispatch": dispatch.pk, "followed_suggestion": dispatch.followed_suggestion},
        )
    return appeal


def appeal_sign_off(*, appeal: Appeal, actor) -> Appeal:
    """签收 by the lead department; late sign-off is allowed and counts against the response rate."""
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_lead(actor, appeal)
        check_transition(appeal, State.SIGNED_OFF)
        dispatch = _active_dispatch(appeal)
        now = timezone.now()
        on_time = deadlines.within(deadlines.sign_off_deadline(dispatch, now), now)
        dispatch.signed_off_at = now
        dispatch.signed_off_by = actor
        dispatch.responded_on_time = on_time
        dispatch.save(update_fields=["signed_off_at", "signed_off_by", "responded_on_time"])
        _stop(dispatch.sign_off_clock, actor)
        before = _move(
            appeal,
            State.SIGNED_OFF,
            actor=actor,
            kind=Kind.SIGNED_OFF,
            department=appeal.lead_department,
            note="" if on_time else "超时签收",
        )
        _audit(appeal, "signed_off", actor=actor, before=before, details={"on_time": on_time})
    return appeal


def appeal_return(*, appeal: Appeal, reason: str, actor) -> ReturnRequest:
    """退单: the lead department sends the appeal back as not theirs — once per dispatch, with a
    reason, before the sign-off limit (DESIGN: appeals). The dispatcher decides."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise _error(
            "appeal.return_reason_required", "请填写退单理由（至少 5 个字），说明为何不属于本部门职责", field="reason"
        )
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_lead(actor, appeal)
        check_transition(appeal, State.RETURNED)
        dispatch = _active_dispatch(appeal)
        now = timezone.now()
        limit = deadlines.sign_off_deadline(dispatch, now)
        if not deadlines.within(limit, now):
            raise _error(
                "appeal.return_after_limit",
                f"已超过签收时限（{limit.display()}），不能退单，请签收办理",
                status=409,
                due=limit.display(),
            )
        if dispatch.returns.count() >= conf("RETURN_LIMIT"):
            raise _error("appeal.return_limit", "该派单已退过一次，不能再次退单", status=409)
        request = ReturnRequest.objects.create(
            appeal=appeal,
            dispatch=dispatch,
            region_id=appeal.region_id,
            department=appeal.lead_department,
            reason=reason,
            requested_by=actor,
            requested_at=now,
        )
        dispatch.responded_on_time = True
        dispatch.save(update_fields=["responded_on_time"])
        before = _move(
            appeal,
            State.RETURNED,
            actor=actor,
            kind=Kind.RETURN_REQUESTED,
            department=appeal.lead_department,
            note=reason,
        )
        _audit(appeal, "return_requested", actor=actor, before=before, details={"return_request": request.pk})
        _notify_dispatchers(
            f"【12345】{appeal.lead_department}申请退单 {appeal.code}：{reason[:80]}",
            f"appeal:{appeal.pk}:return:{request.pk}",
        )
    return request


def appeal_return_decide(
    *,
    return_request: ReturnRequest,
    approve: bool,
    actor,
    department: Department | None = None,
    co_departments: Iterable[Department] = (),
    note: str = "",
) -> Appeal:
    """The dispatcher approves a return and re-dispatches to another department (new clocks), or
    refuses it and the department must sign off (its sign-off clock kept running)."""
    _require_dispatcher(actor)
    with transaction.atomic():
        request = ReturnRequest.objects.select_for_update().get(pk=return_request.pk)
        appeal = _locked(request.appeal)
        # Before any field changes, so the audit shows the department the appeal is taken from.
        before = snapshot(appeal, AUDIT_FIELDS)
        if request.state != ReturnRequest.State.PENDING:
            raise _error("appeal.return_decided", "该退单申请已审核", status=409)
        check_transition(appeal, State.DISPATCHED)
        now = timezone.now()
        request.decided_by, request.decided_at, request.decision_note = actor, now, (note or "").strip()
        if approve:
            if department is None or department.pk == request.department_id:
                raise _error("appeal.redispatch_department_required", "同意退单需改派到其他部门", field="department")
            old = _active_dispatch(appeal)
            old.state = Dispatch.State.RETURNED
            old.save(update_fields=["state"])
            _stop(old.sign_off_clock, actor)
            _stop(appeal.handling_clock, actor)
            request.state = ReturnRequest.State.APPROVED
            request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
            _event(appeal, Kind.RETURN_APPROVED, actor=actor, department=request.department, note=request.decision_note)
            appeal.return_count += 1
            dispatch = _open_dispatch(
                appeal, department=department, co_departments=list(co_departments), actor=actor, note=note, at=now
            )
            _move(
                appeal,
                State.DISPATCHED,
                actor=actor,
                kind=Kind.DISPATCHED,
                department=department,
                note=f"退单后改派至{department}",
                extra_fields=["lead_department", "dispatched_at", "handling_clock", "reply_due_at", "return_count"],
            )
            _audit(
                appeal,
                "return_approved",
                actor=actor,
                before=before,
                details={"return_request": request.pk, "dispatch": dispatch.pk},
            )
        else:
            if not request.decision_note:
                raise _error("appeal.decision_note_required", "驳回退单请说明理由", field="note")
            request.state = ReturnRequest.State.REJECTED
            request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
            before = _move(
                appeal,
                State.DISPATCHED,
                actor=actor,
                kind=Kind.RETURN_REJECTED,
                department=request.department,
                note=request.decision_note,
            )
            _audit(appeal, "return_rejected", actor=actor, before=before, details={"return_request": request.pk})
            _notify_department(
                request.department,
                f"【12345】诉求 {appeal.code} 退单未获同意：{request.decision_note[:80]}。请签收办理。",
                f"appeal:{appeal.pk}:return:{request.pk}:rejected",
            )
    return appeal


# --- extensions and replies ----------------------------------------------------------------------


def appeal_extension_request(*, appeal: Appeal, days: int, reason: str, actor) -> ExtensionRequest:
    """延期: asked by the lead department before the reply deadline, for 1–``EXTENSION_MAX_WORKDAYS``
    working days, with a reason; one pending request at a time; approved by a dispatcher. The
    urgent tier is not extended."""
    reason = (reason or "").strip()
    if len(reason) < 5:
        raise _error("appeal.extension_reason_required", "请填写延期理由（至少 5 个字）", field="reason")
    maximum = conf("EXTENSION_MAX_WORKDAYS")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
        raise _error("appeal.bad_extension_days", f"延期天数应为 1 到 {maximum} 个工作日", field="days")
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_lead(actor, appeal)
        if appeal.state not in EXTENSION_STATES:
            raise _error("appeal.transition_not_allowed", "签收后、答复前才能申请延期", status=409)
        if appeal.tier == Appeal.Tier.URGENT or appeal.handling_clock is None:
            raise _error("appeal.extension_urgent", "紧急诉求按小时办理，不能延期", status=409)
        now = timezone.now()
        deadline = deadlines.reply_deadline(appeal, now)
        if not deadlines.within(deadline, now):
            raise _error(
                "appeal.extension_after_deadline",
                f"答复时限（{deadline.display()}）已过，不能再申请延期",
                status=409,
                due=deadline.display(),
            )
        if appeal.extensions.filter(state=ExtensionRequest.State.PENDING).exists():
            raise _error("appeal.extension_pending", "已有待审核的延期申请", status=409)
        request = ExtensionRequest.objects.create(
            appeal=appeal,
            region_id=appeal.region_id,
            department=appeal.lead_department,
            days=days,
            reason=reason,
            previous_due_on=appeal.handling_clock.due_on,
            requested_by=actor,
            requested_at=now,
        )
        _event(
            appeal,
            Kind.EXTENSION_REQUESTED,
            actor=actor,
            department=appeal.lead_department,
            note=f"{days} 个工作日：{reason}",
        )
        audit_record(
            actor=actor,
            action="hotline.appeal_extension_requested",
            obj=appeal,
            after={"extension_request": request.pk, "days": days},
            region_code=_region_code(appeal),
        )
        _notify_dispatchers(
            f"【12345】{appeal.lead_department}申请延期 {appeal.code}（{days} 个工作日）",
            f"appeal:{appeal.pk}:ext:{request.pk}",
        )
    return request


def appeal_extension_decide(
    *, extension: ExtensionRequest, approve: bool, actor, days: int | None = None, note: str = ""
) -> ExtensionRequest:
    """The dispatcher approves (possibly fewer days) or refuses an extension. Approval replaces the
    reply clock by one of ``days + approved`` working days from the same start, so the new due day
    comes from the working-day calendar like the first one."""
    _require_dispatcher(actor)
    with transaction.atomic():
        request = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        appeal = _locked(request.appeal)
        if request.state != ExtensionRequest.State.PENDING:
            raise _error("appeal.extension_decided", "该延期申请已审核", status=409)
        now = timezone.now()
        request.decided_by, request.decided_at, request.decision_note = actor, now, (note or "").strip()
        before = snapshot(appeal, AUDIT_FIELDS)
        if approve:
            granted = request.days if days is None else days
            if isinstance(granted, bool) or not isinstance(granted, int) or not 1 <= granted <= request.days:
                raise _error("appeal.bad_extension_days", f"批准天数应为 1 到 {request.days} 个工作日", field="days")
            if appeal.state not in EXTENSION_STATES or appeal.handling_clock is None:
                raise _error("appeal.transition_not_allowed", "诉求已答复或已结束，无需延期", status=409)
            old = appeal.handling_clock
            appeal.handling_clock = clock_start(
                label=f"{appeal.code} 答复时限（延期 {granted} 个工作日）",
                started_at=old.started_at,
                days=old.days + granted,
                actor=actor,
                owner=appeal,
                region_code=_region_code(appeal),
            )
            _stop(old, actor)
            appeal.extension_count += 1
            appeal.save(update_fields=["handling_clock", "extension_count", "updated_at"])
            request.state = ExtensionRequest.State.APPROVED
            request.days = granted
            request.new_due_on = appeal.handling_clock.due_on
            kind, text = Kind.EXTENSION_APPROVED, f"延期 {granted} 个工作日，至 {request.new_due_on.isoformat()}"
        else:
            if not request.decision_note:
                raise _error("appeal.decision_note_required", "驳回延期请说明理由", field="note")
            request.state = ExtensionRequest.State.REJECTED
            kind, text = Kind.EXTENSION_REJECTED, request.decision_note
        request.save(update_fields=["state", "days", "new_due_on", "decided_by", "decided_at", "decision_note"])
        _event(appeal, kind, actor=actor, department=request.department, note=text)
        _audit(appeal, kind, actor=actor, before=before, details={"extension_request": request.pk})
        _notify_department(
            request.department,
            f"【12345】诉求 {appeal.code} 延期申请：{text}",
            f"appeal:{appeal.pk}:ext:{request.pk}:decided",
        )
    return request


def appeal_reply(*, appeal: Appeal, content: str, actor, result: str = Reply.Result.RESOLVED) -> Reply:
    """答复 by the lead department (首接负责): needs content; stops the reply clock and records
    whether it was on time. Every citizen whose appeal was merged into this one gets the reply."""
    content = (content or "").strip()
    minimum = conf("REPLY_MIN_LENGTH")
    if len(content) < minimum:
        raise _error(
            "appeal.reply_content_required", f"请填写答复内容（至少 {minimum} 个字），说明办理结果", field="content"
        )
    if result not in Reply.Result.values:
        raise _error("appeal.bad_result", "请选择办理结果", field="result")
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_lead(actor, appeal)
        check_transition(appeal, State.REPLIED)
        now = timezone.now()
        on_time = deadlines.within(deadlines.reply_deadline(appeal, now), now)
        reply = Reply.objects.create(
            appeal=appeal,
            region_id=appeal.region_id,
            department=appeal.lead_department,
            round=appeal.reopen_count + 1,
            content=content,
            result=result,
            replied_by=actor,
            replied_at=now,
            on_time=on_time,
        )
        _stop(appeal.handling_clock, actor)
        appeal.replied_at = now
        appeal.extensions.filter(state=ExtensionRequest.State.PENDING).update(
            state=ExtensionRequest.State.REJECTED, decided_at=now, decision_note="已答复，延期申请自动终止"
        )
        before = _move(
            appeal,
            State.REPLIED,
            actor=actor,
            kind=Kind.REPLIED,
            department=appeal.lead_department,
            note=content,
            extra_fields=["replied_at"],
        )
        _audit(appeal, "replied", actor=actor, before=before, details={"reply": reply.pk, "on_time": on_time})
        text = f"【眉县12345】您反映的诉求（{{code}}）已由{appeal.lead_department}答复：{content[:150]}"
        _notify_citizen(appeal, text.format(code=appeal.code), f"appeal:{appeal.pk}:reply:{reply.pk}")
        for merged in appeal.merged_appeals.all():
            _notify_citizen(merged, text.format(code=merged.code), f"appeal:{merged.pk}:reply:{reply.pk}")
    return reply


def appeal_add_opinion(*, appeal: Appeal, note: str, actor) -> AppealEvent:
    """协办意见: a co-department (or the lead) adds its view to the timeline."""
    note = (note or "").strip()
    if not note:
        raise _error("appeal.opinion_required", "请填写协办意见", field="note")
    dispatch = appeal.dispatches.filter(state=Dispatch.State.ACTIVE).first()
    departments = [appeal.lead_department] + (list(dispatch.co_departments.all()) if dispatch else [])
    acting_for = next((d for d in departments if d is not None and user_can_act_for_department(actor, d)), None)
    if acting_for is None:
        raise _forbidden("只有主办或协办部门可以填写协办意见")
    with transaction.atomic():
        event = _event(appeal, Kind.OPINION, actor=actor, department=acting_for, note=note)
        audit_record(
            actor=actor,
            action="hotline.appeal_opinion",
            obj=appeal,
            details={"department": acting_for.pk},
            region_code=_region_code(appeal),
        )
    return event


# --- revisit and merge ---------------------------------------------------------------------------


def appeal_revisit(
    *, appeal: Appeal, resolved: bool, satisfaction: int, actor, comment: str = "", within_power: bool = False
) -> Revisit:
    """回访 after the reply: resolved? satisfied (5 levels)? Dissatisfaction (or unresolved) for a
    reason within the department's power reopens the appeal (重办) with a new reply clock, up to
    ``REOPEN_LIMIT`` times; otherwise the appeal closes."""
    _require_dispatcher(actor)
    if satisfaction not in Revisit.Satisfaction.values:
        raise _error("appeal.bad_satisfaction", "满意度应为 1（非常不满意）到 5（非常满意）", field="satisfaction")
    with transaction.atomic():
        appeal = _locked(appeal)
        check_transition(appeal, State.REVISITED)
        reply = appeal.replies.order_by("-replied_at", "-id").first()
        unhappy = (not resolved) or satisfaction <= Revisit.Satisfaction.DISSATISFIED
        reopen = unhappy and within_power and appeal.reopen_count < conf("REOPEN_LIMIT")
        now = timezone.now()
        revisit = Revisit.objects.create(
            appeal=appeal,
            reply=reply,
            region_id=appeal.region_id,
            department=reply.department,
            resolved=resolved,
            satisfaction=satisfaction,
            comment=(comment or "").strip(),
            within_power=within_power,
            outcome=Revisit.Outcome.REOPENED if reopen else Revisit.Outcome.CLOSED,
            revisited_by=actor,
            revisited_at=now,
        )
        label = Revisit.Satisfaction(satisfaction).label
        before = _move(
            appeal,
            State.REVISITED,
            actor=actor,
            kind=Kind.REVISITED,
            department=reply.department,
            note=f"{'已解决' if resolved else '未解决'}，{label}。{revisit.comment}",
        )
        if reopen:
            appeal.reopen_count += 1
            _start_handling(appeal, at=now, actor=actor, label=f"重办答复时限（第{appeal.reopen_count}次）")
            _move(
                appeal,
                State.REOPENED,
                actor=actor,
                kind=Kind.REOPENED,
                department=appeal.lead_department,
                note=revisit.comment or "群众不满意，原因属部门职权范围，重办",
                extra_fields=["reopen_count", "handling_clock", "reply_due_at"],
            )
            _notify_department(
                appeal.lead_department,
                f"【12345】诉求 {appeal.code} 回访不满意，需重办：{revisit.comment[:80]}",
                f"appeal:{appeal.pk}:reopen:{revisit.pk}",
            )
        else:
            appeal.closed_at = now
            _move(appeal, State.CLOSED, actor=actor, kind=Kind.CLOSED, extra_fields=["closed_at"])
        _audit(appeal, "revisited", actor=actor, before=before, details={"revisit": revisit.pk, "reopened": reopen})
    return revisit


def appeal_merge(*, appeal: Appeal, into: Appeal, actor, note: str = "") -> Appeal:
    """Merge a duplicate (same place, similar text) into another open appeal. The duplicate stops
    its own clocks; its citizen gets the reply of the appeal it was merged into."""
    _require_dispatcher(actor)
    if appeal.pk == into.pk:
        raise _error("appeal.merge_self", "不能与自身合并", status=409)
    with transaction.atomic():
        first, second = sorted([appeal.pk, into.pk])  # lock in a fixed order: no deadlock between two merges
        locked = {
            a.pk: a
            for a in Appeal.objects.select_for_update(of=("self",))
            .filter(pk__in=[first, second])
            .select_related("region", "handling_clock")
        }
        appeal, into = locked[appeal.pk], locked[into.pk]
        if into.state in {State.MERGED, State.DECLINED, State.CLOSED, State.ANSWERED}:
            raise _error(
                "appeal.merge_target_closed", f"{into.code} 已{into.get_state_display()}，不能作为合并目标", status=409
            )
        check_transition(appeal, State.MERGED)
        dispatch = _active_dispatch(appeal)
        if dispatch is not None:
            dispatch.state = Dispatch.State.CLOSED
            dispatch.save(update_fields=["state"])
            _stop(dispatch.sign_off_clock, actor)
        _stop(appeal.handling_clock, actor)
        appeal.merged_into = into
        appeal.closed_at = timezone.now()
        before = _move(
            appeal,
            State.MERGED,
            actor=actor,
            kind=Kind.MERGED,
            note=f"合并至 {into.code}。{note}".strip(),
            extra_fields=["merged_into", "closed_at"],
        )
        _event(into, Kind.MERGED, actor=actor, note=f"并入重复诉求 {appeal.code}")
        _audit(appeal, "merged", actor=actor, before=before, details={"into": into.pk})
        latest = into.replies.order_by("-replied_at").first()
        if latest is not None and into.state in {State.REPLIED, State.REVISITED}:
            _notify_citizen(
                appeal,
                f"【眉县12345】您反映的诉求（{appeal.code}）与 {into.code} 合并办理，答复：{latest.content[:150]}",
                f"appeal:{appeal.pk}:reply:{latest.pk}",
            )
    return appeal


# --- reminders and overdue notices ---------------------------------------------------------------


@dataclass
class SweepReport:
    reminders: int = 0
    overdue: int = 0
    checked: int = 0
    codes: list[str] = field(default_factory=list)


def _notice(
    appeal: Appeal, *, kind: str, key: str, text: str, department: Department | None, to_dispatchers: bool
) -> bool:
    if AppealEvent.objects.filter(dedupe_key=key).exists():
        return False
    try:
        with transaction.atomic():
            _event(appeal, kind, actor=None, department=department, note=text, dedupe_key=key)
            audit_record(
                actor=None,
                action=f"hotline.appeal_{kind}",
                obj=appeal,
                details={"key": key, "text": text},
                region_code=_region_code(appeal),
            )
            if department is not None:
                _notify_department(department, f"【12345{'催办' if kind == Kind.REMINDER else '超期通报'}】{text}", key)
            if to_dispatchers:
                _notify_dispatchers(f"【12345超期通报】{text}", key)
    except IntegrityError:
        return False  # a concurrent sweep wrote it first
    return True


def appeal_sweep(*, now: dt.datetime | None = None) -> SweepReport:
    """催办 before expiry and 超期通报 after (DESIGN: every deadline has warning, due and overdue
    states). Reminders go out ``REMINDER_LEAD_WORKDAYS`` working days before the due day (urgent:
    ``URGENT_REMINDER_LEAD_HOURS`` before); each notice is sent once per deadline (dedupe key), so
    running the sweep again sends nothing new."""
    now = now or timezone.now()
    lead_days = conf("REMINDER_LEAD_WORKDAYS")
    lead_hours = dt.timedelta(hours=conf("URGENT_REMINDER_LEAD_HOURS"))
    report = SweepReport()
    open_appeals = (
        Appeal.objects.filter(state__in=[State.DISPATCHED, State.SIGNED_OFF, State.REOPENED, State.RETURNED])
        .select_related("region", "lead_department", "handling_clock")
        .order_by("pk")
    )
    for appeal in open_appeals.iterator(chunk_size=500):
        report.checked += 1
        department = appeal.lead_department
        # Sign-off (签收) of the active dispatch.
        if appeal.state == State.DISPATCHED:
            dispatch = appeal.dispatches.filter(state=Dispatch.State.ACTIVE).select_related("sign_off_clock").first()
            limit = deadlines.sign_off_deadline(dispatch, now) if dispatch else None
            if limit is not None:
                if limit.status == "overdue":
                    text = f"诉求 {appeal.code} 派单后未在时限（{limit.display()}）内签收，已超时。"
                    if _notice(
                        appeal,
                        kind=Kind.OVERDUE,
                        key=f"hotline:{dispatch.pk}:signoff:overdue",
                        text=text,
                        department=department,
                        to_dispatchers=True,
                    ):
                        report.overdue += 1
                        report.codes.append(appeal.code)
                elif limit.status in ("warning", "due") or (
                    limit.due_at is not None and limit.due_at - now <= lead_hours
                ):
                    text = f"诉求 {appeal.code} 尚未签收，签收时限 {limit.display()}，请及时签收。"
                    if _notice(
                        appeal,
                        kind=Kind.REMINDER,
                        key=f"hotline:{dispatch.pk}:signoff:remind",
                        text=text,
                        department=department,
                        to_dispatchers=False,
                    ):
                        report.reminders += 1
        # The reply deadline.
        limit = deadlines.reply_deadline(appeal, now)
        if limit is None:
            continue
        marker = limit.due_at.isoformat() if limit.due_at else limit.due_on.isoformat()
        if limit.status == "overdue":
            text = f"诉求 {appeal.code}“{appeal.title[:30]}”已超过答复时限（{limit.display()}），请立即办理并答复。"
            if _notice(
                appeal,
                kind=Kind.OVERDUE,
                key=f"hotline:{appeal.pk}:reply:{marker}:overdue",
                text=text,
                department=department,
                to_dispatchers=True,
            ):
                report.overdue += 1
                report.codes.append(appeal.code)
            continue
        if limit.due_at is not None:
            remind = limit.due_at - now <= lead_hours
        else:
            remind = limit.workdays_left is not None and limit.workdays_left <= lead_days
        if remind:
            text = f"诉求 {appeal.code}“{appeal.title[:30]}”将于 {limit.display()} 到期，请抓紧办理。"
            if _notice(
                appeal,
                kind=Kind.REMINDER,
                key=f"hotline:{appeal.pk}:reply:{marker}:remind",
                text=text,
                department=department,
                to_dispatchers=False,
            ):
                report.reminders += 1
    return report


# --- 办不成事 --------------------------------------------------------------------------------------


def _unresolved_days(tier: str) -> int:
    return int(conf("UNRESOLVED_WORKDAYS")[tier])


def unresolved_register(
    *,
    channel: str,
    summary: str,
    description: str,
    tier: str,
    actor,
    department: Department | None = None,
    category: Category | None = None,
    town: Region | None = None,
    hall=None,
    reporter_name: str = "",
    reporter_phone: str = "",
    resolution: str = "",
    resolution_note: str = "",
    reported_at: dt.datetime | None = None,
    submission_key: str | None = None,
) -> UnresolvedMatter:
    """办不成事: log one matter (plan 一(三)4: 逐事登记、分级负责、归口办理). Simple matters are solved
    on the spot (same day), general within 1 working day, complex within 7 (``UNRESOLVED_WORKDAYS``).
    Passing ``resolution`` records it as solved at once (the simple case). A repeated
    ``submission_key`` returns the first matter (double submit)."""
    if not (INTAKE_ROLES & user_roles(actor)):
        raise _forbidden("只有窗口工作人员或话务员可以登记办不成事")
    if submission_key:
        existing = UnresolvedMatter.objects.filter(submission_key=submission_key).first()
        if existing is not None:
            return existing
    if channel not in UnresolvedMatter.Channel.values:
        raise _error("unresolved.bad_channel", "请选择反映方式", field="channel")
    if tier not in UnresolvedMatter.Tier.values:
        raise _error("unresolved.bad_tier", "请选择分级（简单、一般、复杂）", field="tier")
    summary, description = (summary or "").strip(), (description or "").strip()
    if not summary:
        raise _error("unresolved.summary_required", "请填写事项摘要", field="summary")
    if len(description) < 5:
        raise _error("unresolved.description_required", "请具体描述没有办成的情况", field="description")
    if resolution and resolution not in UnresolvedMatter.Resolution.values:
        raise _error("unresolved.bad_resolution", "请选择办理结果", field="resolution")
    reporter_phone = _clean_phone(reporter_phone)
    at = reported_at or timezone.now()
    county = _county()
    with transaction.atomic():
        matter = UnresolvedMatter.objects.create(
            code=_new_code("BC", UnresolvedMatter, at),
            region=county,
            town=town,
            hall=hall,
            channel=channel,
            summary=summary[:120],
            description=description,
            category=category,
            department=department,
            tier=tier,
            reporter_name=(reporter_name or "").strip() or None,
            reporter_phone=reporter_phone or None,
            reported_at=at,
            recorded_by=actor,
            submission_key=submission_key or None,
        )
        matter.clock = clock_start(
            label=f"办不成事 {matter.code}",
            started_at=at,
            days=_unresolved_days(tier),
            actor=actor,
            owner=matter,
            region_code=county.code,
        )
        matter.save(update_fields=["clock"])
        audit_record(
            actor=actor,
            action="hotline.unresolved_registered",
            obj=matter,
            after=snapshot(matter, ["channel", "tier", "department", "category", "summary"]),
            region_code=county.code,
        )
        if department is not None:
            _notify_department(
                department,
                f"【办不成事】{matter.code}：{matter.summary}，请按时限办理反馈。",
                f"unresolved:{matter.pk}:registered",
            )
    if resolution:
        matter = unresolved_resolve(matter=matter, resolution=resolution, note=resolution_note, actor=actor)
    return matter


def unresolved_resolve(*, matter: UnresolvedMatter, resolution: str, note: str, actor) -> UnresolvedMatter:
    """Record how a 办不成事 matter ended; on time when by its due day."""
    note = (note or "").strip()
    if resolution not in UnresolvedMatter.Resolution.values:
        raise _error("unresolved.bad_resolution", "请选择办理结果", field="resolution")
    if len(note) < 5:
        raise _error("unresolved.note_required", "请填写办理情况（至少 5 个字）", field="note")
    with transaction.atomic():
        matter = (
            UnresolvedMatter.objects.select_for_update(of=("self",))
            .select_related("clock", "region", "department")
            .get(pk=matter.pk)
        )
        if matter.state == UnresolvedMatter.State.RESOLVED:
            raise _error("unresolved.already_resolved", "该事项已办结", status=409)
        roles = user_roles(actor)
        if not (INTAKE_ROLES & roles) and not (
            matter.department and user_can_act_for_department(actor, matter.department)
        ):
            raise _forbidden("只有登记人员或归口部门可以办结")
        before = snapshot(matter, ["state", "resolution", "on_time"])
        now = timezone.now()
        matter.state = UnresolvedMatter.State.RESOLVED
        matter.resolution = resolution
        matter.resolution_note = note
        matter.resolved_at = now
        matter.resolved_by = actor
        matter.on_time = matter.clock is None or timezone.localtime(now).date() <= matter.clock.due_on
        matter.save(update_fields=["state", "resolution", "resolution_note", "resolved_at", "resolved_by", "on_time"])
        _stop(matter.clock, actor)
        audit_record(
            actor=actor,
            action="hotline.unresolved_resolved",
            obj=matter,
            before=before,
            after=snapshot(matter, ["state", "resolution", "on_time"]),
            region_code=matter.region.code,
        )
    return matter


# --- routing model -------------------------------------------------------------------------------


def routing_history() -> dict[str, tuple[list[str], list[str]]]:
    """Training data from the platform's own history: for every replied appeal, its text with the
    department that finally handled it (the last reply) and its category."""
    from yiwang.hotline.routing import appeal_document

    latest: dict[int, str] = {}
    for appeal_id, code in (
        Reply.objects.filter(department__isnull=False)
        .order_by("appeal_id", "replied_at", "id")
        .values_list("appeal_id", "department__code")
    ):
        latest[appeal_id] = code
    texts_d, labels_d, texts_c, labels_c = [], [], [], []
    rows = Appeal.objects.filter(pk__in=list(latest)).values_list("pk", "title", "content", "category__code")
    for pk, title, content, category in rows.iterator(chunk_size=2000):
        document = appeal_document(title, content)
        texts_d.append(document)
        labels_d.append(latest[pk])
        if category:
            texts_c.append(document)
            labels_c.append(category)
    return {RoutingModel.Target.DEPARTMENT: (texts_d, labels_d), RoutingModel.Target.CATEGORY: (texts_c, labels_c)}


def routing_model_train(*, actor=None, folds: int | None = 5, stdout=None) -> list[RoutingModel]:
    """Train the department and category routers on the history and make them the active ones.

    Fitting (seconds of CPU) runs outside any transaction; only storing the models and switching
    the active flag is atomic. With ``folds`` the stored metrics carry a cross-validated accuracy.
    """
    from yiwang.hotline import routing

    county = _county()
    trained = []
    for target, (texts, labels) in routing_history().items():
        kept_texts, kept_labels, dropped = routing.learnable(texts, labels)
        if len(set(kept_labels)) < 2:
            if stdout:
                stdout.write(f"{RoutingModel.Target(target).label}：历史数据不足（{len(texts)} 条），跳过\n")
            continue
        router = routing.TextRouter.fit(kept_texts, kept_labels)
        metrics = {"dropped": dropped, "n_classes": len(router.labels)}
        if folds:
            evaluation = routing.cross_validate(kept_texts, kept_labels, folds=folds)
            metrics.update(evaluation.as_dict())
        blob = router.dumps()
        with transaction.atomic():
            RoutingModel.objects.select_for_update().filter(region=county, target=target, is_active=True).update(
                is_active=False
            )
            model = RoutingModel.objects.create(
                target=target,
                region=county,
                blob=blob,
                labels=router.labels,
                metrics=metrics,
                n_samples=len(kept_texts),
                is_active=True,
                trained_by=actor if getattr(actor, "pk", None) else None,
            )
            audit_record(
                actor=actor if getattr(actor, "pk", None) else None,
                action="hotline.routing_model_trained",
                obj=model,
                after={"target": target, "n_samples": model.n_samples, "accuracy": metrics.get("accuracy")},
                region_code=county.code,
            )
        trained.append(model)
        if stdout:
            accuracy = metrics.get("accuracy")
            stdout.write(
                f"{model.get_target_display()}模型 #{model.pk}：{model.n_samples} 条，{len(router.labels)} 类"
                + (f"，交叉验证准确率 {accuracy:.4f}" if accuracy is not None else "")
                + "\n"
            )
    return trained
