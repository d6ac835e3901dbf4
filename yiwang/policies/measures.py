"""The policies' monthly facts, registered with ``yiwang.measures`` (every figure a leader reads).

- ``policies.published`` — policies published, by month of first publication, the policy's region and
  承办部门, key = level (county/city/province).
- ``policies.reach`` — matches, by month of matching, the entity's region and the policy's department,
  key = the policy's id: ``count`` matched; ``eligible`` still eligible; ``notified`` pushed;
  ``applied``; ``granted``; ``amount_fen`` benefit granted in fen (分, exact integers).
- ``policies.integrated_licences`` — 一业一证 integrated licences issued, by month of issue, the case's
  region and the issuing department, key = industry code; ``cancelled`` counts those since cancelled.
- ``policies.grant_days`` — grants, by month of the grant, key = calendar days from the policy's
  publication to the grant (Asia/Shanghai dates). The exact median comes from this histogram.

``match_facts`` computes one match's contribution exactly as the rebuild queries do; services take it
before a change and pass before/after to ``measures_apply`` (which nets many matches at once).
"""

from __future__ import annotations

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.measures.registry import Months, month_bounds, month_of, register_metric
from yiwang.measures.services import FactDelta

from .models import Policy, PolicyMatch

PUBLISHED = "policies.published"
REACH = "policies.reach"
GRANT_DAYS = "policies.grant_days"
INTEGRATED = "policies.integrated_licences"


def fen(amount) -> int:
    return int(round(amount * 100)) if amount is not None else 0


def local_date(moment):
    return timezone.localtime(moment).date()


def grant_days(policy: Policy, match: PolicyMatch) -> int:
    """Calendar days from the policy's publication to the grant (0 = the same day)."""
    return max(0, (local_date(match.granted_at) - local_date(policy.published_at)).days)


def policy_facts(policy: Policy) -> list[FactDelta]:
    if policy.pk is None or policy.published_at is None:
        return []
    return [
        FactDelta(
            PUBLISHED, month_of(policy.published_at), policy.region_id, policy.department_id, policy.level, {"count": 1}
        )
    ]


def match_facts(match: PolicyMatch, policy: Policy) -> list[FactDelta]:
    """The facts one match contributes to (same rules as ``rebuild_reach`` / ``rebuild_grant_days``)."""
    if match.pk is None and match.matched_at is None:
        return []
    result = [
        FactDelta(
            REACH,
            month_of(match.matched_at),
            match.region_id,
            policy.department_id,
            str(policy.pk),
            {
                "count": 1,
                "eligible": int(match.eligible),
                "notified": int(match.notified_at is not None),
                "applied": int(match.applied_at is not None),
                "granted": int(match.granted_at is not None),
                "amount_fen": fen(match.amount) if match.granted_at else 0,
            },
        )
    ]
    if match.granted_at is not None and policy.published_at is not None:
        result.append(
            FactDelta(
                GRANT_DAYS,
                month_of(match.granted_at),
                match.region_id,
                policy.department_id,
                str(grant_days(policy, match)),
                {"count": 1},
            )
        )
    return result


def integrated_facts(integrated) -> list[FactDelta]:
    if integrated.pk is None:
        return []
    industry = integrated.industry_type
    return [
        FactDelta(
            INTEGRATED,
            month_of(integrated.issued_at),
            integrated.region_id,
            industry.department_id,
            industry.code,
            {"count": 1, "cancelled": int(integrated.state == "cancelled")},
        )
    ]


# --- rebuild ------------------------------------------------------------------------------------


def _in(field: str, months: Months) -> Q:
    bounds = month_bounds(months)
    return Q() if bounds is None else Q(**{f"{field}__gte": bounds[0], f"{field}__lt": bounds[1]})


def _month(field: str) -> TruncMonth:
    return TruncMonth(field, tzinfo=timezone.get_current_timezone())


def rebuild_published(months: Months):
    rows = (
        Policy.objects.filter(_in("published_at", months), published_at__isnull=False)
        .annotate(month=_month("published_at"))
        .values("month", "region_id", "department_id", "level")
        .annotate(n=Count("pk"))
        .order_by()
    )
    for row in rows:
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["department_id"],
            "key": row["level"],
            "count": row["n"],
        }


def rebuild_reach(months: Months):
    rows = (
        PolicyMatch.objects.filter(_in("matched_at", months))
        .annotate(month=_month("matched_at"))
        .values("month", "region_id", "policy__department_id", "policy_id")
        .annotate(
            n=Count("pk"),
            eligible=Count("pk", filter=Q(eligible=True)),
            notified=Count("notified_at"),
            applied=Count("applied_at"),
            granted=Count("granted_at"),
            amount=Sum("amount", filter=Q(granted_at__isnull=False)),
        )
        .order_by()
    )
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["policy__department_id"],
            "key": str(row["policy_id"]),
            "count": row["n"],
            "eligible": row["eligible"],
            "notified": row["notified"],
            "applied": row["applied"],
            "granted": row["granted"],
            "amount_fen": fen(row["amount"]),
        }


def rebuild_grant_days(months: Months):
    # Days between two local dates are computed per row in Python: few rows (grants), exact on both backends.
    rows = (
        PolicyMatch.objects.filter(_in("granted_at", months), granted_at__isnull=False)
        .select_related("policy")
        .only("granted_at", "region_id", "policy__department_id", "policy__published_at")
        .annotate(department_id=F("policy__department_id"))
    )
    for match in rows.iterator(chunk_size=5000):
        if match.policy.published_at is None:
            continue
        yield {
            "month": month_of(match.granted_at),
            "region": match.region_id,
            "department": match.department_id,
            "key": str(grant_days(match.policy, match)),
            "count": 1,
        }


def rebuild_integrated(months: Months):
    from .models import IntegratedLicence

    rows = (
        IntegratedLicence.objects.filter(_in("issued_at", months))
        .annotate(month=_month("issued_at"))
        .values("month", "region_id", "industry_type__department_id", "industry_type__code")
        .annotate(n=Count("pk"), cancelled=Count("pk", filter=Q(state="cancelled")))
        .order_by()
    )
    for row in rows:
        yield {
            "month": month_of(row["month"]),
            "region": row["region_id"],
            "department": row["industry_type__department_id"],
            "key": row["industry_type__code"],
            "count": row["n"],
            "cancelled": row["cancelled"],
        }


register_metric(
    INTEGRATED, label="一业一证行业综合许可证（按发证月份、行业）", fields=("cancelled",), rebuild=rebuild_integrated
)
register_metric(PUBLISHED, label="惠企政策发布（按发布月份、层级）", rebuild=rebuild_published)
register_metric(
    REACH,
    label="惠企政策匹配、推送、申请、兑现（按匹配月份、政策）",
    fields=("eligible", "notified", "applied", "granted", "amount_fen"),
    rebuild=rebuild_reach,
)
register_metric(GRANT_DAYS, label="惠企政策兑现用时（按兑现月份、发布至兑现天数）", rebuild=rebuild_grant_days)
