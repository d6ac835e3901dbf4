"""Test data for cases: published catalog items and bundles built through the catalog's own services,
upload files, and helpers that walk a case along its path."""

import datetime as dt

from django.core.files.uploadedfile import SimpleUploadedFile

from yiwang.catalog.models import Bundle, ServiceItem
from yiwang.catalog.services import bundle_create, items_publish_baseline
from yiwang.core.identifiers import make_id_number, make_uscc

CITIZEN_ID = make_id_number("610326", dt.date(1968, 3, 12), "042")
OTHER_ID = make_id_number("610326", dt.date(1979, 11, 2), "031")
COMPANY_USCC = make_uscc("91610326MA6X8Q2L7")
PERSON_FIELDS = [
    {"key": "applicant_name", "label": "申请人姓名", "type": "text", "required": True},
    {"key": "applicant_id_number", "label": "身份证号", "type": "id_number", "required": True},
    {"key": "applicant_address", "label": "住址", "type": "text", "required": True},
]
ENTERPRISE_FIELDS = [
    {"key": "entity_name", "label": "单位名称", "type": "text", "required": True},
    {"key": "entity_uscc", "label": "统一社会信用代码", "type": "uscc", "required": True},
    {"key": "entity_address", "label": "住所（经营场所）", "type": "text", "required": True},
]


def material(code, name, *, required=True, key=False, deferrable=False, pledge=False, licence=""):
    return {
        "code": code,
        "name": name,
        "form": "original",
        "copies": 1,
        "required": required,
        "key": key,
        "deferrable": deferrable,
        "pledge_replaceable": pledge,
        "licence_type": licence,
        "blank_form": "",
        "sample": "",
        "note": "",
    }


def elements(code, name, department, **overrides) -> dict:
    data = {
        "code": code,
        "name": name,
        "kind": "licensing",
        "competent_department": department.code,
        "implementing_department": department.code,
        "level": "county",
        "audience": "both",
        "on_application": True,
        "legal_basis": "《中华人民共和国食品安全法》第三十五条",
        "conditions": "具有与经营的食品品种、数量相适应的经营场所",
        "legal_days": 20,
        "promised_days": 10,
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
        "where_to_apply": "眉县政务服务中心",
        "when_to_apply": "工作日",
        "consult_phone": "0917-5500001",
        "complaint_phone": "12345",
        "reform_mode": "pledge",
        "pledge_allowed": True,
        "kiosk_available": True,
        "cross_region": False,
        "keywords": "开饭店",
        "materials": [
            material("M01", "食品经营许可申请书", key=True),
            material("M02", "营业执照", licence="营业执照"),
            material("M03", "经营场所使用证明", deferrable=True),
            material("M04", "从业人员健康证明", pledge=True),
            material("M05", "委托书", required=False),
        ],
        "form_fields": [dict(f) for f in PERSON_FIELDS],
    }
    data.update(overrides)
    return data


def publish(admin, *elements_list) -> list[ServiceItem]:
    return items_publish_baseline(elements_list=list(elements_list), reason="测试清单", actor=admin)


def make_bundle(admin, lead, items, *, code="qiye-kaiban", name="企业开办", target_days=1) -> Bundle:
    return bundle_create(
        code=code,
        name=name,
        lead_department=lead,
        item_codes=[i.code for i in items],
        actor=admin,
        audience="enterprise",
        target_days=target_days,
    )


def pdf_file(name="material.pdf", size=None) -> SimpleUploadedFile:
    body = b"%PDF-1.4\n% test material\n" + (b"0" * (size - 25) if size and size > 25 else b"")
    return SimpleUploadedFile(name, body, content_type="application/pdf")


def png_file(name="photo.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, content_type="image/png")


def exe_file(name="virus.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"MZ\x90\x00" + b"\x00" * 64, content_type="application/pdf")
