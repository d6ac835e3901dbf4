"""Ledgers (台账) the plan requires, kept like tasks: an owner department, a deadline, 销号 by the office.

- 清欠台账 (plan 四（十）2): arrears owed by government bodies to enterprises — registered one by one,
  payments recorded, and "清理一项、销号一项": an item is cleared (销号) only when fully paid, and only
  by the supervision office;
- 专项治理 (plan 四（十）3): special-governance items (转供电加价, 违规设置审批前置条件, 政府失信…),
  cleared when rectified.

Each item's deadline is a working-day clock (the one sweep tells the owner when it is overdue).
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from yiwang.core.audit import audit_record, snapshot
from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import validate_uscc
from yiwang.org.scoping import scope_for
from yiwang.workdays.selectors import count_workdays
from yiwang.workdays.services import clock_start, clock_stop

from ..models import LedgerEntry, LedgerItem
from .plan import county_region
from .tasks import _require

ITEM_FIELDS = ("title", "amount_owed", "amount_paid", "due_on", "state", "cleared_on")


def _amount(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ApplicationError("supervision.bad_amount", f"金额格式不正确：{value}", details={"field": field}) from None
    if amount < 0:
        raise ApplicationError("supervision.bad_amount", "金额不能为负数", details={"field": field})
    return amount


def ledger_register(
    *,
    kind: str,
    department,
    title: str,
    due_on: dt.date,
    actor,
    creditor: str = "",
    creditor_uscc: str = "",
    amount_owed=None,
    category: str = "",
    task=None,
    note: str = "",
    registered_on: dt.date | None = None,
) -> LedgerItem:
    """Register one ledger item (the office does). Errors: ``supervision.forbidden``,
    ``supervision.ledger_title``, ``supervision.bad_amount``, ``supervision.arrears_needs_creditor``,
    ``identifier.*`` (a malformed USCC), ``supervision.due_before_registered``."""
    region = county_region()
    _require(actor, "supervision.manage", region=region, message="只有督查室可以登记台账")
    title = (title or "").strip()
    registered_on = registered_on or timezone.localdate()
    if kind not in LedgerItem.Kind.values:
        raise ApplicationError("supervision.ledger_kind", f"未知台账类别：{kind}", details={"field": "kind"})
    if not title:
        raise ApplicationError("supervision.ledger_title", "请填写事项名称", details={"field": "title"})
    owed = _amount(amount_owed, "amount_owed")
    if kind == LedgerItem.Kind.ARREARS:
        if not creditor.strip() or owed is None or owed <= 0:
            raise ApplicationError(
                "supervision.arrears_needs_creditor", "清欠台账须写明债权企业和拖欠金额", details={"field": "creditor"}
            )
        if creditor_uscc:
            try:
                validate_uscc(creditor_uscc)
            except ValidationError as error:
                message = error.messages[0]
                raise ApplicationError("supervision.bad_uscc", message, details={"field": "creditor_uscc"}) from None
    if due_on < registered_on:
        raise ApplicationError("supervision.due_before_registered", "完成时限早于登记日期", details={"field": "due_on"})
    with transaction.atomic():
        item = LedgerItem.objects.create(
            kind=kind,
            number=uuid.uuid4().hex[:32],
            region=region,
            department=department,
            task=task,
            title=title,
            category=category,
            creditor=creditor.strip(),
            creditor_uscc=creditor_uscc,
            amount_owed=owed,
            due_on=due_on,
            registered_on=registered_on,
            note=note,
        )
        item.number = f"{'QQ' if kind == LedgerItem.Kind.ARREARS else 'ZX'}{registered_on:%Y}-{item.pk:05d}"
        item.clock = clock_start(
            label=f"台账：{title[:150]}",
            started_at=registered_on,
            days=max(count_workdays(registered_on, due_on), 0),
            actor=actor,
            owner=item,
            region_code=region.code,
        )
        item.save(update_fields=["number", "clock"])
        audit_record(
            actor=actor,
            action="supervision.ledger_registered",
            obj=item,
            after=snapshot(item, ITEM_FIELDS),
            region_code=region.code,
        )
    return item


def ledger_record(*, item: LedgerItem, actor, note: str, amount=None, on: dt.date | None = None) -> LedgerEntry:
    """The owner department (or the office) records a payment or progress. Errors: ``supervision.forbidden``,
    ``supervision.ledger_cleared``, ``supervision.overpaid``, ``supervision.ledger_note``."""
    scope = scope_for(actor)
    scope_ok = scope.can("supervision.report", department=item.department) or scope.can(
        "supervision.manage", region=item.region
    )
    if not scope_ok:
        raise ApplicationError("supervision.forbidden", "只有责任单位或督查室可以记录台账进展", status=403)
    note = (note or "").strip()
    if not note:
        raise ApplicationError("supervision.ledger_note", "请填写说明", details={"field": "note"})
    paid = _amount(amount, "amount") or Decimal("0")
    on = on or timezone.localdate()
    with transaction.atomic():
        item = LedgerItem.objects.select_for_update().get(pk=item.pk)
        if item.state == LedgerItem.State.CLEARED:
            raise ApplicationError("supervision.ledger_cleared", "该事项已销号", status=409)
        if item.amount_owed is not None and item.amount_paid + paid > item.amount_owed:
            raise ApplicationError(
                "supervision.overpaid",
                f"清偿金额超过尚欠金额（尚欠{item.amount_owed - item.amount_paid}元）",
                details={"field": "amount"},
            )
        before = snapshot(item, ITEM_FIELDS)
        entry = LedgerEntry.objects.create(item=item, on=on, amount=paid, note=note[:500], author=actor)
        if paid:
            item.amount_paid += paid
            item.save(update_fields=["amount_paid"])
        audit_record(
            actor=actor,
            action="supervision.ledger_recorded",
            obj=item,
            before=before,
            after=snapshot(item, ITEM_FIELDS),
            region_code=item.region.code,
            details={"entry": entry.pk},
        )
    return entry


def ledger_clear(*, item: LedgerItem, actor, note: str = "", on: dt.date | None = None) -> LedgerItem:
    """销号 by the office: 清理一项、销号一项 — an arrears item only when fully paid. Errors:
    ``supervision.forbidden``, ``supervision.ledger_cleared``, ``supervision.arrears_outstanding``."""
    _require(actor, "supervision.manage", region=item.region, message="只有督查室可以销号")
    on = on or timezone.localdate()
    with transaction.atomic():
        item = LedgerItem.objects.select_for_update().get(pk=item.pk)
        if item.state == LedgerItem.State.CLEARED:
            raise ApplicationError("supervision.ledger_cleared", "该事项已销号", status=409)
        if item.kind == LedgerItem.Kind.ARREARS and item.outstanding > 0:
            raise ApplicationError(
                "supervision.arrears_outstanding", f"尚欠{item.outstanding}元，清偿完毕后方可销号", status=409
            )
        before = snapshot(item, ITEM_FIELDS)
        item.state, item.cleared_on = LedgerItem.State.CLEARED, on
        item.save(update_fields=["state", "cleared_on"])
        LedgerEntry.objects.create(item=item, on=on, note=(note or "销号")[:500], author=actor)
        if item.clock_id and item.clock.state != "stopped":
            clock_stop(clock=item.clock, actor=actor, on=on)
        audit_record(
            actor=actor,
            action="supervision.ledger_cleared",
            obj=item,
            before=before,
            after=snapshot(item, ITEM_FIELDS),
            region_code=item.region.code,
        )
    return item
