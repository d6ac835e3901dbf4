import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.core.xlsx import workbook_bytes
from yiwang.inspections import services
from yiwang.inspections.models import Inspector


def _xlsx(rows, header=("姓名", "执法证号", "执法证有效期至")) -> bytes:
    wb = Workbook()
    sheet = wb.active
    sheet.title = "名录"
    sheet.append(list(header))
    for row in rows:
        sheet.append(list(row))
    return workbook_bytes(wb)


def test_it_imports_hand_typed_cells(dept_b, handler_b):
    rows = [
        (" 张秀梅 ", "mx-sj-0101", dt.date(2027, 6, 30)),  # spaces, lower case, a real date
        ("李卫东", 610326202, "2027/6/30"),  # a number typed into the certificate column, slashes
        ("王小兰", "MX-SJ-0103 ", "２０２８年１月５日"),  # full-width digits, Chinese date
        (None, None, None),  # an empty line in the middle
        ("赵强", "MX-SJ-0104", "2028.3.1"),
    ]
    assert services.inspector_import(department=dept_b, file=_xlsx(rows), actor=handler_b) == 4
    people = {p.certificate_no: p for p in Inspector.objects.filter(department=dept_b)}
    assert people["MX-SJ-0101"].name == "张秀梅"
    assert people["610326202"].certificate_expires_on == dt.date(2027, 6, 30)
    assert people["MX-SJ-0103"].certificate_expires_on == dt.date(2028, 1, 5)
    assert people["MX-SJ-0104"].certificate_expires_on == dt.date(2028, 3, 1)
    assert AuditEvent.objects.filter(action="inspection.inspector_added").count() == 4


def test_it_adds_nobody_when_a_row_is_bad_and_says_where(dept_b, handler_b):
    services.inspector_create(
        department=dept_b,
        name="已在库",
        certificate_no="MX-SJ-0001",
        certificate_expires_on=dt.date(2027, 1, 1),
        actor=handler_b,
    )
    rows = [
        ("张秀梅", "MX-SJ-0101", "2027-06-30"),
        ("", "MX-SJ-0102", "2027-06-30"),
        ("李卫东", "MX-SJ-0101", "明年六月"),
        ("王小兰", "mx-sj-0001", "2027-13-01"),
    ]
    with pytest.raises(ApplicationError) as error:
        services.inspector_import(department=dept_b, file=_xlsx(rows), actor=handler_b)
    assert error.value.code == "inspection.import_invalid"
    located = {(e["row"], e["column"]) for e in error.value.details["errors"]}
    assert located == {(3, "姓名"), (4, "执法证号"), (4, "执法证有效期至"), (5, "执法证号"), (5, "执法证有效期至")}
    assert Inspector.objects.count() == 1
    with pytest.raises(ApplicationError) as error:
        services.inspector_import(department=dept_b, file=_xlsx([], header=("姓名", "证号")), actor=handler_b)
    assert error.value.details["errors"][0]["message"] == "缺少列：执法证号、执法证有效期至"
    with pytest.raises(ApplicationError) as error:
        services.inspector_import(department=dept_b, file=b"not a workbook", actor=handler_b)
    assert error.value.code == "inspection.import_unreadable"


def test_the_roster_page_imports_and_reports_errors(dept_b, handler_b, handler_a):
    client = Client()
    client.force_login(handler_b)
    bad = SimpleUploadedFile("roster.xlsx", _xlsx([("张秀梅", "MX-SJ-0101", "不详")]))
    page = client.post("/inspections/roster/", {"action": "import", "file": bad}, follow=True).content.decode()
    assert "第2行“执法证有效期至”列" in page and not Inspector.objects.exists()
    good = SimpleUploadedFile("roster.xlsx", _xlsx([("张秀梅", "MX-SJ-0101", "2027-06-30")]))
    page = client.post("/inspections/roster/", {"action": "import", "file": good}, follow=True).content.decode()
    assert "已从 Excel 导入 1 名检查人员" in page
    assert Inspector.objects.get().department == dept_b
    # A handler of a department that plans nothing here still imports only into their own department.
    other = Client()
    other.force_login(handler_a)
    upload = SimpleUploadedFile("roster.xlsx", _xlsx([("刘军", "MX-SP-0201", "2027-06-30")]))
    response = other.post("/inspections/roster/", {"action": "import", "file": upload})
    assert response.status_code in (302, 403)
    assert not Inspector.objects.filter(department=dept_b, certificate_no="MX-SP-0201").exists()
