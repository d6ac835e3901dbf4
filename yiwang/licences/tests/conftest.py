"""Fixtures for the e-licence tests: licence types and issued licences."""

import datetime as dt

import pytest

from yiwang.core.identifiers import make_id_number, make_uscc
from yiwang.licences.models import LicenceType
from yiwang.licences.services import licence_issue

PERSON_ID = make_id_number("610326", dt.date(1975, 6, 18), "021")
COMPANY_USCC = make_uscc("91610326MA6Y3K5P2")


@pytest.fixture
def business_type(db):
    return LicenceType.objects.create(
        code="yyzz",
        name="营业执照",
        fields_schema=[
            {"key": "entity_name", "label": "名称", "required": True},
            {"key": "scope", "label": "经营范围", "required": True},
            {"key": "address", "label": "住所"},
        ],
        item_codes=["610326-XK-001"],
    )


@pytest.fixture
def food_type(db):
    return LicenceType.objects.create(
        code="spjy",
        name="食品经营许可证",
        fields_schema=[{"key": "scope", "label": "经营项目", "required": True}],
        validity_years=5,
    )


@pytest.fixture
def company_licence(business_type, dept_a):
    return licence_issue(
        licence_type=business_type,
        holder_name="眉县秦岭猕猴桃专业合作社",
        holder_uscc=COMPANY_USCC,
        fields={"entity_name": "眉县秦岭猕猴桃专业合作社", "scope": "猕猴桃种植、收购、销售"},
        department=dept_a,
        actor=None,
    )


@pytest.fixture
def person_licence(food_type, dept_b):
    return licence_issue(
        licence_type=food_type,
        holder_name="李建国",
        holder_id_number=PERSON_ID,
        fields={"scope": "预包装食品销售"},
        department=dept_b,
        actor=None,
    )
