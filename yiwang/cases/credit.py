"""Credit policy for 容缺受理 and 告知承诺: a pluggable decision, allowed by default.

The credit app (市场主体信用风险分类) comes later. Until then ``AllowAllCreditPolicy`` allows deferred
materials and pledges for everyone; configure another with
``YIWANG_CASES = {"CREDIT_POLICY": "dotted.path.ToClass"}``. Whatever the policy says, an applicant
with a recorded false pledge is refused further pledges by the services (国办发〔2020〕42号).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.utils.module_loading import import_string

from .conf import cases_setting


@dataclass(frozen=True)
class CreditSubject:
    name: str
    id_number: str = ""
    uscc: str = ""


@dataclass(frozen=True)
class CreditVerdict:
    allowed: bool
    reason: str = ""


class CreditPolicy(Protocol):
    def deferral_allowed(self, subject: CreditSubject) -> CreditVerdict: ...

    def pledge_allowed(self, subject: CreditSubject) -> CreditVerdict: ...


class AllowAllCreditPolicy:
    """Default: every credit class may use deferred materials and pledges."""

    def deferral_allowed(self, subject: CreditSubject) -> CreditVerdict:
        return CreditVerdict(True)

    def pledge_allowed(self, subject: CreditSubject) -> CreditVerdict:
        return CreditVerdict(True)


@cache
def _policy_class(path: str):
    return import_string(path)


def get_credit_policy() -> CreditPolicy:
    return _policy_class(cases_setting("CREDIT_POLICY"))()
