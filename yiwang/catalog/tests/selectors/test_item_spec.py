import dataclasses

import pytest

from yiwang.catalog import services
from yiwang.catalog.elements import item_elements
from yiwang.catalog.models import ServiceItem, ServiceItemVersion
from yiwang.catalog.selectors import ItemSpec, MaterialSpec, item_spec
from yiwang.catalog.tests.factories import material, publish_one


def test_it_types_every_element_of_the_current_version(food_item, dept_a):
    spec = item_spec(food_item)
    assert isinstance(spec, ItemSpec)
    assert (spec.code, spec.name, spec.kind, spec.level) == (
        "610326-XK-0001",
        "食品经营许可（新办）",
        "licensing",
        "county",
    )
    assert spec.version_number == 1
    assert spec.item_id == food_item.pk
    assert spec.department_id == dept_a.pk
    assert (spec.implementing_department, spec.competent_department) == ("admin-approval", "market-regulation")
    assert (spec.promised_days, spec.legal_days, spec.instant) == (5, 20, False)
    assert (spec.online_depth, spec.online, spec.visits_required) == (3, True, 1)
    assert spec.audience == "enterprise"
    assert spec.pledge_allowed and not spec.kiosk_available
    assert spec.delivery_methods == ("window", "post")
    assert spec.offers_delivery("post") and not spec.offers_delivery("electronic")
    assert not spec.offers_delivery("pigeon")
    assert [f.key for f in spec.form_fields] == ["entity_name", "entity_uscc"]
    assert spec.form_fields[0].required and spec.form_fields[0].label == "单位名称"
    assert [m.code for m in spec.materials] == ["M01", "M02", "M03"]
    assert spec.material("M02").licence_type == "营业执照"
    assert spec.material("M03") == MaterialSpec(
        code="M03",
        name="经营场所平面布局图",
        form="original",
        copies=1,
        required=True,
        key=False,
        deferrable=True,
        pledge_replaceable=True,
    )
    assert spec.material("M99") is None


def test_it_is_frozen(food_item):
    spec = item_spec(food_item)
    with pytest.raises(dataclasses.FrozenInstanceError):
        spec.promised_days = 1
    assert isinstance(spec.materials, tuple) and isinstance(spec.form_fields, tuple)


def test_it_reads_an_older_version_as_it_was_published(food_item, handler_a, handler_c):
    change = services.item_change_propose(
        elements={**item_elements(food_item), "promised_days": 3, "delivery_post": False},
        reason="压缩时限",
        actor=handler_a,
        item=food_item,
    )
    services.item_change_approve(change=change, actor=handler_c)
    food_item.refresh_from_db()
    first = ServiceItemVersion.objects.get(item=food_item, number=1)
    assert item_spec(food_item).promised_days == 3
    assert item_spec(food_item).version_number == 2
    old = item_spec(version=first)
    assert (old.promised_days, old.delivery_methods, old.version_number) == (5, ("window", "post"), 1)
    assert item_spec(food_item).delivery_methods == ("window",)


def test_it_marks_an_instant_item(admin_user, departments):
    item = publish_one(
        admin_user,
        code="610326-QR-0002",
        handling_type="instant",
        promised_days=0,
        legal_days=0,
        online_depth=4,
        visits_required=0,
        visits_reason="",
    )
    spec = item_spec(item)
    assert spec.instant and spec.promised_days == 0 and spec.visits_required == 0


def test_it_applies_the_defaults_cases_applies_to_missing_keys(food_item):
    version = ServiceItemVersion.objects.get(item=food_item, number=1)
    version.elements = {
        key: value
        for key, value in version.elements.items()
        if key not in ("audience", "pledge_allowed", "delivery_post", "form_fields")
    }
    version.elements["materials"] = [{"code": "M01", "name": "申请书", "key": True, "deferrable": True}]
    spec = item_spec(version=version)
    assert spec.audience == food_item.audience
    assert not spec.pledge_allowed
    assert spec.delivery_methods == ("window",)
    assert spec.form_fields == ()
    [m] = spec.materials
    assert m.required and m.key and not m.deferrable and not m.pledge_replaceable and m.licence_type == ""


def test_it_builds_an_unpublished_item_from_its_row(food_item):
    draft = ServiceItem.objects.get(pk=food_item.pk)
    draft.version = 0
    spec = item_spec(draft)
    assert spec.version_number == 0
    assert spec.code == food_item.code
    assert [m.code for m in spec.materials] == [m.code for m in food_item.materials.all()]


def test_it_needs_an_item_or_a_version():
    with pytest.raises(TypeError):
        item_spec()


def test_it_keeps_a_deferrable_non_key_material(admin_user, departments):
    item = publish_one(admin_user, code="610326-XK-0009", materials=[material(code="M09", name="场所证明")])
    assert item_spec(item).materials[0].deferrable


def test_it_takes_the_department_of_the_version(food_item, dept_b):
    version = ServiceItemVersion.objects.get(item=food_item, number=1)
    version.elements["implementing_department"] = dept_b.code
    assert item_spec(version=version).department_id == dept_b.pk
