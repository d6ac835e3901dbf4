"""一件事: one merged material list and one merged form."""

import pytest

from yiwang.catalog import selectors, services
from yiwang.catalog.tests.factories import elements, material, publish
from yiwang.core.errors import ApplicationError

pytestmark = pytest.mark.django_db


@pytest.fixture
def opening(admin_user, dept_a, departments):
    publish(
        admin_user,
        elements(
            code="610326-QR-0001",
            name="有限责任公司设立登记",
            reform_mode="",
            pledge_allowed=False,
            materials=[
                material(code="M01", name="公司章程", key=True, deferrable=False, pledge_replaceable=False),
                material(
                    code="M02",
                    name="法定代表人身份证明",
                    form="copy",
                    licence_type="居民身份证",
                    deferrable=True,
                    pledge_replaceable=False,
                ),
            ],
            form_fields=[
                {"key": "entity_name", "label": "企业名称", "type": "text", "required": True},
                {"key": "business_scope", "label": "经营范围", "type": "textarea", "required": True},
            ],
        ),
        elements(
            code="610326-BA-0001",
            name="印章刻制备案",
            reform_mode="",
            pledge_allowed=False,
            materials=[
                material(
                    code="M01",
                    name="法定代表人（负责人）身份证",
                    form="original",
                    copies=2,
                    licence_type="居民身份证",
                    key=True,
                    deferrable=False,
                    pledge_replaceable=False,
                ),
                material(code="M02", name="印章刻制申请表", key=False, deferrable=True, pledge_replaceable=False),
            ],
            form_fields=[
                {"key": "entity_name", "label": "单位名称", "type": "text", "required": False},
                {"key": "seal_count", "label": "刻制枚数", "type": "number", "required": True},
            ],
        ),
    )
    return services.bundle_create(
        code="qiye-kaiban",
        name="企业开办",
        lead_department=dept_a,
        item_codes=["610326-QR-0001", "610326-BA-0001"],
        target_days=1,
        actor=admin_user,
    )


def test_it_merges_materials_once_with_the_strictest_requirement(opening):
    bundle = selectors.bundle_detail("qiye-kaiban")
    merged = {m.name: m for m in selectors.bundle_merged_materials(bundle)}
    assert list(merged) == ["公司章程", "法定代表人身份证明", "印章刻制申请表"]
    identity = merged["法定代表人身份证明"]  # both items ask for the ID card (same e-licence type)
    assert identity.sources == [("610326-QR-0001", "M02"), ("610326-BA-0001", "M01")]
    assert (identity.form, identity.copies, identity.key, identity.deferrable) == ("both", 2, True, False)
    assert identity.item_names == ["有限责任公司设立登记", "印章刻制备案"]


def test_it_merges_the_form_by_field_key(opening):
    bundle = selectors.bundle_detail("qiye-kaiban")
    fields = selectors.bundle_merged_form(bundle)
    assert [f["key"] for f in fields] == ["entity_name", "business_scope", "seal_count"]
    assert fields[0]["required"] is True and fields[0]["items"] == ["610326-QR-0001", "610326-BA-0001"]
    totals = selectors.bundle_totals(bundle)
    assert (totals["materials_before"], totals["materials_after"], totals["fields_before"], totals["fields_after"]) == (
        4,
        3,
        4,
        3,
    )


def test_bundle_rules(opening, admin_user, dept_a, handler_a):
    def create(**kw):
        args = {
            "code": "x",
            "name": "新的一件事",
            "lead_department": dept_a,
            "item_codes": ["610326-QR-0001", "610326-BA-0001"],
            "actor": admin_user,
        }
        args.update(kw)
        return services.bundle_create(**args)

    for kwargs, code in (
        ({"actor": handler_a}, "catalog.not_permitted"),
        ({"item_codes": ["610326-QR-0001"]}, "catalog.bundle_too_small"),
        ({"item_codes": ["610326-QR-0001", "610326-QR-0001"]}, "catalog.bundle_item_duplicate"),
        ({"item_codes": ["610326-QR-0001", "nope"]}, "catalog.bundle_item_unknown"),
        ({"code": "qiye-kaiban"}, "catalog.bundle_exists"),
    ):
        with pytest.raises(ApplicationError) as refused:
            create(**kwargs)
        assert refused.value.code == code
    assert selectors.bundle_list().count() == 1
    services.bundle_withdraw(bundle=opening, reason="调整", actor=admin_user)
    assert selectors.bundle_detail("qiye-kaiban") is None
