import json

import pytest
from django.conf import settings

from yiwang.org.models import Department
from yiwang.org.names import normalize_department_name, responsibility_notes, responsibility_units
from yiwang.org.selectors import department_list, department_resolve
from yiwang.org.services import DEPARTMENTS_FILE, department_load_from_data, region_load_from_data
from yiwang.org.tests.factories import DepartmentFactory

PLAN = settings.SHARED_DIR / "seed" / "meixian-2021-business-environment-plan.txt"
# Units the plan names outside the responsibility notes (五、保障措施).
PLAN_SAFEGUARD_UNITS = ["县政府办公室", "县职转和营商办", "县政府督查室", "县纪委监委", "县融媒体中心"]


@pytest.fixture
def loaded(db):
    region_load_from_data(actor=None)
    department_load_from_data(actor=None)


def test_it_resolves_every_name_short_name_and_alias_in_the_data(loaded):
    rows = json.loads(DEPARTMENTS_FILE.read_text(encoding="utf-8"))["departments"]
    for row in rows:
        for spelling in [row["name"], row["short_name"], *row["aliases"]]:
            found = department_resolve(spelling)
            assert found is not None, spelling
            assert found.code == row["code"], (spelling, found.code)


# The ways documents write a unit, and the department each one means.
WRITTEN = [
    ("市场监管局", "market-regulation"),
    ("县市场监管局", "market-regulation"),
    ("眉县市场监管局", "market-regulation"),
    ("县市场监督管理局", "market-regulation"),
    ("  县 法院 ", "court"),
    ("县人民法院", "court"),
    ("供电眉县分公司", "state-grid-meixian"),
    ("供电分公司", "state-grid-meixian"),
    ("供电公司", "state-grid-meixian"),
    ("县商务和工业化局", "commerce-industry-it"),
    ("县自来水公司", "meixian-water"),
    ("县委编办", "party-establishment-office"),
    ("中共眉县纪律检查委员会(眉县监察委员会)", "discipline-supervision"),
    ("县营商办", "business-environment-office"),
    ("县政府督查室", "government-inspection-office"),
    ("槐芽镇", "huaiya-town"),
]


def test_it_resolves_the_ways_documents_write_a_unit(loaded):
    resolved = {written: getattr(department_resolve(written), "code", None) for written, _ in WRITTEN}
    assert resolved == dict(WRITTEN)


def test_it_resolves_nothing_for_an_unknown_or_empty_name(loaded):
    for written in ["", "  ", "县", "眉县", "县档案局", "各相关部门"]:
        assert department_resolve(written) is None, written


@pytest.mark.skipif(not PLAN.exists(), reason=f"the seed plan is not present at {PLAN}")
def test_it_resolves_every_unit_the_plan_names(loaded):
    text = PLAN.read_text(encoding="utf-8")
    notes = responsibility_notes(text)
    written = {unit for note in notes for unit in responsibility_units(note)}
    assert len(notes) > 60 and len(written) > 50  # the parser really read the plan
    unresolved = sorted(name for name in written | set(PLAN_SAFEGUARD_UNITS) if department_resolve(name) is None)
    assert unresolved == []
    assert department_resolve("县商务和工业化局") == department_resolve("县商务和工业信息化局")


def test_it_reads_the_units_out_of_a_responsibility_note():
    note = "县行政审批服务局牵头，县自然资源局、发改局、住建局、生态环境局等相关部门、园区按照职责分工负责"
    assert responsibility_units(note) == ["县行政审批服务局", "县自然资源局", "发改局", "住建局", "生态环境局"]
    header = "包抓领导：县委常委、副县长陈尚东，牵头部门：县行政审批服务局、市场监管局"
    assert responsibility_units(header) == ["县行政审批服务局", "市场监管局"]
    assert responsibility_units("县商务和工业信息化局负责") == ["县商务和工业信息化局"]
    assert responsibility_units("县行政审批服务局牵头，各镇（街）、各相关部门按职责分工负责") == ["县行政审批服务局"]


def test_it_finds_notes_with_nested_brackets():
    text = "（一）标题。正文（县行政审批服务局牵头，各镇（街）、各相关部门按职责分工负责）(县信息中心牵头)"
    assert responsibility_notes(text) == [
        "县行政审批服务局牵头，各镇（街）、各相关部门按职责分工负责",
        "县信息中心牵头",
    ]


def test_it_normalises_spacing_width_punctuation_and_the_county_prefix():
    assert normalize_department_name(" 眉县 市场监管局。") == "市场监管局"
    assert normalize_department_name("县法院") == normalize_department_name("法院")
    assert normalize_department_name("ＡＢＣ（１２３４５）") == "ABC12345"


def test_it_prefers_an_active_department_and_refuses_to_guess_between_two(meixian):
    old = DepartmentFactory(code="old", name="眉县旧局", short_name="县示范局", is_active=False)
    assert department_resolve("示范局") == old
    new = DepartmentFactory(code="new", name="眉县新局", short_name="县示范局")
    assert department_resolve("示范局") == new
    DepartmentFactory(code="newer", name="眉县更新局", short_name="县示范局")
    assert department_resolve("示范局") is None


def test_it_searches_departments_by_name_short_name_or_alias(loaded):
    assert [d.code for d in department_list(q="工业化局")] == ["commerce-industry-it"]
    assert [d.code for d in department_list(q="眉县市场监管局")] == ["market-regulation"]
    assert department_list(q="燃气").count() == 2
    Department.objects.filter(code="huatong-gas").update(is_active=False)
    assert department_list(q="燃气").count() == 1
    assert department_list(q="燃气", include_inactive=True).count() == 2
