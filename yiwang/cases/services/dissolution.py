"""企业注销 (plan 四（一）3) from an existing company's unified social credit code.

The company's code is checked for everything that stands in the way (``dissolution_blockers``: open cases,
pending 告知承诺 verifications, unsettled credit records, inspections not yet recorded); if nothing does,
one bundle application (清税, 社保, 公积金, 银行账户, 注销登记) is filed in the company's name. Its 注销登记
sub-case is approved last and marks the market entity 注销 (``_dissolution_before_decision``, called by
``founding_before_decision`` under the case's lock).

Split from ``services.founding`` (企业开办), which still exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils import timezone

from yiwang.cases.founding_conf import founding_setting
from yiwang.cases.models import OPEN_STATES, ApplicantKind, Case
from yiwang.cases.services._common import S, _conflict, _required
from yiwang.cases.services.intake import ApplicantInput
from yiwang.catalog.models import Bundle, BundleStatus
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError


@dataclass
class Blocker:
    kind: str
    label: str
    detail: str


def dissolution_blockers(*, uscc: str) -> tuple[object | None, list[Blocker]]:
    """What stands in the way of 企业注销 for the entity with this code (plan 四（一）3).

    Blocks: no entity with the code, or not 存续; open cases of the company (any not yet decided,
    withdrawn or rejected — including an earlier 注销 application); 告知承诺 verifications still pending
    on its cases; credit records in effect that mean something is unsettled — 行政处罚 (not yet
    fulfilled or repaired), 失信记录 and the 严重失信 list; random-inspection tasks not yet recorded.
    """
    from yiwang.cases.models import PledgeVerification
    from yiwang.credit.models import CreditRecord, Entity, RecordKind
    from yiwang.inspections.models import Task

    entity = Entity.objects.filter(uscc=uscc).first()
    if entity is None:
        return None, [Blocker("entity", "未找到该企业", f"统一社会信用代码 {uscc} 没有登记的市场主体")]
    blockers: list[Blocker] = []
    if entity.status != Entity.Status.ACTIVE:
        blockers.append(
            Blocker("status", "登记状态", f"该企业登记状态为“{entity.get_status_display()}”，不能再申请注销")
        )
    open_cases = Case.objects.filter(applicant_uscc=uscc, parent__isnull=True, state__in=OPEN_STATES).order_by(
        "submitted_at"
    )
    for c in open_cases:
        blockers.append(Blocker("case", "在办办件", f"{c.number} {c.title}（{c.get_state_display()}）"))
    for v in PledgeVerification.objects.filter(
        case__applicant_uscc=uscc, state=PledgeVerification.State.PENDING
    ).select_related("case"):
        blockers.append(
            Blocker(
                "verification", "告知承诺核查未完成", f"{v.case.number} {v.case.title}，核查期限 {v.due_on:%Y-%m-%d}"
            )
        )
    today = timezone.localdate()
    records = CreditRecord.objects.filter(
        entity=entity,
        state=CreditRecord.State.EFFECTIVE,
        kind__in=[RecordKind.PENALTY, RecordKind.DISHONESTY, RecordKind.BLACKLIST],
    ).exclude(expires_on__lt=today)
    for r in records.select_related("department"):
        what = {"penalty": "行政处罚未履行完毕", "dishonesty": "失信记录未修复", "blacklist": "列入严重失信主体名单"}
        blockers.append(
            Blocker(
                "credit",
                what[r.kind],
                f"{r.title}（{r.department or ''} {r.decided_on:%Y-%m-%d}{' ' + r.document_number if r.document_number else ''}）",
            )
        )
    for t in Task.objects.filter(entity=entity, state=Task.State.ASSIGNED):
        blockers.append(Blocker("inspection", "双随机抽查待检查", f"抽查任务 {t.pk}，检查结果录入前不能注销"))
    return entity, blockers


def dissolution_bundle() -> Bundle | None:
    bundle = Bundle.objects.filter(code=founding_setting("DISSOLUTION_BUNDLE")).first()
    if bundle is None or bundle.status != BundleStatus.PUBLISHED:
        return None
    return bundle


def dissolution_submit(
    *, actor, uscc: str, phone: str, reason: str, submission_token: str | None = None, user=None
) -> Case:
    """企业注销 (plan 四（一）3) from the company's code: refused with every blocker named, else one bundle
    application (清税, 社保, 公积金, 银行账户, 注销登记) in the company's name.

    Errors: ``case.uscc_invalid``, ``dissolution.blocked`` (409, ``details["blockers"]``),
    ``dissolution.reason_required``, ``case.item_not_available`` and those of ``case_submit``.
    """
    from yiwang.cases.services.intake import case_submit
    from yiwang.core.identifiers import validate_uscc

    uscc = (uscc or "").strip().upper()
    try:
        validate_uscc(uscc)
    except ValidationError as error:
        raise ApplicationError(
            "case.uscc_invalid", f"统一社会信用代码不正确：{error.messages[0]}", details={"field": "uscc"}
        ) from None
    reason = (reason or "").strip()
    if not reason:
        raise _required("dissolution.reason_required", "请填写注销原因（如：股东会决议解散）", "reason")
    entity, blockers = dissolution_blockers(uscc=uscc)
    if blockers:
        raise ApplicationError(
            "dissolution.blocked",
            "暂不能申请注销：" + "；".join(f"{b.label}：{b.detail}" for b in blockers),
            details={"field": "uscc", "blockers": [b.__dict__ for b in blockers]},
            status=409,
        )
    bundle = dissolution_bundle()
    if bundle is None:
        raise _conflict("case.item_not_available", "企业注销当前不可申请")
    return case_submit(
        actor=actor,
        applicant=ApplicantInput(kind=ApplicantKind.ENTERPRISE, name=entity.name, uscc=uscc, phone=phone, user=user),
        bundle=bundle,
        form_data={
            "entity_name": entity.name,
            "entity_uscc": uscc,
            "contact_phone": phone,
            "legal_representative": entity.legal_representative or "—",
            "entity_address": entity.address or str(entity.town or entity.region),
            "deregistration_reason": reason,
        },
        submission_token=submission_token,
    )


def _dissolution_before_decision(case: Case, *, approved: bool, actor) -> None:
    """企业注销登记 is approved last, after 清税 and the other accounts are closed; approving it marks
    the entity 注销."""
    from yiwang.credit.models import Entity
    from yiwang.credit.services.entities import ENTITY_AUDIT_FIELDS

    if not (approved and case.item and case.item.name.startswith("企业") and case.item.name.endswith("注销登记")):
        return
    waiting = case.parent.children.exclude(pk=case.pk).exclude(state__in=[S.DECIDED_APPROVED, S.DELIVERED])
    if waiting.exists():
        names = "、".join(waiting.values_list("title", flat=True))
        raise _conflict("dissolution.others_pending", f"企业注销登记须在以下事项办结后核准：{names}", case=case.number)
    entity = Entity.objects.select_for_update().filter(uscc=case.applicant_uscc).first()
    if entity is not None and entity.status == Entity.Status.ACTIVE:
        before = {f: str(getattr(entity, f)) for f in ("status",)}
        entity.status = Entity.Status.CANCELLED
        entity.save(update_fields=["status", "updated_at"])
        audit_record(
            actor=actor,
            action="credit.entity_cancelled",
            obj=entity,
            before=before,
            after={"status": entity.status},
            details={"case": case.number, "fields": ENTITY_AUDIT_FIELDS[:2]},
        )
