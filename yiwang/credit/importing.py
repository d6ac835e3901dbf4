"""Entity list import from xlsx: all or nothing, every error located by row and column.

Columns (first sheet, header row 1; order free, names as below):

    统一社会信用代码* | 名称* | 主体类型 | 行业代码 | 行业 | 所在镇街 | 住所 | 法定代表人/经营者 |
    注册资本（万元） | 成立日期 | 登记状态 | 企业规模 | 标签

Hand-typed sheets are expected: a USCC typed as a number or with spaces, lower case letters, dates as
text ("2019.3.5", "2019年3月5日", "20190305") or Excel dates, capital with "万元" or thousands commas,
blank rows. Anything wrong stops the whole import with the list of every error found.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from io import BytesIO

from openpyxl import load_workbook

from yiwang.core.errors import ApplicationError
from yiwang.core.identifiers import uscc_check_char
from yiwang.core.xlsx import CellError
from yiwang.credit.models import Entity
from yiwang.org.models import Region

SHEET_HINT = "市场主体"
COLUMNS = {
    "uscc": "统一社会信用代码",
    "name": "名称",
    "kind": "主体类型",
    "industry_code": "行业代码",
    "industry_name": "行业",
    "town": "所在镇街",
    "address": "住所",
    "legal_representative": "法定代表人/经营者",
    "registered_capital": "注册资本（万元）",
    "established_on": "成立日期",
    "status": "登记状态",
    "size": "企业规模",
    "tags": "标签",
}
REQUIRED = ("uscc", "name")
_ALIASES = {
    "法定代表人": "legal_representative",
    "经营者": "legal_representative",
    "注册资本": "registered_capital",
    "镇街": "town",
    "所在镇（街道）": "town",
}
_USCC_ALPHABET = set("0123456789ABCDEFGHJKLMNPQRTUWXY")


class EntityCellError(CellError):
    pass


@dataclass
class ParsedEntities:
    entities: list[Entity] = field(default_factory=list)
    errors: list[CellError] = field(default_factory=list)


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return re.sub(r"\s+", " ", str(value)).strip()


def clean_uscc(value) -> tuple[str, str | None]:
    """The USCC as typed, normalised; and the error message if it is not valid (GB 32100-2015)."""
    code = re.sub(r"[\s\-‐—]", "", _text(value)).upper()
    if not code:
        return code, "统一社会信用代码不能为空"
    if len(code) != 18:
        return code, f"统一社会信用代码应为18位，实际{len(code)}位（若以数字格式录入，请将该列设为文本）"
    bad = sorted(set(code) - _USCC_ALPHABET)
    if bad:
        return code, f"统一社会信用代码含非法字符：{''.join(bad)}（不使用I、O、Z、S、V）"
    expected = uscc_check_char(code[:17])
    if code[17] != expected:
        return code, f"统一社会信用代码校验位错误：末位应为{expected}，实际为{code[17]}"
    return code, None


def parse_date(value) -> tuple[dt.date | None, str | None]:
    if value in (None, ""):
        return None, None
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    text = _text(value)
    digits = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", text)
    match = digits or re.fullmatch(r"(\d{4})\s*[年./\-]\s*(\d{1,2})\s*[月./\-]\s*(\d{1,2})\s*日?", text)
    if not match:
        return None, f"无法识别的日期“{text}”，请写成 2019-03-05"
    try:
        day = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        return None, f"日期不存在：“{text}”"
    if day > dt.date.today():
        return None, f"成立日期不能晚于今天：“{text}”"
    return day, None


def parse_capital(value) -> tuple[Decimal | None, str | None]:
    if value in (None, ""):
        return None, None
    text = _text(value).replace(",", "").replace("，", "").replace("万元", "").replace("万", "").strip()
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None, f"注册资本应为数字（万元），实际为“{_text(value)}”"
    if amount < 0:
        return None, "注册资本不能为负数"
    return amount.quantize(Decimal("0.01")), None


def _choice(enum, value) -> tuple[str, str | None]:
    text = _text(value)
    if not text:
        return "", None
    for code, label in enum.choices:
        if text in (code, str(label)):
            return code, None
    return "", f"“{text}”不是可选值（{'、'.join(str(label) for _, label in enum.choices)}）"


def entities_parse(content: bytes, *, county: Region) -> ParsedEntities:
    """Read and check every row; nothing is written here."""
    result = ParsedEntities()
    try:
        wb = load_workbook(BytesIO(content), read_only=True, data_only=True)
    except Exception:
        result.errors.append(
            EntityCellError(
                SHEET_HINT, None, None, "无法读取文件，请上传 .xlsx 格式的Excel文件", "credit.import_unreadable"
            )
        )
        return result
    ws = wb.worksheets[0]
    sheet = ws.title
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None) or ()
    labels = {label: key for key, label in COLUMNS.items()} | _ALIASES
    columns: dict[int, str] = {}
    for index, title in enumerate(header):
        key = labels.get(_text(title).rstrip("*＊").strip())
        if key:
            columns[index] = key
    missing = [COLUMNS[k] for k in REQUIRED if k not in columns.values()]
    if missing:
        result.errors.append(
            EntityCellError(sheet, 1, None, f"缺少必需的列：{'、'.join(missing)}", "credit.import_header")
        )
        return result
    towns = {r.name: r for r in Region.objects.filter(parent=county, level=Region.Level.TOWN)}
    known = set()
    seen: dict[str, int] = {}

    def err(row, key, message, code="credit.import_cell"):
        result.errors.append(EntityCellError(sheet, row, COLUMNS[key], message, code))

    pending: list[tuple[int, Entity]] = []
    for number, values in enumerate(rows, start=2):
        cells = {key: values[i] if i < len(values) else None for i, key in columns.items()}
        if all(_text(v) == "" for v in cells.values()):
            continue  # blank row
        before = len(result.errors)
        uscc, problem = clean_uscc(cells.get("uscc"))
        if problem:
            err(number, "uscc", problem, "credit.uscc_invalid")
        elif uscc in seen:
            err(number, "uscc", f"与第{seen[uscc]}行的统一社会信用代码重复", "credit.uscc_duplicate")
        else:
            seen[uscc] = number
        name = _text(cells.get("name"))
        if not name:
            err(number, "name", "名称不能为空")
        elif len(name) > 200:
            err(number, "name", "名称超过200字")
        kind, problem = _choice(Entity.Kind, cells.get("kind"))
        if problem:
            err(number, "kind", problem)
        if not kind:
            kind = (
                Entity.Kind.INDIVIDUAL
                if uscc[:2] == "92"
                else Entity.Kind.COOPERATIVE
                if uscc[:2] == "93"
                else Entity.Kind.ENTERPRISE
            )
        status, problem = _choice(Entity.Status, cells.get("status"))
        if problem:
            err(number, "status", problem)
        size, problem = _choice(Entity.Size, cells.get("size"))
        if problem:
            err(number, "size", problem)
        town_name = _text(cells.get("town"))
        town = towns.get(town_name) if town_name else None
        if town_name and town is None:
            err(number, "town", f"“{town_name}”不是{county.name}的镇（街道）")
        established, problem = parse_date(cells.get("established_on"))
        if problem:
            err(number, "established_on", problem)
        capital, problem = parse_capital(cells.get("registered_capital"))
        if problem:
            err(number, "registered_capital", problem)
        industry_code = _text(cells.get("industry_code")).upper()
        if industry_code and not re.fullmatch(r"[A-T]\d{0,4}", industry_code):
            err(number, "industry_code", f"行业代码“{industry_code}”不符合国民经济行业分类（如 A0151、H6210）")
        tags = [t for t in re.split(r"[,，、;；\s]+", _text(cells.get("tags"))) if t]
        if len(result.errors) == before:
            pending.append(
                (
                    number,
                    Entity(
                        uscc=uscc,
                        name=name,
                        kind=kind,
                        industry_code=industry_code,
                        industry_name=_text(cells.get("industry_name"))[:64],
                        region=county,
                        town=town,
                        address=_text(cells.get("address"))[:200],
                        legal_representative=_text(cells.get("legal_representative"))[:64],
                        registered_capital=capital,
                        established_on=established,
                        status=status or Entity.Status.ACTIVE,
                        size=size,
                        tags=tags,
                    ),
                )
            )
    known = set(Entity.objects.filter(uscc__in=list(seen)).values_list("uscc", flat=True))
    for number, entity in pending:
        if entity.uscc in known:
            err(number, "uscc", f"统一社会信用代码{entity.uscc}已在名录中", "credit.uscc_duplicate")
    if not seen and not result.errors:
        result.errors.append(EntityCellError(sheet, None, None, "表格中没有数据行", "credit.import_empty"))
    if not result.errors:
        result.entities = [e for _, e in pending]
    return result


def import_error(errors: list[CellError]) -> ApplicationError:
    first = "；".join(str(e) for e in errors[:3])
    more = f"（共{len(errors)}处错误）" if len(errors) > 3 else ""
    return ApplicationError(
        "credit.import_invalid",
        f"导入失败，未写入任何数据：{first}{more}",
        details={"errors": [e.as_dict() for e in errors]},
    )


def entities_import(*, content: bytes, county: Region, actor) -> list[Entity]:
    """Parse, then insert every row in one transaction — or raise ``credit.import_invalid`` with every error."""
    from yiwang.credit.services.entities import entities_bulk_create

    parsed = entities_parse(content, county=county)
    if parsed.errors:
        raise import_error(parsed.errors)
    return entities_bulk_create(entities=parsed.entities, actor=actor)


def template_workbook():
    """An empty template with the header row and one example line."""
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_HINT
    ws.append([COLUMNS[k] + ("*" if k in REQUIRED else "") for k in COLUMNS])
    ws.append(
        [
            "92610326MA6X000018",
            "眉县槐芽镇示例农家乐",
            "个体工商户",
            "H6210",
            "正餐服务",
            "槐芽镇",
            "眉县槐芽镇槐芽村",
            "王建国",
            "5",
            "2019-03-05",
            "存续",
            "微型",
            "农家乐",
        ]
    )
    return wb
