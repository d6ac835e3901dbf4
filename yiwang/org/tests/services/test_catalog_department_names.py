"""A county's item list names its own departments the short way (区人社局); the import reads those names
with the prefix rules of the item's region and the public guide shows the full name."""

from openpyxl import Workbook

from yiwang.catalog import services as catalog_services
from yiwang.catalog.models import ServiceItem
from yiwang.org.services import department_load_from_data, region_load_from_data
from yiwang.org.tests.services.test_org_import import GUANGAN_DEPARTMENTS, GUANGAN_REGIONS, _import, clerk_file

ITEM_HEADERS = [
    "事项编码", "事项名称", "事项类型", "主管部门", "实施主体", "行使层级", "所属区划代码", "服务对象",
    "依申请事项", "设定依据", "受理条件", "法定办结时限", "承诺办结时限", "时限单位", "办件类型", "网办深度",
    "到办事现场次数", "必须现场办理原因", "是否收费", "收费标准及依据", "支持网上支付", "出件方式", "办理地点",
    "办理时间", "咨询电话", "监督投诉电话", "证照分离改革方式", "可实行告知承诺", "7×24自助办理", "跨区通办",
    "检索关键词",
]  # fmt: skip


def _row(code, name, competent, implementing, region):
    values = dict.fromkeys(ITEM_HEADERS)
    values.update(
        {
            "事项编码": code,
            "事项名称": name,
            "事项类型": "公共服务",
            "主管部门": competent,
            "实施主体": implementing,
            "行使层级": "县级",
            "所属区划代码": region,  # typed as a number, as a clerk pastes it
            "服务对象": "自然人",
            "法定办结时限": "20",
            "承诺办结时限": 5,
            "办件类型": "承诺件",
            "网办深度": "四级",
            "到办事现场次数": 0,
            "出件方式": "电子送达",
        }
    )
    return [values[h] for h in ITEM_HEADERS]


def test_a_districts_list_naming_its_units_the_short_way_resolves_to_that_district(db, admin_user, tmp_path, client):
    region_load_from_data(actor=None)
    department_load_from_data(actor=None)  # Meixian has a 县人社局 and a 市场监管局 too
    _import(clerk_file(tmp_path / "广安区.xlsx", GUANGAN_REGIONS, GUANGAN_DEPARTMENTS))
    wb = Workbook()
    ws = wb.active
    ws.title = "事项清单"
    ws.append(ITEM_HEADERS)
    ws.append(_row("GA-0001", "失业登记", "区人社局", " 区人社局 ", 511602))
    ws.append(_row("GA-0002", "个体工商户登记", "市场监管局", "区市场监管局", "511602"))
    ws.append(_row("MX-0001", "就业困难人员认定", "县人社局", "人社局", "610326"))
    wb.save(tmp_path / "items.xlsx")

    report = catalog_services.catalog_import(
        file=tmp_path / "items.xlsx", actor=admin_user, reason="广安区政务服务事项清单", baseline=True
    )

    assert sorted(report.published) == ["GA-0001", "GA-0002", "MX-0001"]
    stored = {
        item.code: (item.competent_department.code, item.implementing_department.code, item.region.code)
        for item in ServiceItem.objects.select_related("competent_department", "implementing_department", "region")
    }
    assert stored == {
        "GA-0001": ("ga-rsj", "ga-rsj", "511602"),
        "GA-0002": ("ga-scjg", "ga-scjg", "511602"),
        "MX-0001": ("human-resources-social-security", "human-resources-social-security", "610326"),
    }
    html = client.get("/services/items/GA-0001/").content.decode()
    assert '<dd class="col-sm-9">广安区人力资源和社会保障局</dd>' in html
