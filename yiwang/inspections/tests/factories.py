"""Factories for the random inspections' tests."""

from __future__ import annotations

import datetime as dt
import itertools

from yiwang.core.identifiers import make_uscc
from yiwang.credit.models import Entity
from yiwang.inspections.models import InspectionItem, Inspector

_serial = itertools.count(1)


def entities(region, classes: dict[str, int], *, town=None, industry_code: str = "F5211", kind=Entity.Kind.ENTERPRISE):
    """Bulk-create ``{"A": 10, "B": 5}`` entities of each risk class; returns them in id order."""
    rows = []
    for risk, count in classes.items():
        for _ in range(count):
            n = next(_serial)
            rows.append(
                Entity(
                    uscc=make_uscc(f"91610326MA{n:07d}"),
                    name=f"眉县测试商贸有限公司{n}",
                    kind=kind,
                    industry_code=industry_code,
                    industry_name="测试行业",
                    region=region,
                    town=town,
                    risk_class=risk,
                )
            )
    Entity.objects.bulk_create(rows)
    return list(Entity.objects.filter(uscc__in=[e.uscc for e in rows]).order_by("pk"))


def item(department, *, kind=InspectionItem.Kind.GENERAL, code: str | None = None) -> InspectionItem:
    n = next(_serial)
    return InspectionItem.objects.create(
        code=code or f"SJ-{n:04d}",
        name=f"食品经营者经营条件检查{n}",
        department=department,
        legal_basis="《中华人民共和国食品安全法》第一百一十条",
        kind=kind,
    )


def roster(department, count: int, *, user=None) -> list[Inspector]:
    out = []
    for i in range(count):
        n = next(_serial)
        out.append(
            Inspector.objects.create(
                department=department,
                name=f"检查员{n}",
                certificate_no=f"61032600{n:06d}",
                certificate_expires_on=dt.date(2030, 12, 31),
                user=user if i == 0 else None,
            )
        )
    return out
