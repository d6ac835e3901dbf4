"""Review chains per item (受理 → 审查 → 审核 → 审批) and their validation."""

from __future__ import annotations

from django.db import transaction

from yiwang.cases.models import (
    ReviewChain,
    StepRole,
)
from yiwang.cases.services._common import _forbidden, _required
from yiwang.catalog.models import ServiceItem
from yiwang.core.audit import audit_record
from yiwang.org.scoping import scope_for


def review_chain_validate(steps: list[dict]) -> list[dict]:
    """Shape and shares of a review chain. Errors: ``case.chain_invalid`` naming the problem."""
    if not steps:
        raise _required("case.chain_invalid", "审批环节不能为空", "steps")
    clean = []
    for n, step in enumerate(steps, start=1):
        name = str(step.get("name", "")).strip()
        role = step.get("role")
        try:
            share = float(step.get("share"))
        except (TypeError, ValueError):
            raise _required("case.chain_invalid", f"第{n}个环节的时限占比不是数字", "steps") from None
        if not name:
            raise _required("case.chain_invalid", f"第{n}个环节缺少名称", "steps")
        if role not in StepRole.values:
            raise _required("case.chain_invalid", f"第{n}个环节的办理角色不正确", "steps")
        if role == StepRole.CLERK and n != 1:
            raise _required("case.chain_invalid", "只有第一个环节（受理）由综合窗口办理", "steps")
        if not 0 <= share <= 1:
            raise _required("case.chain_invalid", f"第{n}个环节的时限占比应在 0 到 1 之间", "steps")
        clean.append({"name": name, "role": role, "share": share})
    if abs(sum(s["share"] for s in clean) - 1) > 0.001:
        raise _required("case.chain_invalid", "各环节时限占比之和应为 100%", "steps")
    if clean[-1]["role"] != StepRole.HANDLER:
        raise _required("case.chain_invalid", "最后一个环节（决定）须由部门办理", "steps")
    return clean


def review_chain_set(
    *, item: ServiceItem, steps: list[dict], actor, same_person_allowed: bool | None = None
) -> ReviewChain:
    """Configure the review chain of an item (its department or an administrator).

    ``same_person_allowed`` lets one person act on several handler steps of a case; left ``None`` it
    keeps the chain's setting (default: different people, 审查、审核、审批分离)."""
    clean = review_chain_validate(steps)
    if not scope_for(actor).can("case.configure", department=item.implementing_department):
        raise _forbidden("case.not_your_department", "只有实施部门或管理员可以配置审批环节")
    with transaction.atomic():
        chain = ReviewChain.objects.select_for_update().filter(item=item).first()
        before = {"steps": chain.steps, "same_person_allowed": chain.same_person_allowed} if chain else None
        if chain is None:
            chain = ReviewChain.objects.create(item=item, steps=clean, same_person_allowed=bool(same_person_allowed))
        else:
            chain.steps = clean
            if same_person_allowed is not None:
                chain.same_person_allowed = bool(same_person_allowed)
            chain.save(update_fields=["steps", "same_person_allowed", "updated_at"])
        audit_record(
            actor=actor,
            action="case.review_chain_set",
            obj=chain,
            before=before,
            after={"steps": clean, "same_person_allowed": chain.same_person_allowed},
            region_code=item.region.code,
        )
    return chain
