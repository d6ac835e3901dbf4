"""Decision (approve/deny), bundle completion and post-approval pledge verification (告知承诺)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.cases import selectors
from yiwang.cases.conf import cases_setting
from yiwang.cases.licences import get_licence_issuer
from yiwang.cases.measures import case_facts, on_case_changed
from yiwang.cases.models import (
    Case,
    Decision,
    DeliveryMethod,
    FalsePledgeRecord,
    Notice,
    NoticeKind,
    Pledge,
    PledgeVerification,
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
    _issue_notice,
    _item_legal_basis,
    _locked,
    _notify_applicant,
    _remedies_text,
    _required,
    _set_due,
    _snap,
    _stop_clock,
)
from yiwang.cases.services.founding import founding_before_decision
from yiwang.cases.services.handling import _check_separation
from yiwang.cases.workflow import check_case_transition
from yiwang.core.audit import audit_record
from yiwang.core.limits import text_check
from yiwang.core.notify import ToDepartment, notify
from yiwang.core.pii import pii_lookup_hash
from yiwang.org.scoping import scope_for
from yiwang.workdays.selectors import clock_used_workdays, count_workdays
from yiwang.workdays.services import clock_start


def case_decide(*, case: Case, actor, outcome: str, reasons: str, legal_basis: str = "") -> Decision:
    """Decide: approve or deny, with reasons (行政许可法 Art. 38: a denial states reasons; here every decision does).

    The last review step is the decision; earlier steps must be done. Approval needs every deferred
    material supplied (容缺后补 before the result). Concurrent decisions: the row lock serialises them
    and the second finds the case decided (``case.invalid_transition``).
    Errors: ``case.outcome_invalid``, ``case.reasons_required``, ``case.not_your_department`` (403),
    ``case.invalid_transition`` (409), ``case.steps_incomplete`` (409), ``case.deferred_outstanding`` (409).
    """
    reasons, legal_basis = (reasons or "").strip(), (legal_basis or "").strip()
    text_check(reasons, "NOTE", field="reasons", label="决定理由")
    text_check(legal_basis, "NOTE", field="legal_basis", label="法律依据")
    if outcome not in Decision.Outcome.values:
        raise _required("case.outcome_invalid", "办理决定应为“准予”或“不予”", "outcome")
    if not reasons:
        raise _required("case.reasons_required", "作出决定必须写明理由", "reasons")
    target = S.DECIDED_APPROVED if outcome == Decision.Outcome.APPROVED else S.DECIDED_DENIED
    with transaction.atomic():
        case = _locked(case)
        _check_not_parent(case)
        _check_handler(case, actor, "case.decide")
        check_case_transition(case, target)
        steps = list(case.steps.select_for_update().order_by("position"))
        active = [s for s in steps if s.state == ReviewStep.State.ACTIVE]
        pending = [s for s in steps if s.state == ReviewStep.State.PENDING]
        if pending or (steps and not active):
            names = "、".join([s.name for s in steps if s.state != ReviewStep.State.DONE][:-1])
            raise _conflict("case.steps_incomplete", f"尚有审批环节未完成：{names}", case=case.number)
        if target == S.DECIDED_APPROVED:
            owed = selectors.relevant_deferred(case)
            if owed:
                names = "、".join(d.material.name for d in owed)
                raise _conflict(
                    "case.deferred_outstanding", f"容缺材料尚未补齐，不能作出准予决定：{names}", case=case.number
                )
        separation = _check_separation(case, actor, active[0]) if active else {}
        # 企业开办: the registration's approval assigns the company's code; the other parts wait for it.
        founding_before_decision(case=case, approved=target == S.DECIDED_APPROVED, actor=actor)
        before = _snap(case)
        now = _common._now()
        today = timezone.localdate(now)
        if active:
            step = active[0]
            step.state = ReviewStep.State.DONE
            step.completed_at = now
            step.completed_by = actor
            step.opinion = reasons
            step.save(update_fields=["state", "completed_at", "completed_by", "opinion"])
            _stop_clock(step.clock, actor=actor)
        decision = Decision.objects.create(
            case=case,
            region_id=case.region_id,
            outcome=outcome,
            reasons=reasons,
            legal_basis=legal_basis,
            decided_by=actor,
            decided_at=now,
        )
        _finish(case, target, actor=actor, now=now, today=today)
        if target == S.DECIDED_APPROVED:
            get_licence_issuer().issue_for_case(case=case, actor=actor)  # e-licence with the decision (同步生成)
        _decision_notice(case, decision, actor=actor)
        _audit(
            actor=actor,
            action="case.decided",
            case=case,
            before=before,
            details={"outcome": outcome, "reasons": reasons[:500], "on_time": case.on_time, **separation},
        )
        if case.parent_id:
            _event(case.parent, "sub_decided", f"{case.title}：{Decision.Outcome(outcome).label}", actor, at=now)
            _complete_bundle_if_done(case.parent, actor=actor, now=now)
        else:
            _open_verification_if_pledged(case, actor=actor)
            _notify_applicant(
                case,
                "cases.decided",
                "decided",
                outcome=Decision.Outcome(outcome).label,
                delivery=_delivery_text(case),
            )
    return decision


def _finish(case: Case, target: str, *, actor, now: dt.datetime, today: dt.date) -> None:
    """Stop the clock and measure: working days used, on time, elapsed since submission."""
    facts_before = case_facts(case)
    clock = case.clock
    if clock is not None:
        used = clock_used_workdays(clock, today)
        on_time = today <= clock.due_on
        _stop_clock(clock, actor=actor, on=today)
        clock.refresh_from_db()
        _set_due(case, clock)
    else:
        used, on_time = 0, True
    case.state = target
    case.decided_at = now
    case.decided_workdays = used
    case.on_time = on_time
    case.elapsed_seconds = max(0, int((now - case.submitted_at).total_seconds()))
    case.elapsed_workdays = max(0, count_workdays(case.submitted_at, today))
    case.save()
    on_case_changed(case, before=facts_before)
    label = "准予" if target == S.DECIDED_APPROVED else "不予许可"
    _event(case, "decided", f"作出决定：{label}（用时{used}个工作日）", actor, at=now)


def _decision_title(case: Case, approved: bool) -> str:
    """准予/不予行政许可决定书 for a licensing item (行政许可法 Art. 38), else 办理决定书."""
    kind = case.item_version.elements.get("kind") if case.item_version_id else ""
    if kind == "licensing":
        return "准予行政许可决定书" if approved else "不予行政许可决定书"
    return "办理决定书"


def _decision_notice(case: Case, decision: Decision, *, actor) -> Notice:
    """The decision in the name of the competent authority, citing the legal basis (the handler's, else
    the item version's 设定依据) and the remedies (行政复议法 Art. 20, 行政诉讼法 Art. 46)."""
    approved = decision.outcome == Decision.Outcome.APPROVED
    title = _decision_title(case, approved)
    paragraphs = [
        f"你（单位）于{timezone.localtime(case.submitted_at):%Y年%m月%d日}提出的“{case.title}”申请，"
        f"本机关于{timezone.localtime(case.accepted_at or case.submitted_at):%Y年%m月%d日}受理，经审查，"
        + ("决定准予。" if approved else "决定不予许可。"),
        f"理由：{decision.reasons}",
    ]
    basis = decision.legal_basis or _item_legal_basis(case)
    if basis:
        paragraphs.append(f"依据：{basis}")
    paragraphs.append(_remedies_text(case, "决定书"))
    return _issue_notice(
        case,
        NoticeKind.DECISION,
        actor=actor,
        content={
            "title": title,
            "paragraphs": paragraphs,
            "facts": [
                ("办件编号", case.number),
                ("办理部门", str(case.department)),
                ("出件方式", _delivery_text(case)),
            ],
        },
    )


def _delivery_text(case: Case) -> str:
    root = case.parent or case
    if root.delivery_method == DeliveryMethod.POST:
        return "结果将邮寄送达"
    if root.delivery_method == DeliveryMethod.ELECTRONIC:
        return "结果将电子送达，可在“一网”下载"
    hall = root.pickup_hall or root.hall
    return f"请到{hall or '政务服务中心'}出件窗口领取"


def _complete_bundle_if_done(parent: Case, *, actor, now: dt.datetime) -> None:
    """A bundle is decided when every sub-case is: approved if all are, denied otherwise."""
    parent = _locked(parent)
    children = list(parent.children.select_related("decision").order_by("number"))
    if any(c.state not in (S.DECIDED_APPROVED, S.DECIDED_DENIED) for c in children):
        return
    denied = [c for c in children if c.state == S.DECIDED_DENIED]
    target = S.DECIDED_DENIED if denied else S.DECIDED_APPROVED
    before = _snap(parent)
    today = timezone.localdate(now)
    if denied:
        reasons = "；".join(f"{c.title}：不予许可（{c.decision.reasons}）" for c in denied)
    else:
        reasons = f"“{parent.title}”所含 {len(children)} 个事项均已准予办结"
    decision = Decision.objects.create(
        case=parent,
        region_id=parent.region_id,
        outcome=Decision.Outcome.DENIED if denied else Decision.Outcome.APPROVED,
        reasons=reasons,
        legal_basis="一件事一次办：各事项办理决定见分办件",
        decided_by=None,
        decided_at=now,
    )
    _finish(parent, target, actor=None, now=now, today=today)
    if target == S.DECIDED_APPROVED:
        get_licence_issuer().issue_for_case(case=parent, actor=None)  # e.g. a 一业一证 integrated licence
    _decision_notice(parent, decision, actor=None)
    _audit(
        actor=None,
        action="case.bundle_completed",
        case=parent,
        before=before,
        details={
            "outcome": decision.outcome,
            "elapsed_seconds": parent.elapsed_seconds,
            "elapsed_workdays": parent.elapsed_workdays,
        },
    )
    _open_verification_if_pledged(parent, actor=None)
    _notify_applicant(parent, "cases.bundle_decided", "decided", delivery=_delivery_text(parent))


def _open_verification_if_pledged(case: Case, *, actor) -> PledgeVerification | None:
    """告知承诺: after approval the department verifies the pledge within the configured working days."""
    if case.state != S.DECIDED_APPROVED:
        return None
    pledge = Pledge.objects.filter(case=case).first()
    if pledge is None or hasattr(pledge, "verification"):
        return None
    days = int(cases_setting("PLEDGE_VERIFICATION_DAYS"))
    clock = clock_start(
        label=f"{case.number} 告知承诺核查",
        started_at=case.decided_at,
        days=days,
        actor=actor,
        owner=case,
        region_code=case.region.code,
    )
    verification = PledgeVerification.objects.create(
        pledge=pledge, case=case, department=case.department, region=case.region, clock=clock, due_on=clock.due_on
    )
    audit_record(
        actor=actor,
        action="case.verification_opened",
        obj=case,
        after=_snap(case),
        details={"verification": verification.pk, "due_on": verification.due_on.isoformat()},
    )
    _event(
        case,
        "verification_opened",
        f"告知承诺事中事后核查，{verification.due_on:%Y年%m月%d日}前完成",
        None,
        public=False,
    )
    notify(
        to=ToDepartment(case.department_id),
        template="cases.verification_opened",
        context={"number": case.number, "title": case.title, "due_on": f"{verification.due_on:%Y-%m-%d}"},
        key=f"case:{case.pk}:verification",
        link=reverse("cases:verifications"),
    )
    return verification


def pledge_verification_complete(
    *, verification: PledgeVerification, actor, truthful: bool, finding: str
) -> PledgeVerification:
    """Record the result of 事中事后核查; a false pledge is recorded against the applicant (and bars pledges).

    Errors: ``case.finding_required``, ``case.not_your_department`` (403), ``case.verification_closed`` (409).
    """
    finding = (finding or "").strip()
    if not finding:
        raise _required("case.finding_required", "请填写核查结论", "finding")
    with transaction.atomic():
        verification = (
            PledgeVerification.objects.select_for_update().select_related("department").get(pk=verification.pk)
        )
        case = _locked(verification.case)
        if not scope_for(actor).can("case.verify_pledge", department=verification.department):
            raise _forbidden("case.not_your_department", f"该核查任务由{verification.department}负责")
        if verification.state != PledgeVerification.State.PENDING:
            raise _conflict("case.verification_closed", "该核查任务已完成")
        now = _common._now()
        verification.state = PledgeVerification.State.CONFIRMED if truthful else PledgeVerification.State.FALSE
        verification.finding = finding
        verification.verified_by = actor
        verification.verified_at = now
        verification.save(update_fields=["state", "finding", "verified_by", "verified_at"])
        if verification.clock_id:
            _stop_clock(verification.clock, actor=actor)
        details = {"verification": verification.pk, "truthful": truthful, "finding": finding[:500]}
        if not truthful:
            record = FalsePledgeRecord.objects.create(
                applicant_name=case.applicant_name,
                applicant_id_number_hash=pii_lookup_hash(case.applicant_id_number) if case.applicant_id_number else "",
                applicant_uscc=case.applicant_uscc,
                case=case,
                verification=verification,
                region=case.region,
                finding=finding,
                recorded_at=now,
            )
            details["false_record"] = record.pk
            _notify_applicant(case, "cases.pledge_false", "pledge_false")
        audit_record(
            actor=actor,
            action="case.pledge_verified" if truthful else "case.pledge_false",
            obj=case,
            after=_snap(case),
            details=details,
        )
        _event(
            case, "verified", "告知承诺核查：" + ("承诺属实" if truthful else "承诺不实，已记录"), actor, public=False
        )
    return verification
