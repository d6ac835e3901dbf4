import datetime as dt
import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.workdays.models import CalendarDay, CalendarYear, Clock
from yiwang.workdays.tests.data import CSV_2027
from yiwang.workdays.tests.factories import start_clock

pytestmark = pytest.mark.django_db


def run(*args):
    out, err = StringIO(), StringIO()
    call_command("workdays", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_adds_working_days():
    out, _ = run("add", "2026-02-13", "1")
    assert out == "2026-02-14\n"


def test_it_adds_working_days_as_json():
    out, _ = run("add", "2026-02-13", "1", "--json")
    assert json.loads(out) == {"due": "2026-02-14", "provisional": False}
    assert out.strip() == '{"due": "2026-02-14", "provisional": false}'


def test_it_marks_a_2027_result_provisional():
    out, _ = run("add", "2027-01-05", "3", "--json")
    assert json.loads(out) == {"due": "2027-01-08", "provisional": True}


def test_it_counts_working_days():
    out, _ = run("count", "2026-02-12", "2026-03-18")
    assert out == "20\n"
    out, _ = run("count", "2026-02-12", "2026-03-18", "--json")
    assert json.loads(out) == {"workdays": 20, "provisional": False}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("add", "2026-02-30", "1"), "日期格式不正确：2026-02-30"),
        (("add", "13/02/2026", "1"), "日期格式不正确"),
        (("add", "2026-02-13", "-3"), "工作日数不能为负数：-3"),
        (("add", "2026-02-13", "three"), "工作日数必须是整数"),
        (("count", "2026-02-12", "2026-3-18"), "日期格式不正确"),
    ],
)
def test_it_refuses_bad_input(args, message):
    with pytest.raises(CommandError) as error:
        run(*args)
    assert message in str(error.value)


def test_it_imports_a_file_and_recomputes_provisional_deadlines(tmp_path):
    clock = start_clock(dt.date(2026, 12, 25), 10)
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    out, _ = run("import", str(path))
    assert "已导入 2027 年：27 个放假日，2 个调休上班日；重新计算了 1 个期限（其中 1 个有变化）。" in out
    assert CalendarYear.objects.get(year=2027).official is True
    clock.refresh_from_db()
    assert (clock.due_on, clock.provisional) == (dt.date(2027, 1, 12), False)


def test_it_previews_without_writing_on_dry_run(tmp_path):
    start_clock(dt.date(2026, 12, 25), 10)
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    out, _ = run("import", str(path), "--dry-run")
    assert "2027-02-20 周六 上班 春节调休" in out
    assert "预览 2027 年（csv）：27 个放假日，2 个调休上班日；导入后将重新计算 1 个期限。" in out
    assert not CalendarYear.objects.filter(year=2027).exists()
    assert not CalendarDay.objects.filter(year=2027).exists()
    assert Clock.objects.get().provisional is True


def test_it_prints_each_error_with_its_line_and_fails(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("2027-01-01,holiday,元旦\n2027-01-32,holiday,x\n2027-02-06,vacation,春节\n", encoding="utf-8")
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as error:
        call_command("workdays", "import", str(path), stdout=out, stderr=err)
    assert "导入失败" in str(error.value)
    assert err.getvalue().splitlines() == [
        "line 2: 日期格式不正确：“2027-01-32”（应为 YYYY-MM-DD）",
        "line 3: 未知类型“vacation”，应为 holiday（放假）或 workday（上班）",
    ]
    assert not CalendarDay.objects.filter(year=2027).exists()


def test_it_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError) as error:
        run("import", str(Path(tmp_path) / "missing.txt"))
    assert "文件不存在" in str(error.value)


def test_it_shows_a_year():
    out, _ = run("show", "2026")
    lines = out.splitlines()
    assert lines[0] == "2026 年 — 官方数据（来源：chinese-calendar 数据包）"
    assert "2026-02-14 周六 上班 春节" in lines
    assert "2026-02-17 周二 放假 春节" in lines
    assert lines[-1] == "共 33 个放假日，6 个调休上班日"


def test_it_shows_a_fallback_year():
    out, _ = run("show", "2027")
    assert out.splitlines()[0] == "2027 年 — 临时：依法定规则推算，未含调休"
    assert "2027-02-05 周五 放假 春节" in out
