import json

import pytest

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.org.models import Department, DepartmentAlias
from yiwang.org.services import (
    DEPARTMENTS_FILE,
    department_alias_add,
    department_load_from_data,
    region_load_from_data,
)


@pytest.fixture
def regions(db):
    region_load_from_data(actor=None)


def test_it_loads_every_department_and_alias_and_is_idempotent(regions):
    rows = json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))["departments"]
    first = department_load_from_data(actor=None)
    assert first["departments_created"] == len(rows) == Department.objects.count()
    assert first["aliases_created"] == sum(len(r["aliases"]) for r in rows) == DepartmentAlias.objects.count()
    assert AuditEvent.objects.filter(action="org.department_created").count() == len(rows)

    second = department_load_from_data(actor=None)
    assert second == {"departments_created": 0, "departments_updated": 0, "aliases_created": 0}
    assert Department.objects.count() == len(rows)


def test_it_folds_the_plans_misspelling_into_the_right_department(regions):
    department_load_from_data(actor=None)
    alias = DepartmentAlias.objects.get(alias="县商务和工业化局")
    assert alias.department.name == "眉县商务和工业信息化局"
    assert DepartmentAlias.objects.get(alias="县人民法院").department.short_name == "县法院"
    assert DepartmentAlias.objects.get(alias="供电公司").department.short_name == "供电眉县分公司"


def test_it_puts_town_governments_in_their_town(regions):
    department_load_from_data(actor=None)
    huaiya = Department.objects.get(code="huaiya-town")
    assert huaiya.kind == Department.Kind.TOWN
    assert huaiya.region.name == "槐芽镇"


def test_it_updates_a_renamed_department_and_keeps_admin_aliases(regions, tmp_path):
    department_load_from_data(actor=None)
    department_alias_add(department=Department.objects.get(code="finance"), alias="县财政", actor=None)
    data = json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))
    for row in data["departments"]:
        if row["code"] == "finance":
            row["name"] = "眉县财政局（更名测试）"
    path = tmp_path / "departments.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    counts = department_load_from_data(actor=None, path=path)

    assert counts["departments_updated"] == 1
    finance = Department.objects.get(code="finance")
    assert finance.name == "眉县财政局（更名测试）"
    assert finance.aliases.filter(alias="县财政").exists()
    event = AuditEvent.objects.get(action="org.department_updated", object_id=str(finance.pk))
    assert event.before["name"] == "眉县财政局"


def test_it_refuses_data_where_one_spelling_means_two_departments(regions, tmp_path):
    data = {
        "departments": [
            {
                "code": "a",
                "name": "眉县甲局",
                "short_name": "县甲局",
                "kind": "government",
                "region": "610326",
                "aliases": ["甲乙局"],
            },
            {
                "code": "b",
                "name": "眉县乙局",
                "short_name": "县乙局",
                "kind": "government",
                "region": "610326",
                "aliases": ["县甲乙局"],
            },
        ]
    }
    path = tmp_path / "departments.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(ApplicationError) as excinfo:
        department_load_from_data(actor=None, path=path)
    assert excinfo.value.code == "org.import_invalid"
    [error] = excinfo.value.details["errors"]
    assert error["code"] == "org.alias_conflict"
    assert (error["sheet"], error["row"], error["column"]) == ("部门", 2, "别名")
    assert "甲乙局" in error["message"]
    assert not Department.objects.exists()


def test_it_refuses_to_load_before_the_regions_exist(db):
    with pytest.raises(ApplicationError) as excinfo:
        department_load_from_data(actor=None)
    assert excinfo.value.code == "org.import_invalid"
    errors = excinfo.value.details["errors"]
    assert {e["code"] for e in errors} == {"org.region_missing"}
    assert any("610326" in e["message"] for e in errors)
    assert not Department.objects.exists()


def test_it_adds_an_alias_with_an_audit_event(dept_a, admin_user):
    alias = department_alias_add(department=dept_a, alias=" 县审批局 ", actor=admin_user)
    assert alias.alias == "县审批局"
    assert alias.key == "审批局"
    event = AuditEvent.objects.get(action="org.department_alias_added")
    assert event.after == {"alias": "县审批局"}
    assert event.actor_id == admin_user.pk


def test_it_refuses_an_alias_that_already_means_another_department(dept_a, dept_b):
    with pytest.raises(ApplicationError) as excinfo:
        department_alias_add(department=dept_a, alias="眉县市场监管局", actor=None)
    assert excinfo.value.code == "org.alias_conflict"
    assert excinfo.value.status == 409
    assert "眉县市场监督管理局" in excinfo.value.message
    assert not dept_a.aliases.filter(alias="眉县市场监管局").exists()


def test_it_refuses_an_empty_alias(dept_a):
    with pytest.raises(ApplicationError) as excinfo:
        department_alias_add(department=dept_a, alias=" 、 ", actor=None)
    assert excinfo.value.code == "org.alias_required"


def test_it_adds_new_aliases_from_the_file_to_an_existing_department(regions, tmp_path):
    department_load_from_data(actor=None)
    data = json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))
    for row in data["departments"]:
        if row["code"] == "health":
            row["aliases"].append("县卫健委")
    path = tmp_path / "departments.json"
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")

    counts = department_load_from_data(actor=None, path=path)

    assert counts == {"departments_created": 0, "departments_updated": 0, "aliases_created": 1}
    assert DepartmentAlias.objects.get(alias="县卫健委").department.code == "health"
    event = AuditEvent.objects.get(action="org.department_aliases_added")
    assert event.after["aliases_added"] == ["县卫健委"]


def test_it_refuses_data_that_clashes_with_a_stored_alias(regions, dept_a):
    department_alias_add(department=dept_a, alias="县人社局", actor=None)
    with pytest.raises(ApplicationError) as excinfo:
        department_load_from_data(actor=None)
    assert excinfo.value.code == "org.import_invalid"
    [error] = excinfo.value.details["errors"]
    assert error["code"] == "org.alias_conflict"
    assert error["message"] == "名称“人社局”已指向同一区划的部门 admin-approval"
    assert not Department.objects.filter(code="human-resources-social-security").exists()
