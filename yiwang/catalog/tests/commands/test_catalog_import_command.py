"""manage.py catalog import on a clerk's hand-made file: warnings listed, errors below a closed progress bar."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from yiwang.catalog.models import ServiceItem
from yiwang.catalog.tests.services.test_catalog_import_real_lists import _file, _item

pytestmark = pytest.mark.django_db

BASIS = "《陕西省食品小作坊小餐饮及摊贩管理条例》第十条"
MATERIAL = {"事项编码": "610326-XK-0101", "材料编码": "M1", "材料名称": "营业执照", "材料形式": "原件", "份数": "1"}


def _save(tmp_path, items, materials):
    path = tmp_path / "清单.xlsx"
    path.write_bytes(_file(items, materials).getvalue())
    return str(path)


def _import(path, admin_user):
    call_command("catalog", "import", path, "--actor", admin_user.username, "--reason", "初始清单", "--baseline")


def _screen(text: str) -> list[str]:
    """The lines a terminal shows: a carriage return starts its line over."""
    return [line.rsplit("\r", 1)[-1] for line in text.split("\n") if line.rsplit("\r", 1)[-1].strip()]


def test_it_lists_every_warning_with_sheet_row_and_column(tmp_path, admin_user, departments, capsys):
    path = _save(
        tmp_path,
        [
            _item(**{"到办事现场次数": "3", "必须现场办理原因": "现场踏勘", "网办深度": "二级", "设定依据": BASIS}),
            _item(**{"事项编码": "610326-XK-0102", "事项名称": "食品小作坊变更", "设定依据": BASIS}),
        ],
        [MATERIAL],
    )
    _import(path, admin_user)

    out = _screen(capsys.readouterr().out)
    assert out == [
        "导入完成：直接发布 2，新增待审 0，调整待审 0，无变化 0，提示 2",
        "[提示] 事项清单 第2行 “到办事现场次数”列：到办事现场3次，超过“最多跑2次”的目标；请说明原因并推动压减",
        "[提示] 事项清单 第3行 “事项编码”列：依申请事项未列明申请材料",
    ]
    assert sorted(ServiceItem.objects.values_list("code", "visits_required")) == [
        ("610326-XK-0101", 3),
        ("610326-XK-0102", 1),
    ]


def test_it_prints_every_error_below_the_closed_progress_bar(tmp_path, admin_user, departments, capsys):
    path = _save(
        tmp_path,
        [
            _item(**{"承诺办结时限（工作日）": "30"}),
            _item(**{"事项编码": "610326-XK-0102", "主管部门": "县文物局"}),
        ],
        [MATERIAL, {**MATERIAL, "事项编码": "610326-XK-0102"}],
    )
    with pytest.raises(CommandError, match="导入文件有2处错误"):
        _import(path, admin_user)

    captured = capsys.readouterr()
    assert _screen(captured.err) == [
        "事项清单 第3行 “主管部门”列：部门“县文物局”不存在或有歧义",
        "事项清单 第2行 “承诺办结时限”列：承诺办结时限（30个工作日）不得超过法定办结时限（20个工作日）",
    ]
    assert captured.out == ""
    assert not ServiceItem.objects.exists()
