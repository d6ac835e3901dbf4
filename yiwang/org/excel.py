"""Regions and departments as an Excel workbook a clerk fills in: the template, the export and the parse.

Two sheets — 行政区划 (one row per division: code, name, level, parent code) and 部门 (one row per unit:
code, full name, short name, aliases, region code, kind) — plus 填写说明, which documents every column
and is ignored on import. Parsing checks the shape only (columns, codes as text, enum values) and reports
every error with sheet, row and column; the rules (code lengths, parents, one spelling per unit) are
``services.org_import``'s job.
"""

import re
from dataclasses import dataclass, field

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

SHEET_REGIONS = "行政区划"
SHEET_DEPARTMENTS = "部门"
SHEET_README = "填写说明"

YES, NO = "是", "否"
_TRUE = {"是", "y", "yes", "true", "1", "√", "✓"}
_FALSE = {"否", "n", "no", "false", "0", "×"}

# Written labels for the levels; the model's own labels (省, 县/区 …) and values are accepted too.
LEVEL_LABELS = {
    Region.Level.PROVINCE: "省级",
    Region.Level.CITY: "市级",
    Region.Level.COUNTY: "县级",
    Region.Level.TOWN: "镇（街道）级",
    Region.Level.VILLAGE: "村（社区）级",
}
_LEVEL_ALIASES = {
    **{label: value for value, label in LEVEL_LABELS.items()},
    **{str(label): value for value, label in Region.Level.choices},
    **{value: value for value in Region.Level.values},
    "省": Region.Level.PROVINCE,
    "市": Region.Level.CITY,
    "县": Region.Level.COUNTY,
    "区": Region.Level.COUNTY,
    "县区": Region.Level.COUNTY,
    "县（区）级": Region.Level.COUNTY,
    "镇": Region.Level.TOWN,
    "乡": Region.Level.TOWN,
    "街道": Region.Level.TOWN,
    "镇级": Region.Level.TOWN,
    "乡镇": Region.Level.TOWN,
    "村": Region.Level.VILLAGE,
    "社区": Region.Level.VILLAGE,
    "村级": Region.Level.VILLAGE,
}
_KIND_BY_LABEL = {str(label): value for value, label in Department.Kind.choices}
# Aliases are one cell: 、 ; ； , ， or a line break between them.
ALIAS_SEPARATORS_RE = re.compile(r"[、;；,，\n]+")
DEPARTMENT_CODE_RE = re.compile(r"^[-a-zA-Z0-9_]+$")


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # code | str | level | bool | aliases | kind
    required: bool = False
    allowed: str = ""
    help: str = ""


REGION_COLUMNS: tuple[Column, ...] = (
    Column(
        "code",
        "区划代码",
        "code",
        True,
        "数字",
        "省、市、县 6 位（GB/T 2260），镇（街道）9 位，村（社区）12 位；请设为文本格式",
    ),
    Column("name", "区划名称", "str", True, "", "如：眉县、横渠镇、广安区"),
    Column("level", "层级", "level", True, "、".join(LEVEL_LABELS.values()), "每格只填一个层级"),
    Column("parent", "上级区划代码", "code", False, "数字", "省级留空，其余必填；上级可在本表中，也可已在系统中"),
    Column("is_illustrative", "示意数据", "bool", False, "是、否", "留空即“否”（官方公布的区划）"),
)
DEPARTMENT_COLUMNS: tuple[Column, ...] = (
    Column("code", "部门编码", "code", True, "字母、数字、短横线、下划线", "唯一，导入后不再修改；再次导入按编码更新"),
    Column("name", "部门全称", "str", True, "", "如：广安区人力资源和社会保障局"),
    Column("short_name", "简称", "str", False, "", "留空即与全称相同；如：区人社局"),
    Column("aliases", "别名", "aliases", False, "多个别名以“、”“；”或“，”分隔", "文件中出现的其他写法；已有别名保留"),
    Column("region", "所属区划代码", "code", True, "数字", "本表“行政区划”中或系统中已有的区划代码"),
    Column(
        "kind",
        "类别",
        "kind",
        False,
        "、".join(str(label) for _, label in Department.Kind.choices),
        f"每格只填一个类别；留空即“{Department.Kind.GOVERNMENT.label}”",
    ),
)
SHEETS = ((SHEET_REGIONS, REGION_COLUMNS), (SHEET_DEPARTMENTS, DEPARTMENT_COLUMNS))
HEADERS = {sheet: {c.key: c.header for c in columns} for sheet, columns in SHEETS}


@dataclass
class CellError(BaseCellError):
    code: str = "org.import_cell_invalid"


class _Invalid:
    """A cell already reported as an error: the rules skip it rather than report it again."""

    def __repr__(self) -> str:
        return "INVALID"


INVALID = _Invalid()


@dataclass
class ParsedOrg:
    regions: list[dict] = field(default_factory=list)
    departments: list[dict] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


# --- Template and export -------------------------------------------------------------------------

_HEADER_FONT = Font(bold=True, color="FFFFFF")
_HEADER_FILL = PatternFill("solid", fgColor="0B4F8A")


def _write_sheet(ws, columns: tuple[Column, ...], rows) -> None:
    ws.append([c.header for c in columns])
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "A2"
    for row in rows:
        ws.append(row)
    for index, column in enumerate(columns, start=1):
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = 36 if column.kind == "aliases" else 20
        if column.kind == "code":
            # Codes are text: a pasted 610326001001 must not become a number.
            for (cell,) in ws.iter_rows(min_row=1, max_row=max(ws.max_row, 500), min_col=index, max_col=index):
                cell.number_format = "@"
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"


def _write_readme(ws) -> None:
    ws.append(["工作表", "列名", "是否必填", "可填写的值", "说明"])
    for cell in ws[1]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for sheet, columns in SHEETS:
        for column in columns:
            ws.append([sheet, column.header, YES if column.required else NO, column.allowed, column.help])
    ws.append([])
    ws.append(["说明", "导入时整份文件一并校验：任何一处错误都不会修改数据，并列出全部错误（工作表、行、列、原因）。"])
    ws.append(["说明", "同一文件再次导入不做任何修改；已有区划的代码、层级和上级不能通过导入修改，名称可以。"])
    ws.append(["说明", "同一区划内，一个名称（全称、简称或别名，去掉“县”“眉县”等前缀后）只能指向一个部门。"])
    for letter, width in zip("ABCDE", (12, 16, 10, 40, 60), strict=True):
        ws.column_dimensions[letter].width = width


def workbook_export(regions, departments) -> Workbook:
    """The given regions and departments in the import template (the empty template when both are empty)."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_REGIONS
    _write_sheet(
        ws,
        REGION_COLUMNS,
        (
            [
                r.code,
                r.name,
                LEVEL_LABELS[r.level],
                r.parent.code if r.parent_id else None,
                YES if r.is_illustrative else NO,
            ]
            for r in regions
        ),
    )
    _write_sheet(
        wb.create_sheet(SHEET_DEPARTMENTS),
        DEPARTMENT_COLUMNS,
        (
            [
                d.code,
                d.name,
                d.short_name,
                "、".join(a.alias for a in d.aliases.all()) or None,
                d.region.code,
                str(d.get_kind_display()),
            ]
            for d in departments
        ),
    )
    _write_readme(wb.create_sheet(SHEET_README))
    return wb


def template_workbook() -> Workbook:
    return workbook_export([], [])


# --- Parse ---------------------------------------------------------------------------------------


def _text(value) -> str:
    if value is None:
        return ""
    return str(value).strip()


def _parse_value(column: Column, raw, errors: list[CellError], sheet: str, row: int):
    def bad(message: str, code: str = "org.import_cell_invalid"):
        errors.append(CellError(sheet, row, column.header, message, code))

    if column.kind == "code" and not isinstance(raw, str) and raw is not None:
        # A code typed into a number cell: exact only as a whole number of at most 15 digits.
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            bad(f"“{raw}”不是编码，请填写文本")
            return INVALID
        if isinstance(raw, float) and not raw.is_integer():
            bad(f"“{raw}”是小数，不是编码；请把此列设为文本格式后重新填写")
            return INVALID
        if abs(raw) >= 10**15:
            bad(f"“{int(raw)}”超过 15 位，Excel 已把它当作数字改变；请把此列设为文本格式后重新填写")
            return INVALID
        raw = str(int(raw))
    text = _text(raw)
    if text == "":
        if column.required:
            bad("不能为空", "org.import_required")
            return INVALID
        return None
    if column.kind in ("code", "str"):
        return text
    if column.kind == "level":
        value = _LEVEL_ALIASES.get(text) or _LEVEL_ALIASES.get(text.lower())
        if value is None:
            bad(f"“{text}”不在可选范围内（{column.allowed}）", "org.import_bad_enum")
            return INVALID
        return value
    if column.kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        bad(f"“{text}”应填写“是”或“否”", "org.import_bad_enum")
        return INVALID
    if column.kind == "kind":
        value = _KIND_BY_LABEL.get(text) or (text if text in Department.Kind.values else None)
        if value is None:
            bad(f"“{text}”不在可选范围内（{column.allowed}）", "org.import_bad_enum")
            return INVALID
        return value
    if column.kind == "aliases":
        return [part.strip() for part in ALIAS_SEPARATORS_RE.split(text) if part.strip()]
    raise AssertionError(column.kind)


def _header_map(rows, sheet: str, columns: tuple[Column, ...], errors: list[CellError]) -> dict[str, int] | None:
    header_row = rows[0] if rows else ()
    positions = {}
    for index, value in enumerate(header_row):
        name = _text(value)
        if name and name not in positions:
            positions[name] = index
    missing = [c.header for c in columns if c.required and c.header not in positions]
    for header in missing:
        errors.append(CellError(sheet, 1, header, "缺少此列", "org.import_missing_column"))
    return None if missing else {c.key: positions[c.header] for c in columns if c.header in positions}


def _sheet_rows(sheet_rows, sheet: str, columns: tuple[Column, ...], errors: list[CellError]) -> list[dict]:
    positions = _header_map(sheet_rows, sheet, columns, errors)
    if positions is None:
        return []
    rows = []
    for row_number, values in enumerate(sheet_rows[1:], start=2):
        if all(_text(v) == "" for v in values):
            continue
        row = {"_row": row_number}
        for column in columns:
            index = positions.get(column.key)
            raw = values[index] if index is not None and index < len(values) else None
            row[column.key] = _parse_value(column, raw, errors, sheet, row_number)
        rows.append(row)
    return rows


def workbook_parse(file) -> ParsedOrg:
    """Read a filled-in template (a path or a file object) into row dicts, collecting every error.

    A missing sheet is an empty one (a file may carry only departments), but a file with neither
    sheet is refused.
    """
    result = ParsedOrg()
    try:
        wb = read_workbook(file)
    except UnreadableWorkbook:
        result.errors.append(
            CellError("", None, None, "无法读取文件：请上传按模板填写的 .xlsx 文件", "org.import_unreadable")
        )
        return result
    if SHEET_REGIONS not in wb and SHEET_DEPARTMENTS not in wb:
        result.errors.append(
            CellError(SHEET_REGIONS, None, None, "缺少工作表“行政区划”和“部门”", "org.import_missing_sheet")
        )
        return result
    if SHEET_REGIONS in wb:
        result.regions = _sheet_rows(wb[SHEET_REGIONS], SHEET_REGIONS, REGION_COLUMNS, result.errors)
    if SHEET_DEPARTMENTS in wb:
        result.departments = _sheet_rows(wb[SHEET_DEPARTMENTS], SHEET_DEPARTMENTS, DEPARTMENT_COLUMNS, result.errors)
    return result
