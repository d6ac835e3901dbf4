"""The credit policy cases consumes (``yiwang.cases.credit.CreditPolicy``): 容缺受理 and 告知承诺 by risk class.

Plan 四(十五)8(1): 将容缺力度与企业信用挂钩. Which classes may defer materials (``DEFERRAL_CLASSES``,
county default A, B) and which may pledge (``PLEDGE_CLASSES``, county default A, B, C) are settings.

An applicant who is not a known entity — a natural person, or a USCC not (yet) in the entity list —
has no risk class. Such applicants are treated like a new entity (class B: no adverse record known)
and allowed, unless a false pledge is on record for their USCC or ID number (国办发〔2020〕42号:
a false pledge bars further pledges, and 容缺 rests on the same trust); the cases services refuse
pledges after a false pledge in any case.
"""

from __future__ import annotations

from yiwang.cases.credit import CreditSubject, CreditVerdict
from yiwang.credit.conf import credit_setting
from yiwang.credit.models import Entity, RiskClass


def _false_pledge_on_record(subject: CreditSubject) -> bool:
    from django.db.models import Q

    from yiwang.cases.models import FalsePledgeRecord
    from yiwang.core.pii import pii_lookup_hash

    condition = Q()
    if subject.uscc:
        condition |= Q(applicant_uscc=subject.uscc.strip().upper())
    if subject.id_number:
        condition |= Q(applicant_id_number_hash=pii_lookup_hash(subject.id_number))
    if not condition:
        return False
    return FalsePledgeRecord.objects.filter(condition).exists()


class RiskClassCreditPolicy:
    """Deferral and pledges allowed by the entity's risk class (settings); see the module docstring."""

    def _verdict(self, subject: CreditSubject, setting: str, what: str) -> CreditVerdict:
        allowed_classes = set(credit_setting(setting))
        uscc = (subject.uscc or "").strip().upper()
        entity = Entity.objects.filter(uscc=uscc).only("risk_class").first() if uscc else None
        if entity is None:
            if _false_pledge_on_record(subject):
                return CreditVerdict(False, "申请人有虚假承诺记录")
            return CreditVerdict(True)
        if entity.risk_class in allowed_classes:
            return CreditVerdict(True)
        allowed_labels = "、".join(sorted(allowed_classes)) or "无"
        label = RiskClass(entity.risk_class).label
        return CreditVerdict(False, f"信用风险分类为{label}（{what}限{allowed_labels}类）")

    def deferral_allowed(self, subject: CreditSubject) -> CreditVerdict:
        return self._verdict(subject, "DEFERRAL_CLASSES", "容缺受理")

    def pledge_allowed(self, subject: CreditSubject) -> CreditVerdict:
        return self._verdict(subject, "PLEDGE_CLASSES", "告知承诺")
