"""一业一证 (plan 三2): one integrated licence (行业综合许可证) for one line of business.

An industry type (便利店, 饭店, 药店) names the catalog bundle through which its permits are applied
for together. When that bundle's case is approved (every sub-case approved), one integrated licence is
issued through the e-licence register's ``licence_issue`` (numbered and SM2-signed there; nothing is
signed here); its QR code opens ``/policies/yiye/verify/<number>/``, which shows the register's verdict
and lists the permits the licence stands for. A change (换发) or a cancellation (注销) goes through one
case as well: the holder's approved case is cited, the old e-licence is revoked through
``licence_revoke`` and, for a change, a new one issued.

Writes (``integrated_licence_*``) follow the services rules: keyword-only, one transaction, row lock,
audit event and roll-up (``policies.integrated_licences``).
"""

from __future__ import annotations

import logging

from django.db import IntegrityError, transaction
from django.utils import timezone

from yiwang.cases.models import Case, CaseState
from yiwang.core.audit import audit_record
from yiwang.core.errors import ApplicationError
from yiwang.licences.models import Licence, LicenceType
from yiwang.licences.selectors import check_code, licence_verify_number
from yiwang.licences.services import licence_issue, licence_revoke
from yiwang.measures.services import measures_apply
from yiwang.org.scoping import scope_for

from . import measures
from .models import (
    IndustryLicenceType,
    IntegratedLicence,
    IntegratedLicenceState,
    PreviousIntegratedLicence,
)

logger = logging.getLogger(__name__)

LICENCE_TYPE_CODE = "industry-integrated"
LICENCE_TYPE_NAME = "行业综合许可证"
FIELDS_SCHEMA = [
    {"key": "industry", "label": "行业", "required": True},
    {"key": "permits", "label": "涵盖许可事项", "required": True},
    {"key": "address", "label": "经营场所"},
    {"key": "bundle_case", "label": "一件事办件编号", "required": True},
]
APPROVED = (CaseState.DECIDED_APPROVED, CaseState.DELIVERED)


def integrated_licence_type() -> LicenceType:
    """The e-licence type every integrated licence is issued as (created once, reference data)."""
    licence_type, _ = LicenceType.objects.get_or_create(
        code=LICENCE_TYPE_CODE,
        defaults={"name": LICENCE_TYPE_NAME, "fields_schema": FIELDS_SCHEMA, "validity_years": 5},
    )
    return licence_type


def industry_licence_type_create(*, code: str, name: str, bundle, department, actor) -> IndustryLicenceType:
    """Declare an industry for 一业一证 (its bundle, its issuing department); idempotent by code."""
    with transaction.atomic():
        existing = IndustryLicenceType.objects.filter(code=code).first()
        if existing is not None:
            return existing
        if IndustryLicenceType.objects.filter(bundle=bundle).exists():
            raise ApplicationError("industry.bundle_taken", f"“{bundle.name}”已对应其他行业综合许可")
        industry = IndustryLicenceType.objects.create(
            code=code, name=name, bundle=bundle, licence_type=integrated_licence_type(), department=department
        )
        audit_record(
            actor=actor, action="industry_licence_type.created", obj=industry, region_code=department.region.code
        )
    return industry


def _permits(case: Case) -> list[dict]:
    children = case.children.select_related("item", "decision").order_by("number")
    permits = []
    for child in children:
        numbers = list(Licence.objects.filter(case=child).values_list("number", flat=True))
        permits.append(
            {
                "item_code": child.item.code if child.item_id else "",
                "name": child.item.name if child.item_id else child.title,
                "case_number": child.number,
                "decided_on": timezone.localdate(child.decided_at).isoformat() if child.decided_at else "",
                "licences": numbers,
            }
        )
    return permits


def _fields(industry: IndustryLicenceType, case: Case, permits: list[dict], **changes) -> dict:
    form = case.form_data or {}
    fields = {
        "industry": industry.name,
        "permits": "；".join(p["name"] for p in permits),
        "address": str(form.get("entity_address") or form.get("applicant_address") or form.get("address") or ""),
        "bundle_case": case.number,
    }
    fields.update({k: v for k, v in changes.items() if v})
    return fields


def _can(actor, industry: IndustryLicenceType) -> None:
    if actor is not None and not scope_for(actor).can("integrated_licence.manage", department=industry.department):
        raise ApplicationError("integrated.forbidden", "只有发证部门可以办理行业综合许可证", status=403)


def integrated_licence_issue(*, case: Case, actor, issued_at=None) -> IntegratedLicence:
    """The integrated licence of an approved industry bundle case (one per case; a retry returns it).

    ``issued_at`` (default now) dates a licence issued as at an earlier day — e.g. the bundle's
    decision when existing approvals are brought into the register; the e-licence's 发证日期 follows it.

    Rules: the case is a bundle case of an active industry type, approved (every sub-case approved)
    and of an enterprise (USCC). Errors: ``integrated.not_industry_bundle``, ``integrated.not_approved``,
    ``integrated.forbidden`` (403) and those of ``licence_issue``.
    """
    existing = IntegratedLicence.objects.filter(case=case).first()
    if existing is not None:
        return existing
    industry = (
        IndustryLicenceType.objects.select_related("licence_type", "department", "bundle")
        .filter(bundle_id=case.bundle_id, is_active=True)
        .first()
        if case.bundle_id and case.parent_id is None
        else None
    )
    if industry is None:
        raise ApplicationError("integrated.not_industry_bundle", "该办件不是“一业一证”行业的一件事办件")
    _can(actor, industry)
    with transaction.atomic():
        case = Case.objects.select_for_update(of=("self",)).get(pk=case.pk)
        existing = IntegratedLicence.objects.filter(case=case).first()
        if existing is not None:
            return existing
        if case.state not in APPROVED:
            raise ApplicationError(
                "integrated.not_approved", "一件事尚未全部准予许可，不能发放行业综合许可证", status=409
            )
        permits = _permits(case)
        licence = licence_issue(
            licence_type=industry.licence_type,
            holder_name=case.applicant_name,
            holder_uscc=case.applicant_uscc or "",
            holder_id_number=case.applicant_id_number or "",
            fields=_fields(industry, case, permits),
            department=industry.department,
            case=case,
            actor=None,  # the department's act, checked above; the register signs with its key
            holder_user=case.applicant_user,
            issued_on=timezone.localdate(issued_at) if issued_at else None,
        )
        try:
            with transaction.atomic():
                integrated = IntegratedLicence.objects.create(
                    industry_type=industry,
                    case=case,
                    licence=licence,
                    holder_name=case.applicant_name,
                    holder_uscc=case.applicant_uscc or "",
                    region=case.region,
                    permits=permits,
                    issued_at=issued_at or timezone.now(),
                )
        except IntegrityError:
            raise ApplicationError("integrated.duplicate", "该办件已发放行业综合许可证", status=409) from None
        audit_record(
            actor=actor,
            action="integrated_licence.issued",
            obj=integrated,
            after={"licence": licence.number, "permits": [p["name"] for p in permits]},
        )
        measures_apply(after=measures.integrated_facts(integrated))
    return integrated


def _holder_case(integrated: IntegratedLicence, case: Case) -> Case:
    if case is None or case.state not in APPROVED:
        raise ApplicationError("integrated.case_required", "变更或注销须依据一件已准予的办件", status=409)
    same = (
        (case.applicant_uscc or "") == integrated.holder_uscc
        if integrated.holder_uscc
        else (case.applicant_id_number and case.applicant_id_number == integrated.case.applicant_id_number)
    )
    if not same:
        raise ApplicationError("integrated.case_other_holder", "办件申请人与持证主体不一致", status=409)
    if integrated.history and any(h.get("case") == case.number for h in integrated.history):
        raise ApplicationError("integrated.case_used", f"办件 {case.number} 已用于本证的变更或注销", status=409)
    return case


def _locked(integrated: IntegratedLicence) -> IntegratedLicence:
    return (
        IntegratedLicence.objects.select_for_update(of=("self",))
        .select_related("industry_type__department", "industry_type__licence_type", "licence", "case", "region")
        .get(pk=integrated.pk)
    )


def integrated_licence_change(
    *, integrated: IntegratedLicence, case: Case, actor, address: str = ""
) -> IntegratedLicence:
    """换发 through one case: the old e-licence is revoked, a new one issued with the changes and the
    permits as they now stand; the integrated licence keeps its identity (and its old QR verifies as
    revoked with a pointer to the current number)."""
    _can(actor, integrated.industry_type)
    with transaction.atomic():
        integrated = _locked(integrated)
        if integrated.state != IntegratedLicenceState.VALID:
            raise ApplicationError("integrated.cancelled", "已注销的行业综合许可证不能变更", status=409)
        case = _holder_case(integrated, case)
        old = integrated.licence
        licence_revoke(licence=old, actor=None, reason=f"一业一证变更换发（办件 {case.number}）")
        permits = _permits(integrated.case)
        new = licence_issue(
            licence_type=integrated.industry_type.licence_type,
            holder_name=integrated.holder_name,
            holder_uscc=integrated.holder_uscc,
            holder_id_number=integrated.case.applicant_id_number or "",
            fields=_fields(integrated.industry_type, integrated.case, permits, address=address.strip()),
            department=integrated.industry_type.department,
            case=case,
            actor=None,
            holder_user=case.applicant_user,
        )
        PreviousIntegratedLicence.objects.create(integrated=integrated, licence=old)
        integrated.licence, integrated.permits = new, permits
        integrated.history = [
            *integrated.history,
            {
                "kind": "change",
                "case": case.number,
                "at": timezone.now().isoformat(),
                "from": old.number,
                "to": new.number,
            },
        ]
        integrated.save(update_fields=["licence", "permits", "history"])
        audit_record(
            actor=actor,
            action="integrated_licence.changed",
            obj=integrated,
            before={"licence": old.number},
            after={"licence": new.number, "case": case.number},
        )
    return integrated


def integrated_licence_cancel(*, integrated: IntegratedLicence, case: Case, actor, reason: str) -> IntegratedLicence:
    """注销 through one case: the e-licence is revoked and the integrated licence cancelled."""
    reason = (reason or "").strip()
    if not reason:
        raise ApplicationError("integrated.reason_required", "请写明注销原因", details={"field": "reason"})
    _can(actor, integrated.industry_type)
    with transaction.atomic():
        integrated = _locked(integrated)
        if integrated.state != IntegratedLicenceState.VALID:
            raise ApplicationError("integrated.cancelled", "该行业综合许可证已注销", status=409)
        case = _holder_case(integrated, case)
        licence_revoke(licence=integrated.licence, actor=None, reason=f"{reason}（办件 {case.number}）"[:500])
        before = measures.integrated_facts(integrated)
        integrated.state = IntegratedLicenceState.CANCELLED
        integrated.cancelled_at = timezone.now()
        integrated.history = [
            *integrated.history,
            {"kind": "cancel", "case": case.number, "at": integrated.cancelled_at.isoformat(), "reason": reason},
        ]
        integrated.save(update_fields=["state", "cancelled_at", "history"])
        audit_record(
            actor=actor,
            action="integrated_licence.cancelled",
            obj=integrated,
            before={"state": IntegratedLicenceState.VALID},
            after={"state": integrated.state, "case": case.number, "reason": reason},
        )
        measures_apply(before=before, after=measures.integrated_facts(integrated))
    return integrated


def integrated_cases_due():
    """Approved industry bundle cases that have no integrated licence yet."""
    return (
        Case.objects.filter(
            parent__isnull=True,
            bundle__industry_licence_type__is_active=True,
            state__in=APPROVED,
            integrated_licence__isnull=True,
        )
        .select_related("bundle")
        .order_by("decided_at")
    )


def integrated_licences_issue_due(**_) -> int:
    """Issue every integrated licence due (a sweep hook: bundles approved since the last run)."""
    issued = 0
    for case in integrated_cases_due()[:500]:
        integrated_licence_issue(case=case, actor=None)
        issued += 1
    return issued


class IntegratedLicenceIssuer:
    """The cases app's ``LICENCE_ISSUER``: inside the decision's transaction, the register's e-licences of
    an approved item case (``RegisterLicenceIssuer``) and, when an approved 一业一证 bundle completes, its
    integrated licence — issued with the approval, not by the sweep (which stays as a catch-up).

    An integrated licence that cannot be issued (e.g. the register refuses the holder) is logged and
    left to the sweep; the bundle's approval stands.
    """

    def issue_for_case(self, *, case, actor) -> list:
        from yiwang.licences.lookup import RegisterLicenceIssuer

        issued = list(RegisterLicenceIssuer().issue_for_case(case=case, actor=actor))
        if (
            case.parent_id is None
            and case.bundle_id
            and IndustryLicenceType.objects.filter(bundle_id=case.bundle_id, is_active=True).exists()
        ):
            try:
                issued.append(integrated_licence_issue(case=case, actor=None, issued_at=case.decided_at).licence)
            except ApplicationError as error:
                logger.warning("integrated licence for case %s not issued: %s", case.pk, error)
        return issued


# --- reads --------------------------------------------------------------------------------------


def integrated_for_number(number: str) -> IntegratedLicence | None:
    """The integrated licence an e-licence number stands (or stood, before a change) for."""
    integrated = (
        IntegratedLicence.objects.filter(licence__number=number).select_related("industry_type", "licence").first()
    )
    if integrated is None:
        previous = PreviousIntegratedLicence.objects.filter(licence__number=number).select_related(
            "integrated__industry_type", "integrated__licence"
        )
        integrated = previous.first().integrated if previous.exists() else None
    return integrated


def integrated_verify(number: str, *, check: str | None) -> dict:
    """The public verification: the register's verdict and, when the number is an integrated licence's,
    the permits it stands for (names, case numbers, decision dates — no personal data)."""
    result = licence_verify_number(number, check=check).public()
    integrated = integrated_for_number(number) if result.get("licence_type") else None
    if integrated is not None:
        result["industry"] = integrated.industry_type.name
        result["permits"] = integrated.permits
        result["current_number"] = integrated.licence.number
        result["integrated_state"] = integrated.get_state_display()
    return result


def verify_path(licence: Licence) -> str:
    from django.urls import reverse

    return f"{reverse('policies:integrated_verify', args=[licence.number])}?c={check_code(licence)}"
