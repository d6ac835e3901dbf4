"""The targets page reads the ``catalog.items`` roll-up, which import, approval and withdrawal keep current.

The expected numbers are counted by hand from the items below, not computed by the code under test.
"""

import re
from io import BytesIO

import pytest

from yiwang.catalog import excel, services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.measures import ITEMS
from yiwang.catalog.models import ServiceItem, ServiceItemVersion
from yiwang.catalog.tests.factories import elements, publish
from yiwang.measures.models import MonthlyFact
from yiwang.measures.selectors import measures_check

pytestmark = pytest.mark.django_db

ZERO = {"online_depth": 4, "visits_required": 0, "visits_reason": ""}


def _table(html: str) -> dict[str, list[str]]:
    """The targets table: row label → its cells as text (事项数, 依申请, 网上可办, 网上可办率, 零跑动, 即办, 改革)."""
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = {}
    for row in re.findall(r"<tr.*?</tr>", body, flags=re.S):
        label = re.sub(r"<[^>]+>", "", re.search(r"<th[^>]*>(.*?)</th>", row, flags=re.S).group(1)).strip()
        cells = [re.sub(r"<[^>]+>|低于目标|▼", "", c).strip() for c in re.findall(r"<td>(.*?)</td>", row, flags=re.S)]
        rows[label] = cells
    return rows


def _page(client) -> dict[str, list[str]]:
    return _table(client.get("/services/staff/targets/").content.decode())


@pytest.fixture
def imported(admin_user, departments):
    """Three items imported as the county's baseline from an Excel file (facts start empty):
    A (市场监管局): depth IV, 0 visits, 告知承诺 — online, zero-visit, reform;
    B (市场监管局): depth II, 1 visit, 优化审批服务 — applied for only;
    C (审批局): instant, depth IV, 0 visits, no reform mode — online, zero-visit, instant."""
    items = publish(
        admin_user,
        elements(code="610326-R-001", name="甲事项", **ZERO, reform_mode="pledge"),
        elements(code="610326-R-002", name="乙事项", online_depth=2, reform_mode="optimise"),
        elements(
            code="610326-R-003",
            name="丙事项",
            competent_department="admin-approval",
            handling_type="instant",
            promised_days=0,
            reform_mode="",
            **ZERO,
        ),
    )
    data = excel.workbook_bytes(excel.workbook_export(ServiceItem.objects.filter(pk__in=[i.pk for i in items])))
    ServiceItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()
    MonthlyFact.objects.all().delete()
    report = services.catalog_import(file=BytesIO(data), actor=admin_user, reason="初始清单", baseline=True)
    assert len(report.published) == 3
    return {i.code: i for i in ServiceItem.objects.all()}


def test_the_targets_page_follows_import_approval_and_withdrawal(
    client, imported, leader, admin_user, handler_a, handler_c, dept_a, dept_b
):
    market, approval = str(dept_b), str(dept_a)
    client.force_login(leader)

    # After the import: 3 items, 3 applied for, 2 online (A, C), 2 zero-visit, 1 instant, 1 reform (A).
    rows = _page(client)
    assert rows["眉县"] == ["3", "3", "2", "66.7%", "66.7%", "1", "1"]
    assert rows[market] == ["2", "2", "1", "50.0%", "50.0%", "0", "1"]
    assert rows[approval] == ["1", "1", "1", "100.0%", "100.0%", "1", "0"]
    assert measures_check(metrics=[ITEMS]) == []

    # B moves to 审批局 with depth III and 直接取消审批, through a reviewed change.
    b = imported["610326-R-002"]
    change = services.item_change_propose(
        elements={
            **item_elements(b),
            "competent_department": "admin-approval",
            "online_depth": 3,
            "reform_mode": "cancel",
        },
        reason="调整主管部门并提升网办深度",
        actor=handler_a,
        item=b,
    )
    services.item_change_approve(change=change, actor=handler_c, note="同意")
    rows = _page(client)
    assert rows["眉县"] == ["3", "3", "3", "100.0%", "66.7%", "1", "2"]
    assert rows[market] == ["1", "1", "1", "100.0%", "100.0%", "0", "1"]
    assert rows[approval] == ["2", "2", "2", "100.0%", "50.0%", "1", "1"]
    assert measures_check(metrics=[ITEMS]) == []

    # A is withdrawn: 市场监管局 has no published item left and leaves the table.
    services.item_withdraw(item=imported["610326-R-001"], reason="依据国务院决定取消", actor=admin_user)
    rows = _page(client)
    assert rows["眉县"] == ["2", "2", "2", "100.0%", "50.0%", "1", "1"]
    assert market not in rows
    assert rows[approval] == ["2", "2", "2", "100.0%", "50.0%", "1", "1"]
    assert measures_check(metrics=[ITEMS]) == []


def test_the_level_filter_reads_the_same_roll_up(client, admin_user, departments, leader):
    publish(
        admin_user,
        elements(code="610326-R-101", name="县级事项", **ZERO),
        elements(code="610326-R-102", name="镇级事项", level="town", online_depth=2),
    )
    client.force_login(leader)
    html = client.get("/services/staff/targets/", {"level": "town"}).content.decode()
    assert _table(html)["眉县"] == ["1", "1", "0", "0.0%", "0.0%", "0", "1"]
    assert _page(client)["眉县"] == ["2", "2", "1", "50.0%", "50.0%", "0", "2"]
