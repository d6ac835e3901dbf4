"""The importer on the seed plan (counts, leaders, canonical departments, every target and milestone)
and on malformed plans (errors with line numbers, nothing written)."""

import datetime as dt
import json
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from yiwang.core.errors import ApplicationError
from yiwang.core.models import AuditEvent
from yiwang.supervision.models import Area, Milestone, Plan, PlanTarget, PlanTask, TaskDepartment
from yiwang.supervision.planparse import PlanParseError, parse_plan
from yiwang.supervision.services.plan import plan_import

from ..conftest import PLAN_FILE, needs_plan

# Tasks per area, 四（一）…（十八）, as the seed plan numbers them.
TASKS_PER_AREA = [3, 7, 4, 3, 2, 7, 1, 3, 5, 4, 4, 6, 2, 4, 8, 4, 5, 9]
LEADERS = {
    1: "陈尚东",
    2: "陈尚东",
    3: "曲永宏",
    4: "戴慧萍",
    5: "曲永宏",
    6: "戴慧萍",
    7: "曲永宏",
    8: "景谦军",
    9: "戴慧萍",
    10: "景谦军",
    11: "景谦军",
    12: "戴慧萍",
    13: "戴慧萍",
    14: "戴慧萍",
    15: "陈尚东",
    16: "陈尚东",
    17: "陈尚东",
    18: "戴慧萍",
}
AREA_LEADS = {
    1: ["县行政审批服务局", "县市场监管局"],
    2: ["县行政审批服务局"],
    3: ["供电眉县分公司"],
    4: ["县住建局"],
    5: ["县自然资源局"],
    6: ["县税务局"],
    7: ["县商务和工业信息化局"],
    8: ["县法院"],
    9: ["县金融办"],
    10: ["县法院"],
    11: ["县法院"],
    12: ["县人社局"],
    13: ["县财政局"],
    14: ["县发改局"],
    15: ["县行政审批服务局"],
    16: ["县市场监管局"],
    17: ["县市场监管局"],
    18: ["县发改局"],
}
# Every number the plan sets, by task: (value, unit, comparator).
TARGETS = {
    "推进政务服务“一网通办”": [(60, "%", "ge")],
    "持续深化工程建设项目审批制度改革": [(90, "工作日", "le"), (50, "工作日", "le"), (15, "工作日", "le")],
    "发挥好信用体系监管作用": [(23, "个重点领域", "eq")],
    "打造“15分钟政务服务圈”": [(15, "分钟", "eq"), (75, "项", "eq"), (52, "项", "eq")],
    "制定出台“利企便民十大举措”": [(1, "日", "le")],
    "设立“办不成事”窗口": [(1, "工作日", "le"), (7, "工作日", "le")],
    "开展政务服务效能“大体检”": [(1, "次/季度", "ge")],
    "深化“证照分离”改革": [(106, "项", "ge")],
    "压缩用电报装办理时间": [
        (5, "工作日", "le"),
        (20, "工作日", "le"),
        (6, "工作日", "le"),
        (22, "工作日", "le"),
        (32, "工作日", "le"),
    ],
    "提升不动产登记服务效能": [(24, "小时", "eq")],
    "增进智慧诉讼服务的广度和深度": [(24, "小时", "eq")],
    "提供“不打烊”自动服务": [(24, "小时", "eq")],
}


@needs_plan
def test_it_reads_every_part_and_area_of_the_seed_plan(org, plan_text):
    data = plan_import(text=plan_text, actor=None, dry_run=True).as_json()
    assert data["year"] == 2021 and data["title"] == "眉县2021年深化“放管服”改革优化营商环境工作实施方案"
    assert [len(data[k]) for k in ("key_tasks", "highlights", "areas", "safeguards")] == [6, 5, 18, 3]
    assert [len(a["tasks"]) for a in data["areas"]] == TASKS_PER_AREA
    assert {a["no"]: a["leader"] for a in data["areas"]} == LEADERS
    assert {a["no"]: a["lead_departments"] for a in data["areas"]} == AREA_LEADS
    first = data["areas"][0]
    assert first["title"] == "简化企业开办" and first["leader_title"] == "县委常委、副县长"
    assert first["tasks"][0] == {
        "no": 1,
        "title": "推行“企业开办一网通办”平台",
        "lead_departments": ["县行政审批服务局"],
        "co_departments": [
            "县公安局",
            "县人社局",
            "县税务局",
            "县市场监管局",
            "人民银行眉县支行",
            "县住房公积金管理中心",
        ],
    }
    # 二（一）: “县行政审批服务局、市场监管局牵头，信息中心等…” — canonical names, leads before co-departments.
    assert data["key_tasks"][0]["lead_departments"] == ["县行政审批服务局", "县市场监管局"]
    assert data["key_tasks"][0]["co_departments"] == ["县信息中心"]
    # 四（七）has one unnumbered task; 四（十八）5 misspells 县商务和工业化局.
    assert data["areas"][6]["tasks"][0]["title"] == "优化外贸服务"
    assert data["areas"][17]["tasks"][4]["lead_departments"] == ["县商务和工业信息化局"]
    assert [s["title"] for s in data["safeguards"]] == [
        "加强组织领导，密切协同配合",
        "加强督查考核，高效推动落实",
        "加强宣传引导，营造浓厚氛围",
    ]


@needs_plan
def test_it_extracts_every_target_and_dated_milestone(org, plan_text):
    data = plan_import(text=plan_text, actor=None, dry_run=True).as_json()
    found: dict[str, list] = {}
    for target in data["targets"]:
        found.setdefault(target["task"], []).append((target["value"], target["unit"], target["comparator"]))
    assert found == TARGETS
    assert {(m["task"], m["due_on"]) for m in data["milestones"]} == {
        ("打造“15分钟政务服务圈”", "2021-12-31"),  # 力争在2021年底前
        ("规范行业协会商会运行", "2021-07-31"),  # 7月底前
    }
    assert "行业协会商会乱收费" in next(m["text"] for m in data["milestones"] if m["due_on"] == "2021-07-31")


@needs_plan
def test_it_writes_the_plan_once_and_a_reimport_changes_nothing(plan_text, office, county_leader):
    result = plan_import(text=plan_text, actor=office, source_name="plan.txt")
    assert result.created
    plan = result.plan
    assert Area.objects.filter(plan=plan).count() == 18
    assert PlanTask.objects.filter(plan=plan).count() == 6 + 5 + sum(TASKS_PER_AREA) + 3
    assert PlanTarget.objects.filter(task__plan=plan).count() == sum(len(v) for v in TARGETS.values())
    assert Milestone.objects.filter(task__plan=plan, source="plan").count() == 2
    milestone = Milestone.objects.get(due_on=dt.date(2021, 7, 31))
    assert milestone.clock is not None and milestone.clock.owner == milestone
    area = Area.objects.get(plan=plan, no=1)
    assert area.leader_user == county_leader  # 陈尚东 has a leader account: escalations reach him
    assert sorted(area.lead_departments.values_list("short_name", flat=True)) == ["县市场监管局", "县行政审批服务局"]
    task = PlanTask.objects.get(plan=plan, part=4, area=area, no=2)
    assert task.reference == "四（一）2"
    assert list(task.assignments.filter(role="lead").values_list("department__short_name", flat=True)) == [
        "县市场监管局"
    ]
    assert task.targets.get().value == Decimal("106")

    counts = (
        AuditEvent.objects.count(),
        PlanTask.objects.count(),
        TaskDepartment.objects.count(),
        Milestone.objects.count(),
    )
    again = plan_import(text=plan_text, actor=office, source_name="plan.txt")
    assert again.unchanged and again.plan == plan
    assert (
        AuditEvent.objects.count(),
        PlanTask.objects.count(),
        TaskDepartment.objects.count(),
        Milestone.objects.count(),
    ) == counts


@needs_plan
def test_the_command_prints_the_json_without_writing(org):
    out = StringIO()
    call_command("supervision", "import-plan", str(PLAN_FILE), "--dry-run", "--json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["areas"][0]["leader"] == "陈尚东"
    assert data["areas"][0]["lead_departments"] == ["县行政审批服务局", "县市场监管局"]
    assert Plan.objects.count() == 0


MINIMAL = """眉县2022年优化营商环境工作方案
一、思路目标
目标。
二、2022年重点工作
（一）推进一网通办。网上可办率达到70%以上。（县行政审批服务局牵头，信息中心按职责分工负责）
三、2022年特色亮点工作
1.设立窗口。9月底前建成。（县行政审批服务局牵头）
四、2022年工作任务分工
（一）简化企业开办（包抓领导：县委常委、副县长陈尚东，牵头部门：县行政审批服务局）
1.推行平台。企业开办1日内办结。（县行政审批服务局牵头，县税务局等相关部门按职责分工负责）
五、保障措施
（一）加强组织领导。各部门要加强领导。
"""


def test_it_reads_a_small_plan_and_uses_its_own_year(org):
    data = plan_import(text=MINIMAL, actor=None, dry_run=True).as_json()
    assert data["year"] == 2022
    assert data["milestones"] == [{"task": "设立窗口", "text": "9月底前建成", "due_on": "2022-09-30"}]
    assert [(t["value"], t["comparator"]) for t in data["targets"]] == [(70, "ge"), (1, "le")]


@pytest.mark.parametrize(
    ("broken", "expected"),
    [
        (
            MINIMAL.replace("（包抓领导：县委常委、副县长陈尚东，牵头部门：县行政审批服务局）", ""),
            "第9行：领域“简化企业开办”的标题缺少（包抓领导",
        ),
        (MINIMAL.replace("1.推行平台", "2.推行平台"), "第10行：领域（一）的任务编号应为1，实际为2"),
        (
            MINIMAL.replace("（县行政审批服务局牵头，县税务局等相关部门按职责分工负责）", ""),
            "第10行：任务“推行平台”缺少末尾括号中的牵头或责任部门",
        ),
        (MINIMAL.replace("五、保障措施\n（一）加强组织领导。各部门要加强领导。\n", ""), "缺少“五、保障措施”部分"),
        (MINIMAL.replace("眉县2022年", "眉县"), "第1行：未能从标题中读出方案年度"),
        (MINIMAL.replace("三、2022年特色亮点工作", "四、2022年特色亮点工作"), "第6行：部分编号应为三、，实际为四、"),
    ],
)
def test_a_malformed_plan_is_refused_with_its_line(org, broken, expected):
    with pytest.raises(PlanParseError) as caught:
        parse_plan(broken)
    assert any(str(e).startswith(expected) for e in caught.value.errors), caught.value.errors
    with pytest.raises(ApplicationError) as refused:
        plan_import(text=broken, actor=None)
    assert refused.value.code == "supervision.plan_invalid"
    assert Plan.objects.count() == 0


def test_an_unknown_department_is_reported_never_invented(org):
    broken = MINIMAL.replace("县税务局等相关部门", "县星际航运局等相关部门")
    with pytest.raises(ApplicationError) as refused:
        plan_import(text=broken, actor=None)
    assert refused.value.details["errors"] == ["第10行：未知部门“县星际航运局”：请在组织机构中登记该单位或其别名"]
    assert Plan.objects.count() == 0


def test_the_command_prints_errors_and_fails(org, tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text(MINIMAL.replace("1.推行平台", "3.推行平台"), encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError, match="方案未导入"):
        call_command("supervision", "import-plan", str(path), stderr=err)
    assert "第10行" in err.getvalue()
    assert not (tmp_path / "missing.txt").exists()
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("supervision", "import-plan", str(tmp_path / "missing.txt"))
