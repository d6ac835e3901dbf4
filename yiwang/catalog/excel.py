"""The catalog's Excel template: export any list of items, parse a filled-in file back to elements.

One sheet per table — 事项清单 (one row per item), 申请材料 (one row per material, keyed by 事项编码),
申请表字段 (the fields of the application form) — plus 填写说明, which documents every column and is
ignored on import. Headers are Chinese, enums are written with their Chinese labels, yes/no as 是/否;
export → import gives back exactly the same elements (tests/services/test_catalog_import.py).

Parsing checks the shape only (columns, types, enum values, departments, duplicate codes) and reports
every error with sheet, row, column and reason; consistency rules are the service's job.
"""

import functools
import re
from dataclasses import dataclass, field

from django.db.models import Prefetch
from django.utils.translation import get_language
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from yiwang.core.xlsx import CellError as BaseCellError
from yiwang.core.xlsx import (
    UnreadableWorkbook,
    read_workbook,
    workbook_bytes,  # noqa: F401  (part of this module's interface)
)
from yiwang.org.models import Department, Region
from yiwang.org.selectors import department_resolve

from .elements import FORM_FIELD_TYPES, MATERIAL_DEFAULTS, material_elements
from .models import (
    Audience,
    HandlingType,
    ItemKind,
    ItemLevel,
    ItemMaterial,
    LimitUnit,
    MaterialForm,
    OnlineDepth,
    ReformMode,
)

SHEET_ITEMS = "事项清单"
SHEET_MATERIALS = "申请材料"
SHEET_FORM_FIELDS = "申请表字段"
SHEET_README = "填写说明"

YES, NO = "是", "否"
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有"}
_FALSE = {"否", "n", "no", "false", "0", "×", "无"}
# Where the source does not say (fee, delivery, material form and copies): stored as unknown, shown
# on the guide as "以窗口告知为准" and listed in the data-quality report.
UNLISTED = "未列明"
_NO_LIMIT = {"无", "无法定时限", "-", "—", "／", "/"}
# Excel keeps 15 significant digits: a longer number (or any float) in a code column is not the code.
_EXACT_DIGITS = 15

DEPTH_LABELS = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}
_DEPTH_ALIASES = {
    **{label: value for value, label in DEPTH_LABELS.items()},
    **{roman: value for value, roman in ((1, "i"), (2, "ii"), (3, "iii"), (4, "iv"))},
    **{roman: value for value, roman in ((1, "Ⅰ"), (2, "Ⅱ"), (3, "Ⅲ"), (4, "Ⅳ"))},
    **{str(value): value for value in range(1, 5)},
    **{str(label): value for value, label in OnlineDepth.choices},
}

DELIVERY_LABELS = (("delivery_window", "窗口领取"), ("delivery_post", "邮寄送达"), ("delivery_electronic", "电子送达"))
_DELIVERY_ALIASES = {
    "窗口领取": "delivery_window",
    "窗口": "delivery_window",
    "现场领取": "delivery_window",
    "邮寄送达": "delivery_post",
    "邮寄": "delivery_post",
    "快递": "delivery_post",
    "电子送达": "delivery_electronic",
    "电子证照": "delivery_electronic",
    "网上送达": "delivery_electronic",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # str | code | text | int | ?int | bool | ?bool | enum | depth | department | delivery | form_type
    choices: type | None = None
    required: bool = False
    help: str = ""
    default: str = ""  # what a blank cell means, as the template states it
    standard: bool = False  # required by the national standard for a published guide (办事指南)
    optional_header: bool = False  # older files without this column still load (blank cells)
    aliases: tuple[str, ...] = ()  # former headers still accepted


ITEM_COLUMNS: tuple[Column, ...] = (
    Column("code", "事项编码", "code", required=True, standard=True, help="唯一；字母、数字和短横线（按文本填写）"),
    Column("name", "事项名称", "str", required=True, standard=True),
    Column("kind", "事项类型", "enum", ItemKind, required=True, standard=True),
    Column(
        "competent_department", "主管部门", "department", required=True, standard=True, help="部门全称、简称或常用别名"
    ),
    Column(
        "implementing_department",
        "实施主体",
        "department",
        required=True,
        standard=True,
        help="部门全称、简称或常用别名",
    ),
    Column("level", "行使层级", "enum", ItemLevel, required=True, standard=True),
    Column(
        "region",
        "所属区划代码",
        "code",
        default="主管部门所在区划",
        optional_header=True,
        help="省、市、县、镇、村的区划代码（按文本填写）",
    ),
    Column("audience", "服务对象", "enum", Audience, required=True, standard=True),
    Column("on_application", "依申请事项", "bool", default=YES),
    Column("legal_basis", "设定依据", "text", standard=True),
    Column("conditions", "受理条件", "text", standard=True),
    Column(
        "legal_days",
        "法定办结时限",
        "?int",
        required=True,
        standard=True,
        aliases=("法定办结时限（工作日）",),
        help="天数（单位见“时限单位”）；无法定时限填“无”",
    ),
    Column(
        "promised_days",
        "承诺办结时限",
        "int",
        required=True,
        standard=True,
        aliases=("承诺办结时限（工作日）",),
        help="不得超过法定时限；即办件为0",
    ),
    Column(
        "limit_unit",
        "时限单位",
        "enum",
        LimitUnit,
        default=str(LimitUnit.WORKDAYS.label),
        optional_header=True,
        help="法定和承诺时限的计算单位",
    ),
    Column("handling_type", "办件类型", "enum", HandlingType, required=True, standard=True),
    Column("online_depth", "网办深度", "depth", required=True, help="一级、二级、三级、四级（四级须零跑动）"),
    Column(
        "visits_required",
        "到办事现场次数",
        "int",
        required=True,
        standard=True,
        help="目标为最多跑两次，超过的事项照常导入并计为未达标",
    ),
    Column("visits_reason", "必须现场办理原因", "text", help="到现场次数大于0时必填"),
    Column("fee_charged", "是否收费", "?bool", default=NO, standard=True, help="来源未载明可填“未列明”"),
    Column("fee_description", "收费标准及依据", "text", standard=True),
    Column("online_payment", "支持网上支付", "bool", default=NO, help="不收费的事项应为“否”"),
    Column(
        "delivery",
        "出件方式",
        "delivery",
        required=True,
        standard=True,
        help="窗口领取、邮寄送达、电子送达，可多选，用顿号分隔；来源未载明可填“未列明”",
    ),
    Column("where_to_apply", "办理地点", "text", standard=True),
    Column("when_to_apply", "办理时间", "text", standard=True),
    Column("consult_phone", "咨询电话", "str", standard=True),
    Column("complaint_phone", "监督投诉电话", "str", standard=True),
    Column("reform_mode", "证照分离改革方式", "enum", ReformMode, default="不涉及", help="不涉及可留空"),
    Column("pledge_allowed", "可实行告知承诺", "bool", default=NO),
    Column("kiosk_available", "7×24自助办理", "bool", default=NO),
    Column("cross_region", "跨区通办", "bool", default=NO),
    Column("keywords", "检索关键词", "str", help="群众常用说法，空格分隔"),
)

MATERIAL_COLUMNS: tuple[Column, ...] = (
    Column("item_code", "事项编码", "code", required=True, standard=True, help="对应“事项清单”中的事项编码"),
    Column("code", "材料编码", "code", required=True, help="同一事项内唯一"),
    Column("name", "材料名称", "str", required=True, standard=True),
    Column("form", "材料形式", "enum", MaterialForm, required=True, standard=True, help="来源未载明可填“未列明”"),
    Column("copies", "份数", "?int", default="1", standard=True, help="来源未载明可填“未列明”"),
    Column("required", "是否必需", "bool", default=YES, standard=True),
    Column("key", "关键要件", "bool", default=NO, help="关键要件不能容缺"),
    Column("deferrable", "可容缺后补", "bool", default=NO),
    Column("pledge_replaceable", "可告知承诺替代", "bool", default=NO),
    Column("licence_type", "可用电子证照", "str", help="可直接调用的电子证照类型，如“营业执照”"),
    Column("blank_form", "空白表格", "str", help="文件路径"),
    Column("sample", "示例样表", "str", help="文件路径"),
    Column("note", "填报须知", "text"),
)

FORM_FIELD_COLUMNS: tuple[Column, ...] = (
    Column("item_code", "事项编码", "code", required=True),
    Column("key", "字段标识", "str", required=True, help="英文字母、数字和下划线，同一事项内唯一"),
    Column("label", "字段名称", "str", required=True),
    Column("type", "字段类型", "form_type", required=True, help="、".join(FORM_FIELD_TYPES.values())),
    Column("required", "是否必填", "bool", default=YES),
)

SHEETS = ((SHEET_ITEMS, ITEM_COLUMNS), (SHEET_MATERIALS, MATERIAL_COLUMNS), (SHEET_FORM_FIELDS, FORM_FIELD_COLUMNS))
_FORM_TYPE_BY_LABEL = {label: key for key, label in FORM_FIELD_TYPES.items()}


@dataclass
class CellError(BaseCellError):
    code: str = "catalog.import_cell_invalid"


@dataclass
class ParsedItem:
    row: int
    elements: dict
    material_rows: dict[str, int] = field(default_factory=dict)  # material name → row
    form_field_rows: list[int] = field(default_factory=list)
    has_errors: bool = False  # a cell of this item (or its materials) is already reported


@dataclass
class ParsedCatalog:
    items: list[ParsedItem] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)
    departments: dict[str, Department] = field(default_factory=dict)


# --- Export --------------------------------------------------------------------------------------


def _label(choices, value) -> str:
    if value in ("", None):
        return ""
    return str(choices(value).label)


def _cell_value(column: Column, value):
    if column.kind == "?bool":
        return UNLISTED if value is None else (YES if value else NO)
    if column.kind == "?int":
        if value is None:
            return "无" if column.key == "legal_days" else UNLISTED
        return value
    if column.kind == "bool":
        return YES if value else NO
    if column.kind == "enum":
        return _label(column.choices, value)
    if column.kind == "depth":
        return DEPTH_LABELS[value]
    if column.kind == "form_type":
        return FORM_FIELD_TYPES.get(value, value)
    if column.kind == "int":
        return value
    return value if value != "" else None


_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")


def _write_sheet(ws, columns: tuple[Column, ...], rows) -> None:
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    # Rows are numbered here: ``ws.max_row`` scans every cell written so far (quadratic export).
    for excel_row, row in enumerate(rows, start=2):
        for index, value in enumerate(row, start=1):
            if value is None:
                continue
            cell = ws.cell(row=excel_row, column=index, value=value)
            if isinstance(value, str):
                # A text starting with "=" must stay text, never become a formula.
                cell.data_type = "s"
            if columns[index - 1].kind == "code":
                cell.number_format = "@"
    for index, column in enumerate(columns, start=1):
        width = 40 if column.kind == "text" else max(10, min(30, len(column.header) * 2 + 2))
        ws.column_dimensions[get_column_letter(index)].width = width
        if column.kind == "code":
            # Codes are text: a pasted all-digit code must not become a number (Excel keeps 15 digits).
            ws.column_dimensions[get_column_letter(index)].number_format = "@"


def _item_row(item, departments: dict[int, Department], regions: dict[int, str]) -> list:
    values = []
    for column in ITEM_COLUMNS:
        if column.kind == "department":
            values.append(departments[getattr(item, f"{column.key}_id")].name)
        elif column.kind == "delivery":
            values.append("、".join(label for key, label in DELIVERY_LABELS if getattr(item, key)) or UNLISTED)
        elif column.key == "region":
            values.append(regions[item.region_id])
        else:
            values.append(_cell_value(column, getattr(item, column.key)))
    return values


def workbook_export(items) -> Workbook:
    """The items (any queryset or list) in the import template, materials and form fields included."""
    items = list(
        items.select_related("competent_department", "implementing_department").prefetch_related(
            Prefetch("materials", queryset=ItemMaterial.objects.order_by("position", "id"))
        )
        if hasattr(items, "select_related")
        else items
    )
    departments = {}
    for item in items:
        departments[item.competent_department_id] = item.competent_department
        departments[item.implementing_department_id] = item.implementing_department
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_ITEMS
    regions = dict(Region.objects.filter(pk__in={item.region_id for item in items}).values_list("pk", "code"))
    _write_sheet(ws, ITEM_COLUMNS, (_item_row(item, departments, regions) for item in items))

    def material_rows():
        for item in items:
            for material in item.materials.all():
                data = material_elements(material)
                yield [item.code] + [_cell_value(c, data[c.key]) for c in MATERIAL_COLUMNS[1:]]

    _write_sheet(wb.create_sheet(SHEET_MATERIALS), MATERIAL_COLUMNS, material_rows())

    def form_rows():
        for item in items:
            for form_field in item.form_fields or []:
                yield [item.code] + [_cell_value(c, form_field.get(c.key)) for c in FORM_FIELD_COLUMNS[1:]]

    _write_sheet(wb.create_sheet(SHEET_FORM_FIELDS), FORM_FIELD_COLUMNS, form_rows())
    _write_readme(wb.create_sheet(SHEET_README))
    return wb


def template_workbook() -> Workbook:
    return workbook_export([])


def _allowed(column: Column) -> str:
    if column.kind == "bool":
        return "是、否"
    if column.kind == "?bool":
        return f"是、否、{UNLISTED}"
    if column.kind == "?int":
        return "非负整数、无" if column.key == "legal_days" else f"非负整数、{UNLISTED}"
    if column.kind == "delivery":
        return f"窗口领取、邮寄送达、电子送达、{UNLISTED}"
    if column.kind == "code":
        return "文本（单元格格式为“文本”）"
    if column.kind == "enum":
        # Each value quoted, "／" between them: "自然人、法人" is one value, not two.
        return "／".join(f"“{label}”" for value, label in column.choices.choices if value)
    if column.kind == "depth":
        return "／".join(f"“{label}”" for label in DEPTH_LABELS.values())
    if column.kind == "form_type":
        return "／".join(f"“{label}”" for label in FORM_FIELD_TYPES.values())
    if column.kind == "int":
        return "非负整数"
    return ""


def _write_readme(ws) -> None:
    ws.append(["工作表", "列名", "是否必填", "可填写的值", "说明", "留空时", "国家标准要求（办事指南）"])
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for sheet, columns in SHEETS:
        for column in columns:
            blank = "不能为空" if column.required else (column.default or "空白")
            standard = "必须载明" if column.standard else ""
            ws.append(
                [sheet, column.header, YES if column.required else NO, _allowed(column), column.help, blank, standard]
            )
    ws.append([])
    ws.append(["说明", "导入时整份文件一并校验：任何一处错误都不会修改清单，并列出全部错误（工作表、行、列、原因）。"])
    ws.append(["说明", "已发布事项的要素变化，导入后形成调整申请，经其他部门交叉盲审通过后才发布新版本。"])
    ws.append(
        [
            "说明",
            "“国家标准要求”列标明政务服务事项实施清单标准要求办事指南载明的要素；来源未载明的可填“未列明”，"
            "办事指南显示“以窗口告知为准”，并列入数据质量报告，由部门补全。",
        ]
    )
    for letter, width in zip("ABCDEFG", (12, 26, 10, 48, 48, 16, 20), strict=True):
        ws.column_dimensions[letter].width = width


# --- Parse ---------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


@functools.lru_cache(maxsize=256)
def _enum_lookup(choices, language: str | None) -> dict[str, str]:
    """An enum column's accepted texts (label in the current language, or stored value) → value; the
    first choice wins where two share a text. Labels are translated once per language, not per cell."""
    lookup: dict[str, str] = {}
    for value, label in choices.choices:
        if value != "":
            lookup.setdefault(str(label), value)
            lookup.setdefault(value, value)
    return lookup


def _parse_value(column: Column, raw, errors: list[CellError], sheet: str, row: int):
    """The cell's value; ``None`` for a blank optional cell (the element's default applies) or an error."""
    text = _text(raw)

    def bad(message: str, code: str = "catalog.import_cell_invalid"):
        errors.append(CellError(sheet, row, column.header, message, code))

    numeric = isinstance(raw, (int, float)) and not isinstance(raw, bool)
    if column.kind == "code" and numeric and (isinstance(raw, float) or len(str(abs(raw))) > _EXACT_DIGITS):
        bad(
            f"编码是数字单元格（{raw}），超过15位有效数字或带小数，Excel 已改变了它；"
            "请将该列设为“文本”格式后重新粘贴原编码",
            "catalog.import_code_not_text",
        )
        return None
    if column.required and text == "":
        bad("不能为空", "catalog.import_required")
        return None
    if text == "" and not column.required and column.kind not in ("str", "text", "code"):
        return None
    if column.kind in ("str", "text", "code"):
        return text
    if column.kind == "?bool":
        if text == UNLISTED:
            return UNLISTED
        column = Column(column.key, column.header, "bool")
    if column.kind == "?int":
        if text == UNLISTED or (column.key == "legal_days" and text in _NO_LIMIT | {"无法定办结时限"}):
            return UNLISTED
        column = Column(column.key, column.header, "int")
    if column.kind == "bool":
        lowered = text.lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        bad(f"“{text}”应填写“是”或“否”", "catalog.import_bad_enum")
        return None
    if column.kind == "int":
        if isinstance(raw, bool):
            bad(f"“{text}”不是非负整数")
            return None
        if isinstance(raw, int) or (isinstance(raw, float) and raw.is_integer()):
            value = int(raw)
        elif re.fullmatch(r"\d+", text):
            value = int(text)
        else:
            bad(f"“{text}”不是非负整数")
            return None
        if value < 0:
            bad(f"“{text}”不是非负整数")
            return None
        return value
    if column.kind == "enum":
        text = text.strip("“”\"'")  # a value copied with its quotes from the help sheet
        if text in ("", "不涉及", "无") and "" in column.choices.values:
            return ""
        value = _enum_lookup(column.choices, get_language()).get(text)
        if value is not None:
            return value
        allowed = _allowed(column)
        bad(f"“{text}”不在可选范围内（{allowed}）", "catalog.import_bad_enum")
        return None
    if column.kind == "depth":
        value = _DEPTH_ALIASES.get(text.lower()) or _DEPTH_ALIASES.get(text)
        if value is None:
            bad(f"“{text}”不在可选范围内（{_allowed(column)}）", "catalog.import_bad_enum")
        return value
    if column.kind == "form_type":
        if text in FORM_FIELD_TYPES:
            return text
        if text in _FORM_TYPE_BY_LABEL:
            return _FORM_TYPE_BY_LABEL[text]
        bad(f"“{text}”不在可选范围内（{_allowed(column)}）", "catalog.import_bad_enum")
        return None
    if column.kind == "delivery":
        modes = {"delivery_window": False, "delivery_post": False, "delivery_electronic": False}
        if text == UNLISTED:
            return modes
        for part in re.split(r"[、,，;；/\s]+", text):
            if not part:
                continue
            key = _DELIVERY_ALIASES.get(part)
            if key is None:
                bad(f"出件方式“{part}”不在可选范围内（窗口领取、邮寄送达、电子送达）", "catalog.import_bad_enum")
                return None
            modes[key] = True
        return modes
    if column.kind == "department":
        return text
    raise AssertionError(column.kind)


def _header_map(rows, sheet: str, columns: tuple[Column, ...], errors: list[CellError]) -> dict[str, int] | None:
    header_row = rows[0] if rows else ()
    positions = {}
    for index, value in enumerate(header_row):
        name = _text(value)
        if name and name not in positions:
            positions[name] = index
    found = {}
    for column in columns:
        header = next((h for h in (column.header, *column.aliases) if h in positions), None)
        if header is not None:
            found[column.key] = positions[header]
        elif column.optional_header:
            found[column.key] = None  # an older file without this column: every cell blank
    missing = [c.header for c in columns if c.key not in found]
    for header in missing:
        errors.append(CellError(sheet, 1, header, "缺少此列", "catalog.import_missing_column"))
    return None if missing else found


def _rows(rows, positions: dict[str, int]):
    for row_number, values in enumerate(rows[1:], start=2):
        if all(v is None or _text(v) == "" for v in values):
            continue
        yield (
            row_number,
            {
                key: (values[index] if index is not None and index < len(values) else None)
                for key, index in positions.items()
            },
        )


def workbook_parse(file) -> ParsedCatalog:
    """Read a filled-in template (a path or a file object) into elements dicts, collecting every error."""
    result = ParsedCatalog()
    errors = result.errors
    try:
        wb = read_workbook(file)
    except UnreadableWorkbook:
        errors.append(
            CellError("", None, None, "无法读取文件：请上传按模板填写的 .xlsx 文件", "catalog.import_unreadable")
        )
        return result

    sheets = {}
    for name, columns in SHEETS:
        if name not in wb:
            if name == SHEET_ITEMS:
                errors.append(CellError(name, None, None, "缺少工作表", "catalog.import_missing_sheet"))
            sheets[name] = None
            continue
        sheets[name] = (wb[name], _header_map(wb[name], name, columns, errors))
    if errors:
        return result

    resolved: dict[tuple[str, str], Department | None] = {}
    regions_by_code: dict[str, Region | None] = {}
    by_code: dict[str, ParsedItem] = {}
    ws, positions = sheets[SHEET_ITEMS]
    for row_number, raw in _rows(ws, positions):
        errors_before = len(errors)
        elements: dict = {}
        # Department names are read with the prefix rules of the item's region (区人社局 in a 广安区 list).
        region_code = _text(raw.get("region"))
        if region_code not in regions_by_code:
            regions_by_code[region_code] = Region.objects.filter(code=region_code).first() if region_code else None
        for column in ITEM_COLUMNS:
            value = _parse_value(column, raw[column.key], errors, SHEET_ITEMS, row_number)
            if column.kind == "delivery":
                elements.update(value or {})
            elif column.kind == "department":
                if value:
                    if (value, region_code) not in resolved:
                        resolved[(value, region_code)] = department_resolve(value, region=regions_by_code[region_code])
                    department = resolved[(value, region_code)]
                    if department is None:
                        errors.append(
                            CellError(
                                SHEET_ITEMS,
                                row_number,
                                column.header,
                                f"部门“{value}”不存在或有歧义",
                                "catalog.department_unknown",
                            )
                        )
                        elements[column.key] = ""
                    else:
                        result.departments[department.code] = department
                        elements[column.key] = department.code
                else:
                    elements[column.key] = ""
            elif value is UNLISTED:
                elements[column.key] = None  # 未列明 / 无法定时限
            elif value is not None or column.required:
                elements[column.key] = value
            # A blank optional cell is left out: the element's default applies (stated in the template).
        code = elements.get("code") or ""
        if code and not re.fullmatch(r"[0-9A-Za-z][0-9A-Za-z\-_.]*", code):
            errors.append(
                CellError(
                    SHEET_ITEMS,
                    row_number,
                    "事项编码",
                    f"“{code}”只能包含字母、数字、短横线、下划线和点",
                    "catalog.import_cell_invalid",
                )
            )
        if code in by_code:
            errors.append(
                CellError(
                    SHEET_ITEMS,
                    row_number,
                    "事项编码",
                    f"事项编码“{code}”与第{by_code[code].row}行重复",
                    "catalog.import_duplicate_code",
                )
            )
            continue
        elements["materials"] = []
        elements["form_fields"] = []
        parsed = ParsedItem(row=row_number, elements=elements, has_errors=len(errors) > errors_before)
        if code:
            by_code[code] = parsed
        result.items.append(parsed)

    if sheets[SHEET_MATERIALS]:
        ws, positions = sheets[SHEET_MATERIALS]
        for row_number, raw in _rows(ws, positions):
            errors_before = len(errors)
            data = {}
            for column in MATERIAL_COLUMNS:
                data[column.key] = _parse_value(column, raw[column.key], errors, SHEET_MATERIALS, row_number)
            owner = by_code.get(data.pop("item_code") or "")
            if owner is None:
                errors.append(
                    CellError(
                        SHEET_MATERIALS,
                        row_number,
                        "事项编码",
                        f"事项编码“{_text(raw['item_code'])}”不在“事项清单”中",
                        "catalog.import_unknown_item",
                    )
                )
                continue
            for key, default in MATERIAL_DEFAULTS.items():
                if data.get(key) is None:
                    data[key] = default
            for key, value in data.items():
                if value is UNLISTED:
                    data[key] = None
            name = data.get("name") or ""
            if name in owner.material_rows:
                errors.append(
                    CellError(
                        SHEET_MATERIALS,
                        row_number,
                        "材料名称",
                        f"材料“{name}”与第{owner.material_rows[name]}行重复",
                        "catalog.material_duplicate",
                    )
                )
                continue
            owner.material_rows[name] = row_number
            owner.elements["materials"].append(data)
            owner.has_errors = owner.has_errors or len(errors) > errors_before

    if sheets[SHEET_FORM_FIELDS]:
        ws, positions = sheets[SHEET_FORM_FIELDS]
        for row_number, raw in _rows(ws, positions):
            errors_before = len(errors)
            data = {}
            for column in FORM_FIELD_COLUMNS:
                data[column.key] = _parse_value(column, raw[column.key], errors, SHEET_FORM_FIELDS, row_number)
            owner = by_code.get(data.pop("item_code") or "")
            if owner is None:
                errors.append(
                    CellError(
                        SHEET_FORM_FIELDS,
                        row_number,
                        "事项编码",
                        f"事项编码“{_text(raw['item_code'])}”不在“事项清单”中",
                        "catalog.import_unknown_item",
                    )
                )
                continue
            if data.get("required") is None:
                data["required"] = True
            owner.form_field_rows.append(row_number)
            owner.elements["form_fields"].append(data)
            owner.has_errors = owner.has_errors or len(errors) > errors_before
    return result
