"""The cases module's licence hooks, implemented by the e-licence register.

- ``RegisterLicenceLookup`` (``YIWANG_CASES["LICENCE_LOOKUP"]``): a material naming a licence type is
  satisfied by a valid, genuine licence of the applicant (same USCC, or same ID number by its
  lookup hash); each such use is logged (``licence_record_use``) so the holder sees who used it.
- ``RegisterLicenceIssuer`` (``YIWANG_CASES["LICENCE_ISSUER"]``): on approval, inside the decision's
  transaction, issues the licence types whose ``item_codes`` name the case's item (同步生成).
"""

from __future__ import annotations

from django.db.models import Q
from django.utils import timezone

from yiwang.cases.licences import Holder, LicenceRef
from yiwang.core.pii import pii_lookup_hash

from .conf import licences_setting
from .models import HolderKind, Licence, LicenceState, LicenceType
from .selectors import Verdict, licence_verify
from .services import licence_issue, licence_record_use


def _type_q(licence_type: str) -> Q:
    return Q(licence_type__name=licence_type) | Q(licence_type__code=licence_type)


def holder_licences(holder: Holder):
    """Licences of a holder: an enterprise by USCC, a person by the ID number's lookup hash."""
    if holder.uscc:
        return Licence.objects.filter(holder_kind=HolderKind.ENTERPRISE, holder_uscc=holder.uscc.strip().upper())
    if holder.id_number:
        return Licence.objects.filter(
            holder_kind=HolderKind.PERSON, holder_id_number_hash=pii_lookup_hash(holder.id_number)
        )
    return Licence.objects.none()


def find_valid_licence(*, holder: Holder, licence_type: str) -> Licence | None:
    """The holder's newest valid licence of the type (by name or code) whose signature verifies."""
    today = timezone.localdate()
    candidates = (
        holder_licences(holder)
        .filter(_type_q(licence_type), state=LicenceState.VALID)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("licence_type", "department", "key")
        .order_by("-issued_on", "-id")[:3]
    )
    for licence in candidates:
        if licence_verify(licence).verdict == Verdict.GENUINE:
            return licence
    return None


class RegisterLicenceLookup:
    def find(self, *, holder: Holder, licence_type: str) -> LicenceRef | None:
        licence = find_valid_licence(holder=holder, licence_type=licence_type)
        if licence is None:
            return None
        return LicenceRef(
            licence_type=licence.licence_type.name,
            number=licence.number,
            holder_name=licence.holder_name,
            valid_until=licence.valid_until,
        )

    def record_use(self, *, ref: LicenceRef, case, actor, material: str = "") -> None:
        licence = Licence.objects.select_related("licence_type").filter(number=ref.number).first()
        if licence is None:
            return
        what = f"办件 {case.number}（{case.title}）材料“{material or ref.licence_type}”免提交"
        licence_record_use(licence=licence, case=case, actor=actor, purpose=what[:300])


def licence_types_for_item(item_code: str) -> list[LicenceType]:
    """Active licence types issued at the approval of ``item_code`` (a small table, read whole)."""
    return [t for t in LicenceType.objects.filter(is_active=True) if item_code in (t.item_codes or [])]


def case_licence_fields(licence_type: LicenceType, case) -> dict[str, str]:
    """The licence's fields from the case. A field's ``source`` (default: its own key) names one or
    more places, the first filled one wins: an application-form field, or ``item`` (the approved
    item), ``case_number``, ``applicant`` (the applicant's name). A field none of them fills keeps
    the type's ``default``; a required one still empty refers to the case file."""
    form = case.form_data or {}
    special = {"item": case.title, "case_number": case.number, "applicant": case.applicant_name}
    values = {}
    for spec in licence_type.fields_schema or []:
        key = spec["key"]
        sources = spec.get("source", key)
        sources = [sources] if isinstance(sources, str) else list(sources)
        value = next((str(v) for v in (special.get(s) or form.get(s) for s in sources) if v), "")
        value = value or spec.get("default") or ""
        if not value and spec.get("required"):
            value = f"以办件 {case.number} 准予决定记载为准"
        if value:
            values[key] = str(value)[:500]
    return values


class RegisterLicenceIssuer:
    def issue_for_case(self, *, case, actor) -> list[Licence]:
        if not licences_setting("ISSUE_ON_APPROVAL") or case.item_id is None:
            return []
        issued = []
        for licence_type in licence_types_for_item(case.item.code):
            issued.append(
                licence_issue(
                    licence_type=licence_type,
                    holder_name=case.applicant_name,
                    holder_id_number=case.applicant_id_number or "",
                    holder_uscc=case.applicant_uscc or "",
                    fields=case_licence_fields(licence_type, case),
                    department=case.department,
                    case=case,
                    actor=actor,  # the decider (case.decide in the department, so also licence.issue)
                    holder_user=case.applicant_user,
                )
            )
        return issued
