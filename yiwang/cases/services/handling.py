"""Handling in the department: assignment, review steps, pauses (行政许可法 Art. 45) and the one
extension (Art. 42: +10 working days with approval)."""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse

from yiwang.cases.conf import cases_setting
from yiwang.cases.models import (
    Case,
    CasePause,
    CaseState,
    Extension,
    PauseKind,
    ReviewStep,
)
from yiwang.cases.services import _common
from yiwang.cases.services._common import (
    S,
    _audit,
    _check_handler,
    _check_not_parent,
    _conflict,
    _event,
    _forbidden,
    _locked,
    _notify_applicant,
    _required,
    _set_due,
    _snap,
    _stop_clock,
)
from yiwang.cases.services.acceptance import _activate_next_step, _due_text
from yiwang.cases.workflow import check_case_transition
from yiwang.core.audit import audit_record
from yiwang.core.limits import text_check
from yiwang.core.notify import ToDepartment, ToRegionQueue, ToUser, notify
from yiwang.core.workflow import transition_refused
from yiwang.org.scoping import scope_for
from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_extend, clock_pause, clock_pause_close, clock_pause_open, clock_resume


def _is_department_handler(user, department) -> bool:
    """Whether ``user`` reviews the department's cases (``case.review``), so a case may be assigned to them."""
    return scope_for(user).can("case.review", department=department)


def case_assign(*, case: Case, actor, handler=None) -> Case:
    """Assign the case to a handler of its department (后台分类办理); the first assignment starts the review.

    Errors: ``case.not_your_department`` (403), ``case.assignee_outside_department`` (403),
    ``case.bundle_parent_not_handled`` (409), ``case.invalid_transition`` (409).
    """
    handler = handler or actor
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor, "case.review")
        if not _is_department_handler(handler, case.department):
            raise _forbidden(
                "case.assignee_outside_department", f"{handler}不是{case.department}的经办人员", case=case.number
            )
        before = _snap(case)
        now = _common._now()
        if case.state in (S.ACCEPTED, S.ACCEPTED_DEFERRED):
            check_case_transition(case, S.IN_REVIEW)
            case.state = S.IN_REVIEW
            case.assigned_to = handler
            case.save()
            step = _activate_next_step(case, actor=actor, at=now)
            label = f"{case.department}开始办理" + (f"（{step.name}）" if step else "")
        elif case.state in (S.IN_REVIEW, S.PAUSED):
            case.assigned_to = handler
            case.save()
            label = f"{case.department}调整经办人"
        else:
            check_case_transition(case, S.IN_REVIEW)
        _audit(actor=actor, action="case.assigned", case=case, before=before, details={"handler": handler.pk})
        _event(case, "assigned", label, actor, at=now)
        if case.parent_id:
            _event(case.parent, "sub_assigned", f"{case.title}：{label}", actor, at=now)
        if handler.pk != getattr(actor, "pk", None):
            notify(
                to=ToUser(handler.pk),
                template="cases.assigned",
                context={"number": case.number, "title": case.title, "due_text": _due_text(case)},
                key=f"case:{case.pk}:assigned:{handler.pk}:{now.timestamp():.0f}",
                link=reverse("cases:handler_case", args=[case.number]),
            )
    return case


def _check_separation(case: Case, actor, step: ReviewStep) -> dict:
    """Separation of duties (审查、审核、审批分离): one person completes at most one handler step of a case,
    unless the item's review chain allows it (``ReviewChain.same_person_allowed``; default: different
    people). A department with a single handler cannot separate duties: its steps are allowed and the
    audit records ``sole_handler``. Errors: ``case.same_person_steps`` (403) naming the earlier step.
    Returns the details to audit."""
    from yiwang.cases import selectors
    from yiwang.cases.models import ReviewChain, StepRole

    chain = ReviewChain.objects.filter(item_id=case.item_id).first() if case.item_id else None
    if chain is not None and chain.same_person_allowed:
        return {"same_person_allowed": True}
    earlier = (
        case.steps.filter(state=ReviewStep.State.DONE, role=StepRole.HANDLER, completed_by=actor)
        .exclude(pk=step.pk)
        .order_by("position")
        .first()
    )
    if earlier is None:
        return {}
    if selectors.department_reviewer_count(case.department) <= 1:
        return {"sole_handler": True}
    raise _forbidden(
        "case.same_person_steps",
        f"您已办理本件的“{earlier.name}”环节，“{step.name}”须由本部门其他人员办理（审查、审核、审批分离）",
        case=case.number,
        step=step.name,
        earlier_step=earlier.name,
    )


def _require_in_review(case: Case) -> None:
    if case.state != S.IN_REVIEW:
        raise _conflict(
            "case.not_in_review",
            f"办件当前状态为“{CaseState(case.state).label}”，不能办理审批环节",
            case=case.number,
            state=case.state,
        )


def review_step_complete(*, case: Case, actor, opinion: str) -> ReviewStep:
    """Complete the active review step with an opinion and start the next one (the last step is the decision).

    Errors: ``case.opinion_required``, ``case.not_your_department`` (403), ``case.not_in_review`` (409),
    ``case.decision_required`` (409: the active step is the last one).
    """
    opinion = text_check((opinion or "").strip(), "NOTE", field="opinion", label="审查意见")
    if not opinion:
        raise _required("case.opinion_required", "请填写本环节的办理意见", "opinion")
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor, "case.review")
        _require_in_review(case)
        step = case.steps.select_for_update().filter(state=ReviewStep.State.ACTIVE).first()
        if step is None or not case.steps.filter(state=ReviewStep.State.PENDING).exists():
            raise _conflict("case.decision_required", "最后一个环节须作出办理决定", case=case.number)
        separation = _check_separation(case, actor, step)
        before = _snap(case)
        now = _common._now()
        step.state = ReviewStep.State.DONE
        step.completed_at = now
        step.completed_by = actor
        step.opinion = opinion
        step.save(update_fields=["state", "completed_at", "completed_by", "opinion"])
        step.clock = _stop_clock(step.clock, actor=actor)
        following = _activate_next_step(case, actor=actor, at=now)
        _audit(
            actor=actor,
            action="case.step_completed",
            case=case,
            before=before,
            details={
                "step": step.name,
                "next": following.name if following else None,
                "opinion": opinion[:500],
                **separation,
            },
        )
        _event(
            case, "step_completed", f"{step.name}完成" + (f"，转{following.name}" if following else ""), actor, at=now
        )
    return step


def case_pause(*, case: Case, actor, kind: str, reason: str) -> CasePause:
    """Stop the clock for a hearing, tender, testing, site inspection or expert review (行政许可法 Art. 45).

    Errors: ``case.pause_kind_invalid``, ``case.reason_required``, ``case.not_your_department`` (403),
    ``case.invalid_transition`` (409).
    """
    reason = text_check((reason or "").strip(), "NOTE", field="reason", label="理由")
    if kind not in PauseKind.values:
        raise _required(
            "case.pause_kind_invalid", "暂停事由应为听证、招标拍卖、检验检测检疫、现场勘验或专家评审", "kind"
        )
    if not reason:
        raise _required("case.reason_required", "请说明暂停计时的具体情况", "reason")
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor, "case.pause")
        check_case_transition(case, S.PAUSED)
        before = _snap(case)
        today = _common._today()
        label = f"{PauseKind(kind).label}：{reason}"
        ledger = clock_pause_open(clock=case.clock, on=today, reason=label, actor=actor)
        case.clock = ledger.clock
        step = case.steps.filter(state=ReviewStep.State.ACTIVE).select_related("clock").first()
        if step and step.clock and step.clock.state == Clock.State.RUNNING:
            clock_pause(clock=step.clock, on=today, reason=label, actor=actor)
        pause = CasePause.objects.create(
            case=case, region_id=case.region_id, kind=kind, reason=reason, clock_pause=ledger, paused_by=actor
        )
        case.state = S.PAUSED
        case.save()
        _audit(actor=actor, action="case.paused", case=case, before=before, details={"kind": kind, "reason": reason})
        _event(case, "paused", f"进入{PauseKind(kind).label}程序，期间不计入办理时限", actor)
        _notify_applicant(case, "cases.paused", f"paused:{pause.pk}", pause_kind=PauseKind(kind).label)
    return pause


def case_resume(*, case: Case, actor) -> Case:
    """Resume the clock; the due day moves by the working days paused. Errors as for ``case_pause``."""
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor, "case.pause")
        if case.state != S.PAUSED:  # accepted → in review is a move too, but not a resumption
            raise transition_refused(
                entity="case",
                state=case.state,
                target=S.IN_REVIEW,
                message="该办件未暂停计时，无需恢复",
                case=case.number,
            )
        check_case_transition(case, S.IN_REVIEW)
        before = _snap(case)
        today = _common._today()
        pause = case.pauses.select_for_update(of=("self",)).get(clock_pause__resumed_on__isnull=True)
        # The ledger row closed is the one this pause opened: its working days are the deadline's.
        pause.clock_pause = clock_pause_close(clock=case.clock, on=today, actor=actor)
        case.clock = pause.clock_pause.clock
        step = case.steps.filter(state=ReviewStep.State.ACTIVE).select_related("clock").first()
        if step and step.clock and step.clock.state == Clock.State.PAUSED:
            step_clock = clock_resume(clock=step.clock, on=today, actor=actor)
            step.due_on = step_clock.due_on
            step.save(update_fields=["due_on"])
        _set_due(case, case.clock)
        case.state = S.IN_REVIEW
        case.save()
        _audit(
            actor=actor,
            action="case.resumed",
            case=case,
            before=before,
            details={"kind": pause.kind, "workdays": pause.workdays},
        )
        _event(
            case,
            "resumed",
            f"{pause.get_kind_display()}结束，恢复计时（扣除{pause.workdays}个工作日），{_due_text(case)}",
            actor,
        )
    return case


def case_extension_request(*, case: Case, actor, reason: str) -> Extension:
    """Ask for the one extension of 10 working days (行政许可法 Art. 42), before the deadline passes.

    Errors: ``case.reason_required``, ``case.not_your_department`` (403), ``case.not_in_review`` (409),
    ``case.instant_not_extendable`` (409), ``case.extension_used`` (409), ``case.extension_too_late`` (409).
    """
    reason = text_check((reason or "").strip(), "NOTE", field="reason", label="理由")
    if not reason:
        raise _required("case.reason_required", "请说明延期理由", "reason")
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor, "case.extend")
        if case.state not in (S.IN_REVIEW, S.PAUSED):
            raise _conflict("case.not_in_review", "只有办理中的办件可以申请延期", case=case.number)
        if case.instant:
            raise _conflict("case.instant_not_extendable", "即办件不能延期")
        used = case.extensions.filter(
            region_id=case.region_id, state__in=[Extension.State.REQUESTED, Extension.State.APPROVED]
        )
        if used.exists():
            raise _conflict("case.extension_used", "每个办件只能延期一次（行政许可法第四十二条）", case=case.number)
        if case.due_on and _common._today() > case.due_on:
            raise _conflict("case.extension_too_late", "办理期限已过，不能再申请延期", case=case.number)
        days = int(cases_setting("EXTENSION_DAYS"))
        extension = Extension.objects.create(
            case=case,
            region_id=case.region_id,
            days=days,
            reason=reason,
            requested_by=actor,
            requested_at=_common._now(),
        )
        audit_record(
            actor=actor,
            action="case.extension_requested",
            obj=case,
            after=_snap(case),
            details={"extension": extension.pk, "days": days, "reason": reason},
        )
        _event(case, "extension_requested", f"申请延期{days}个工作日", actor, public=False)
        # Nobody approves their own request: where the department has a single handler, the region's
        # leaders (本行政机关负责人) get it on their workbench.
        from yiwang.cases import selectors
        from yiwang.org.models import Role

        sole = selectors.department_reviewer_count(case.department) <= 1
        notify(
            to=ToRegionQueue(case.department.region.code, Role.LEADER) if sole else ToDepartment(case.department_id),
            template="cases.extension_requested",
            context={"number": case.number, "days": days, "reason": reason[:60]},
            key=f"case:{case.pk}:extension:{extension.pk}",
            link=reverse("cases:extensions"),
        )
    return extension


def _may_approve_extension(actor, case: Case) -> bool:
    """``case.approve_extension``: a handler of the case's department, or a leader of its region."""
    return scope_for(actor).can("case.approve_extension", department=case.department, region=case.region)


def case_extension_decide(*, extension: Extension, actor, approve: bool, note: str = "") -> Extension:
    """Approve (the clock gets +10 working days and the applicant is told why) or refuse (with a note).

    The approver is someone other than the requester who acts for the department, or a leader of the
    region (本行政机关负责人批准). Errors: ``case.extension_closed`` (409), ``case.extension_self_approval``
    (403), ``case.extension_not_permitted`` (403), ``case.note_required``.
    """
    note = text_check((note or "").strip(), "NOTE", field="note", label="审核意见")
    if not approve and not note:
        raise _required("case.note_required", "不批准延期时请写明意见", "note")
    with transaction.atomic():
        extension = Extension.objects.select_for_update().get(pk=extension.pk)
        case = _locked(extension.case)
        if extension.state != Extension.State.REQUESTED:
            raise _conflict("case.extension_closed", "该延期申请已处理")
        if extension.requested_by_id == getattr(actor, "pk", None):
            raise _forbidden("case.extension_self_approval", "延期申请须由他人审批")
        if not _may_approve_extension(actor, case):
            raise _forbidden("case.extension_not_permitted", "只有本部门负责人或县领导可以审批延期")
        before = _snap(case)
        extension.state = Extension.State.APPROVED if approve else Extension.State.REFUSED
        extension.decided_by = actor
        extension.decided_at = _common._now()
        extension.note = note
        extension.save(update_fields=["state", "decided_by", "decided_at", "note"])
        if approve:
            case.clock = clock_extend(clock=case.clock, days=extension.days, reason=extension.reason, actor=actor)
            _set_due(case, case.clock)
            case.extended = True
            case.save()
            _event(
                case, "extended", f"经批准延期{extension.days}个工作日：{extension.reason}，{_due_text(case)}", actor
            )
            _notify_applicant(
                case,
                "cases.extended",
                f"extended:{extension.pk}",
                days=extension.days,
                reason=extension.reason[:50],
                due_text=_due_text(case),
            )
        _audit(
            actor=actor,
            action="case.extension_approved" if approve else "case.extension_refused",
            case=case,
            before=before,
            details={"extension": extension.pk, "note": note},
        )
    return extension
