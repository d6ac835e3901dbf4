"""Excel import: all or nothing, every error with sheet/row/column/reason, lossless round trip."""

from io import BytesIO

import pytest
from openpyxl import load_workbook

from yiwang.catalog import excel, services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.models import ChangeStatus, ItemChange, ItemStatus, ServiceItem
from yiwang.catalog.tests.factories import elements, publish
from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent

pytestmark = pytest.mark.django_db


def _workbook_bytes(items) -> bytes:
    return excel.workbook_bytes(excel.workbook_export(items))


def _edit(data: bytes, edit) -> BytesIO:
    wb = load_workbook(BytesIO(data))
    edit(wb)
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _column(ws, header: str) -> int:
    return next(cell.column for cell in ws[1] if cell.value == header)


def _set(ws, row: int, header: str, value) -> None:
    ws.cell(row=row, column=_column(ws, header), value=value)


@pytest.fixture
def catalog_file(admin_user, departments):
    """Two published items exported to the template, then deleted: a file ready to import."""
    items = publish(
        admin_user,
        elements(),
        elements(
            code="610326-QR-0001",
            name="个体工商户设立登记",
            kind="confirmation",
            competent_department="market-regulation",
            implementing_department="admin-approval",
            audience="person",
            handling_type="instant",
            promised_days=0,
            legal_days=15,
            online_depth=4,
            visits_required=0,
            visits_reason="",
            delivery_electronic=True,
            reform_mode="",
            pledge_allowed=False,
            materials=[],
            form_fields=[{"key": "applicant_name", "label": "申请人姓名", "type": "text", "required": True}],
        ),
    )
    data = _workbook_bytes(ServiceItem.objects.filter(pk__in=[i.pk for i in items]).order_by("code"))
    return data


def _wipe():
    from yiwang.catalog.models import ServiceItemVersion

    ServiceItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()


def _errors(refused) -> list[tuple]:
    return [(e["sheet"], e["row"], e["column"], e["code"]) for e in refused.value.details["errors"]]


def test_it_round_trips_export_import_export_without_loss(catalog_file, admin_user):
    before = {i.code: item_elements(i) for i in ServiceItem.objects.all()}
    _wipe()
    report = services.catalog_import(file=BytesIO(catalog_file), actor=admin_user, reason="初始清单", baseline=True)
    assert sorted(report.published) == sorted(before)
    after = {i.code: item_elements(i) for i in ServiceItem.objects.all()}
    assert after == before
    again = _workbook_bytes(ServiceItem.objects.order_by("code"))
    first, second = load_workbook(BytesIO(catalog_file)), load_workbook(BytesIO(again))
    for name in (excel.SHEET_ITEMS, excel.SHEET_MATERIALS, excel.SHEET_FORM_FIELDS):
        assert [list(r) for r in first[name].iter_rows(values_only=True)] == [
            list(r) for r in second[name].iter_rows(values_only=True)
        ]


def test_reimporting_an_unchanged_file_changes_nothing(catalog_file, admin_user):
    report = services.catalog_import(file=BytesIO(catalog_file), actor=admin_user, reason="核对")
    assert sorted(report.unchanged) == ["610326-QR-0001", "610326-XK-0001"]
    assert not ItemChange.objects.exists()


def test_a_changed_row_becomes_a_proposal_awaiting_review(catalog_file, handler_a):
    file = _edit(catalog_file, lambda wb: _set(wb[excel.SHEET_ITEMS], 3, "承诺办结时限", 3))
    report = services.catalog_import(file=file, actor=handler_a, reason="压缩承诺时限")
    assert report.proposed_changes == ["610326-XK-0001"]
    change = ItemChange.objects.get()
    assert (change.status, change.elements["promised_days"], change.proposed_by) == (ChangeStatus.PENDING, 3, handler_a)
    assert ServiceItem.objects.get(code="610326-XK-0001").promised_days == 5  # published only after review


def test_a_missing_column_is_reported_and_nothing_changes(catalog_file, admin_user):
    file = _edit(catalog_file, lambda wb: wb[excel.SHEET_ITEMS].delete_cols(_column(wb[excel.SHEET_ITEMS], "网办深度")))
    _wipe()
    events = AuditEvent.objects.count()
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=file, actor=admin_user, reason="初始", baseline=True)
    assert refused.value.code == "catalog.import_invalid"
    assert _errors(refused) == [(excel.SHEET_ITEMS, 1, "网办深度", "catalog.import_missing_column")]
    assert not ServiceItem.objects.exists()
    assert AuditEvent.objects.count() == events


def test_a_bad_enum_is_reported_with_its_cell(catalog_file, admin_user):
    def edit(wb):
        _set(wb[excel.SHEET_ITEMS], 2, "事项类型", "行政处罚")
        _set(wb[excel.SHEET_MATERIALS], 2, "材料形式", "传真件")

    file = _edit(catalog_file, edit)
    _wipe()
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=file, actor=admin_user, reason="初始", baseline=True)
    assert _errors(refused) == [
        (excel.SHEET_ITEMS, 2, "事项类型", "catalog.import_bad_enum"),
        (excel.SHEET_MATERIALS, 2, "材料形式", "catalog.import_bad_enum"),
    ]
    assert "“行政处罚”不在可选范围内" in refused.value.details["errors"][0]["message"]
    assert not ServiceItem.objects.exists()


def test_a_duplicate_code_is_reported_with_both_rows(catalog_file, admin_user):
    file = _edit(catalog_file, lambda wb: _set(wb[excel.SHEET_ITEMS], 3, "事项编码", "610326-QR-0001"))
    _wipe()
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=file, actor=admin_user, reason="初始", baseline=True)
    errors = refused.value.details["errors"]
    assert (errors[0]["sheet"], errors[0]["row"], errors[0]["column"], errors[0]["code"]) == (
        excel.SHEET_ITEMS,
        3,
        "事项编码",
        "catalog.import_duplicate_code",
    )
    assert "与第2行重复" in errors[0]["message"]
    assert not ServiceItem.objects.exists()


def test_promised_beyond_legal_is_reported_on_its_cell(catalog_file, admin_user):
    file = _edit(catalog_file, lambda wb: _set(wb[excel.SHEET_ITEMS], 3, "承诺办结时限", 25))
    _wipe()
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=file, actor=admin_user, reason="初始", baseline=True)
    assert _errors(refused) == [(excel.SHEET_ITEMS, 3, "承诺办结时限", "catalog.promised_exceeds_legal")]
    assert not ServiceItem.objects.exists()


def test_an_unknown_department_is_reported_on_its_cell(catalog_file, admin_user):
    file = _edit(catalog_file, lambda wb: _set(wb[excel.SHEET_ITEMS], 2, "实施主体", "县宇宙管理局"))
    _wipe()
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=file, actor=admin_user, reason="初始", baseline=True)
    assert _errors(refused) == [(excel.SHEET_ITEMS, 2, "实施主体", "catalog.department_unknown")]
    assert "县宇宙管理局" in refused.value.details["errors"][0]["message"]


def test_department_aliases_are_understood(catalog_file, admin_user):
    file = _edit(catalog_file, lambda wb: _set(wb[excel.SHEET_ITEMS], 2, "实施主体", "行政审批服务局"))
    _wipe()
    services.catalog_import(file=file, actor=admin_user, reason="初始", baseline=True)
    assert ServiceItem.objects.get(code="610326-QR-0001").implementing_department.code == "admin-approval"


def test_it_reports_every_error_of_the_file_at_once(catalog_file, admin_user):
    def edit(wb):
        items = wb[excel.SHEET_ITEMS]
        _set(items, 2, "网办深度", "五级")
        _set(items, 3, "到办事现场次数", "两次")
        _set(items, 3, "是否收费", "也许")
        materials = wb[excel.SHEET_MATERIALS]
        _set(materials, 3, "事项编码", "610326-XX-0000")

    file = _edit(catalog_file, edit)
    _wipe()
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=file, actor=admin_user, reason="初始", baseline=True)
    assert [(e[0], e[1], e[2]) for e in _errors(refused)] == [
        (excel.SHEET_ITEMS, 2, "网办深度"),
        (excel.SHEET_ITEMS, 3, "到办事现场次数"),
        (excel.SHEET_ITEMS, 3, "是否收费"),
        (excel.SHEET_MATERIALS, 3, "事项编码"),
    ]
    assert "共" not in refused.value.message and "4处错误" in refused.value.message


def test_a_material_rule_points_at_the_material_row(catalog_file, admin_user):
    def edit(wb):
        _set(wb[excel.SHEET_MATERIALS], 4, "关键要件", "是")  # M03 is deferrable

    file = _edit(catalog_file, edit)
    _wipe()
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=file, actor=admin_user, reason="初始", baseline=True)
    assert _errors(refused) == [(excel.SHEET_MATERIALS, 4, "关键要件", "catalog.material_key_deferrable")]


def test_a_file_that_is_not_a_workbook_is_refused(admin_user, departments):
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=BytesIO(b"not a workbook"), actor=admin_user, reason="初始")
    assert _errors(refused) == [("", None, None, "catalog.import_unreadable")]


def test_baseline_import_refuses_existing_codes_and_non_admins(catalog_file, admin_user, handler_a):
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=BytesIO(catalog_file), actor=admin_user, reason="初始", baseline=True)
    assert {e["code"] for e in refused.value.details["errors"]} == {"catalog.import_baseline_exists"}
    with pytest.raises(ApplicationError) as not_admin:
        services.catalog_import(file=BytesIO(catalog_file), actor=handler_a, reason="初始", baseline=True)
    assert not_admin.value.code == "catalog.not_permitted"
    assert ServiceItem.objects.filter(status=ItemStatus.PUBLISHED).count() == 2


def test_a_handler_cannot_import_items_of_other_departments(catalog_file, handler_c):
    file = _edit(catalog_file, lambda wb: _set(wb[excel.SHEET_ITEMS], 3, "承诺办结时限", 3))
    with pytest.raises(ApplicationError) as refused:
        services.catalog_import(file=file, actor=handler_c, reason="压缩")
    assert ("事项清单", 3, "主管部门", "catalog.not_permitted") in _errors(refused)
    assert not ItemChange.objects.exists()


def test_the_template_documents_every_column(departments):
    wb = excel.template_workbook()
    assert wb.sheetnames == [excel.SHEET_ITEMS, excel.SHEET_MATERIALS, excel.SHEET_FORM_FIELDS, excel.SHEET_README]
    documented = {(row[0], row[1]) for row in wb[excel.SHEET_README].iter_rows(min_row=2, values_only=True) if row[1]}
    for sheet, columns in excel.SHEETS:
        assert [c.value for c in wb[sheet][1]] == [c.header for c in columns]
        assert {(sheet, c.header) for c in columns} <= documented


def test_a_formula_looking_text_stays_text(admin_user, departments):
    item = publish(admin_user, elements(conditions='=HYPERLINK("http://example.com")'))[0]
    wb = load_workbook(BytesIO(_workbook_bytes(ServiceItem.objects.filter(pk=item.pk))))
    cell = wb[excel.SHEET_ITEMS].cell(row=2, column=_column(wb[excel.SHEET_ITEMS], "受理条件"))
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
