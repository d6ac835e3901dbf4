"""Electronic licences (电子证照) as materials: a pluggable lookup.

A later app issues and verifies licences. Until then the platform asks this hook whether the
applicant already holds a valid licence of the type a material names; the default finds nothing, so
every material is provided as a file or on paper. Configure another lookup with
``YIWANG_CASES = {"LICENCE_LOOKUP": "dotted.path.ToClass"}``; the class is instantiated without
arguments and must implement ``find``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from typing import Protocol

from django.utils.module_loading import import_string

from .conf import cases_setting


@dataclass(frozen=True)
class LicenceRef:
    """A licence found for a holder: enough to cite it on the checklist and in the audit log."""

    licence_type: str
    number: str
    holder_name: str
    valid_until: dt.date | None = None

    def valid_on(self, day: dt.date) -> bool:
        return self.valid_until is None or self.valid_until >= day


@dataclass(frozen=True)
class Holder:
    """Who the licence must belong to: a person by ID number or an enterprise by USCC."""

    name: str
    id_number: str = ""
    uscc: str = ""


class LicenceLookup(Protocol):
    def find(self, *, holder: Holder, licence_type: str) -> LicenceRef | None: ...

    # Optional: log that ``case`` used the licence in place of ``material`` (called in the intake's
    # transaction for each licence the intake applied).
    def record_use(self, *, ref: LicenceRef, case, actor, material: str = "") -> None: ...


class NoLicenceLookup:
    """No licence is ever found."""

    def find(self, *, holder: Holder, licence_type: str) -> LicenceRef | None:
        return None

    def record_use(self, *, ref: LicenceRef, case, actor, material: str = "") -> None:
        return None


class LicenceIssuer(Protocol):
    """Issues the e-licences of an approved case (同步生成), inside the decision's transaction."""

    def issue_for_case(self, *, case, actor) -> list: ...


class NoLicenceIssuer:
    """Issues nothing."""

    def issue_for_case(self, *, case, actor) -> list:
        return []


@cache
def _lookup_class(path: str):
    return import_string(path)


def get_licence_lookup() -> LicenceLookup:
    return _lookup_class(cases_setting("LICENCE_LOOKUP"))()


def get_licence_issuer() -> LicenceIssuer:
    return _lookup_class(cases_setting("LICENCE_ISSUER"))()
