import datetime as dt
from decimal import Decimal

import pytest
from openpyxl import Workbook

from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import make_uscc
from yiwang.core.models import AuditEvent
from yiwang.core.xlsx import workbook_bytes
from yiwang.credit.importing import entities_import
from yiwang.credit.models import Entity, RiskClassChange

HEADER = [
    "统一社会信用代码*",
    "名称*",
    "主体类型",
    "行业代码",
    "行业",
    "所在镇街",
    "法定代表人/经营者",
    "注册资本（万元）",
    "成立日期",
    "登记状态",
    "标签",
]
GOOD = make_uscc("91610326MA6X1234A")
INDIVIDUAL = make_uscc("92610326MA6X0007B")


def _xlsx(*rows, header=HEADER) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = "市场主体"
    ws.append(header)
    for row in rows:
        ws.append(list(row))
    return workbook_bytes(wb)


def _errors(content, county):
    with pytest.raises(ApplicationError) as error:
        entities_import(content=content, county=county, actor=None)
    assert error.value.code == "credit.import_invalid"
    return {(e["row"], e["column"]): e["message"] for e in error.value.details["errors"]}


def test_it_imports_hand_typed_cells(meixian):
    content = _xlsx(
        [
            f" {GOOD.lower()} ",
            "眉县齐峰果业有限责任公司",
            "企业",
            "a0151",
            "仁果类和核果类水果种植",
            "槐芽镇",
            "张建军",
            "1,200万元",
            "2015年3月5日",
            "存续",
            "龙头企业，冷库",
        ],
        [None] * 11,  # blank row
        [INDIVIDUAL, "眉县营头镇红河谷农家乐", "", "H6210", "正餐服务", "营头镇", "李秀芳", 5, "20190708", "", ""],
    )
    created = entities_import(content=content, county=meixian.county, actor=None)
    assert len(created) == 2
    fruit = Entity.objects.get(uscc=GOOD)
    assert fruit.industry_code == "A0151" and fruit.town == meixian.huaiya
    assert fruit.registered_capital == Decimal("1200.00") and fruit.established_on == dt.date(2015, 3, 5)
    assert fruit.tags == ["龙头企业", "冷库"] and fruit.risk_class == "B"
    farm = Entity.objects.get(uscc=INDIVIDUAL)
    assert farm.kind == "individual"  # 92… is an individual business
    assert RiskClassChange.objects.filter(to_class="B", from_class="").count() == 2
    assert AuditEvent.objects.filter(action="credit.entity_created").count() == 2


def test_it_reports_every_error_by_row_and_column_and_writes_nothing(meixian):
    wrong_check = GOOD[:17] + ("0" if GOOD[17] != "0" else "1")
    content = _xlsx(
        [wrong_check, "眉县甲公司", "", "", "", "", "", "", "", "", ""],
        [916103261234567, "眉县乙公司", "", "", "", "", "", "", "", "", ""],  # typed as a number: digits lost
        [GOOD, "", "公司", "", "", "火星镇", "", "一百万", "2019-02-30", "歇业", ""],
        [GOOD, "眉县丙公司", "", "X99", "", "", "", "", "2099-01-01", "", ""],
    )
    errors = _errors(content, meixian.county)
    assert "校验位错误" in errors[(2, "统一社会信用代码")]
    assert "应为18位" in errors[(3, "统一社会信用代码")]
    assert errors[(4, "名称")] == "名称不能为空"
    assert "不是可选值" in errors[(4, "主体类型")]
    assert "不是眉县的镇（街道）" in errors[(4, "所在镇街")]
    assert "注册资本应为数字" in errors[(4, "注册资本（万元）")]
    assert "日期不存在" in errors[(4, "成立日期")]
    assert "不是可选值" in errors[(4, "登记状态")]
    assert "与第4行的统一社会信用代码重复" in errors[(5, "统一社会信用代码")]
    assert "行业代码" in errors[(5, "行业代码")]
    assert "晚于今天" in errors[(5, "成立日期")]
    assert not Entity.objects.exists()


def test_it_refuses_a_code_already_listed_and_a_missing_column(meixian):
    entities_import(content=_xlsx([GOOD, "眉县齐峰果业有限责任公司"] + [""] * 9), county=meixian.county, actor=None)
    errors = _errors(_xlsx([GOOD, "眉县齐峰果业有限责任公司"] + [""] * 9), meixian.county)
    assert "已在名录中" in errors[(2, "统一社会信用代码")]
    errors = _errors(_xlsx(["x"], header=["名称"]), meixian.county)
    assert "缺少必需的列" in errors[(1, None)]
    errors = _errors(b"not a workbook", meixian.county)
    assert "无法读取" in errors[(None, None)]


def test_the_command_imports_and_reports_errors(meixian, tmp_path):
    from django.core.management import CommandError, call_command

    good = tmp_path / "good.xlsx"
    good.write_bytes(_xlsx([GOOD, "眉县齐峰果业有限责任公司"] + [""] * 9))
    call_command("credit", "import-entities", str(good))
    assert Entity.objects.count() == 1
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(_xlsx(["123", "眉县乙公司"] + [""] * 9))
    with pytest.raises(CommandError):
        call_command("credit", "import-entities", str(bad))
    assert Entity.objects.count() == 1
