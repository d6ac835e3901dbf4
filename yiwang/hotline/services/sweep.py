"""Reminders (催办) and overdue notices for sign-off and reply deadlines."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.hotline import deadlines
from yiwang.hotline.conf import conf
from yiwang.hotline.models import (
    Appeal,
    AppealEvent,
    Dispatch,
)
from yiwang.hotline.services._common import Kind, State, _event, _notify_department, _notify_dispatchers, _region_code
from yiwang.org.models import Department


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
