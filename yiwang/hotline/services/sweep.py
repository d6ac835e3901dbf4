"""Reminders (催办) and overdue notices (超期通报) for sign-off, reply and 办不成事 deadlines.

Working-day deadlines are clocks, swept by the one deadline sweep in workdays (DESIGN: one sweep
that calls the handler each owning app registers): ``HotlineConfig.ready`` registers the handlers
below for the clocks of ``Appeal`` (reply), ``Dispatch`` (sign-off) and ``UnresolvedMatter``.
Urgent deadlines are wall-clock hours, not clocks, so ``appeal_urgent_sweep`` checks them (Celery
task ``hotline.sweep``, every 15 minutes). Each notice is sent once per deadline (a dedupe key on
the timeline event and on the notification), so running either sweep again sends nothing new.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.hotline import deadlines
from yiwang.hotline.conf import conf
from yiwang.hotline.models import Appeal, AppealEvent, Dispatch, UnresolvedMatter
from yiwang.hotline.services._common import (
    Kind,
    State,
    _event,
    _notify_department,
    _notify_dispatchers,
    _region_code,
    _staff_link,
)
from yiwang.workdays.deadlines import Deadline, DeadlineStatus, deadline_of_clock
from yiwang.workdays.sweep import REMINDER, clocks_sweep

# Appeals whose reply clock runs (the sign-off clock is checked only while dispatched).
SWEPT_STATES = (State.DISPATCHED, State.SIGNED_OFF, State.REOPENED, State.RETURNED)


@dataclass
class SweepReport:
    reminders: int = 0
    overdue: int = 0
    checked: int = 0
    codes: list[str] = field(default_factory=list)

    def add(self, kind: str, appeal: Appeal) -> None:
        if kind == Kind.OVERDUE:
            self.overdue += 1
            self.codes.append(appeal.code)
        else:
            self.reminders += 1


def _notice(
    appeal: Appeal,
    *,
    kind: str,
    key: str,
    text: str,
    template: str,
    due: str,
) -> bool:
    """One 催办 or 超期通报: the timeline event (keyed, so once per deadline), the audit event and the
    notice to the lead department (when overdue, also to the county's 12345 dispatchers)."""
    if AppealEvent.objects.filter(dedupe_key=key).exists():
        return False
    department = appeal.lead_department
    context = {"code": appeal.code, "title": appeal.title[:30], "due": due}
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
            link = _staff_link(appeal)
            if department is not None:
                _notify_department(department, template, key, link=link, **context)
            if kind == Kind.OVERDUE:
                _notify_dispatchers(template, key, link=link, **context)
    except IntegrityError:
        return False  # a concurrent sweep wrote it first
    return True


def _sign_off_notice(appeal: Appeal, dispatch: Dispatch, limit: Deadline, *, overdue: bool) -> bool:
    due = limit.display()
    if overdue:
        return _notice(
            appeal,
            kind=Kind.OVERDUE,
            key=f"hotline:{dispatch.pk}:signoff:overdue",
            text=f"诉求 {appeal.code} 派单后未在时限（{due}）内签收，已超时。",
            template="hotline.sign_off_overdue",
            due=due,
        )
    return _notice(
        appeal,
        kind=Kind.REMINDER,
        key=f"hotline:{dispatch.pk}:signoff:remind",
        text=f"诉求 {appeal.code} 尚未签收，签收时限 {due}，请及时签收。",
        template="hotline.sign_off_reminder",
        due=due,
    )


def _reply_notice(appeal: Appeal, limit: Deadline, *, overdue: bool) -> bool:
    due = limit.display()
    marker = limit.due_at.isoformat() if limit.due_at else limit.due_on.isoformat()
    if overdue:
        return _notice(
            appeal,
            kind=Kind.OVERDUE,
            key=f"hotline:{appeal.pk}:reply:{marker}:overdue",
            text=f"诉求 {appeal.code}“{appeal.title[:30]}”已超过答复时限（{due}），请立即办理并答复。",
            template="hotline.reply_overdue",
            due=due,
        )
    return _notice(
        appeal,
        kind=Kind.REMINDER,
        key=f"hotline:{appeal.pk}:reply:{marker}:remind",
        text=f"诉求 {appeal.code}“{appeal.title[:30]}”将于 {due} 到期，请抓紧办理。",
        template="hotline.reply_reminder",
        due=due,
    )


# --- handlers of the one deadline sweep (working days) -------------------------------------------


def appeal_deadline_changed(*, clock, owner: Appeal, before, after, today: dt.date) -> None:
    """The reply clock of an open appeal: a reminder ``REMINDER_LEAD_WORKDAYS`` working days before
    the due day, an overdue notice (also to the dispatchers) the day after it."""
    if owner.handling_clock_id != clock.pk or owner.state not in SWEPT_STATES:
        return  # a replaced (extended, re-dispatched) clock or a closed appeal
    if after not in (REMINDER, DeadlineStatus.OVERDUE):
        return
    limit = deadline_of_clock(clock, label="答复时限", today=today)
    _reply_notice(owner, limit, overdue=after == DeadlineStatus.OVERDUE)


def dispatch_deadline_changed(*, clock, owner: Dispatch, before, after, today: dt.date) -> None:
    """The sign-off clock of a dispatch not yet signed off: a reminder on the due day, an overdue
    notice (also to the dispatchers) after it. Only while the appeal waits for sign-off: a return
    asked for in time is a response."""
    if after not in (REMINDER, DeadlineStatus.OVERDUE):
        return
    if owner.state != Dispatch.State.ACTIVE or owner.signed_off_at is not None or owner.sign_off_clock_id != clock.pk:
        return
    appeal = Appeal.objects.select_related("region", "lead_department").get(pk=owner.appeal_id)
    if appeal.state != State.DISPATCHED:
        return
    limit = deadline_of_clock(clock, label="签收时限", today=today)
    _sign_off_notice(appeal, owner, limit, overdue=after == DeadlineStatus.OVERDUE)


def unresolved_deadline_changed(*, clock, owner: UnresolvedMatter, before, after, today: dt.date) -> None:
    """A 办不成事 matter still open: a reminder before its due day and an overdue notice after it, to
    the department it is assigned to (plan 三、4: 限时办结)."""
    if owner.state == UnresolvedMatter.State.RESOLVED or owner.department_id is None or owner.clock_id != clock.pk:
        return
    if after not in (REMINDER, DeadlineStatus.OVERDUE):
        return
    overdue = after == DeadlineStatus.OVERDUE
    _notify_department(
        owner.department,
        "hotline.unresolved_overdue" if overdue else "hotline.unresolved_reminder",
        f"unresolved:{owner.pk}:{clock.due_on.isoformat()}:{'overdue' if overdue else 'remind'}",
        link=reverse("hotline:unresolved"),
        code=owner.code,
        summary=owner.summary[:30],
        due=deadline_of_clock(clock, today=today).display(),
    )


def register_deadline_handlers() -> None:
    """Called from ``HotlineConfig.ready``. The sign-off limit is a working day or so: its reminder
    goes out on the due day (as the 80 % warning did), not on the day of dispatch. Urgent appeals
    (hours, not clocks) join the same sweep as a hook."""
    from yiwang.workdays.sweep import register_deadline_handler, register_sweep_hook

    lead = int(conf("REMINDER_LEAD_WORKDAYS"))
    register_deadline_handler(Appeal, appeal_deadline_changed, remind_lead_workdays=lead)
    register_deadline_handler(Dispatch, dispatch_deadline_changed, remind_lead_workdays=0)
    register_deadline_handler(UnresolvedMatter, unresolved_deadline_changed, remind_lead_workdays=lead)
    register_sweep_hook("hotline.urgent", appeal_urgent_sweep)


# --- urgent deadlines (wall-clock hours) ---------------------------------------------------------


def appeal_urgent_sweep(*, now: dt.datetime | None = None) -> SweepReport:
    """Urgent appeals are counted in hours, round the clock (``URGENT_*``): remind
    ``URGENT_REMINDER_LEAD_HOURS`` before (or at the 80 % warning) and report after. Walks open
    urgent work only."""
    now = now or timezone.now()
    lead = dt.timedelta(hours=conf("URGENT_REMINDER_LEAD_HOURS"))
    report = SweepReport()
    dispatches = (
        Dispatch.objects.filter(
            state=Dispatch.State.ACTIVE,
            sign_off_due_at__isnull=False,
            signed_off_at__isnull=True,
            appeal__state=State.DISPATCHED,
        )
        .select_related("appeal__region", "appeal__lead_department")
        .order_by("pk")
    )
    for dispatch in dispatches.iterator(chunk_size=500):
        report.checked += 1
        appeal = dispatch.appeal
        limit = deadlines.sign_off_deadline(dispatch, now)
        overdue = limit.status == DeadlineStatus.OVERDUE
        if (overdue or limit.status == DeadlineStatus.WARNING or limit.due_at - now <= lead) and _sign_off_notice(
            appeal, dispatch, limit, overdue=overdue
        ):
            report.add(Kind.OVERDUE if overdue else Kind.REMINDER, appeal)
    appeals = (
        Appeal.objects.filter(state__in=SWEPT_STATES, reply_due_at__isnull=False)
        .select_related("region", "lead_department")
        .order_by("pk")
    )
    for appeal in appeals.iterator(chunk_size=500):
        report.checked += 1
        limit = deadlines.reply_deadline(appeal, now)
        overdue = limit.status == DeadlineStatus.OVERDUE
        if (overdue or limit.due_at - now <= lead) and _reply_notice(appeal, limit, overdue=overdue):
            report.add(Kind.OVERDUE if overdue else Kind.REMINDER, appeal)
    return report


def appeal_sweep(*, now: dt.datetime | None = None) -> SweepReport:
    """All of the hotline's deadlines at once (``manage.py hotline sweep``): the one deadline sweep
    over the clocks (it also serves the other apps' clocks), then the urgent hours. Counts the
    appeals' reminders and overdue notices this run sent."""
    now = now or timezone.now()
    last = AppealEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    clocks = clocks_sweep(today=timezone.localtime(now).date())
    urgent = appeal_urgent_sweep(now=now)
    report = SweepReport(checked=clocks.checked + urgent.checked)
    sent = (
        AppealEvent.objects.filter(pk__gt=last, kind__in=[Kind.REMINDER, Kind.OVERDUE])
        .select_related("appeal")
        .order_by("pk")
    )
    for event in sent:
        report.add(event.kind, event.appeal)
    return report
