"""清欠台账 and 专项治理 (plan 四（十）2、3): registered by the office, payments by the owner, 清理一项、销号一项."""

import datetime as dt
from decimal import Decimal

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent, InboxMessage
from yiwang.supervision.models import LedgerItem
from yiwang.supervision.selectors import ledger_list, ledger_totals
from yiwang.supervision.services.ledgers import ledger_clear, ledger_record, ledger_register
from yiwang.workdays.sweep import clocks_sweep

ON = dt.date(2026, 3, 2)


@pytest.fixture
def arrears(office, approval):
    return ledger_register(
        kind="arrears",
        department=approval,
        title="政务大厅改造工程款",
        creditor="眉县秦岭建筑工程有限公司",
        amount_owed="380000",
        due_on=dt.date(2026, 6, 30),
        actor=office,
        registered_on=ON,
    )


def test_an_arrears_item_is_cleared_only_when_fully_paid(arrears, office, approval_handler):
    assert arrears.number == f"QQ2026-{arrears.pk:05d}" and arrears.clock.due_on == dt.date(2026, 6, 30)
    ledger_record(item=arrears, actor=approval_handler, amount="200000", note="第一笔付款", on=dt.date(2026, 4, 1))
    with pytest.raises(ApplicationError) as refused:
        ledger_clear(item=arrears, actor=office)
    assert refused.value.code == "supervision.arrears_outstanding" and "180000.00" in refused.value.message
    with pytest.raises(ApplicationError) as refused:
        ledger_record(item=arrears, actor=approval_handler, amount="180000.01", note="多付")
    assert refused.value.code == "supervision.overpaid"
    ledger_record(item=arrears, actor=approval_handler, amount="180000", note="付清", on=dt.date(2026, 5, 8))
    with pytest.raises(ApplicationError) as refused:
        ledger_clear(item=arrears, actor=approval_handler)
    assert refused.value.code == "supervision.forbidden"
    ledger_clear(item=arrears, actor=office, note="清理一项、销号一项", on=dt.date(2026, 5, 9))
    arrears.refresh_from_db()
    assert (
        arrears.state == "cleared" and arrears.amount_paid == Decimal("380000.00") and arrears.clock.state == "stopped"
    )
    assert ledger_totals() == {"items": 1, "cleared": 1, "owed": Decimal("380000.00"), "paid": Decimal("380000.00")}
    assert AuditEvent.objects.filter(object_type__endswith="ledgeritem", object_id=str(arrears.pk)).count() == 4


def test_bad_ledger_input_is_refused_and_nothing_is_written(office, approval, market_handler, arrears):
    cases = [
        ({"creditor": "", "amount_owed": "100"}, "supervision.arrears_needs_creditor"),
        ({"creditor": "某公司", "amount_owed": "-5"}, "supervision.bad_amount"),
        ({"creditor": "某公司", "amount_owed": "abc"}, "supervision.bad_amount"),
        ({"creditor": "某公司", "amount_owed": "100", "creditor_uscc": "91610326MA6X8Q2L70"}, "supervision.bad_uscc"),
        (
            {"creditor": "某公司", "amount_owed": "100", "due_on": dt.date(2026, 1, 1)},
            "supervision.due_before_registered",
        ),
    ]
    for extra, code in cases:
        kwargs = {
            "kind": "arrears",
            "department": approval,
            "title": "欠款",
            "due_on": dt.date(2026, 6, 30),
            "actor": office,
            "registered_on": ON,
            **extra,
        }
        with pytest.raises(ApplicationError) as refused:
            ledger_register(**kwargs)
        assert refused.value.code == code
    with pytest.raises(ApplicationError) as refused:
        ledger_record(item=arrears, actor=market_handler, amount="1", note="别的部门")
    assert refused.value.code == "supervision.forbidden"
    assert LedgerItem.objects.count() == 1


def test_a_department_sees_its_own_items_and_hears_when_one_is_overdue(
    arrears, office, market, approval_handler, market_handler
):
    governance = ledger_register(
        kind="governance",
        department=market,
        title="转供电环节加价清理",
        category="转供电加价",
        due_on=dt.date(2026, 3, 31),
        actor=office,
        registered_on=ON,
    )
    assert governance.number.startswith("ZX2026-")
    assert list(ledger_list(user=market_handler)) == [governance]
    assert list(ledger_list(user=approval_handler)) == [arrears]
    assert ledger_list(user=office).count() == 2
    clocks_sweep(today=dt.date(2026, 4, 1))
    assert InboxMessage.objects.filter(user=market_handler, template="supervision.ledger_overdue").exists()
    assert not InboxMessage.objects.filter(user=approval_handler, template="supervision.ledger_overdue").exists()


def test_the_ledgers_export_to_excel_scoped_to_the_viewer(
    client, arrears, office, market, approval_handler, market_handler
):
    from io import BytesIO

    from openpyxl import load_workbook

    from yiwang.supervision.exports import LEDGER_COLUMNS

    ledger_register(
        kind="governance",
        department=market,
        title="转供电环节加价清理",
        category="转供电加价",
        due_on=dt.date(2026, 3, 31),
        actor=office,
        registered_on=ON,
    )
    ledger_record(item=arrears, actor=approval_handler, amount="80000", note="首期", on=dt.date(2026, 3, 10))
    client.force_login(office)
    response = client.get("/supervision/ledgers/?format=xlsx")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(response.content))
    assert book.sheetnames == ["清欠台账", "专项治理"]
    sheet = book["清欠台账"]
    assert tuple(c.value for c in sheet[1]) == LEDGER_COLUMNS
    row = {LEDGER_COLUMNS[i]: c.value for i, c in enumerate(sheet[2])}
    assert row["债权企业"] == "眉县秦岭建筑工程有限公司"
    assert (row["拖欠金额（元）"], row["已清偿（元）"], row["未清偿（元）"]) == (380000, 80000, 300000)
    assert "行政审批" in row["责任单位"]
    assert sheet.cell(row=3, column=1).value == "合计"
    overdue = {LEDGER_COLUMNS[i]: c.value for i, c in enumerate(book["专项治理"][2])}
    assert (overdue["类别"], overdue["是否逾期"]) == ("转供电加价", "是")
    # a department exports only its own items
    client.force_login(market_handler)
    book = load_workbook(BytesIO(client.get("/supervision/ledgers/?format=xlsx").content))
    assert book.sheetnames == ["专项治理"]
    assert book["专项治理"].max_row == 3
