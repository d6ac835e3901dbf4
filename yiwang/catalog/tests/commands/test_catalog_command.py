"""manage.py catalog import|export|template|check."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from yiwang.catalog import excel
from yiwang.catalog.models import ServiceItem, ServiceItemVersion
from yiwang.catalog.tests.factories import elements, publish

pytestmark = pytest.mark.django_db


def test_export_then_import_on_the_command_line(tmp_path, food_item, admin_user, capsys):
    path = tmp_path / "清单.xlsx"
    call_command("catalog", "export", str(path))
    assert "已导出 1 项" in capsys.readouterr().out
    ServiceItemVersion.objects.all().delete()
    ServiceItem.objects.all().delete()
    call_command("catalog", "import", str(path), "--actor", admin_user.username, "--reason", "初始清单", "--baseline")
    assert "直接发布 1" in capsys.readouterr().out
    assert ServiceItem.objects.get().promised_days == 5


def test_a_bad_file_prints_every_error_and_fails(tmp_path, food_item, admin_user, capsys):
    path = tmp_path / "清单.xlsx"
    call_command("catalog", "export", str(path))
    wb = load_workbook(path)
    wb[excel.SHEET_ITEMS].cell(row=2, column=[c.key for c in excel.ITEM_COLUMNS].index("promised_days") + 1, value=99)
    wb.save(path)
    with pytest.raises(CommandError, match="导入文件有1处错误"):
        call_command("catalog", "import", str(path), "--actor", admin_user.username, "--reason", "调整")
    assert (
        "事项清单 第2行 “承诺办结时限”列：承诺办结时限（99个工作日）不得超过法定办结时限（20个工作日）"
        in capsys.readouterr().err
    )
    assert ServiceItem.objects.get().promised_days == 5


def test_import_refuses_an_unknown_actor_or_file(tmp_path, departments):
    with pytest.raises(CommandError, match="文件不存在"):
        call_command("catalog", "import", str(tmp_path / "none.xlsx"), "--actor", "x", "--reason", "r")
    path = tmp_path / "t.xlsx"
    call_command("catalog", "template", str(path))
    with pytest.raises(CommandError, match="用户不存在"):
        call_command("catalog", "import", str(path), "--actor", "nobody", "--reason", "r")


def test_check_lists_problems(admin_user, departments, capsys):
    publish(admin_user, elements(legal_days=5, promised_days=5))
    call_command("catalog", "check")
    out = capsys.readouterr().out
    assert "承诺时限与法定时限相同，未压缩" in out and "错误 0，提示 1" in out
