"""The catalog items construction projects and utility connections need (工程建设项目审批事项, 涉电审批),
as implementation elements for ``catalog.services.items_publish_baseline``. The demo and the tests
publish the ones the catalog lacks (``items_missing``); names follow Shaanxi's 工改 item list.
"""

from __future__ import annotations

from yiwang.catalog.models import ServiceItem

ENTERPRISE_FIELDS = [
    {"key": "entity_name", "label": "单位名称", "type": "text", "required": True},
    {"key": "entity_uscc", "label": "统一社会信用代码", "type": "uscc", "required": True},
    {"key": "entity_address", "label": "住所（经营场所）", "type": "text", "required": True},
    {"key": "project_code", "label": "项目代码", "type": "text", "required": False},
]

# code: (name, department code, promised days, legal days, kind)
ITEMS = {
    "610326-GC-0101": ("政府投资项目建议书及可行性研究报告审批", "development-reform", 10, 20, "licensing"),
    "610326-GC-0111": ("企业投资项目备案", "development-reform", 1, 3, "filing"),
    "610326-GC-0102": ("建设项目用地预审与选址意见书核发", "natural-resources", 10, 20, "licensing"),
    "610326-GC-0103": ("建设用地规划许可证核发", "natural-resources", 5, 20, "licensing"),
    "610326-GC-0104": ("地质灾害危险性评估报告备案", "natural-resources", 5, 20, "filing"),
    "610326-GC-0105": ("压覆重要矿产资源评估报告审查", "natural-resources", 5, 20, "confirmation"),
    "610326-GC-0201": ("建设工程规划许可证核发", "natural-resources", 5, 20, "licensing"),
    "610326-GC-0202": ("建设项目环境影响评价文件审批", "ecology-environment", 10, 30, "licensing"),
    "610326-GC-0203": ("生产建设项目水土保持方案审批", "water-resources", 10, 20, "licensing"),
    "610326-GC-0204": ("固定资产投资项目节能审查", "development-reform", 10, 20, "licensing"),
    "610326-GC-0301": ("建筑工程施工许可证核发", "housing-construction", 3, 7, "licensing"),
    "610326-GC-0302": ("工程质量安全监督手续办理", "housing-construction", 2, 5, "public_service"),
    "610326-GC-0401": ("建设工程规划条件核实", "natural-resources", 5, 20, "confirmation"),
    "610326-GC-0402": ("建设工程消防验收", "housing-construction", 10, 15, "licensing"),
    "610326-GC-0403": ("房屋建筑和市政基础设施工程竣工验收备案", "housing-construction", 3, 15, "filing"),
    "610326-GD-0001": ("占用、挖掘城市道路审批", "urban-management", 3, 20, "licensing"),
    "610326-GD-0002": ("临时占用城市绿地审批", "housing-construction", 3, 20, "licensing"),
    "610326-GD-0003": ("电力（管线）工程规划路由许可", "natural-resources", 3, 20, "licensing"),
}


def item_elements(code: str) -> dict:
    """The implementation elements of one item (enterprise applicants, fully online, one key form)."""
    name, department, promised, legal, kind = ITEMS[code]
    return {
        "code": code,
        "name": name,
        "kind": kind,
        "competent_department": department,
        "implementing_department": department,
        "level": "county",
        "audience": "enterprise",
        "on_application": True,
        "legal_basis": "《工程建设项目审批制度改革实施方案》（陕西省）",
        "conditions": "项目已取得前置审批手续",
        "legal_days": legal,
        "promised_days": promised,
        "handling_type": "promised",
        "online_depth": 4,
        "visits_required": 0,
        "visits_reason": "",
        "fee_charged": False,
        "fee_description": "",
        "online_payment": False,
        "delivery_window": True,
        "delivery_post": True,
        "delivery_electronic": True,
        "where_to_apply": "眉县政务服务中心工程建设项目审批专区",
        "when_to_apply": "工作日",
        "consult_phone": "0917-5500001",
        "complaint_phone": "12345",
        "reform_mode": "",
        "pledge_allowed": False,
        "kiosk_available": False,
        "cross_region": False,
        "keywords": "工程建设项目 工改",
        "materials": [
            {
                "code": "M01",
                "name": f"{name}申请表",
                "form": "original",
                "copies": 1,
                "required": True,
                "key": True,
                "deferrable": False,
                "pledge_replaceable": False,
                "licence_type": "",
                "blank_form": "",
                "sample": "",
                "note": "",
            }
        ],
        "form_fields": [dict(f) for f in ENTERPRISE_FIELDS],
    }


def items_missing(codes=None) -> list[str]:
    """Codes of ``ITEMS`` (or of ``codes``) not yet in the catalog."""
    wanted = list(codes or ITEMS)
    present = set(ServiceItem.objects.filter(code__in=wanted).values_list("code", flat=True))
    return [c for c in wanted if c not in present]


def items_publish(*, actor, codes=None) -> int:
    """Publish the items the catalog lacks through the catalog's own baseline publication."""
    from yiwang.catalog.services import items_publish_baseline

    missing = items_missing(codes)
    if missing:
        items_publish_baseline(
            elements_list=[item_elements(c) for c in missing], reason="工程建设项目审批事项清单", actor=actor
        )
    return len(missing)
