"""督办 on an overdue case (办件) or appeal (诉求): the 督办单 of the plan's tasks, sent to the
responsible department with an answer deadline in working days.

Rules:
- only the supervision office (``supervision.urge``: supervisors, within their region) issues one,
  and only on work that is overdue now (在办超期件 / 在办超期诉求, the leader pages' definitions);
- it goes to the department handling the work (the case's department, the appeal's lead
  department) through the notifier, and asks for an answer within ``days`` working days (county
  default ``URGE_ANSWER_WORKDAYS``); the deadline is a working-day clock the one sweep follows;
- one 督办 awaits an answer per case or appeal at a time: issuing again returns the one awaiting
  (a retried request creates nothing twice);
- the department answers once, in text (``supervision.answer``, own department only); the answer
  time and whether it was within the deadline are kept, the clock stops, the office is told;
- the sweep marks a 督办 still unanswered past its deadline overdue and tells the office;
- every change locks its row and is audited in the same transaction.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, ToUser, notify
from yiwang.org.scoping import scope_for
from yiwang.workdays.deadlines import DeadlineStatus
from yiwang.workdays.services import clock_start, clock_stop

from ..conf import supervision_setting
from ..models import Notice
from .tasks import _notice_number

ANSWER_MAX = 2000
URGE_FIELDS = ("answer_state", "overdue", "answered_on_time")


def _snapshot(notice: Notice) -> dict:
    return {name: getattr(notice, name) for name in URGE_FIELDS}


def _subject_label(notice: Notice) -> str:
    if notice.case_id:
        return f"办件{notice.case.number}"
    return f"诉求{notice.appeal.code}"


def urge_link(notice: Notice) -> str:
    return f"/supervision/urges/{notice.pk}/"


def _days(days) -> int:
    if days is None:
        return int(supervision_setting("URGE_ANSWER_WORKDAYS"))
    if isinstance(days, bool) or not isinstance(days, int):
        raise ApplicationError("supervision.urge_days", "答复时限须为整数个工作日", details={"field": "days"})
    limit = int(supervision_setting("URGE_MAX_WORKDAYS"))
    if not 1 <= days <= limit:
        raise ApplicationError("supervision.urge_days", f"答复时限应为1至{limit}个工作日", details={"field": "days"})
    return days


def _issue(*, subject: dict, department, region, text: str, days: int, actor, label: str, at: dt.datetime) -> Notice:
    today = timezone.localdate(at)
    notice = Notice.objects.create(
        number=uuid.uuid4().hex[:32],
        kind=Notice.Kind.OVERDUE,
        department=department,
        region=region,
        text=text,
        issued_on=today,
        issued_by=actor,
        answer_days=days,
        answer_state=Notice.AnswerState.AWAITING,
        **subject,
    )
    notice.number = _notice_number(notice)
    notice.clock = clock_start(
        label=f"督办答复：{label}"[:200],
        started_at=at,
        days=days,
        actor=actor,
        owner=notice,
        region_code=region.code,
    )
    notice.save(update_fields=["number", "clock"])
    audit_record(
        actor=actor,
        action="supervision.urge_issued",
        obj=notice,
        after={
            "number": notice.number,
            **{k: v.pk for k, v in subject.items()},
            "department": department.pk,
            "answer_days": days,
            "due_on": notice.clock.due_on,
            "text": text,
        },
        region_code=region.code,
    )
    notify(
        to=ToDepartment(department.pk),
        template="supervision.urge",
        context={
            "number": notice.number,
            "subject": label,
            "text": text,
            "days": days,
            "due_on": f"{notice.clock.due_on:%Y年%m月%d日}",
        },
        key=f"supervision:urge:{notice.pk}",
        link=urge_link(notice),
    )
    return notice


def _clean_text(text: str, default: str) -> str:
    text = (text or "").strip() or default
    if len(text) > ANSWER_MAX:
        raise ApplicationError("supervision.urge_text", f"督办内容不能超过{ANSWER_MAX}字", details={"field": "text"})
    return text


def case_urge(*, case, actor, text: str = "", days: int | None = None, at: dt.datetime | None = None) -> Notice:
    """督办 an overdue case: to the case's department, answer within ``days`` working days counted
    from ``at`` (default now; a register kept on paper is entered with its own dates).

    Errors: ``supervision.forbidden`` (not a supervisor over the case's region),
    ``supervision.not_overdue`` (the case is not 在办超期件), ``supervision.urge_days``,
    ``supervision.urge_text``.
    """
    from yiwang.cases.drill import open_overdue_q
    from yiwang.cases.models import Case

    days = _days(days)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).select_related("department", "region").get(pk=case.pk)
        if actor is None or not scope_for(actor).can("supervision.urge", region=case.region):
            raise ApplicationError("supervision.forbidden", "只有督查人员可以对本区域的办件督办", status=403)
        if not Case.objects.filter(open_overdue_q(), pk=case.pk).exists():
            raise ApplicationError("supervision.not_overdue", f"办件{case.number}不是在办超期件，无需督办")
        existing = Notice.objects.filter(case=case, answer_state=Notice.AnswerState.AWAITING).first()
        if existing is not None:
            return existing
        label = f"办件{case.number}"
        default = f"办件{case.number}（{case.item.name if case.item_id else ''}）已超过承诺时限，请立即办理并书面答复。"
        return _issue(
            subject={"case": case},
            department=case.department,
            region=case.region,
            text=_clean_text(text, default),
            days=days,
            actor=actor,
            label=label,
            at=at or timezone.now(),
        )


def appeal_urge(*, appeal, actor, text: str = "", days: int | None = None, at: dt.datetime | None = None) -> Notice:
    """督办 an overdue appeal: to its lead department, answer within ``days`` working days.

    Errors as ``case_urge`` (``supervision.not_overdue``: not 在办超期诉求).
    """
    from yiwang.hotline.drill import open_overdue_q
    from yiwang.hotline.models import Appeal

    days = _days(days)
    with transaction.atomic():
        appeal = (
            Appeal.objects.select_for_update(of=("self",)).select_related("lead_department", "region").get(pk=appeal.pk)
        )
        if actor is None or not scope_for(actor).can("supervision.urge", region=appeal.region):
            raise ApplicationError("supervision.forbidden", "只有督查人员可以对本区域的诉求督办", status=403)
        if appeal.lead_department_id is None or not Appeal.objects.filter(open_overdue_q(), pk=appeal.pk).exists():
            raise ApplicationError("supervision.not_overdue", f"诉求{appeal.code}不是在办超期诉求，无需督办")
        existing = Notice.objects.filter(appeal=appeal, answer_state=Notice.AnswerState.AWAITING).first()
        if existing is not None:
            return existing
        label = f"诉求{appeal.code}"
        default = f"诉求{appeal.code}“{appeal.title}”已超过答复时限，请立即办理并书面答复。"
        return _issue(
            subject={"appeal": appeal},
            department=appeal.lead_department,
            region=appeal.region,
            text=_clean_text(text, default),
            days=days,
            actor=actor,
            label=label,
            at=at or timezone.now(),
        )


def urge_answer(*, notice: Notice, actor, answer: str, at: dt.datetime | None = None) -> Notice:
    """The department answers a 督办 (once). On time = answered on or before the answer clock's due day.

    Errors: ``supervision.not_urge`` (a plan notice, nothing to answer), ``supervision.forbidden``
    (not a handler of the addressed department), ``supervision.urge_answered`` (answered already),
    ``supervision.answer_text`` (empty or too long).
    """
    answer = (answer or "").strip()
    with transaction.atomic():
        notice = Notice.objects.select_for_update(of=("self",)).select_related("clock", "department").get(pk=notice.pk)
        if notice.answer_state == Notice.AnswerState.NONE:
            raise ApplicationError("supervision.not_urge", "该督办单无需答复")
        if actor is None or not scope_for(actor).can("supervision.answer", department=notice.department):
            raise ApplicationError("supervision.forbidden", "只有被督办部门可以答复督办", status=403)
        if notice.answer_state == Notice.AnswerState.ANSWERED:
            raise ApplicationError("supervision.urge_answered", f"督办单{notice.number}已答复，不能重复答复")
        if not answer:
            raise ApplicationError("supervision.answer_text", "请填写答复内容", details={"field": "answer"})
        if len(answer) > ANSWER_MAX:
            raise ApplicationError(
                "supervision.answer_text", f"答复内容不能超过{ANSWER_MAX}字", details={"field": "answer"}
            )
        before = _snapshot(notice)
        now = at or timezone.now()
        today = timezone.localdate(now)
        notice.answer = answer
        notice.answered_at = now
        notice.answered_by = actor
        notice.answer_state = Notice.AnswerState.ANSWERED
        notice.answered_on_time = notice.clock is None or today <= notice.clock.due_on
        notice.save(update_fields=["answer", "answered_at", "answered_by", "answer_state", "answered_on_time"])
        if notice.clock is not None and notice.clock.state != "stopped":
            clock_stop(clock=notice.clock, actor=actor, on=today)
        audit_record(
            actor=actor,
            action="supervision.urge_answered",
            obj=notice,
            before=before,
            after={**_snapshot(notice), "answer": answer},
            region_code=notice.region.code if notice.region_id else None,
        )
        if notice.issued_by_id:
            notify(
                to=ToUser(notice.issued_by_id),
                template="supervision.urge_answered",
                context={
                    "number": notice.number,
                    "department": notice.department.short_name,
                    "on_time": "按时" if notice.answered_on_time else "逾期",
                },
                key=f"supervision:urge:{notice.pk}:answered",
                link=urge_link(notice),
            )
    return notice


def urge_deadline_changed(*, clock, owner: Notice, before, after, today: dt.date) -> None:
    """Sweep handler: a 督办 still awaiting its answer past the deadline is marked overdue (audited)."""
    if owner is None or owner.answer_state != Notice.AnswerState.AWAITING or after != DeadlineStatus.OVERDUE:
        return
    notice = Notice.objects.select_for_update(of=("self",)).get(pk=owner.pk)
    if notice.overdue or notice.answer_state != Notice.AnswerState.AWAITING:
        return
    before_state = _snapshot(notice)
    notice.overdue = True
    notice.save(update_fields=["overdue"])
    audit_record(
        actor=None,
        action="supervision.urge_overdue",
        obj=notice,
        before=before_state,
        after=_snapshot(notice),
        region_code=notice.region.code if notice.region_id else None,
    )
    recipients = [ToDepartment(notice.department_id)]
    if notice.issued_by_id:
        recipients.append(ToUser(notice.issued_by_id))
    notify(
        to=recipients,
        template="supervision.urge_overdue",
        context={"number": notice.number, "due_on": f"{clock.due_on:%Y年%m月%d日}"},
        key=f"supervision:urge:{notice.pk}:overdue",
        link=urge_link(notice),
    )
