"""Regions and departments loaded from a clerk's workbook (``excel.workbook_parse`` → ``services.org_import``).

The files are made by hand with openpyxl the way a clerk's file looks: codes typed into number cells,
blank optional cells, aliases with mixed separators — never by the product's own export.
"""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook, load_workbook

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.org import excel
from yiwang.org.models import Department, DepartmentAlias, Region
from yiwang.org.selectors import department_resolve
from yiwang.org.services import (
    DEPARTMENTS_FILE,
    REGIONS_FILE,
    department_load_from_data,
    org_import,
    region_load_from_data,
)

REGION_HEADERS = ["区划代码", "区划名称", "层级", "上级区划代码", "示意数据"]
DEPARTMENT_HEADERS = ["部门编码", "部门全称", "简称", "别名", "所属区划代码", "类别"]


def clerk_file(path, regions, departments, *, region_headers=REGION_HEADERS, department_headers=DEPARTMENT_HEADERS):
    wb = Workbook()
    ws = wb.active
    ws.title = "行政区划"
    ws.append(region_headers)
    for row in regions:
        ws.append(row)
    ws = wb.create_sheet("部门")
    ws.append(department_headers)
    for row in departments:
        ws.append(row)
    wb.save(path)
    return path


# Sichuan 广安区 as a clerk types it: codes as numbers, the level in several spellings, blank cells.
GUANGAN_REGIONS = [
    [511600, "广安市", "市级", 510000, None],
    [510000, "四川省", "省", None, None],  # a parent after its child: the import orders them
    ["511602", "广安区", "区", "511600", ""],
    [511602001, "浣花街道", "街道", 511602, None],
    [511602100, "悦来镇", "镇（街道）级", "511602", "否"],
    [None, None, None, None, None],  # a blank row in the middle
    [511602100201, "新民村", "村", 511602100, "是"],
]
GUANGAN_DEPARTMENTS = [
    ["ga-rsj", "广安区人力资源和社会保障局", "区人社局", "人社局；区人力社保局、广安区人社局", 511602, None],
    ["ga-scjg", "广安区市场监督管理局", "区市场监管局", "区市监局,市场监管局", "511602", "县政府部门"],
    ["ga-yl", "广安区悦来镇人民政府", None, None, 511602100, "镇街"],
    ["gas-rsj", "广安市人力资源和社会保障局", "市人社局", None, 511600, None],
]


@pytest.fixture
def guangan_file(tmp_path):
    return clerk_file(tmp_path / "广安区.xlsx", GUANGAN_REGIONS, GUANGAN_DEPARTMENTS)


def _import(path, actor=None):
    parsed = excel.workbook_parse(path)
    return org_import(regions=parsed.regions, departments=parsed.departments, errors=parsed.errors, actor=actor)


def test_it_loads_a_clerks_file_exactly(db, guangan_file, admin_user):
    before = AuditEvent.objects.count()
    report = _import(guangan_file, actor=admin_user)

    assert report.as_dict() == {
        "regions_created": 6,
        "regions_updated": 0,
        "regions_unchanged": 0,
        "departments_created": 4,
        "departments_updated": 0,
        "departments_unchanged": 0,
        "aliases_created": 5,
    }
    stored = {
        r.code: (r.name, r.level, r.parent.code if r.parent else None, r.path, r.is_illustrative)
        for r in Region.objects.filter(code__startswith="51")
    }
    assert stored == {
        "510000": ("四川省", "province", None, "510000/", False),
        "511600": ("广安市", "city", "510000", "510000/511600/", False),
        "511602": ("广安区", "county", "511600", "510000/511600/511602/", False),
        "511602001": ("浣花街道", "town", "511602", "510000/511600/511602/511602001/", False),
        "511602100": ("悦来镇", "town", "511602", "510000/511600/511602/511602100/", False),
        "511602100201": ("新民村", "village", "511602100", "510000/511600/511602/511602100/511602100201/", True),
    }
    rsj = Department.objects.get(code="ga-rsj")
    assert (rsj.name, rsj.short_name, rsj.kind, rsj.region.code) == (
        "广安区人力资源和社会保障局",
        "区人社局",
        "government",
        "511602",
    )
    assert sorted(rsj.aliases.values_list("alias", flat=True)) == ["人社局", "区人力社保局", "广安区人社局"]
    town = Department.objects.get(code="ga-yl")
    # A blank short name is the full name; 镇街 is the town kind.
    assert (town.short_name, town.kind, town.region.name) == ("广安区悦来镇人民政府", "town", "悦来镇")
    assert sorted(DepartmentAlias.objects.filter(department__code="ga-scjg").values_list("alias", flat=True)) == [
        "区市监局",
        "市场监管局",
    ]
    # One event per created row and one summary, all by the administrator.
    events = AuditEvent.objects.order_by("pk")[before:]
    assert [e.action for e in events].count("org.region_created") == 6
    assert [e.action for e in events].count("org.department_created") == 4
    summary = AuditEvent.objects.get(action="org.import")
    assert summary.actor_id == admin_user.pk
    assert summary.details["departments_created"] == 4


def test_it_changes_nothing_on_the_same_file_twice_and_says_so(db, guangan_file):
    _import(guangan_file)
    events = AuditEvent.objects.count()
    report = _import(guangan_file)
    assert not report.changed
    assert (report.regions_unchanged, report.departments_unchanged) == (6, 4)
    assert AuditEvent.objects.count() == events

    out = io.StringIO()
    call_command("org", "import", str(guangan_file), stdout=out, stderr=io.StringIO())
    assert out.getvalue().strip() == "无变化：文件与现有数据一致（行政区划 6，部门 4）"


def test_it_updates_a_renamed_row_and_keeps_level_parent_and_stored_aliases(db, guangan_file, tmp_path):
    _import(guangan_file)
    regions = [list(r) for r in GUANGAN_REGIONS]
    regions[3][1] = "浣花溪街道"
    departments = [list(d) for d in GUANGAN_DEPARTMENTS]
    departments[0][3] = "区人社"  # the stored aliases stay; this one is added
    departments[1][1] = "广安区市场监管局"
    report = _import(clerk_file(tmp_path / "v2.xlsx", regions, departments))
    assert (report.regions_updated, report.departments_updated, report.aliases_created) == (1, 1, 1)
    assert Region.objects.get(code="511602001").name == "浣花溪街道"
    assert Department.objects.get(code="ga-scjg").name == "广安区市场监管局"
    assert DepartmentAlias.objects.filter(department__code="ga-rsj").count() == 4
    event = AuditEvent.objects.get(action="org.department_updated")
    assert event.before["name"] == "广安区市场监督管理局"


def test_it_refuses_the_whole_file_and_lists_every_error(db, tmp_path, guangan_file):
    _import(guangan_file)
    path = clerk_file(
        tmp_path / "bad.xlsx",
        [
            [511603.5, "前锋区", "县级", 511600, None],  # a decimal is no code
            [5116021000000000001, "超长村", "村", 511602100, None],  # > 15 digits: Excel changed it
            ["511604", "华蓥市", "县市", "511600", None],  # 县市 is no level
            ["511621", "岳池县", "县级", "511700", None],  # parent nowhere
            ["511622", "武胜县", "县级", None, "也许"],  # no parent; not 是/否
            ["511623", "邻水县", "县级", "511600", None],
            ["511623", "邻水县", "县级", "511600", None],  # duplicate
            ["511602", "广安区", "镇（街道）级", "511600", None],  # a stored region's level is fixed
        ],
        [
            ["ga-rsj2", "广安区人社服务中心", None, "区人社局", 511602, None],  # 区人社局 is ga-rsj's
            ["yc-1", None, None, None, "511699", "县政府部门"],  # no name; region nowhere
            ["yc 2", "岳池县某局", None, None, "511621", "事业单位"],  # bad code, bad kind
            ["ga-x", "广安区某局", None, None, None, None],  # no region
        ],
    )
    with pytest.raises(ApplicationError) as excinfo:
        _import(path)
    assert excinfo.value.code == "org.import_invalid"
    found = {(e["sheet"], e["row"], e["column"], e["code"]) for e in excinfo.value.details["errors"]}
    assert found == {
        ("行政区划", 2, "区划代码", "org.import_cell_invalid"),
        ("行政区划", 3, "区划代码", "org.import_cell_invalid"),
        ("行政区划", 4, "层级", "org.import_bad_enum"),
        ("行政区划", 5, "上级区划代码", "org.region_parent_missing"),
        ("行政区划", 6, "上级区划代码", "org.region_parent_required"),
        ("行政区划", 6, "示意数据", "org.import_bad_enum"),
        ("行政区划", 8, "区划代码", "org.import_duplicate_code"),
        ("行政区划", 9, "层级", "org.region_level_fixed"),
        ("部门", 2, "别名", "org.alias_conflict"),
        ("部门", 3, "部门全称", "org.import_required"),
        ("部门", 3, "所属区划代码", "org.region_missing"),
        ("部门", 4, "部门编码", "org.import_cell_invalid"),
        ("部门", 4, "类别", "org.import_bad_enum"),
        ("部门", 5, "所属区划代码", "org.import_required"),
    }
    assert (
        excinfo.value.message == f"导入文件有{len(excinfo.value.details['errors'])}处错误，行政区划和部门未做任何修改"
    )
    assert not Region.objects.filter(code__in=["511603", "511604", "511621", "511622", "511623"]).exists()
    assert not Department.objects.filter(code__in=["ga-rsj2", "yc-1"]).exists()
    assert Region.objects.get(code="511602").level == "county"

    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("org", "import", str(path), stdout=io.StringIO(), stderr=err)
    assert "部门 第4行“类别”列：“事业单位”不在可选范围内" in err.getvalue()
    assert "行政区划 第3行“区划代码”列：“5116021000000000000”超过 15 位" in err.getvalue()


def test_it_resolves_department_names_with_each_regions_prefix_rules(db, guangan_file):
    region_load_from_data(actor=None)
    department_load_from_data(actor=None)
    _import(guangan_file)
    guangan = Region.objects.get(code="511602")
    meixian = Region.objects.get(code="610326")
    assert department_resolve("区人社局", region=guangan).code == "ga-rsj"
    assert department_resolve("人社局", region=guangan).code == "ga-rsj"
    assert department_resolve("区市场监管局", region=guangan).code == "ga-scjg"
    assert department_resolve("市人社局", region=guangan).code == "gas-rsj"  # the city above
    assert department_resolve("悦来镇人民政府", region=guangan).code == "ga-yl"
    assert department_resolve("县人社局", region=meixian).code == "human-resources-social-security"
    assert department_resolve("人社局", region=meixian).code == "human-resources-social-security"
    # 人社局 alone names a unit in both counties: without a region it is ambiguous.
    assert department_resolve("人社局") is None
    # A name written with this district's prefix never means another region's unit.
    assert department_resolve("区发改局", region=guangan) is None
    assert department_resolve("县市场监管局", region=meixian).code == "market-regulation"
    assert department_resolve("县市场监管局") is None  # 市场监管局 is also 广安区's alias
    # A name only one region uses needs no region.
    assert department_resolve("县商务和工业化局").code == "commerce-industry-it"


def test_the_template_documents_every_column_and_formats_codes_as_text(db, tmp_path):
    path = tmp_path / "模板.xlsx"
    out = io.StringIO()
    call_command("org", "template", str(path), stdout=out)
    wb = load_workbook(path)
    assert wb.sheetnames == ["行政区划", "部门", "填写说明"]
    assert [c.value for c in wb["行政区划"][1]] == REGION_HEADERS
    assert [c.value for c in wb["部门"][1]] == DEPARTMENT_HEADERS
    assert wb["行政区划"]["A2"].number_format == "@" and wb["部门"]["E2"].number_format == "@"
    readme = {(r[0], r[1]): r[2:] for r in wb["填写说明"].iter_rows(min_row=2, values_only=True) if r[1]}
    assert readme[("行政区划", "层级")][:2] == ("是", "省级、市级、县级、镇（街道）级、村（社区）级")
    assert readme[("部门", "简称")][0] == "否"
    assert "留空即与全称相同" in readme[("部门", "简称")][2]
    assert "留空即“县政府部门”" in readme[("部门", "类别")][2]


def _meixian_file(path):
    """The Meixian data (the project's data files) written into the template, as a clerk would fill it."""
    wb = excel.template_workbook()
    for row in json.loads(REGIONS_FILE.read_text(encoding="utf-8"))["regions"]:
        level = excel.LEVEL_LABELS[row["level"]]
        wb["行政区划"].append(
            [row["code"], row["name"], level, row["parent"], "是" if row.get("is_illustrative") else None]
        )
    kinds = dict(Department.Kind.choices)
    for row in json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))["departments"]:
        wb["部门"].append(
            [
                row["code"],
                row["name"],
                row["short_name"],
                "、".join(row["aliases"]),
                row["region"],
                str(kinds[row["kind"]]),
            ]
        )
    wb.save(path)
    return path


def test_the_meixian_data_loads_through_the_template_like_the_data_files(db, tmp_path):
    path = _meixian_file(tmp_path / "眉县.xlsx")
    out = io.StringIO()
    call_command("org", "import", str(path), stdout=out, stderr=io.StringIO())
    assert "行政区划新建 49" in out.getvalue() and "部门新建 57" in out.getvalue()
    from_workbook = {
        "regions": sorted(
            Region.objects.values_list("code", "name", "level", "parent__code", "path", "is_illustrative")
        ),
        "departments": sorted(Department.objects.values_list("code", "name", "short_name", "kind", "region__code")),
        "aliases": sorted(DepartmentAlias.objects.values_list("alias", "department__code")),
    }
    # The data files now go through the same import: nothing left to change.
    assert region_load_from_data(actor=None) == {"created": 0, "updated": 0, "unchanged": 49}
    assert department_load_from_data(actor=None) == {
        "departments_created": 0,
        "departments_updated": 0,
        "aliases_created": 0,
    }
    data = json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))["departments"]
    assert len(from_workbook["aliases"]) == sum(len(r["aliases"]) for r in data)
    assert len(from_workbook["regions"]) == 49 and len(from_workbook["departments"]) == 57
