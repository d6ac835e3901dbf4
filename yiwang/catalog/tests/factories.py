"""Builders for catalog tests: a valid elements dict, and items published the way the county does it.

``elements()`` satisfies every consistency rule; tests override one thing to break one rule.
Items are published through ``items_publish_baseline`` (the real service), so versions and audit
events exist as they would in production.
"""

import copy

from yiwang.catalog import services
from yiwang.catalog.models import ServiceItem

BASE_MATERIALS = [
    {
        "code": "M01",
        "name": "食品经营许可申请书",
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
    },
    {
        "code": "M02",
        "name": "营业执照",
        "form": "copy",
        "copies": 1,
        "required": True,
        "key": True,
        "deferrable": False,
        "pledge_replaceable": False,
        "licence_type": "营业执照",
        "blank_form": "",
        "sample": "",
        "note": "",
    },
    {
        "code": "M03",
        "name": "经营场所平面布局图",
        "form": "original",
        "copies": 1,
        "required": True,
        "key": False,
        "deferrable": True,
        "pledge_replaceable": True,
        "licence_type": "",
        "blank_form": "",
        "sample": "",
        "note": "",
    },
]

BASE = {
    "code": "610326-XK-0001",
    "name": "食品经营许可（新办）",
    "kind": "licensing",
    "competent_department": "market-regulation",
    "implementing_department": "admin-approval",
    "level": "county",
    "audience": "enterprise",
    "on_application": True,
    "legal_basis": "《中华人民共和国食品安全法》第三十五条",
    "conditions": "持有营业执照，具有与经营的食品品种相适应的场所和设备。",
    "legal_days": 20,
    "promised_days": 5,
    "handling_type": "promised",
    "online_depth": 3,
    "visits_required": 1,
    "visits_reason": "需现场核验原件",
    "fee_charged": False,
    "fee_description": "",
    "online_payment": False,
    "delivery_window": True,
    "delivery_post": True,
    "delivery_electronic": False,
    "where_to_apply": "眉县政务服务中心综合受理窗口",
    "when_to_apply": "周一至周五",
    "consult_phone": "0917-5512345",
    "complaint_phone": "12345",
    "reform_mode": "pledge",
    "pledge_allowed": True,
    "kiosk_available": False,
    "cross_region": False,
    "keywords": "开饭店 餐馆",
    "materials": BASE_MATERIALS,
    "form_fields": [
        {"key": "entity_name", "label": "单位名称", "type": "text", "required": True},
        {"key": "entity_uscc", "label": "统一社会信用代码", "type": "uscc", "required": True},
    ],
}


def elements(**overrides) -> dict:
    data = copy.deepcopy(BASE)
    data.update(overrides)
    return data


def material(**overrides) -> dict:
    data = copy.deepcopy(BASE_MATERIALS[2])
    data.update(overrides)
    return data


def publish(actor, *element_dicts: dict, reason: str = "初始清单（测试）") -> list[ServiceItem]:
    return services.items_publish_baseline(elements_list=list(element_dicts), reason=reason, actor=actor)


def publish_one(actor, **overrides) -> ServiceItem:
    return publish(actor, elements(**overrides))[0]
