"""Rectification of bad ratings and check findings (差评整改, plan 四(十五)6: 差评整改、反馈、监督).

Each step locks the row, checks ``workflow.TRANSITIONS``, changes it, writes the audit event, the
roll-up change and any notice in one transaction. The deadline is a working-day clock (county default
5) in the workdays engine; it pauses while the supervisor holds the rectification (an appeal or the
final review) and stops when it is closed or annulled. On time = the department's last step (the
revisit) on or before the due day.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, ToPhone, ToRegionQueue, ToUser, notify
from yiwang.measures.services import measures_apply
from yiwang.org.models import Role
from yiwang.org.scoping import scope_for
from yiwang.workdays.models import Clock
from yiwang.workdays.services import clock_pause, clock_resume, clock_start, clock_stop

from ..conf import setting
from ..measures import rectification_facts
from ..models import Finding, Level, Rating, Rectification
from ..workflow import check_rectification_transition
from ._common import county_code

S = Rectification.State
C = Rectification.Classification

SNAPSHOT_FIELDS = ("state", "classification", "called_back", "due_on", "on_time", "sent_back_count")


def _snapshot(r: Rectification) -> dict:
    return {name: getattr(r, name) for name in SNAPSHOT_FIELDS}


def _open(*, actor, summary: str, days: int, **fields) -> Rectification:
    now = timezone.now()
    rectification = Rectification.objects.create(
        number=f"TMP{now:%H%M%S%f}", summary=summary[:200], opened_at=now, due_on=timezone.localdate(), **fields
    )
    clock = clock_start(
        label="整改期限",
        started_at=now,
        days=days,
        actor=actor,
        owner=rectification,
        region_code=rectification.region.code,
    )
    rectification.number = f"ZG{now:%Y}{rectification.pk:07d}"
    rectification.clock = clock
    rectification.due_on = clock.due_on
    rectification.save(update_fields=["number", "clock", "due_on"])
    audit_record(
        actor=actor,
        action="ratings.rectification_opened",
        obj=rectification,
        after={**_snapshot(rectification), "source": rectification.source, "department": rectification.department_id},
    )
    measures_apply(after=rectification_facts(rectification))
    notify(
        to=ToDepartment(rectification.department_id),
        template="ratings.rectification_opened",
        context={"number": rectification.number, "summary": rectification.summary, "due_on": clock.due_on.isoformat()},
        key=f"rectification:{rectification.pk}:opened",
        link=f"/ratings/staff/rectifications/{rectification.pk}/",
    )
    return rectification


def rectification_open_for_rating(*, rating: Rating, actor) -> Rectification:
    """A bad rating opens a rectification in the rating's transaction, assigned to the rated department."""
    if rating.department_id is None:
        raise ApplicationError("rectification.no_department", "差评没有对应的责任部门，无法派发整改")
    comment = str(rating.comment or "").strip()
    summary = f"{rating.get_level_display()}：{rating.subject_title}" + (f"——{comment}" if comment else "")
    return _open(
        actor=actor,
        summary=summary,
        days=int(setting("RECTIFICATION_WORKDAYS")),
        source=Rectification.Source.RATING,
        rating=rating,
        region_id=rating.region_id,
        department_id=rating.department_id,
        hall_id=rating.hall_id,
        real_name=rating.real_name,
    )


def rectification_open_for_finding(*, finding: Finding, actor) -> Rectification:
    """A check finding opens a rectification at once in the fixing stage (the fault was seen on site).

    The issue's loop verify → classify belongs to bad ratings (issue 13, "Bad ratings → rectification"):
    verify is calling the rater back to learn what happened, and classify sorts a citizen's complaint
    (reasonable / complex / no legal basis / mistaken or malicious → appeal to the supervisor). A finding
    has neither: the supervisor or 营商环境监督员 recorded it in person (photo, hall, window, item), so
    there is nobody to call back, and an appeal "to the supervisor" would go to the side that found it.
    The plan asks that what the monitors find be fixed promptly and followed up (plan 三5: 对于营商环境监督员
    发现的问题及时整改，跟踪问题解决情况), so it starts at rectify (fix within the deadline, FINDING_WORKDAYS) and goes on through
    reply, revisit (the monitor's re-check) and the supervisor's review like any other.
    """
    rectification = _open(
        actor=actor,
        summary=f"{finding.get_category_display()}：{finding.description}",
        days=int(setting("FINDING_WORKDAYS")),
        source=Rectification.Source.FINDING,
        finding=finding,
        region_id=finding.region_id,
        department_id=finding.department_id,
        hall_id=finding.hall_id,
        state=S.RECTIFYING,
        classification=C.FIX_WITHIN,
        called_back=True,
    )
    return rectification


# --- the steps ----------------------------------------------------------------------------------


def _locked(rectification: Rectification) -> Rectification:
    return (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("department__region", "region", "rating", "clock")
        .get(pk=rectification.pk)
    )


def _require(actor, rectification: Rectification, action: str) -> None:
    scope = scope_for(actor)
    if action == "rectification.handle":
        allowed = scope.can(action, department=rectification.department)
    else:
        allowed = scope.can(action, region=rectification.region)
    if not allowed:
        raise ApplicationError("auth.forbidden", "您无权办理此整改", details={"action": action}, status=403)


def _text(value: str | None, *, field: str, label: str, minimum: int = 2) -> str:
    text = (value or "").strip()
    if len(text) < minimum:
        raise ApplicationError("rectification.text_required", f"请填写{label}", details={"field": field})
    if len(text) > 2000:
        raise ApplicationError("rectification.text_too_long", f"{label}不能超过2000字", details={"field": field})
    return text


class _Step:
    """Lock, check, change, save, audit and re-count one rectification (a context manager)."""

    def __init__(self, rectification: Rectification, *, actor, action: str, target: str, event: str):
        self.rectification, self.actor, self.action, self.target, self.event = (
            rectification,
            actor,
            action,
            target,
            event,
        )
        self.details: dict = {}

    def __enter__(self) -> Rectification:
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        try:
            r = _locked(self.rectification)
            _require(self.actor, r, self.action)
            check_rectification_transition(r, self.target)
            self.before = _snapshot(r)
            self.facts = rectification_facts(r)
            self.r = r
            return r
        except BaseException as error:
            self._atomic.__exit__(type(error), error, error.__traceback__)
            raise

    def __exit__(self, exc_type, exc, tb):
        if exc_type is None:
            try:
                r = self.r
                r.state = self.target
                r.save()
                audit_record(
                    actor=self.actor,
                    action=f"ratings.rectification_{self.event}",
                    obj=r,
                    before=self.before,
                    after=_snapshot(r),
                    details=self.details,
                )
                measures_apply(before=self.facts, after=rectification_facts(r))
            except BaseException as error:
                self._atomic.__exit__(type(error), error, error.__traceback__)
                raise
        return self._atomic.__exit__(exc_type, exc, tb)


def rectification_verify(*, rectification: Rectification, reached: bool, note: str, actor) -> Rectification:
    """Step 1, 核实: the department calls the rater back and records what it learned."""
    note = _text(note, field="note", label="核实情况")
    with _Step(rectification, actor=actor, action="rectification.handle", target=S.CLASSIFYING, event="verified") as r:
        r.called_back = bool(reached)
        r.callback_note = note
        r.verified_at = timezone.now()
    return r


def rectification_classify(
    *, rectification: Rectification, classification: str, note: str, actor, evidence=None
) -> Rectification:
    """Step 2, 定性: fix now / fix within the deadline → rectify; no legal basis → explain (reply);
    a mistaken or malicious rating → appeal to the supervisor with evidence (the clock pauses)."""
    if classification not in C.values:
        raise ApplicationError(
            "rectification.bad_classification", "请选择定性结果", details={"field": "classification"}
        )
    note = _text(note, field="note", label="定性说明")
    if classification == C.APPEAL and not evidence:
        raise ApplicationError("rectification.evidence_required", "申诉须上传证据材料", details={"field": "evidence"})
    target = {C.FIX_NOW: S.RECTIFYING, C.FIX_WITHIN: S.RECTIFYING, C.EXPLAIN: S.REPLYING, C.APPEAL: S.APPEALED}[
        classification
    ]
    with _Step(rectification, actor=actor, action="rectification.handle", target=target, event="classified") as r:
        r.classification = classification
        r.classification_note = note
        r.classified_at = timezone.now()
        if evidence:
            r.evidence = evidence
        if classification == C.APPEAL:
            _pause(r, actor, "申诉待督查审核")
            _notify_supervisors(r, what="提出申诉")
    return r


def rectification_decide_appeal(*, rectification: Rectification, upheld: bool, note: str, actor) -> Rectification:
    """The supervisor decides an appeal: upheld → annulled (the clock stops); rejected → classify again."""
    note = _text(note, field="note", label="审核意见")
    target = S.ANNULLED if upheld else S.CLASSIFYING
    with _Step(rectification, actor=actor, action="rectification.review", target=target, event="appeal_decided") as r:
        r.appeal_decision_note = note[:500]
        if upheld:
            _stop(r, actor)
            r.closed_at = timezone.now()
        else:
            _resume(r, actor)
            r.classification = ""
    return r


def rectification_rectify(*, rectification: Rectification, measures_taken: str, actor) -> Rectification:
    """Step 3, 整改: what was changed (published once accepted)."""
    text = _text(measures_taken, field="measures_taken", label="整改措施")
    with _Step(rectification, actor=actor, action="rectification.handle", target=S.REPLYING, event="rectified") as r:
        r.measures_taken = text
        r.rectified_at = timezone.now()
    return r


def rectification_reply(*, rectification: Rectification, reply: str, actor) -> Rectification:
    """Step 4, 答复: the department answers the rater (inbox and SMS)."""
    text = _text(reply, field="reply", label="答复内容")
    with _Step(rectification, actor=actor, action="rectification.handle", target=S.REVISITING, event="replied") as r:
        r.reply = text
        r.replied_at = timezone.now()
        _notify_rater(r)
    return r


def rectification_revisit(*, rectification: Rectification, level, note: str, actor) -> Rectification:
    """Step 5, 回访: the rater's satisfaction with the fix; the supervisor reviews next (clock pauses)."""
    try:
        level = int(level)
    except (TypeError, ValueError):
        level = 0
    if level not in Level.values:
        raise ApplicationError("rectification.bad_level", "请选择回访满意度", details={"field": "level"})
    note = _text(note, field="note", label="回访记录")
    with _Step(rectification, actor=actor, action="rectification.handle", target=S.REVIEWING, event="revisited") as r:
        r.revisit_level = level
        r.revisit_note = note
        r.revisited_at = timezone.now()
        r.on_time = timezone.localdate(r.revisited_at) <= r.due_on
        _pause(r, actor, "督查审核")
        _notify_supervisors(r, what="已整改并回访")
    return r


def rectification_review(*, rectification: Rectification, accept: bool, note: str, actor) -> Rectification:
    """The supervisor accepts (closed, published) or sends back (rectify again, the clock resumes)."""
    note = (note or "").strip()
    if not accept:
        note = _text(note, field="note", label="退回理由")
    target = S.CLOSED if accept else S.RECTIFYING
    event = "accepted" if accept else "sent_back"
    with _Step(rectification, actor=actor, action="rectification.review", target=target, event=event) as r:
        r.review_note = note[:500]
        if accept:
            r.closed_at = timezone.now()
            _stop(r, actor)
        else:
            r.sent_back_count += 1
            r.on_time = None
            _resume(r, actor)
            notify(
                to=ToDepartment(r.department_id),
                template="ratings.rectification_sent_back",
                context={"number": r.number, "summary": r.summary, "note": note},
                key=f"rectification:{r.pk}:sent_back:{r.sent_back_count}",
                link=f"/ratings/staff/rectifications/{r.pk}/",
            )
    return r


# --- clock and notices --------------------------------------------------------------------------


def _clock(r: Rectification) -> Clock | None:
    return Clock.objects.get(pk=r.clock_id) if r.clock_id else None


def _pause(r: Rectification, actor, reason: str) -> None:
    clock = _clock(r)
    if clock is not None and clock.state == Clock.State.RUNNING:
        clock_pause(clock=clock, on=timezone.localdate(), reason=reason, actor=actor)


def _resume(r: Rectification, actor) -> None:
    clock = _clock(r)
    if clock is not None and clock.state == Clock.State.PAUSED:
        clock = clock_resume(clock=clock, on=timezone.localdate(), actor=actor)
        r.due_on = clock.due_on


def _stop(r: Rectification, actor) -> None:
    clock = _clock(r)
    if clock is not None and clock.state != Clock.State.STOPPED:
        clock_stop(clock=clock, actor=actor)


def _notify_supervisors(r: Rectification, *, what: str) -> None:
    notify(
        to=ToRegionQueue(county_code(r.department.region), Role.SUPERVISOR.value),
        template="ratings.rectification_review",
        context={"department": r.department.short_name, "number": r.number, "summary": r.summary, "what": what},
        key=f"rectification:{r.pk}:review:{r.state}:{r.sent_back_count}",
        link=f"/ratings/supervision/rectifications/{r.pk}/",
    )


def _notify_rater(r: Rectification) -> None:
    rating = r.rating
    if rating is None:
        return
    recipients = []
    if rating.rater_id:
        recipients.append(ToUser(rating.rater_id))
    if rating.case_id and rating.real_name:
        phone = rating.case.applicant_phone
        if phone:
            recipients.append(ToPhone(phone))
    if not recipients:
        return
    notify(
        to=recipients,
        template="ratings.rectification_replied",
        context={"subject": rating.subject_number, "reply": r.reply},
        key=f"rectification:{r.pk}:replied:{r.sent_back_count}",
        link="/ratings/mine/",
    )


def on_rectification_deadline(*, clock, owner: Rectification, before, after, today) -> None:
    """The sweep's handler: a reminder before the due day, an overdue notice to the department and the
    county's supervisors after it (once each)."""
    if not owner.is_open or owner.state in (S.APPEALED, S.REVIEWING):
        return
    context = {"number": owner.number, "summary": owner.summary, "due_on": clock.due_on.isoformat()}
    link = f"/ratings/staff/rectifications/{owner.pk}/"
    if after == "reminder":
        notify(
            to=ToDepartment(owner.department_id),
            template="ratings.rectification_reminder",
            context=context,
            key=f"rectification:{owner.pk}:reminder:{clock.due_on.isoformat()}",
            link=link,
        )
    elif after == "overdue":
        notify(
            to=ToDepartment(owner.department_id),
            template="ratings.rectification_overdue",
            context=context,
            key=f"rectification:{owner.pk}:overdue:{clock.due_on.isoformat()}",
            link=link,
        )
        notify(
            to=ToRegionQueue(county_code(owner.department.region), Role.SUPERVISOR.value),
            template="ratings.rectification_overdue_supervisor",
            context={**context, "department": owner.department.short_name},
            key=f"rectification:{owner.pk}:overdue_sup:{clock.due_on.isoformat()}",
            link=f"/ratings/supervision/rectifications/{owner.pk}/",
        )
        Rectification.objects.filter(pk=owner.pk).update(overdue_notified=True)


def on_rectification_due_changed(*, clock, owner: Rectification) -> None:
    Rectification.objects.filter(pk=owner.pk).update(due_on=clock.due_on)
