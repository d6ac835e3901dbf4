"""The cases' deadline handler for the one sweep in workdays (``yiwang.workdays.sweep``).

Every clock of a case is owned by the case (``clock_start(owner=case)``): the intake clock, the
decision clock, each review step's clock, each deferred material's and the pledge verification's.
The sweep stores each clock's status and calls ``on_case_deadline`` once per change, inside its
transaction with the clock row locked; the handler tells the clocks apart by ``clock.pk``:

- intake clock (受理期限, 行政许可法 Art. 32): warning / due / overdue → the region's intake clerks;
- decision clock (办理期限): warning / due / overdue → the assigned handler, else the department;
  the case's ``due_on`` copy is refreshed from the clock;
- deferred material (容缺后补) overdue → flag it and the case, tell the applicant and the department;
- pledge verification (告知承诺核查) overdue → flag it, tell the department;
- review step clocks: their status is the clock's, no notice (the decision clock carries the alarm).

``manage.py cases sweep`` and ``manage.py workdays sweep`` run the same ``clocks_sweep``.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from yiwang.cases.models import Case, CaseState, DeferredMaterial, PledgeVerification
from yiwang.cases.services._common import _audit, _event, _locked, _set_due, _snap
from yiwang.core.audit import audit_record
from yiwang.core.notify import ToDepartment, ToPhone, ToRegionQueue, ToUser, notify
from yiwang.org.models import Role
from yiwang.workdays.deadlines import DeadlineStatus, warning_ratio
from yiwang.workdays.models import Clock
from yiwang.workdays.sweep import SweepReport, clocks_sweep

ALARM_TEMPLATES = {
    DeadlineStatus.WARNING: "cases.deadline_warning",
    DeadlineStatus.DUE: "cases.deadline_due",
    DeadlineStatus.OVERDUE: "cases.deadline_overdue",
}


def cases_sweep(*, today: dt.date | None = None) -> SweepReport:
    """The one deadline sweep (``workdays.sweep.clocks_sweep``); kept for ``manage.py cases sweep``."""
    return clocks_sweep(today=today)


def on_case_deadline(*, clock: Clock, owner: Case, before: str, after: str, today: dt.date) -> None:
    """Registered for ``cases.Case`` in ``CasesConfig.ready``; see the module docstring."""
    case = owner
    if clock.pk == case.clock_id:
        _decision_clock_changed(case, clock, after, today)
    elif clock.pk == case.intake_clock_id:
        _intake_clock_changed(case, clock, after)
    elif after == DeadlineStatus.OVERDUE:
        deferral = DeferredMaterial.objects.filter(clock_id=clock.pk).select_related("material").first()
        if deferral is not None:
            _deferred_overdue(case, deferral)
            return
        verification = PledgeVerification.objects.filter(clock_id=clock.pk).first()
        if verification is not None:
            _verification_overdue(case, verification)


def _alarm_context(case: Case, clock: Clock) -> dict:
    return {
        "number": case.number,
        "title": case.title,
        "due_on": clock.due_on.isoformat(),
        "percent": round(warning_ratio() * 100),
    }


def _refresh_due(case: Case, clock: Clock, today: dt.date) -> Case:
    """Bring the case's copy of its decision clock's due day (kept for the queues' sort) up to date."""
    case = _locked(case)
    if case.due_on != clock.due_on or case.due_provisional != clock.provisional:
        before = _snap(case)
        _set_due(case, clock)
        case.save(update_fields=["due_on", "due_provisional", "updated_at"])
        _audit(actor=None, action="case.due_refreshed", case=case, before=before, details={"today": today.isoformat()})
    return case


def on_case_due_changed(*, clock: Clock, owner: Case) -> None:
    """A calendar import moved one of the case's clocks: refresh the copy of the decision due day."""
    if owner.clock_id == clock.pk:
        _refresh_due(owner, clock, timezone.localdate())


def _decision_clock_changed(case: Case, clock: Clock, after: str, today: dt.date) -> None:
    case = _refresh_due(case, clock, today)
    if after not in ALARM_TEMPLATES:
        return
    to = ToUser(case.assigned_to_id) if case.assigned_to_id else ToDepartment(case.department_id)
    notify(
        to=[to],
        template=ALARM_TEMPLATES[after],
        context=_alarm_context(case, clock),
        key=f"case:{case.pk}:{after}:{clock.due_on.isoformat()}",
        link=reverse("cases:handler_case", args=[case.number]),
    )


def _intake_clock_changed(case: Case, clock: Clock, after: str) -> None:
    if case.state != CaseState.SUBMITTED or after not in ALARM_TEMPLATES:
        return
    notify(
        to=[ToRegionQueue(case.region.code, Role.CLERK)],
        template=ALARM_TEMPLATES[after],
        context=_alarm_context(case, clock),
        key=f"case:{case.pk}:{after}:{clock.due_on.isoformat()}:intake",
    )


def _deferred_overdue(case: Case, deferral: DeferredMaterial) -> None:
    case = _locked(case)
    deferral = DeferredMaterial.objects.select_for_update().select_related("material").get(pk=deferral.pk)
    if deferral.overdue or deferral.supplied_at:
        return
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
    context = {"number": case.number, "material": deferral.material.name}
    root = case.parent or case
    applicant = [ToPhone(root.applicant_phone)] if root.applicant_phone else []
    if root.applicant_user_id:
        applicant.append(ToUser(root.applicant_user_id))
    if applicant:
        notify(
            to=applicant,
            template="cases.deferred_overdue",
            context=context,
            key=f"case:{root.pk}:deferred:{deferral.pk}",
            region_code=case.region.code,
        )
    staff = ToUser(case.assigned_to_id) if case.assigned_to_id else ToDepartment(case.department_id)
    notify(
        to=[staff],
        template="cases.deferred_overdue_department",
        context=context,
        key=f"case:{case.pk}:deferred:{deferral.pk}:dept",
    )


def _verification_overdue(case: Case, verification: PledgeVerification) -> None:
    verification = PledgeVerification.objects.select_for_update().get(pk=verification.pk)
    if verification.overdue or verification.state != PledgeVerification.State.PENDING:
        return
    verification.overdue = True
    verification.save(update_fields=["overdue"])
    audit_record(actor=None, action="case.verification_overdue", obj=case, details={"verification": verification.pk})
    notify(
        to=[ToDepartment(verification.department_id)],
        template="cases.verification_overdue",
        context={"number": case.number},
        key=f"verification:{verification.pk}:overdue",
    )
