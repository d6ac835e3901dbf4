"""Staff pages: scoped list with problems flagged, blind review, import with every error, export, targets."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from yiwang.catalog import excel, services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.models import ChangeStatus, ItemChange, ServiceItem
from yiwang.catalog.tests.factories import elements, publish

pytestmark = pytest.mark.django_db

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_staff_pages_need_a_staff_sign_in(client, citizen, departments):
    assert client.get("/services/staff/").status_code == 302
    client.force_login(citizen)
    assert client.get("/services/staff/").status_code == 403


def test_the_staff_list_flags_problems_and_is_scoped(client, admin_user, handler_c, departments, dept_c):
    publish(admin_user, elements(legal_days=5, promised_days=5))
    client.force_login(admin_user)
    html = client.get("/services/staff/", {"problems": "on"}).content.decode()
    assert "承诺时限与法定时限相同，未压缩" in html and "提示" in html
    client.force_login(handler_c)
    assert "食品经营许可" not in client.get("/services/staff/").content.decode()


def test_a_proposal_from_the_form_then_a_blind_review(client, food_item, handler_a, handler_c):
    client.force_login(handler_a)
    form = client.get("/services/staff/items/610326-XK-0001/propose/")
    assert form.status_code == 200
    data = {k: v for k, v in item_elements(food_item).items() if k not in ("code", "materials", "form_fields")}
    data = {k: ("on" if v is True else v) for k, v in data.items() if v is not False or k == "fee_charged"}
    data.update(promised_days=30, reason="延长")
    refused = client.post("/services/staff/items/610326-XK-0001/propose/", data)
    assert refused.status_code == 200
    assert "承诺办结时限（30个工作日）不得超过法定办结时限（20个工作日）" in refused.content.decode()
    assert not ItemChange.objects.exists()

    data.update(promised_days=3, reason="压缩承诺时限")
    done = client.post("/services/staff/items/610326-XK-0001/propose/", data)
    assert done.status_code == 302
    change = ItemChange.objects.get()

    client.force_login(handler_c)
    queue = client.get("/services/staff/reviews/").content.decode()
    assert "食品经营许可（新办）" in queue and "周敏" not in queue
    page = client.get(f"/services/staff/reviews/{change.pk}/").content.decode()
    assert "压缩承诺时限" in page and "周敏" not in page and "handler_a" not in page
    bad = client.post(f"/services/staff/reviews/{change.pk}/", {"decision": "reject", "note": ""})
    assert "退回时请填写审核意见" in bad.content.decode()
    ok = client.post(f"/services/staff/reviews/{change.pk}/", {"decision": "approve", "note": "同意"})
    assert ok.status_code == 302
    change.refresh_from_db()
    assert change.status == ChangeStatus.APPROVED
    food_item.refresh_from_db()
    assert food_item.version == 2

    # The proposer cannot open the review of their own change.
    client.force_login(handler_a)
    assert client.get(f"/services/staff/reviews/{change.pk}/").status_code == 404


def test_the_item_page_shows_who_why_when(client, food_item, admin_user):
    client.force_login(admin_user)
    html = client.get("/services/staff/items/610326-XK-0001/").content.decode()
    assert "初始清单（测试）" in html and "林涛" in html and "v1" in html


def test_import_page_reports_every_error(client, food_item, admin_user):
    wb = excel.workbook_export(ServiceItem.objects.all())
    items = wb[excel.SHEET_ITEMS]
    items.cell(row=2, column=3, value="行政处罚")
    buffer = BytesIO()
    wb.save(buffer)
    client.force_login(admin_user)
    upload = SimpleUploadedFile("清单.xlsx", buffer.getvalue(), content_type=XLSX)
    html = client.post("/services/staff/import/", {"file": upload, "reason": "核对"}).content.decode()
    assert "导入文件有1处错误，清单未做任何修改" in html
    assert "事项类型" in html and "“行政处罚”不在可选范围内" in html


def test_import_page_refuses_other_file_types(client, admin_user, departments):
    client.force_login(admin_user)
    upload = SimpleUploadedFile("清单.csv", b"a,b", content_type="text/csv")
    html = client.post("/services/staff/import/", {"file": upload, "reason": "核对"}).content.decode()
    assert "请上传 .xlsx 格式的文件" in html


def test_import_page_creates_proposals(client, food_item, handler_a):
    wb = excel.workbook_export(ServiceItem.objects.all())
    wb[excel.SHEET_ITEMS].cell(row=2, column=[c.key for c in excel.ITEM_COLUMNS].index("promised_days") + 1, value=4)
    buffer = BytesIO()
    wb.save(buffer)
    client.force_login(handler_a)
    upload = SimpleUploadedFile("清单.xlsx", buffer.getvalue(), content_type=XLSX)
    html = client.post("/services/staff/import/", {"file": upload, "reason": "压缩"}).content.decode()
    assert "调整申请待审核 1 项" in html
    assert ItemChange.objects.get().elements["promised_days"] == 4


def test_export_follows_the_filters(client, food_item, admin_user):
    publish(admin_user, elements(code="610326-ZJ-0001", name="镇级事项", level="town"))
    client.force_login(admin_user)
    response = client.get("/services/staff/export.xlsx", {"level": "town"})
    assert response["Content-Type"] == XLSX
    rows = list(load_workbook(BytesIO(response.content))[excel.SHEET_ITEMS].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == ["610326-ZJ-0001"]
    template = client.get("/services/staff/template.xlsx")
    assert load_workbook(BytesIO(template.content)).sheetnames[-1] == excel.SHEET_README


def test_withdraw_from_the_item_page(client, food_item, admin_user):
    client.force_login(admin_user)
    response = client.post("/services/staff/items/610326-XK-0001/withdraw/", {"reason": "依据国务院决定取消"})
    assert response.status_code == 302
    food_item.refresh_from_db()
    assert food_item.status == "withdrawn"


def test_the_targets_page_shows_each_measure_next_to_its_target(client, food_item, leader):
    client.force_login(leader)
    html = client.get("/services/staff/targets/").content.decode()
    assert "网上可办率" in html and "目标 ≥ 60%" in html and "100.0%" in html
    assert "“证照分离”改革事项" in html and "≥ 106" in html and "未达标，差 105 项" in html
    assert "vendor/echarts/echarts.min.js" in html


def test_my_changes_can_be_cancelled(client, food_item, handler_a):
    change = services.item_change_propose(
        elements={**item_elements(food_item), "promised_days": 3}, reason="压缩", actor=handler_a, item=food_item
    )
    client.force_login(handler_a)
    assert "压缩" in client.get("/services/staff/changes/").content.decode()
    client.post(f"/services/staff/changes/{change.pk}/cancel/")
    change.refresh_from_db()
    assert change.status == ChangeStatus.CANCELLED
