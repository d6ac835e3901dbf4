"""Credit records and the risk class they drive.

Rules and their sources:

- Records (公共信用信息): commendations (红名单), administrative penalties, dishonesty records in the 23
  key fields of the county's campaign (plan 二(五)(2)), false pledges (国办发〔2020〕42号), findings of
  random inspections, 首违不罚 (plan 四(六)6, 四(十七)3: recorded, not penalised), serious-dishonesty
  lists (wage arrears 四(十二)6, bidding 四(十四)3, IP 四(十六)2) and government dishonesty (四(十)3(2)).
- A record is in effect while it is neither repaired nor revoked and its publication period
  (``expires_on``) has not passed; a record without an explicit expiry gets the configured
  publication period for its kind (``PUBLICATION_MONTHS``, county default).
- Risk class (国发〔2019〕18号 分级分类监管): the sum of ``RISK_POINTS`` of the records in effect,
  classed by ``RISK_THRESHOLDS``; a record on one of ``D_LISTS`` forces class D. Every change of class
  is kept as a ``RiskClassChange`` row and audited.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.credit import measures
from yiwang.credit.conf import KEY_FIELDS, credit_setting
from yiwang.credit.models import (
    CreditRecord,
    Entity,
    NamedList,
    RecordKind,
    RiskClass,
    RiskClassChange,
    Severity,
)
from yiwang.org.scoping import scope_for

RECORD_AUDIT_FIELDS = [
    "entity",
    "subject_department",
    "kind",
    "named_list",
    "key_field",
    "offence_code",
    "severity",
    "title",
    "department",
    "decided_on",
    "legal_basis",
    "document_number",
    "source",
    "expires_on",
    "state",
]

# Lists and the record kinds that may stand on them.
_LIST_KINDS = {
    NamedList.KEY_FIELDS: {RecordKind.DISHONESTY, RecordKind.BLACKLIST},
    NamedList.WAGE_ARREARS: {RecordKind.BLACKLIST},
    NamedList.BIDDING: {RecordKind.BLACKLIST},
    NamedList.IP: {RecordKind.BLACKLIST},
    NamedList.RED: {RecordKind.COMMENDATION},
}


def _bad(code: str, message: str, field: str | None = None, status: int = 400) -> ApplicationError:
    return ApplicationError(code, message, details={"field": field} if field else {}, status=status)


def today() -> dt.date:
    return timezone.localdate()


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day when it has fewer days)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def points_key(kind: str, severity: str) -> str:
    """The key of ``RISK_POINTS`` / ``PUBLICATION_MONTHS`` for a record: penalties by severity."""
    return f"{kind}.{severity}" if kind == RecordKind.PENALTY else str(kind)


def default_expiry(kind: str, severity: str, decided_on: dt.date) -> dt.date | None:
    """The end of the publication period when a record states none (``PUBLICATION_MONTHS``)."""
    months = credit_setting("PUBLICATION_MONTHS").get(points_key(kind, severity))
    if not months:
        return None
    return add_months(decided_on, int(months))


# --- risk class ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class RiskAssessment:
    score: int
    risk_class: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class RiskRules:
    """The configured rules, read once for many assessments (bulk recomputation, the demo)."""

    points: dict
    d_lists: frozenset
    limits: dict


def risk_rules() -> RiskRules:
    return RiskRules(
        points=credit_setting("RISK_POINTS"),
        d_lists=frozenset(credit_setting("D_LISTS")),
        limits=credit_setting("RISK_THRESHOLDS"),
    )


def class_for_score(score: int, limits: dict | None = None) -> str:
    """``RISK_THRESHOLDS``: score ≤ A_MAX → A; < C_FROM → B; < D_FROM → C; else D."""
    limits = limits or credit_setting("RISK_THRESHOLDS")
    if score <= limits["A_MAX"]:
        return RiskClass.A
    if score < limits["C_FROM"]:
        return RiskClass.B
    if score < limits["D_FROM"]:
        return RiskClass.C
    return RiskClass.D


def records_in_effect(entity_id: int, on: dt.date):
    from django.db.models import Q

    return CreditRecord.objects.filter(entity_id=entity_id, state=CreditRecord.State.EFFECTIVE).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=on)
    )


def assess(records, *, on: dt.date | None = None, rules: RiskRules | None = None) -> RiskAssessment:
    """The score and class of the given records (those in effect on ``on`` count)."""
    on = on or today()
    rules = rules or risk_rules()
    points, d_lists = rules.points, rules.d_lists
    score, reasons, forced = 0, [], False
    for record in records:
        if not record.in_effect(on):
            continue
        value = int(points.get(points_key(record.kind, record.severity), 0))
        score += value
        if value:
            reasons.append(f"{record.get_kind_display()}「{record.title}」{value:+d}")
        if record.named_list and record.named_list in d_lists:
            forced = True
            reasons.append(f"列入{record.get_named_list_display()}，直接评为D类")
    risk_class = RiskClass.D if forced else class_for_score(score, rules.limits)
    return RiskAssessment(score=score, risk_class=str(risk_class), reasons=tuple(reasons))


def entity_risk_assess(*, entity: Entity, on: dt.date | None = None) -> RiskAssessment:
    on = on or today()
    return assess(records_in_effect(entity.pk, on), on=on)


def entity_risk_recompute(
    *, entity: Entity, actor=None, reason: str = "信用记录变化", record: CreditRecord | None = None, on=None
) -> Entity:
    """Recompute an entity's risk class from its records in effect; a change is kept and audited.

    Runs in (or opens) a transaction and locks the entity row. Returns the entity, with
    ``risk_class`` current. Unchanged class → nothing written.
    """
    with transaction.atomic():
        locked = Entity.objects.select_for_update().get(pk=entity.pk)
        result = entity_risk_assess(entity=locked, on=on)
        if result.risk_class != locked.risk_class:
            before = locked.risk_class
            locked.risk_class = result.risk_class
            locked.save(update_fields=["risk_class", "updated_at"])
            change = RiskClassChange.objects.create(
                entity=locked,
                region_id=locked.town_id or locked.region_id,
                from_class=before,
                to_class=result.risk_class,
                score=result.score,
                reason=reason[:200],
                record=record,
                changed_at=timezone.now(),
            )
            measures.on_class_changed(change)
            audit_record(
                actor=actor,
                action="credit.risk_class_changed",
                obj=locked,
                before={"risk_class": before},
                after={"risk_class": result.risk_class},
                details={"score": result.score, "reasons": list(result.reasons), "reason": reason},
            )
            from yiwang.credit.services.clues import clues_for_class_change

            clues_for_class_change(change)
    entity.risk_class = locked.risk_class
    return entity


# --- records -------------------------------------------------------------------------------------


def _check_actor(actor, department) -> None:
    if actor is None:  # the system (imports from cases, sweeps)
        return
    if not scope_for(actor).can("credit.record", department=department):
        raise _bad("credit.not_your_department", f"只能录入本部门（{department}）认定的信用记录", status=403)


def credit_record_create(
    *,
    entity: Entity | None,
    kind: str,
    title: str,
    department,
    decided_on: dt.date,
    legal_basis: str = "",
    source: str = "",
    expires_on: dt.date | None = None,
    actor,
    severity: str = Severity.GENERAL,
    named_list: str = "",
    key_field: str = "",
    document_number: str = "",
    offence_code: str = "",
    subject_department=None,
) -> CreditRecord:
    """Record one credit fact about ``entity`` decided by ``department``; recompute its risk class.

    ``source`` (e.g. "inspections.task:7") makes the call idempotent: the same source again returns
    the record already made. ``actor`` None is the system. Errors: ``credit.kind_invalid``,
    ``credit.title_required``, ``credit.date_in_future``, ``credit.expiry_before_decision``,
    ``credit.key_field_invalid``, ``credit.list_invalid``, ``credit.subject_required``,
    ``credit.source_conflict`` (409), ``credit.entity_inactive`` (409), ``credit.not_your_department`` (403).
    """
    title = (title or "").strip()
    source = (source or "").strip()
    if kind not in RecordKind.values:
        raise _bad("credit.kind_invalid", f"未知的信用记录类别：{kind}", "kind")
    if severity not in Severity.values:
        raise _bad("credit.severity_invalid", f"未知的情节：{severity}", "severity")
    if not title:
        raise _bad("credit.title_required", "请填写事由", "title")
    if decided_on is None:
        raise _bad("credit.date_required", "请填写认定日期", "decided_on")
    if decided_on > today():
        raise _bad("credit.date_in_future", "认定日期不能晚于今天", "decided_on")
    if expires_on is not None and expires_on < decided_on:
        raise _bad("credit.expiry_before_decision", "有效期（公示期）截止日不能早于认定日期", "expires_on")
    if key_field and key_field not in KEY_FIELDS:
        raise _bad("credit.key_field_invalid", f"“{key_field}”不在23个重点领域之内", "key_field")
    if named_list:
        if named_list not in NamedList.values or kind not in _LIST_KINDS.get(named_list, set()):
            raise _bad("credit.list_invalid", "该类别的记录不能列入所选名单", "named_list")
        if named_list == NamedList.KEY_FIELDS and not key_field:
            raise _bad("credit.key_field_required", "列入重点领域失信名单需注明重点领域", "key_field")
    if kind == RecordKind.GOVERNMENT:
        if subject_department is None or entity is not None:
            raise _bad("credit.subject_required", "政务失信记录需注明失信的政府机构", "subject_department")
    elif entity is None:
        raise _bad("credit.subject_required", "请选择市场主体", "entity")
    if kind == RecordKind.BLACKLIST and not named_list:
        raise _bad("credit.list_required", "严重失信主体须注明所列名单", "named_list")
    _check_actor(actor, department)

    with transaction.atomic():
        if source:
            existing = CreditRecord.objects.filter(source=source).first()
            if existing is not None:
                same = existing.entity_id == (entity.pk if entity else None) and existing.kind == kind
                if not same:
                    raise _bad("credit.source_conflict", f"来源“{source}”已登记了另一条信用记录", "source", 409)
                return existing
        if entity is not None:
            entity = Entity.objects.select_for_update().get(pk=entity.pk)
            if entity.status == Entity.Status.CANCELLED and kind == RecordKind.COMMENDATION:
                raise _bad("credit.entity_inactive", "已注销的市场主体不能列入红名单", "entity", 409)
        if expires_on is None:
            expires_on = default_expiry(kind, severity, decided_on)
        if kind == RecordKind.COMMENDATION and not named_list:
            named_list = NamedList.RED
        region_id = (entity.town_id or entity.region_id) if entity is not None else subject_department.region_id
        record = CreditRecord.objects.create(
            entity=entity,
            subject_department=subject_department,
            region_id=region_id,
            kind=kind,
            named_list=named_list,
            key_field=key_field,
            offence_code=offence_code,
            severity=severity,
            title=title[:200],
            department=department,
            decided_on=decided_on,
            legal_basis=legal_basis[:300],
            document_number=document_number[:64],
            source=source[:64],
            expires_on=expires_on,
            created_by=actor if getattr(actor, "pk", None) else None,
        )
        audit_record(
            actor=actor, action="credit.record_created", obj=record, after=snapshot(record, RECORD_AUDIT_FIELDS)
        )
        measures.on_record_created(record)
        if entity is not None:
            entity_risk_recompute(entity=entity, actor=actor, reason=f"新增{record.get_kind_display()}", record=record)
            from yiwang.credit.services.clues import clues_for_record

            clues_for_record(record)
    return record


def credit_record_revoke(*, record: CreditRecord, reason: str, actor) -> CreditRecord:
    """Revoke a record entered in error (撤销), e.g. a penalty annulled on review; audited, class recomputed.

    Errors: ``credit.reason_required``, ``credit.record_closed`` (409), ``credit.not_your_department`` (403).
    """
    reason = (reason or "").strip()
    if not reason:
        raise _bad("credit.reason_required", "请填写撤销理由", "reason")
    with transaction.atomic():
        record = CreditRecord.objects.select_for_update().get(pk=record.pk)
        _check_actor(actor, record.department)
        if record.state != CreditRecord.State.EFFECTIVE:
            raise _bad("credit.record_closed", "该信用记录已修复或已撤销", status=409)
        before = snapshot(record, ["state"])
        record.state = CreditRecord.State.REVOKED
        record.ended_at = timezone.now()
        record.save(update_fields=["state", "ended_at"])
        audit_record(
            actor=actor,
            action="credit.record_revoked",
            obj=record,
            before=before,
            after=snapshot(record, ["state"]),
            details={"reason": reason},
        )
        measures.on_record_ended(record, revoked=True)
        if record.entity_id:
            entity_risk_recompute(entity=record.entity, actor=actor, reason="信用记录撤销", record=record)
    return record


# --- 首违不罚 ------------------------------------------------------------------------------------


def first_offence_entry(code: str) -> dict | None:
    return next((e for e in credit_setting("FIRST_OFFENCES") if e["code"] == code), None)


def first_offence_record(*, entity: Entity, offence_code: str, department, decided_on: dt.date, actor, source=""):
    """首违不罚 (plan 四(六)6, 四(十七)3): a first minor offence on the configured list is recorded, not penalised.

    The same offence again within ``FIRST_OFFENCE_WINDOW_YEARS`` is no longer a first offence:
    ``credit.not_first_offence`` (409) tells the department to decide a penalty instead.
    Errors also: ``credit.offence_unknown``.
    """
    entry = first_offence_entry(offence_code)
    if entry is None:
        raise _bad("credit.offence_unknown", "该违法行为不在“首违不罚”清单内，应依法处理", "offence_code")
    since = add_months(decided_on, -12 * int(credit_setting("FIRST_OFFENCE_WINDOW_YEARS")))
    earlier = CreditRecord.objects.filter(
        entity=entity,
        kind=RecordKind.FIRST_OFFENCE,
        offence_code=offence_code,
        decided_on__gte=since,
        decided_on__lte=decided_on,
    ).exclude(state=CreditRecord.State.REVOKED)
    if source:
        earlier = earlier.exclude(source=source)
    if earlier.exists():
        raise _bad(
            "credit.not_first_offence",
            f"该主体{credit_setting('FIRST_OFFENCE_WINDOW_YEARS')}年内已有同一违法行为的首违不罚记录，不再适用首违不罚",
            "offence_code",
            409,
        )
    return credit_record_create(
        entity=entity,
        kind=RecordKind.FIRST_OFFENCE,
        title=entry["title"],
        department=department,
        decided_on=decided_on,
        legal_basis=entry.get("basis", ""),
        severity=Severity.MINOR,
        offence_code=offence_code,
        source=source,
        actor=actor,
    )


# --- expiry --------------------------------------------------------------------------------------


def credit_expiry_sweep(*, now=None, **_) -> int:
    """Recompute the class of entities whose records' publication period ended in the last week.

    Registered as a sweep hook: the daily deadline sweep runs it, and a missed day is caught up
    (recomputing is idempotent). Returns the number of entities whose class changed.
    """
    on = timezone.localdate(now) if now else today()
    ids = (
        CreditRecord.objects.filter(
            state=CreditRecord.State.EFFECTIVE,
            entity__isnull=False,
            expires_on__lt=on,
            expires_on__gte=on - dt.timedelta(days=7),
        )
        .values_list("entity_id", flat=True)
        .distinct()
    )
    changed = 0
    for entity in Entity.objects.filter(pk__in=list(ids)):
        before = entity.risk_class
        if entity_risk_recompute(entity=entity, reason="信用记录公示期届满", on=on).risk_class != before:
            changed += 1
    return changed
