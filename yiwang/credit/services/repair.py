"""信用修复 (credit repair): the subject corrects the dishonest conduct, asks, the deciding department decides.

国家发改委《失信行为纠正后的信用信息修复管理办法（试行）》(2023): a record may be repaired after its
minimum publication period once the conduct is corrected and a credit commitment signed; the
department that decided the record decides the repair within a time limit (county default
``REPAIR_DECIDE_WORKDAYS`` working days, tracked by the deadline engine). An approved repair ends
the record's effect (state ``repaired``) and the risk class is recomputed; every step is audited.
"""

from __future__ import annotations

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.notify import ToDepartment, ToUser, notify
from yiwang.credit import measures
from yiwang.credit.conf import credit_setting
from yiwang.credit.models import CreditRecord, CreditRepair
from yiwang.credit.services.records import add_months, entity_risk_recompute, points_key, today
from yiwang.org.scoping import scope_for
from yiwang.workdays.services import clock_start, clock_stop

REPAIR_FIELDS = ["record", "department", "statement", "commitment", "state", "due_on", "opinion", "decided_at"]


def _err(code, message, field=None, status=400):
    return ApplicationError(code, message, details={"field": field} if field else {}, status=status)


def repair_earliest(record: CreditRecord):
    """The first day a repair may be asked for (``REPAIR_MIN_MONTHS`` after the decision)."""
    months = int(credit_setting("REPAIR_MIN_MONTHS").get(points_key(record.kind, record.severity), 0))
    return add_months(record.decided_on, months)


def _may_request(actor, record: CreditRecord) -> bool:
    """The entity's own account (by USCC), or a handler of the deciding department registering it."""
    scope = scope_for(actor)
    if scope.can("credit.repair", department=record.department):
        return True
    return (
        scope.can("credit.repair_request")
        and record.entity_id is not None
        and (getattr(actor, "uscc", "") or "").upper() == record.entity.uscc
    )


def credit_repair_request(*, record: CreditRecord, statement: str, commitment: bool, actor) -> CreditRepair:
    """Ask for the repair of one record. Errors: ``credit.statement_required``, ``credit.commitment_required``,
    ``credit.not_repairable`` (409), ``credit.repair_too_early`` (409), ``credit.repair_pending`` (409),
    ``credit.not_your_record`` (403)."""
    statement = (statement or "").strip()
    if not statement:
        raise _err("credit.statement_required", "请说明失信行为的纠正情况", "statement")
    if not commitment:
        raise _err("credit.commitment_required", "申请信用修复须签署信用承诺书", "commitment")
    with transaction.atomic():
        record = (
            CreditRecord.objects.select_for_update(of=("self",))
            .select_related("entity", "department")
            .get(pk=record.pk)
        )
        if not _may_request(actor, record):
            raise _err("credit.not_your_record", "只能为本企业的信用记录申请修复", status=403)
        if (
            record.state != CreditRecord.State.EFFECTIVE
            or record.kind in credit_setting("REPAIR_EXCLUDED_KINDS")
            or record.kind in ("commendation", "first_offence")
        ):
            raise _err("credit.not_repairable", "该信用记录不适用信用修复", status=409)
        earliest = repair_earliest(record)
        if today() < earliest:
            raise _err(
                "credit.repair_too_early", f"该记录最短公示期未满，{earliest:%Y年%m月%d日}起可申请修复", status=409
            )
        if CreditRepair.objects.filter(record=record, state=CreditRepair.State.PENDING).exists():
            raise _err("credit.repair_pending", "该记录已有待审核的修复申请", status=409)
        now = timezone.now()
        days = int(credit_setting("REPAIR_DECIDE_WORKDAYS"))
        repair = CreditRepair(
            record=record,
            department=record.department,
            region_id=record.region_id,
            statement=statement,
            commitment=True,
            requested_by=actor if getattr(actor, "pk", None) else None,
            requested_at=now,
            due_on=now.date(),
        )
        repair.save()
        clock = clock_start(
            label=f"信用修复审核：{record.title}"[:200], started_at=now, days=days, actor=actor, owner=repair
        )
        repair.clock, repair.due_on = clock, clock.due_on
        repair.save(update_fields=["clock", "due_on"])
        audit_record(actor=actor, action="credit.repair_requested", obj=repair, after=snapshot(repair, REPAIR_FIELDS))
        notify(
            to=ToDepartment(record.department_id),
            template="credit.repair_requested",
            context={
                "entity": record.entity.name if record.entity_id else "",
                "title": record.title,
                "due_on": f"{repair.due_on:%Y-%m-%d}",
            },
            key=f"credit:repair:{repair.pk}:requested",
            link=reverse("credit:repairs"),
        )
    return repair


def credit_repair_decide(*, repair: CreditRepair, approve: bool, opinion: str, actor) -> CreditRepair:
    """Approve or refuse a repair. Errors: ``credit.opinion_required``, ``credit.repair_closed`` (409),
    ``credit.not_your_department`` (403)."""
    opinion = (opinion or "").strip()
    if not opinion:
        raise _err("credit.opinion_required", "请填写审核意见", "opinion")
    with transaction.atomic():
        repair = CreditRepair.objects.select_for_update(of=("self",)).select_related("department").get(pk=repair.pk)
        if not scope_for(actor).can("credit.repair", department=repair.department):
            raise _err("credit.not_your_department", f"该修复申请由{repair.department}审核", status=403)
        if repair.state != CreditRepair.State.PENDING:
            raise _err("credit.repair_closed", "该修复申请已审核", status=409)
        record = CreditRecord.objects.select_for_update(of=("self",)).select_related("entity").get(pk=repair.record_id)
        before = snapshot(repair, ["state"])
        now = timezone.now()
        repair.state = CreditRepair.State.APPROVED if approve else CreditRepair.State.REJECTED
        repair.opinion, repair.decided_by, repair.decided_at = opinion, actor, now
        repair.save(update_fields=["state", "opinion", "decided_by", "decided_at"])
        if repair.clock_id:
            clock_stop(clock=repair.clock, actor=actor)
        audit_record(
            actor=actor,
            action="credit.repair_approved" if approve else "credit.repair_rejected",
            obj=repair,
            before=before,
            after=snapshot(repair, ["state", "opinion"]),
        )
        if approve and record.state == CreditRecord.State.EFFECTIVE:
            record_before = snapshot(record, ["state"])
            record.state, record.ended_at = CreditRecord.State.REPAIRED, now
            record.save(update_fields=["state", "ended_at"])
            audit_record(
                actor=actor,
                action="credit.record_repaired",
                obj=record,
                before=record_before,
                after=snapshot(record, ["state"]),
                details={"repair": repair.pk},
            )
            measures.on_record_ended(record, revoked=False)
            if record.entity_id:
                entity_risk_recompute(entity=record.entity, actor=actor, reason="信用修复", record=record)
        if repair.requested_by_id:
            notify(
                to=ToUser(repair.requested_by_id),
                template="credit.repair_decided",
                context={
                    "title": record.title,
                    "result": "已通过，该记录不再公示" if approve else "未通过",
                    "opinion": opinion,
                },
                key=f"credit:repair:{repair.pk}:decided",
            )
    return repair


def on_repair_deadline(*, clock, owner, before, after, today) -> None:
    """The sweep's handler: the deciding department is reminded before the repair decision is due
    (``REPAIR_REMIND_WORKDAYS``) and told once when it is overdue; a decided repair is left alone.
    Keys name the repair and the due day, so a sweep run twice sends nothing twice."""
    if owner is None or owner.state != CreditRepair.State.PENDING:
        return
    if after == "reminder":
        template, key = "credit.repair_due_soon", f"credit:repair:{owner.pk}:remind:{clock.due_on:%Y%m%d}"
    elif after == "overdue":
        template, key = "credit.repair_overdue", f"credit:repair:{owner.pk}:overdue"
    else:
        return
    record = owner.record
    notify(
        to=ToDepartment(owner.department_id),
        template=template,
        context={
            "entity": record.entity.name if record.entity_id else "",
            "title": record.title,
            "due_on": f"{clock.due_on:%Y-%m-%d}",
        },
        key=key,
        link=reverse("credit:repairs"),
    )
