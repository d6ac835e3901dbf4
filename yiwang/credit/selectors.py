"""Every read of credit: entity reports, the public announcement, queues, roll-up figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils import timezone

from yiwang.core.pii import mask_name
from yiwang.credit import measures
from yiwang.credit.conf import credit_setting
from yiwang.credit.models import (
    Clue,
    CreditRecord,
    CreditRepair,
    Entity,
    FinancingNeed,
    LoanProduct,
    NamedList,
    RecordKind,
    RiskClass,
)
from yiwang.measures.selectors import fact_total, facts, rate
from yiwang.org.models import Region


def today() -> dt.date:
    return timezone.localdate()


# --- staff ---------------------------------------------------------------------------------------


def entities_for(scope, *, q: str = "", risk_class: str = "", town: str = "") -> QuerySet[Entity]:
    """Entities the user may read (county-wide for department staff), filtered.

    An entity is placed where its class moves are counted (``credit.class_moves``): in its town, or
    in its county when no town is known. ``Entity.region`` is always the county of registration, so
    a town's supervisor reaching the county field alone would read no entity beside the town's
    figures; for county-wide staff both places give the same entities."""
    in_town = scope.q("credit.read", department=None, region="town")
    in_county = scope.q("credit.read", department=None, region="region")
    qs = Entity.objects.select_related("town")
    if in_town is None or in_county is None:
        qs = qs.none()
    elif in_town or in_county:  # not everywhere (a platform administrator)
        qs = qs.filter((Q(town__isnull=False) & in_town) | (Q(town__isnull=True) & in_county))
    if q:
        qs = qs.filter(Q(name__contains=q) | Q(uscc=q.strip().upper()))
    if risk_class in RiskClass.values:
        qs = qs.filter(risk_class=risk_class)
    if town:
        qs = qs.filter(town__code=town)
    return qs.order_by("name")


def entity_for(scope, uscc: str) -> Entity | None:
    return entities_for(scope).filter(uscc=(uscc or "").upper()).first()


def entity_report(entity: Entity) -> dict:
    from yiwang.credit.services.records import entity_risk_assess

    records = list(entity.credit_records.select_related("department").order_by("-decided_on", "-id"))
    on = today()
    for r in records:
        r.effective_now = r.in_effect(on)
    return {
        "entity": entity,
        "records": records,
        "history": list(entity.class_changes.order_by("-changed_at", "-id")[:50]),
        "assessment": entity_risk_assess(entity=entity),
        "clues": list(entity.clues.select_related("department")[:20]),
        "needs": list(entity.financing_needs.all()[:10]),
    }


def repairs_for(scope, *, state: str = "pending") -> QuerySet[CreditRepair]:
    qs = scope.filter(CreditRepair.objects.select_related("record__entity", "department"), "credit.repair")
    return qs.filter(state=state) if state else qs


def clues_for(scope, *, state: str = "") -> QuerySet[Clue]:
    qs = scope.filter(Clue.objects.select_related("entity", "department"), "credit.clue_read")
    return qs.filter(state=state) if state else qs


def clue_for(scope, pk: int) -> Clue | None:
    return clues_for(scope).filter(pk=pk).first()


# --- public --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PublicRow:
    """One line of the public announcement: no personal data."""

    subject: str
    uscc: str
    kind: str
    named_list: str
    title: str
    department: str
    decided_on: dt.date
    expires_on: dt.date | None
    legal_basis: str


def public_subject(entity: Entity | None, department=None) -> tuple[str, str]:
    """The name shown publicly: an individual business's operator name is masked wherever it appears."""
    if entity is None:
        return (department.name if department else ""), ""
    name = entity.name
    if entity.kind == Entity.Kind.INDIVIDUAL and entity.legal_representative:
        name = name.replace(entity.legal_representative, mask_name(entity.legal_representative))
    return name, entity.uscc


def public_records(*, named_list: str = "", kind: str = "", q: str = "") -> QuerySet[CreditRecord]:
    """What law makes public: red list, blacklists, penalties (general or serious), government dishonesty,
    in effect and within their publication period (``PUBLIC_KINDS``, ``PUBLIC_MIN_SEVERITY``)."""
    on = today()
    qs = CreditRecord.objects.filter(
        kind__in=credit_setting("PUBLIC_KINDS"), state=CreditRecord.State.EFFECTIVE, decided_on__lte=on
    ).filter(Q(expires_on__isnull=True) | Q(expires_on__gte=on))
    if credit_setting("PUBLIC_MIN_SEVERITY") != "minor":
        qs = qs.exclude(kind=RecordKind.PENALTY, severity="minor")
    if named_list:
        qs = qs.filter(named_list=named_list)
    if kind:
        qs = qs.filter(kind=kind)
    if q:
        qs = qs.filter(
            Q(entity__name__contains=q) | Q(entity__uscc=q.strip().upper()) | Q(subject_department__name__contains=q)
        )
    return qs.select_related("entity", "department", "subject_department").order_by("-decided_on", "-id")


def public_rows(records) -> list[PublicRow]:
    rows = []
    for r in records:
        subject, uscc = public_subject(r.entity, r.subject_department)
        rows.append(
            PublicRow(
                subject=subject,
                uscc=uscc,
                kind=r.get_kind_display(),
                named_list=r.get_named_list_display() if r.named_list else "",
                title=r.title,
                department=r.department.name,
                decided_on=r.decided_on,
                expires_on=r.expires_on,
                legal_basis=r.legal_basis,
            )
        )
    return rows


PUBLIC_LISTS = [
    ("", "全部公示信息", ""),
    ("red", "诚信红名单", "二(五)"),
    ("key_fields", "23个重点领域严重失信名单", "二(五)(2)"),
    ("wage_arrears", "拖欠农民工工资失信联合惩戒对象名单", "四(十二)6"),
    ("bidding", "招标投标领域黑名单", "四(十四)3"),
    ("ip", "知识产权严重违法失信企业名录", "四(十六)2"),
    ("government", "政务失信（政府承诺不兑现、拖欠账款、拒不执行判决、新官不理旧账）", "四(十)3(2)"),
    ("penalty", "行政处罚信息（公示期内）", "四(十七)"),
]


def public_list(code: str, q: str = ""):
    if code in ("government", "penalty"):
        return public_records(kind=code, q=q)
    if code in NamedList.values and code:
        return public_records(named_list=code, q=q)
    return public_records(q=q)


# --- figures (from roll-ups) ---------------------------------------------------------------------


# With ``scope`` a figure counts what the reader's own list or report reaches (``measures.facts``
# with the action on the fact's department and region): staff pages pass the reader's scope, public
# pages a region.


def class_distribution(region: Region | None = None, *, scope=None) -> dict[str, int]:
    """Entities per risk class today: the sum of all class moves (``credit.class_moves``); with
    ``scope``, the entities whose reports the reader may read (``credit.read``)."""
    rows = facts(measures.CLASS_MOVES, region=region, group_by=("key",), **_reach(scope, "credit.read"))
    counts = {c: 0 for c in RiskClass.values}
    for row in rows:
        if row["key"] in counts:
            counts[row["key"]] = row["count"]
    return counts


def records_by_kind(region: Region | None = None, months=None, *, scope=None) -> dict[str, dict]:
    """Credit records by kind; with ``scope``, in the area the reader reads (``credit.read``)."""
    rows = facts(measures.RECORDS, region=region, months=months, group_by=("key",), **_reach(scope, "credit.read"))
    return {row["key"]: row for row in rows}


def clue_figures(region: Region | None = None, months=None, department=None, *, scope=None) -> dict:
    """Clues pushed, handled, fed back and on time; with ``scope``, exactly the clues of the reader's
    clue list (``clues_for``: ``credit.clue_read`` on the clue's department and region)."""
    total = fact_total(
        measures.CLUES, region=region, months=months, department=department, **_reach(scope, "credit.clue_read")
    )
    return {
        **total,
        "handled_rate": rate(total["fed_back"], total["count"]),
        "on_time_rate": rate(total["handled_on_time"], total["fed_back"]),
    }


def financing_figures(region: Region | None = None, months=None, *, scope=None, action: str = "credit.read") -> dict:
    """Financing needs, matched and granted; with ``scope``, the needs in the area the reader reaches
    for ``action`` (``credit.loan_product``: the needs of the financing list, ``needs_for``)."""
    total = fact_total(measures.FINANCING, region=region, months=months, **_reach(scope, action))
    return {
        **total,
        "match_rate": rate(total["matched"], total["count"]),
        "grant_rate": rate(total["granted"], total["count"]),
    }


def _reach(scope, action: str) -> dict:
    return {} if scope is None else {"scope": scope, "action": action}


def loan_products() -> QuerySet[LoanProduct]:
    return LoanProduct.objects.filter(is_active=True).order_by("bank", "name")


def needs_for(scope) -> QuerySet[FinancingNeed]:
    return scope.filter(
        FinancingNeed.objects.select_related("entity", "granted_product").prefetch_related("matches__product"),
        "credit.loan_product",
        department=None,
        region="entity__region",
    )
