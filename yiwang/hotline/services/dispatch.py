"""Dispatch to a lead department, sign-off, returns (退单) and their decision."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import snapshot
from yiwang.core.limits import text_check
from yiwang.core.workflow import transition_refused
from yiwang.hotline import deadlines, measures
from yiwang.hotline.conf import conf
from yiwang.hotline.models import (
    Appeal,
    Category,
    Dispatch,
    ReturnRequest,
)
from yiwang.hotline.services._common import (
    AUDIT_FIELDS,
    Kind,
    State,
    _active_dispatch,
    _audit,
    _error,
    _event,
    _locked,
    _move,
    _notify_department,
    _notify_dispatchers,
    _open_dispatch,
    _require_dispatcher,
    _require_lead,
    _staff_link,
    _stop,
)
from yiwang.hotline.workflow import check_transition
from yiwang.org.models import Department


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
    _require_dispatcher(actor, appeal)
    if department is None or not department.is_active:
        raise _error("appeal.department_required", "请选择主办部门", field="department")
    if tier is not None and tier not in Appeal.Tier.values:
        raise _error("appeal.bad_tier", f"未知的办理等级：{tier}", field="tier")
    with transaction.atomic():
        appeal = _locked(appeal)
        # Before any field changes: _open_dispatch already sets the new lead department.
        before = snapshot(appeal, AUDIT_FIELDS)
        if appeal.state == State.RETURNED:
            # A returned appeal keeps its active dispatch until the dispatcher decides the return;
            # re-dispatching goes through that decision (appeal_return_decide), never around it.
            raise transition_refused(
                entity="appeal",
                state=appeal.state,
                target=State.DISPATCHED,
                message="该诉求已申请退单，请先审核退单（同意退单时改派）",
                code=appeal.code,
            )
        check_transition(appeal, State.DISPATCHED)
        facts_before = measures.appeal_facts(appeal)
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
        measures.on_appeal_changed(appeal, before=facts_before)
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
        _require_lead(actor, appeal, "appeal.sign_off")
        check_transition(appeal, State.SIGNED_OFF)
        dispatch = _active_dispatch(appeal)
        now = timezone.now()
        on_time = deadlines.within(deadlines.sign_off_deadline(dispatch, now), now)
        facts_before = measures.dispatch_facts(dispatch)
        dispatch.signed_off_at = now
        dispatch.signed_off_by = actor
        dispatch.responded_on_time = on_time
        dispatch.save(update_fields=["signed_off_at", "signed_off_by", "responded_on_time"])
        measures.on_dispatch_changed(dispatch, before=facts_before)
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
    reason = text_check((reason or "").strip(), "NOTE", field="reason", label="退单理由")
    if len(reason) < 5:
        raise _error(
            "appeal.return_reason_required", "请填写退单理由（至少 5 个字），说明为何不属于本部门职责", field="reason"
        )
    with transaction.atomic():
        appeal = _locked(appeal)
        _require_lead(actor, appeal, "appeal.return")
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
        measures.on_appeal_returned(request)
        facts_before = measures.dispatch_facts(dispatch)
        dispatch.responded_on_time = True
        dispatch.save(update_fields=["responded_on_time"])
        measures.on_dispatch_changed(dispatch, before=facts_before)
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
            "hotline.return_requested",
            f"appeal:{appeal.pk}:return:{request.pk}",
            link=_staff_link(appeal),
            code=appeal.code,
            department=str(appeal.lead_department),
            reason=reason[:80],
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
    with transaction.atomic():
        request = ReturnRequest.objects.select_for_update().get(pk=return_request.pk)
        appeal = _locked(request.appeal)
        _require_dispatcher(actor, appeal, "appeal.approve_return")
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
            facts_before = measures.dispatch_facts(old)
            old.state = Dispatch.State.RETURNED
            old.save(update_fields=["state"])
            measures.on_dispatch_changed(old, before=facts_before)
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
                "hotline.return_rejected",
                f"appeal:{appeal.pk}:return:{request.pk}:rejected",
                link=_staff_link(appeal),
                code=appeal.code,
                note=request.decision_note[:80],
            )
    return appeal
