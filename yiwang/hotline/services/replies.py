"""Extensions, replies, opinions, revisits (回访) with reopening (重办), and merging of duplicates."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.limits import text_check
from yiwang.hotline import deadlines, measures
from yiwang.hotline.conf import conf
from yiwang.hotline.models import (
    Appeal,
    AppealEvent,
    Dispatch,
    ExtensionRequest,
    Reply,
    Revisit,
)
from yiwang.hotline.services._common import (
    AUDIT_FIELDS,
    Kind,
    State,
    _active_dispatch,
    _audit,
    _error,
    _event,
    _forbidden,
    _locked,
    _move,
    _notify_citizen,
    _notify_department,
    _notify_dispatchers,
    _region_code,
    _require_dispatcher,
    _require_lead,
    _staff_link,
    _start_handling,
    _stop,
)
from yiwang.hotline.workflow import EXTENSION_STATES, check_transition
from yiwang.org.scoping import scope_for
from yiwang.workdays.services import clock_start


def appeal_extension_request(*, appeal: Appeal, days: int, reason: str, actor) -> ExtensionRequest:
    """延期: asked by the lead department before the reply deadline, for 1–``EXTENSION_MAX_WORKDAYS``
    working days, with a reason; one pending request at a time; approved by a dispatcher. The
    urgent tier is not extended."""
    reason = text_check((reason or "").strip(), "NOTE", field="reason", label="延期理由")
    if len(reason) < 5:
        raise _error("appeal.extension_reason_required", "请填写延期理由（至少 5 个字）", field="reason")
    maximum = conf("EXTENSION_MAX_WORKDAYS")
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= maximum:
        raise _error("appeal.bad_extension_days", f"延期天数应为 1 到 {maximum} 个工作日", field="days")
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_lead(actor, appeal, "appeal.request_extension")
        if appeal.state not in EXTENSION_STATES:
            raise _error("appeal.invalid_transition", "签收后、答复前才能申请延期", status=409)
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
        measures.on_appeal_extended(request)
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
            "hotline.extension_requested",
            f"appeal:{appeal.pk}:ext:{request.pk}",
            link=_staff_link(appeal),
            code=appeal.code,
            department=str(appeal.lead_department),
            days=days,
        )
    return request


def appeal_extension_decide(
    *, extension: ExtensionRequest, approve: bool, actor, days: int | None = None, note: str = ""
) -> ExtensionRequest:
    """The dispatcher approves (possibly fewer days) or refuses an extension. Approval replaces the
    reply clock by one of ``days + approved`` working days from the same start, so the new due day
    comes from the working-day calendar like the first one."""
    with transaction.atomic():
        request = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        appeal = _locked(request.appeal)
        _require_dispatcher(actor, appeal, "appeal.approve_extension")
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
                raise _error("appeal.invalid_transition", "诉求已答复或已结束，无需延期", status=409)
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
            "hotline.extension_decided",
            f"appeal:{appeal.pk}:ext:{request.pk}:decided",
            link=_staff_link(appeal),
            code=appeal.code,
            text=text,
        )
    return request


def appeal_extension_withdraw(*, extension: ExtensionRequest, reason: str, actor) -> ExtensionRequest:
    """The lead department withdraws its pending extension request, saying why (e.g. the matter was
    solved in time). A pending request is always decided or withdrawn — never dropped silently."""
    reason = text_check((reason or "").strip(), "NOTE", field="reason", label="撤回理由")
    if len(reason) < 5:
        raise _error("appeal.extension_withdraw_reason_required", "请填写撤回理由（至少 5 个字）", field="reason")
    with transaction.atomic():
        request = ExtensionRequest.objects.select_for_update().get(pk=extension.pk)
        appeal = _locked(request.appeal)
        _require_lead(actor, appeal, "appeal.request_extension")
        if request.state != ExtensionRequest.State.PENDING:
            raise _error("appeal.extension_decided", "该延期申请已审核或已撤回", status=409)
        request.state = ExtensionRequest.State.WITHDRAWN
        request.decided_by = actor
        request.decided_at = timezone.now()
        request.decision_note = f"撤回理由：{reason}"[:500]
        request.save(update_fields=["state", "decided_by", "decided_at", "decision_note"])
        _event(appeal, Kind.EXTENSION_WITHDRAWN, actor=actor, department=appeal.lead_department, note=reason)
        audit_record(
            actor=actor,
            action="hotline.appeal_extension_withdrawn",
            obj=appeal,
            before={"extension_request": request.pk, "state": ExtensionRequest.State.PENDING},
            after={"extension_request": request.pk, "state": request.state, "reason": reason},
            region_code=_region_code(appeal),
        )
    return request


def appeal_reply(*, appeal: Appeal, content: str, actor, result: str = Reply.Result.RESOLVED) -> Reply:
    """答复 by the lead department (首接负责): needs content; stops the reply clock and records
    whether it was on time. Every citizen whose appeal was merged into this one gets the reply."""
    content = text_check((content or "").strip(), "REPLY", field="content", label="答复内容")
    minimum = conf("REPLY_MIN_LENGTH")
    if len(content) < minimum:
        raise _error(
            "appeal.reply_content_required", f"请填写答复内容（至少 {minimum} 个字），说明办理结果", field="content"
        )
    if result not in Reply.Result.values:
        raise _error("appeal.bad_result", "请选择办理结果", field="result")
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_lead(actor, appeal, "appeal.reply")
        check_transition(appeal, State.REPLIED)
        if appeal.extensions.filter(state=ExtensionRequest.State.PENDING).exists():
            raise _error(
                "appeal.extension_pending_reply",
                "该诉求有待审核的延期申请：请等待 12345 审核，或先撤回延期申请并说明理由，再答复",
                status=409,
            )
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
        measures.on_appeal_replied(reply)
        _stop(appeal.handling_clock, actor)
        appeal.replied_at = now
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
        for citizen_appeal in [appeal, *appeal.merged_appeals.all()]:
            _notify_citizen(
                citizen_appeal,
                "hotline.replied",
                f"appeal:{citizen_appeal.pk}:reply:{reply.pk}",
                department=str(appeal.lead_department),
                content=content[:150],
            )
    return reply


def appeal_add_opinion(*, appeal: Appeal, note: str, actor) -> AppealEvent:
    """协办意见: a co-department (or the lead) adds its view to the timeline."""
    note = (note or "").strip()
    if not note:
        raise _error("appeal.opinion_required", "请填写协办意见", field="note")
    dispatch = appeal.dispatches.filter(state=Dispatch.State.ACTIVE).first()
    departments = [appeal.lead_department] + (list(dispatch.co_departments.all()) if dispatch else [])
    scope = scope_for(actor)
    acting_for = next(
        (d for d in departments if d is not None and scope.can("appeal.opinion", department=d, region=appeal.region)),
        None,
    )
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


def appeal_revisit(
    *, appeal: Appeal, resolved: bool, satisfaction: int, actor, comment: str = "", within_power: bool = False
) -> Revisit:
    """回访 after the reply: resolved? satisfied (5 levels)? Dissatisfaction (or unresolved) for a
    reason within the department's power reopens the appeal (重办) with a new reply clock, up to
    ``REOPEN_LIMIT`` times; otherwise the appeal closes."""
    _require_dispatcher(actor, appeal, "appeal.revisit")
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
        measures.on_appeal_revisited(revisit)
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
                "hotline.reopened",
                f"appeal:{appeal.pk}:reopen:{revisit.pk}",
                link=_staff_link(appeal),
                code=appeal.code,
                comment=revisit.comment[:80],
            )
        else:
            appeal.closed_at = now
            _move(appeal, State.CLOSED, actor=actor, kind=Kind.CLOSED, extra_fields=["closed_at"])
        _audit(appeal, "revisited", actor=actor, before=before, details={"revisit": revisit.pk, "reopened": reopen})
    return revisit


def appeal_merge(*, appeal: Appeal, into: Appeal, actor, note: str = "") -> Appeal:
    """Merge a duplicate (same place, similar text) into another open appeal. The duplicate stops
    its own clocks; its citizen gets the reply of the appeal it was merged into."""
    _require_dispatcher(actor, appeal)
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
        appeal_before = measures.appeal_facts(appeal)
        dispatch = _active_dispatch(appeal)
        if dispatch is not None:
            dispatch_before = measures.dispatch_facts(dispatch)
            dispatch.state = Dispatch.State.CLOSED
            dispatch.save(update_fields=["state"])
            measures.on_dispatch_changed(dispatch, before=dispatch_before)
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
        measures.on_appeal_changed(appeal, before=appeal_before)
        _event(into, Kind.MERGED, actor=actor, note=f"并入重复诉求 {appeal.code}")
        _audit(appeal, "merged", actor=actor, before=before, details={"into": into.pk})
        latest = into.replies.order_by("-replied_at").first()
        if latest is not None and into.state in {State.REPLIED, State.REVISITED}:
            _notify_citizen(
                appeal,
                "hotline.merged_reply",
                f"appeal:{appeal.pk}:reply:{latest.pk}",
                into=into.code,
                content=latest.content[:150],
            )
    return appeal
