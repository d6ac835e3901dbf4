"""The periodic deadline sweep of cases: warning, due and overdue states with notices."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction

from yiwang.cases.models import (
    HANDLING_STATES,
    Case,
    DeadlineStatus,
    DeferredMaterial,
    PledgeVerification,
)
from yiwang.cases.services import _common
from yiwang.cases.services._common import (
    S,
    _audit,
    _event,
    _locked,
    _notify_applicant,
    _notify_department,
    _set_due,
    _snap,
)
from yiwang.core.audit import audit_record
from yiwang.core.outbox import outbox_enqueue
from yiwang.workdays.models import Clock
from yiwang.workdays.selectors import clock_status


@dataclass
class SweepReport:
    checked: int = 0
    marked: dict = field(default_factory=dict)
    deferred_overdue: int = 0
    verifications_overdue: int = 0

    def as_dict(self) -> dict:
        return {
            "checked": self.checked,
            "marked": dict(self.marked),
            "deferred_overdue": self.deferred_overdue,
            "verifications_overdue": self.verifications_overdue,
        }


ALARM_TEXT = {
    DeadlineStatus.WARNING: "已用去80%以上时限，请抓紧办理",
    DeadlineStatus.DUE: "今日到期",
    DeadlineStatus.OVERDUE: "已超期",
}


def cases_sweep(*, today: dt.date | None = None, batch: int = 500) -> SweepReport:
    """Mark every open case's deadline (normal → warning at 80 % → due → overdue) and notify on change;
    flag overdue deferred materials and overdue pledge verifications. Idempotent for a given day."""
    today = today or _common._today()
    report = SweepReport()
    open_cases = (
        Case.objects.filter(state__in=[S.SUBMITTED, *HANDLING_STATES]).order_by("pk").values_list("pk", flat=True)
    )
    ids = list(open_cases)
    for start in range(0, len(ids), batch):
        for case in Case.objects.filter(pk__in=ids[start : start + batch]).select_related("clock", "intake_clock"):
            report.checked += 1
            clock = case.intake_clock if case.state == S.SUBMITTED else case.clock
            if clock is None:
                continue
            status = clock_status(clock, today)
            if status != case.deadline_status or clock.due_on != case.due_on and case.state != S.SUBMITTED:
                _mark_deadline(case, status, clock=clock, today=today)
                if status != DeadlineStatus.NORMAL:
                    report.marked[status] = report.marked.get(status, 0) + 1
    owed = DeferredMaterial.objects.filter(supplied_at__isnull=True, overdue=False, due_on__lt=today).select_related(
        "case"
    )
    for deferral in owed:
        with transaction.atomic():
            case = _locked(deferral.case)
            deferral = DeferredMaterial.objects.select_for_update().select_related("material").get(pk=deferral.pk)
            if deferral.overdue or deferral.supplied_at:
                continue
            before = _snap(case)
            deferral.overdue = True
            deferral.save(update_fields=["overdue"])
            case.deferred_overdue = True
            case.save(update_fields=["deferred_overdue", "updated_at"])
            _audit(
                actor=None,
                action="case.deferred_overdue",
                case=case,
                before=before,
                details={"material": deferral.material.code},
            )
            _event(case, "deferred_overdue", f"容缺材料“{deferral.material.name}”逾期未补交", None)
            _notify_applicant(
                case,
                f"【眉县政务服务】您的办件{case.number}容缺材料“{deferral.material.name}”已逾期，请尽快补交。",
                f"deferred:{deferral.pk}",
            )
            _notify_department(case, f"办件 {case.number} 容缺材料逾期未补交", f"deferred:{deferral.pk}")
            report.deferred_overdue += 1
    late = PledgeVerification.objects.filter(state=PledgeVerification.State.PENDING, overdue=False, due_on__lt=today)
    for verification in late.select_related("case"):
        with transaction.atomic():
            verification = PledgeVerification.objects.select_for_update().get(pk=verification.pk)
            if verification.overdue:
                continue
            verification.overdue = True
            verification.save(update_fields=["overdue"])
            audit_record(
                actor=None,
                action="case.verification_overdue",
                obj=verification.case,
                details={"verification": verification.pk},
            )
            outbox_enqueue(
                channel="inapp",
                recipient=f"department:{verification.department_id}",
                body=f"告知承诺核查已超期：{verification.case.number}",
                dedupe_key=f"verification:{verification.pk}:overdue",
            )
            report.verifications_overdue += 1
    return report


def _mark_deadline(case: Case, status: str, *, clock: Clock, today: dt.date) -> None:
    with transaction.atomic():
        case = _locked(case)
        before = _snap(case)
        case.deadline_status = status
        if case.state != S.SUBMITTED:
            _set_due(case, clock)
        case.save(update_fields=["deadline_status", "due_on", "due_provisional", "updated_at"])
        _audit(
            actor=None, action="case.deadline_marked", case=case, before=before, details={"today": today.isoformat()}
        )
        if status in ALARM_TEXT:
            text = f"办件 {case.number}（{case.title}）{ALARM_TEXT[status]}，到期日 {clock.due_on:%Y-%m-%d}。"
            if case.state == S.SUBMITTED:
                outbox_enqueue(
                    channel="inapp",
                    recipient=f"region:{case.region.code}:intake",
                    body=text,
                    dedupe_key=f"case:{case.pk}:{status}:{clock.due_on.isoformat()}:intake",
                )
            else:
                _notify_department(case, text, f"{status}:{clock.due_on.isoformat()}")
