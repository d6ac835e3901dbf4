"""Real item lists, as a clerk's hand-filled file looks: blank cells, numbers typed as text, codes pasted
as numbers, province and city items, "无" and 自然日 limits, three visits, elements the source does not
list. Files are built cell by cell here, never by the product's own export."""

import datetime as dt
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import Workbook

from yiwang.cases.services.acceptance import _clock_days
from yiwang.catalog import selectors, services
from yiwang.catalog.models import ItemMaterial, ServiceItem
from yiwang.core.errors import ApplicationError
from yiwang.org.tests.factories import DepartmentFactory
from yiwang.workdays.selectors import add_workdays

pytestmark = pytest.mark.django_db

ITEM_HEADERS = [
    "事项编码", "事项名称", "事项类型", "主管部门", "实施主体", "行使层级", "服务对象", "依申请事项", "设定依据",
    "受理条件", "法定办结时限（工作日）", "承诺办结时限（工作日）", "办件类型", "网办深度", "到办事现场次数",
    "必须现场办理原因", "是否收费", "收费标准及依据", "支持网上支付", "出件方式", "办理地点", "办理时间",
    "咨询电话", "监督投诉电话", "证照分离改革方式", "可实行告知承诺", "7×24自助办理", "跨区通办", "检索关键词",
]  # fmt: skip
MATERIAL_HEADERS = [
    "事项编码", "材料编码", "材料名称", "材料形式", "份数", "是否必需", "关键要件", "可容缺后补", "可告知承诺替代",
    "可用电子证照", "空白表格", "示例样表", "填报须知",
]  # fmt: skip


def _file(items: list[dict], materials: list[dict], *, extra_item_headers=()) -> BytesIO:
    """A workbook typed by hand: only the cells given are filled, everything else is left blank."""
    wb = Workbook()
    ws = wb.active
    ws.title = "事项清单"
    headers = ITEM_HEADERS + list(extra_item_headers)
    ws.append(headers)
    for row in items:
        ws.append([row.get(h) for h in headers])
    ms = wb.create_sheet("申请材料")
    ms.append(MATERIAL_HEADERS)
    for row in materials:
        ms.append([row.get(h) for h in MATERIAL_HEADERS])
    buffer = BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    return buffer


def _item(**cells) -> dict:
    row = {
        "事项编码": "610326-XK-0101",
        "事项名称": "食品小作坊登记",
        "事项类型": "行政许可",
        "主管部门": "眉县市场监督管理局",
        "实施主体": "县行政审批服务局",
        "行使层级": "县级",
        "服务对象": "法人",
        "法定办结时限（工作日）": "20",  # numbers typed as text
        "承诺办结时限（工作日）": 5,
        "办件类型": "承诺件",
        "网办深度": "三级",
        "到办事现场次数": 1,
        "必须现场办理原因": "核验原件",
        "出件方式": "窗口领取",
    }
    row.update(cells)
    return row


def _import(admin_user, file):
    return services.catalog_import(file=file, actor=admin_user, reason="初始清单", baseline=True)


def test_it_reads_blank_yes_no_cells_as_the_elements_defaults(client, admin_user, departments):
    file = _file(
        [_item()],
        [{"事项编码": "610326-XK-0101", "材料编码": "M1", "材料名称": "营业执照", "材料形式": "原件", "份数": 1}],
    )
    report = _import(admin_user, file)
    assert report.published == ["610326-XK-0101"]
    item = ServiceItem.objects.get()
    assert (item.on_application, item.fee_charged, item.online_payment, item.pledge_allowed) == (
        True,
        False,
        False,
        False,
    )
    material = ItemMaterial.objects.get()
    assert (material.required, material.key, material.deferrable, material.copies) == (True, False, False, 1)
    page = client.get("/services/items/610326-XK-0101/").content.decode()
    assert "非必需" not in page and "必需" in page
    assert "20个工作日" in page
    targets = selectors.catalog_targets()
    assert (targets["overall"].applied, targets["overall"].online, targets["overall"].online_pct) == (1, 1, 100.0)


def test_a_blank_materials_sheet_keeps_the_no_materials_warning(admin_user, departments):
    report = _import(admin_user, _file([_item()], []))
    assert "catalog.materials_missing" in [w["code"] for w in report.warnings]


def test_a_code_that_excel_turned_into_a_number_is_an_error_and_nothing_is_stored(admin_user, departments):
    file = _file(
        [
            _item(**{"事项编码": 1144000072510722722440105008004}),
            _item(**{"事项编码": 1.1440000725107227e30, "事项名称": "第二项"}),
            _item(**{"事项编码": 610326000123, "事项名称": "短数字编码"}),
        ],
        [],
    )
    with pytest.raises(ApplicationError) as refused:
        _import(admin_user, file)
    errors = [(e["sheet"], e["row"], e["column"], e["code"]) for e in refused.value.details["errors"]]
    assert errors == [
        ("事项清单", 2, "事项编码", "catalog.import_code_not_text"),
        ("事项清单", 3, "事项编码", "catalog.import_code_not_text"),
    ]
    assert not ServiceItem.objects.exists()

    # A short all-digit code in a numeric cell is exact: it loads as its text.
    _import(admin_user, _file([_item(**{"事项编码": 610326000123})], []))
    assert ServiceItem.objects.get().code == "610326000123"


def test_the_template_formats_code_columns_as_text_and_states_defaults():
    from openpyxl import load_workbook

    from yiwang.catalog import excel

    wb = load_workbook(BytesIO(excel.workbook_bytes(excel.template_workbook())))
    assert wb["事项清单"].column_dimensions["A"].number_format == "@"
    readme = {(r[0], r[1]): r for r in wb["填写说明"].iter_rows(min_row=2, values_only=True) if r and r[1]}
    assert readme[("事项清单", "依申请事项")][5] == "是"
    assert readme[("申请材料", "是否必需")][5] == "是"
    assert readme[("事项清单", "是否收费")][6] == "必须载明"
    assert readme[("事项清单", "网办深度")][6] in (None, "")


@pytest.fixture
def province_department(meixian):
    return DepartmentFactory(
        code="sx-market", name="陕西省市场监督管理局", short_name="省市场监管局", region=meixian.province
    )


def test_province_items_with_no_statutory_limit_calendar_days_three_visits_and_unlisted_elements(
    client, admin_user, departments, province_department, meixian, capsys
):
    headers = ("所属区划代码", "时限单位")
    file = _file(
        [
            _item(
                **{
                    "事项编码": "6100-QR-0001",
                    "事项名称": "特种设备检验机构核准",
                    "主管部门": "陕西省市场监督管理局",
                    "实施主体": "陕西省市场监督管理局",
                    "行使层级": "省级",
                    "所属区划代码": "610000",
                    "法定办结时限（工作日）": "无",
                    "承诺办结时限（工作日）": "60",
                    "时限单位": "自然日",
                    "网办深度": "二级",
                    "到办事现场次数": 3,
                    "必须现场办理原因": "现场评审、核查、领证",
                    "是否收费": "未列明",
                    "出件方式": "未列明",
                }
            ),
            _item(),
        ],
        [
            {"事项编码": "6100-QR-0001", "材料编码": "1", "材料名称": "申请书", "材料形式": "未列明", "份数": "未列明"},
            {"事项编码": "610326-XK-0101", "材料编码": "1", "材料名称": "营业执照", "材料形式": "原件"},
        ],
        extra_item_headers=headers,
    )
    report = _import(admin_user, file)
    assert sorted(report.published) == ["6100-QR-0001", "610326-XK-0101"]
    assert {(w["row"], w["code"]) for w in report.warnings} >= {
        (2, "catalog.visits_over_target"),
        (2, "catalog.elements_unlisted"),
    }
    item = ServiceItem.objects.get(code="6100-QR-0001")
    assert (item.level, item.region, item.legal_days, item.promised_days, item.limit_unit) == (
        "province",
        meixian.province,
        None,
        60,
        "calendar_days",
    )
    assert (item.visits_required, item.fee_charged) == (3, None)
    assert (item.delivery_window, item.delivery_post, item.delivery_electronic) == (False, False, False)
    material = item.materials.get()
    assert (material.form, material.copies) == ("unknown", None)
    assert ServiceItem.objects.get(code="610326-XK-0101").region == meixian.county

    page = client.get("/services/items/6100-QR-0001/").content.decode()
    assert "无法定时限" in page and "60个自然日" in page
    assert page.count("以窗口告知为准") == 3  # fee, delivery, the material's form and copies
    assert "未达到“最多跑2次”目标" in page

    targets = selectors.catalog_targets()
    assert targets["overall"].label == "陕西省"
    assert [(r.label, r.published, r.over_visits) for r in targets["regions"]] == [("陕西省", 1, 1), ("眉县", 1, 0)]
    assert selectors.catalog_targets(region=meixian.county)["overall"].label == "眉县"

    quality = selectors.items_data_quality(ServiceItem.objects.all())
    assert [(i.code, missing) for i, missing in quality] == [
        ("6100-QR-0001", ["是否收费", "出件方式", "材料“申请书”的形式", "材料“申请书”的份数"])
    ]
    call_command("catalog", "check")
    out = capsys.readouterr().out
    assert "6100-QR-0001 特种设备检验机构核准：[未列明] 是否收费、出件方式" in out
    call_command("measures", "check")


def test_calendar_day_limits_run_to_the_next_working_day_for_cases(db):
    started = dt.datetime(2025, 9, 26, 10, 0)  # a Friday; 10 calendar days later is 6 October, a holiday
    assert add_workdays(started.date(), _clock_days(10, "calendar_days", started)).due == dt.date(2025, 10, 9)
    assert _clock_days(10, "workdays", started) == 10


def test_the_staff_pages_list_unlisted_elements_and_targets_per_region(
    client, admin_user, departments, province_department, meixian
):
    file = _file(
        [
            _item(
                **{
                    "事项编码": "6100-QR-0002",
                    "主管部门": "陕西省市场监督管理局",
                    "实施主体": "陕西省市场监督管理局",
                    "行使层级": "省级",
                    "是否收费": "未列明",
                }
            ),
            _item(),
        ],
        [],
    )
    _import(admin_user, file)
    client.force_login(admin_user)
    quality = client.get("/services/staff/quality/").content.decode()
    assert "6100-QR-0002" in quality and "是否收费、申请材料" in quality
    targets = client.get("/services/staff/targets/").content.decode()
    assert "分区划情况" in targets and ">陕西省</th>" in targets and "?region=610000" in targets
    county = client.get("/services/staff/targets/", {"region": "610326", "level": "county"}).content.decode()
    assert ">眉县</th>" in county
