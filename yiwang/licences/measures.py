"""The e-licences' monthly facts, registered with ``yiwang.measures``.

- ``licences.issued`` — licences issued, by month of issue, region and issuing department;
  key = licence type code.
- ``licences.reused`` — uses of a licence in place of a material (调用共享), by month of use, region
  of the case and the using department; key = licence type code.
- ``licences.revoked`` — revocations, by month of revocation, region and issuing department;
  key = licence type code.

Each row only ever adds (a licence is issued once, a use is inserted once, a revocation happens
once), so each event adds 1 where it happens; the rebuilds count the same rows from the source.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncMonth
from django.utils import timezone

from yiwang.measures.registry import Months, month_bounds, month_of, register_metric
from yiwang.measures.services import measure_add

ISSUED = "licences.issued"
REUSED = "licences.reused"
REVOKED = "licences.revoked"


def on_issued(licence) -> None:
    measure_add(
        metric=ISSUED,
        on=licence.issued_on,
        region=licence.region,
        department=licence.department_id,
        key=licence.licence_type.code,
        count=1,
    )


def on_used(use, licence) -> None:
    measure_add(
        metric=REUSED,
        on=use.used_at,
        region=use.region,
        department=use.department_id,
        key=licence.licence_type.code,
        count=1,
    )


def on_revoked(licence) -> None:
    measure_add(
        metric=REVOKED,
        on=licence.revoked_at,
        region=licence.region,
        department=licence.department_id,
        key=licence.licence_type.code,
        count=1,
    )


def _grouped(qs, field: str, months: Months, *, is_date: bool, region: str, department: str, key: str):
    if months is not None:
        if is_date:
            first, last = month_of(months[0]), month_of(months[1])
            after_last = (last + dt.timedelta(days=32)).replace(day=1)
            qs = qs.filter(**{f"{field}__gte": first, f"{field}__lt": after_last})
        else:
            start, end = month_bounds(months)
            qs = qs.filter(**{f"{field}__gte": start, f"{field}__lt": end})
    trunc = TruncMonth(field) if is_date else TruncMonth(field, tzinfo=timezone.get_current_timezone())
    rows = qs.annotate(month=trunc).values("month", region, department, key).annotate(n=Count("id")).order_by()
    for row in rows.iterator(chunk_size=5000):
        yield {
            "month": month_of(row["month"]),
            "region": row[region],
            "department": row[department],
            "key": row[key],
            "count": row["n"],
        }


def rebuild_issued(months: Months):
    from .models import Licence

    return _grouped(
        Licence.objects.all(),
        "issued_on",
        months,
        is_date=True,
        region="region_id",
        department="department_id",
        key="licence_type__code",
    )


def rebuild_reused(months: Months):
    from .models import LicenceUse

    return _grouped(
        LicenceUse.objects.all(),
        "used_at",
        months,
        is_date=False,
        region="region_id",
        department="department_id",
        key="licence__licence_type__code",
    )


def rebuild_revoked(months: Months):
    from .models import Licence

    return _grouped(
        Licence.objects.filter(revoked_at__isnull=False),
        "revoked_at",
        months,
        is_date=False,
        region="region_id",
        department="department_id",
        key="licence_type__code",
    )


register_metric(ISSUED, label="电子证照签发（按发证月份、部门、证照类型）", rebuild=rebuild_issued)
register_metric(REUSED, label="电子证照调用（按调用月份、部门、证照类型）", rebuild=rebuild_reused)
register_metric(REVOKED, label="电子证照注销（按注销月份、部门、证照类型）", rebuild=rebuild_revoked)
