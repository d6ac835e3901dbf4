"""The financing board (金融信息服务平台 / 信易贷, plan 四(九)2(2), 四(九)5).

Banks' loan products are published by the finance office (金融办) staff; enterprises publish their
financing needs. A need matches a product when the amount lies within the product's range, the
term fits, the entity's industry is one the product serves (GB/T 4754 section letters or code
prefixes; none = all) and its risk class is one the product accepts (none = ``LOAN_DEFAULT_CLASSES``,
county default). Matches and loans granted feed the 获得信贷 roll-ups (``credit.financing``).
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.credit import measures
from yiwang.credit.conf import credit_setting
from yiwang.credit.models import Entity, FinancingNeed, LoanMatch, LoanProduct, RiskClass
from yiwang.org.scoping import scope_for

# 万元; beyond any county loan, and within the database's integer columns
MAX_AMOUNT = 10_000_000

PRODUCT_FIELDS = ["bank", "name", "min_amount", "max_amount", "term_months", "industries", "classes", "is_active"]
NEED_FIELDS = ["entity", "amount", "term_months", "purpose", "state", "match_count", "granted_amount"]


def _err(code, message, field=None, status=400):
    return ApplicationError(code, message, details={"field": field} if field else {}, status=status)


def product_fits(product: LoanProduct, *, amount: int, term_months: int, industry_code: str, risk_class: str) -> bool:
    classes = product.classes or credit_setting("LOAN_DEFAULT_CLASSES")
    industries = product.industries or []
    return (
        product.is_active
        and product.min_amount <= amount <= product.max_amount
        and term_months <= product.term_months
        and risk_class in classes
        and (not industries or any((industry_code or "").startswith(p) for p in industries))
    )


def _match(need: FinancingNeed, products, now) -> int:
    entity = need.entity
    fitting = [
        p
        for p in products
        if product_fits(
            p,
            amount=need.amount,
            term_months=need.term_months,
            industry_code=entity.industry_code,
            risk_class=entity.risk_class,
        )
    ]
    existing = set(LoanMatch.objects.filter(need=need).values_list("product_id", flat=True))
    LoanMatch.objects.bulk_create(
        [
            LoanMatch(need=need, product=p, risk_class=entity.risk_class, matched_at=now)
            for p in fitting
            if p.pk not in existing
        ]
    )
    return len(existing | {p.pk for p in fitting})


def loan_product_publish(
    *,
    bank: str,
    name: str,
    region,
    max_amount: int,
    actor,
    min_amount: int = 1,
    term_months: int = 12,
    rate_text: str = "",
    industries=(),
    classes=(),
    collateral_free: bool = False,
) -> LoanProduct:
    """Publish a product and match it against the open needs. Errors: ``credit.bank_required``,
    ``credit.amount_invalid``, ``credit.class_invalid``, ``credit.product_duplicate`` (409), 403."""
    bank, name = (bank or "").strip(), (name or "").strip()
    if not bank or not name:
        raise _err("credit.bank_required", "请填写金融机构和产品名称", "bank")
    if not (0 < int(min_amount) <= int(max_amount) <= MAX_AMOUNT) or not 0 < int(term_months) <= 600:
        raise _err(
            "credit.amount_invalid", "额度应为1至10000000万元，最低额度不高于最高额度，期限1至600个月", "max_amount"
        )
    bad = [c for c in classes if c not in RiskClass.values]
    if bad:
        raise _err("credit.class_invalid", f"未知的信用分类：{'、'.join(bad)}", "classes")
    if actor is not None and not scope_for(actor).can("credit.loan_product", region=region):
        raise _err("credit.forbidden", "无权发布信贷产品", status=403)
    with transaction.atomic():
        if LoanProduct.objects.filter(bank=bank, name=name).exists():
            raise _err("credit.product_duplicate", f"{bank}已发布同名产品“{name}”", "name", 409)
        now = timezone.now()
        product = LoanProduct.objects.create(
            bank=bank,
            name=name,
            region=region,
            min_amount=int(min_amount),
            max_amount=int(max_amount),
            term_months=int(term_months),
            rate_text=rate_text,
            industries=list(industries),
            classes=list(classes),
            collateral_free=collateral_free,
            published_by=actor if getattr(actor, "pk", None) else None,
            published_at=now,
        )
        audit_record(
            actor=actor, action="credit.loan_product_published", obj=product, after=snapshot(product, PRODUCT_FIELDS)
        )
        for need in (
            FinancingNeed.objects.select_for_update(of=("self",))
            .filter(state__in=["open", "matched"])
            .select_related("entity")
        ):
            before = measures.need_facts(need)
            count = _match(need, [product], now)
            if count != need.match_count:
                need.match_count = count
                need.state = FinancingNeed.State.MATCHED if count else need.state
                need.save(update_fields=["match_count", "state"])
                measures.on_need_changed(need, before=before)
    return product


def financing_need_publish(*, entity: Entity, amount: int, purpose: str, actor, term_months: int = 12) -> FinancingNeed:
    """An enterprise publishes a need (its own, by the account's USCC); matched at once.
    Errors: ``credit.amount_invalid``, ``credit.purpose_required``, ``credit.not_your_entity`` (403)."""
    purpose = (purpose or "").strip()
    if not 0 < int(amount) <= MAX_AMOUNT or not 0 < int(term_months) <= 360:
        raise _err("credit.amount_invalid", "融资金额应为1至10000000万元，期限1至360个月", "amount")
    if not purpose:
        raise _err("credit.purpose_required", "请填写融资用途", "purpose")
    if actor is not None:
        scope = scope_for(actor)
        own = (getattr(actor, "uscc", "") or "").upper() == entity.uscc
        if not ((scope.can("credit.financing_need") and own) or scope.can("credit.loan_product", region=entity.region)):
            raise _err("credit.not_your_entity", "只能为本企业发布融资需求", status=403)
    with transaction.atomic():
        now = timezone.now()
        need = FinancingNeed.objects.create(
            entity=entity,
            region_id=entity.town_id or entity.region_id,
            industry_section=(entity.industry_code or "")[:1],
            amount=int(amount),
            term_months=int(term_months),
            purpose=purpose[:200],
            published_by=actor if getattr(actor, "pk", None) else None,
            published_at=now,
        )
        need.match_count = _match(need, list(LoanProduct.objects.filter(is_active=True)), now)
        if need.match_count:
            need.state = FinancingNeed.State.MATCHED
        need.save(update_fields=["match_count", "state"])
        audit_record(actor=actor, action="credit.financing_need_published", obj=need, after=snapshot(need, NEED_FIELDS))
        measures.on_need_changed(need, before=[])
    return need


def loan_grant(*, need: FinancingNeed, product: LoanProduct, amount: int, actor) -> FinancingNeed:
    """Record a loan granted on a need (by the finance office). Errors: ``credit.amount_invalid``,
    ``credit.need_closed`` (409), ``credit.not_matched`` (409), 403."""
    if not 0 < int(amount) <= MAX_AMOUNT:
        raise _err("credit.amount_invalid", "放款金额应为1至10000000万元", "amount")
    with transaction.atomic():
        need = FinancingNeed.objects.select_for_update(of=("self",)).select_related("entity").get(pk=need.pk)
        if actor is not None and not scope_for(actor).can("credit.loan_product", region=need.entity.region):
            raise _err("credit.forbidden", "无权登记放款", status=403)
        if need.state in (FinancingNeed.State.GRANTED, FinancingNeed.State.CLOSED):
            raise _err("credit.need_closed", "该融资需求已放款或已关闭", status=409)
        if not LoanMatch.objects.filter(need=need, product=product).exists():
            raise _err("credit.not_matched", "该产品未与此需求匹配", "product", 409)
        before = measures.need_facts(need)
        need.state, need.granted_product, need.granted_amount = FinancingNeed.State.GRANTED, product, int(amount)
        need.granted_at = timezone.now()
        need.save(update_fields=["state", "granted_product", "granted_amount", "granted_at"])
        audit_record(actor=actor, action="credit.loan_granted", obj=need, after=snapshot(need, NEED_FIELDS))
        measures.on_need_changed(need, before=before)
    return need
