"""Parse a year of holidays and 调休 workdays from text an administrator pastes or uploads.

Two formats, detected automatically (``detect_format``):

**CSV / plain text** — one day or range per line, ``#`` starts a comment, blank lines are ignored::

    # 2026
    2026-01-01..2026-01-03,holiday,元旦
    2026-01-04,workday,元旦调休
    2026-02-15..2026-02-23,holiday,春节
    2026-02-14,workday,春节调休

  ``kind`` is ``holiday`` (放假) or ``workday`` (上班, a weekend day worked); the name is optional.
  The year is ``--year`` or, if not given, the year most dates fall in.

**The State Council's notice** (国务院办公厅关于YYYY年部分节假日安排的通知) pasted as text, one item
per line, e.g.::

    二、春节：2月15日（农历腊月二十八、周日）至23日（农历正月初七、周一）放假调休，共9天。2月14日（周六）、2月28日（周六）上班。

  The year is ``--year`` or the title (``2026年部分节假日安排``). Ranges may cross months
  (``5月31日至6月2日``) and the year (``12月31日至1月2日``: in the 元旦 item a December date belongs
  to the previous year); a stated weekday (``周六`` / ``星期六``) must match the date and a stated
  ``共N天`` must match the range.

Rejected, with the line number, and nothing is imported: malformed dates, unknown kinds, dates
outside the year (a notice may reach back into the last week of the previous December for 元旦),
an end before its start, duplicate or overlapping days, a day declared both holiday and workday,
a workday that is not a Saturday or Sunday. All errors are collected and raised together as one
``ApplicationError("workdays.import_invalid", details={"errors": [{"line", "reason"}]})``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field

from yiwang.core.errors import ApplicationError
from yiwang.workdays.calendar import FIRST_YEAR, LAST_YEAR

HOLIDAY = "holiday"
WORKDAY = "workday"

KIND_WORDS = {
    "holiday": HOLIDAY,
    "放假": HOLIDAY,
    "休息": HOLIDAY,
    "workday": WORKDAY,
    "上班": WORKDAY,
    "调休上班": WORKDAY,
}
WEEKDAY_WORDS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6}
WEEKDAY_NAMES = "一二三四五六日"
# A notice for year Y may announce the end of December of Y-1 (元旦 spill-over, e.g. 2011-12-31).
SPILL_FROM_DECEMBER_DAY = 25


@dataclass(frozen=True)
class DayEntry:
    date: dt.date
    kind: str
    name: str
    line: int


@dataclass
class ParsedCalendar:
    year: int
    format: str  # "csv" | "notice"
    entries: list[DayEntry] = field(default_factory=list)

    @property
    def holidays(self) -> list[DayEntry]:
        return [e for e in self.entries if e.kind == HOLIDAY]

    @property
    def workdays(self) -> list[DayEntry]:
        return [e for e in self.entries if e.kind == WORKDAY]


class ImportErrors:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, line: int, reason: str) -> None:
        self.items.append({"line": line, "reason": reason})

    def raise_if_any(self) -> None:
        if self.items:
            raise import_error(self.items)


def import_error(errors: list[dict]) -> ApplicationError:
    errors = sorted(errors, key=lambda e: e["line"])
    return ApplicationError(
        "workdays.import_invalid",
        f"节假日安排有 {len(errors)} 处错误，未导入任何数据",
        details={"errors": errors},
    )


# --- detection ----------------------------------------------------------------------------------

_ISO_START = re.compile(r"^\s*\d{4}[-/.]")
TITLE_YEAR = re.compile(r"(\d{4})\s*年\s*部分节假日安排")


def _content_lines(text: str):
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if line and not line.startswith("#"):
            yield number, line


def detect_format(text: str) -> str:
    """``csv`` when the first content line starts with a ``YYYY-`` date, ``notice`` when the text
    has Chinese dates (月…日), ``csv`` otherwise (so its errors are reported line by line)."""
    for _number, line in _content_lines(text):
        if _ISO_START.match(line):
            return "csv"
        break
    if re.search(r"\d{1,2}\s*月\s*\d{1,2}\s*日", text):
        return "notice"
    return "csv"


def parse_calendar_text(text: str, *, year: int | None = None, format: str = "auto") -> ParsedCalendar:
    """Parse either format into a validated ``ParsedCalendar``; ``workdays.import_invalid`` otherwise."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if format == "auto":
        format = detect_format(text)
    if year is not None and not FIRST_YEAR <= year <= LAST_YEAR:
        raise import_error([{"line": 0, "reason": f"年份 {year} 超出支持范围（{FIRST_YEAR}—{LAST_YEAR}）"}])
    if format == "csv":
        return _parse_csv(text, year)
    if format == "notice":
        return _parse_notice(text, year)
    raise ApplicationError("workdays.bad_format", f"未知的导入格式：{format}", details={"format": format})


# --- shared validation --------------------------------------------------------------------------


def in_notice_year(day: dt.date, year: int) -> bool:
    if day.year == year:
        return True
    return day.year == year - 1 and day.month == 12 and day.day >= SPILL_FROM_DECEMBER_DAY


def validate_entries(entries: list[DayEntry], year: int, errors: ImportErrors) -> list[DayEntry]:
    """Year bounds, duplicates, holiday-and-workday clashes, workdays on weekends only."""
    seen: dict[dt.date, DayEntry] = {}
    result = []
    for entry in entries:
        if not in_notice_year(entry.date, year):
            errors.add(entry.line, f"日期 {entry.date.isoformat()} 不在 {year} 年内")
            continue
        previous = seen.get(entry.date)
        if previous is not None:
            if previous.kind != entry.kind:
                errors.add(
                    entry.line,
                    f"日期 {entry.date.isoformat()} 同时被声明为放假和上班（另见第 {previous.line} 行）",
                )
            else:
                errors.add(entry.line, f"日期 {entry.date.isoformat()} 与第 {previous.line} 行重复或重叠")
            continue
        if entry.kind == WORKDAY and entry.date.weekday() < 5:
            errors.add(
                entry.line,
                f"调休上班日 {entry.date.isoformat()} 是周{WEEKDAY_NAMES[entry.date.weekday()]}，应为周六或周日",
            )
            continue
        seen[entry.date] = entry
        result.append(entry)
    if not result and not errors.items:
        errors.add(0, "没有解析到任何放假或上班日期")
    return sorted(result, key=lambda e: e.date)


def _days(first: dt.date, last: dt.date):
    day = first
    while day <= last:
        yield day
        day += dt.timedelta(days=1)


# --- CSV ----------------------------------------------------------------------------------------

_CSV_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _csv_date(text: str) -> dt.date | None:
    text = text.strip()
    if not _CSV_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _parse_csv(text: str, year: int | None) -> ParsedCalendar:
    errors = ImportErrors()
    raw: list[DayEntry] = []
    for number, line in _content_lines(text):
        fields = [f.strip() for f in line.replace("，", ",").split(",")]
        if len(fields) not in (2, 3):
            errors.add(number, f"应为“日期,类型,名称”三列，实际 {len(fields)} 列")
            continue
        span, kind_word = fields[0], fields[1]
        name = fields[2] if len(fields) == 3 else ""
        kind = KIND_WORDS.get(kind_word.lower())
        if kind is None:
            errors.add(number, f"未知类型“{kind_word}”，应为 holiday（放假）或 workday（上班）")
        first_text, _, last_text = span.partition("..")
        first = _csv_date(first_text)
        last = _csv_date(last_text) if last_text else first
        if first is None:
            errors.add(number, f"日期格式不正确：“{first_text.strip()}”（应为 YYYY-MM-DD）")
            continue
        if last is None:
            errors.add(number, f"日期格式不正确：“{last_text.strip()}”（应为 YYYY-MM-DD）")
            continue
        if last < first:
            errors.add(number, f"结束日期 {last.isoformat()} 早于开始日期 {first.isoformat()}")
            continue
        if (last - first).days > 366:
            errors.add(number, f"日期范围过长：{first.isoformat()}..{last.isoformat()}")
            continue
        if kind is None:
            continue
        raw.extend(DayEntry(day, kind, name, number) for day in _days(first, last))
    if year is None:
        if raw:
            year = Counter(e.date.year for e in raw).most_common(1)[0][0]
        else:
            errors.raise_if_any()
            raise import_error([{"line": 0, "reason": "没有解析到任何放假或上班日期"}])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        errors.add(0, f"年份 {year} 超出支持范围（{FIRST_YEAR}—{LAST_YEAR}）")
    entries = validate_entries(raw, year, errors)
    errors.raise_if_any()
    return ParsedCalendar(year=year, format="csv", entries=entries)


# --- the State Council's notice -----------------------------------------------------------------

_ITEM = re.compile(r"^[一二三四五六七八九十]+\s*[、.．]\s*(?P<name>[^：:]{1,40}?)\s*[：:]\s*(?P<body>.+)$")
_DATE = r"(?:(?P<{p}y>\d{{4}})\s*年\s*)?(?:(?P<{p}m>\d{{1,2}})\s*月\s*)?(?P<{p}d>\d{{1,2}})\s*日"
_NOTE = r"(?:\s*[（(](?P<{p}note>[^）)]*)[）)])?"
_RANGE = re.compile(
    _DATE.format(p="a")
    + _NOTE.format(p="a")
    + r"\s*(?:至|到|—|－|-|~|～)\s*"
    + _DATE.format(p="b")
    + _NOTE.format(p="b")
)
_SINGLE = re.compile(_DATE.format(p="a") + _NOTE.format(p="a"))
_TOTAL = re.compile(r"共\s*(\d+)\s*天")
_ONE_DAY = re.compile(r"放假\s*(\d+)\s*天")
_WEEKDAY = re.compile(r"(?:周|星期|礼拜)([一二三四五六日天])")


class _NoticeItem:
    def __init__(self, number: int, name: str, year: int, errors: ImportErrors):
        self.line = number
        self.name = name
        self.year = year
        self.errors = errors
        self.is_new_year = "元旦" in name

    def date(self, match, prefix: str, *, month: int | None = None, year: int | None = None) -> dt.date | None:
        y_text, m_text, d_text = match.group(f"{prefix}y"), match.group(f"{prefix}m"), match.group(f"{prefix}d")
        if m_text is None and month is None:
            self.errors.add(self.line, f"日期“{match.group(0)}”缺少月份")
            return None
        m = int(m_text) if m_text is not None else month
        if y_text is not None:
            y = int(y_text)
        elif year is not None:
            y = year
        elif self.is_new_year and m == 12:
            # "12月31日至1月2日" in the 元旦 item: the December days belong to the previous year.
            y = self.year - 1
        else:
            y = self.year
        try:
            day = dt.date(y, m, int(d_text))
        except ValueError:
            self.errors.add(self.line, f"日期不存在：{y}年{m}月{d_text}日")
            return None
        note = match.group(f"{prefix}note")
        if note:
            stated = _WEEKDAY.search(note)
            if stated and WEEKDAY_WORDS[stated.group(1)] != day.weekday():
                self.errors.add(
                    self.line,
                    f"{day.month}月{day.day}日标注为“{stated.group(0)}”，但 {day.isoformat()} 是周{WEEKDAY_NAMES[day.weekday()]}",
                )
                return None
        return day

    def holiday_sentence(self, sentence: str) -> list[DayEntry]:
        entries: list[DayEntry] = []
        covered = []
        for match in _RANGE.finditer(sentence):
            first = self.date(match, "a")
            if first is None:
                continue
            end_month = match.group("bm")
            # "12月31日至1月2日" crosses into the next year; "1月1日至3日" stays in the start's month.
            crosses = end_month is not None and int(end_month) < first.month
            last = self.date(match, "b", month=first.month, year=first.year + crosses)
            covered.append(match.span())
            if last is None:
                continue
            if last < first:
                self.errors.add(self.line, f"结束日期 {last.isoformat()} 早于开始日期 {first.isoformat()}")
                continue
            entries.extend(DayEntry(day, HOLIDAY, self.name, self.line) for day in _days(first, last))
        for match in _SINGLE.finditer(sentence):
            if any(start <= match.start() < end for start, end in covered):
                continue
            day = self.date(match, "a")
            if day is not None:
                entries.append(DayEntry(day, HOLIDAY, self.name, self.line))
        return entries

    def workday_sentence(self, sentence: str) -> list[DayEntry]:
        entries = []
        month = None
        for match in _SINGLE.finditer(sentence):
            # "9月28日（周日）、10月11日（周六）上班" — a bare "31日" keeps the previous month.
            day = self.date(match, "a", month=month)
            if day is not None:
                month = day.month
                entries.append(DayEntry(day, WORKDAY, self.name, self.line))
        return entries


def notice_year_from_text(text: str) -> int | None:
    match = TITLE_YEAR.search(text)
    return int(match.group(1)) if match else None


def _parse_notice(text: str, year: int | None) -> ParsedCalendar:
    errors = ImportErrors()
    title_year = notice_year_from_text(text)
    if year is None:
        year = title_year
    elif title_year is not None and title_year != year:
        errors.add(0, f"通知标题是 {title_year} 年，与指定的年份 {year} 不一致")
        errors.raise_if_any()
    if year is None:
        raise import_error([{"line": 0, "reason": "无法确定年份：请指定年份，或保留标题“YYYY年部分节假日安排”"}])
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise import_error([{"line": 0, "reason": f"年份 {year} 超出支持范围（{FIRST_YEAR}—{LAST_YEAR}）"}])

    raw: list[DayEntry] = []
    items = 0
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        match = _ITEM.match(stripped)
        if match is None:
            continue  # title, preamble, closing words, signature
        items += 1
        item = _NoticeItem(number, match.group("name").strip(), year, errors)
        found_holiday = False
        for sentence in re.split(r"[。；;]", match.group("body")):
            if "上班" in sentence:
                raw.extend(item.workday_sentence(sentence))
            elif "放假" in sentence or ("休息" in sentence and "鼓励" not in sentence):
                before = len(errors.items)
                days = item.holiday_sentence(sentence)
                found_holiday = found_holiday or bool(days) or len(errors.items) > before
                total = _TOTAL.search(sentence) or _ONE_DAY.search(sentence)
                if total and days and int(total.group(1)) != len(days):
                    errors.add(
                        number,
                        f"{item.name}：声明共 {total.group(1)} 天，但日期范围共 {len(days)} 天",
                    )
                raw.extend(days)
        if not found_holiday:
            errors.add(number, f"{item.name}：未找到放假日期")
    if items == 0:
        errors.add(0, "未找到任何节日安排（应为“一、元旦：1月1日……放假”这样的条目）")
    entries = validate_entries(raw, year, errors)
    errors.raise_if_any()
    return ParsedCalendar(year=year, format="notice", entries=entries)
