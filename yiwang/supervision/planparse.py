"""Reading a reform plan written like the 2021 Meixian plan (seed/meixian-2021-business-environment-plan.txt).

The text is plain Chinese government prose with four levels of numbering:

    一、二、…               the parts (二 key tasks, 三 highlights, 四 the areas, 五 safeguards)
    （一）（二）…            a key task (二), an area heading (四) or a safeguard (五)
    1. 2. …                 a highlight (三) or an area's task (四)
    （1）(2) …              a clause inside a task (kept in its text)

An area heading carries its leader and lead departments in parentheses:
"（一）简化企业开办（包抓领导：县委常委、副县长陈尚东，牵头部门：县行政审批服务局、市场监管局）";
a task closes with its departments: "（县行政审批服务局牵头，县公安局、人社局…等相关部门按职责分工负责）" —
units before 牵头 lead, the rest co-operate; a note without 牵头 ("（县商务和工业信息化局负责）") names
jointly responsible units, taken as leads.

This module only reads text: department names stay as written (``yiwang.org.names`` splits them);
``services.plan`` resolves them through the alias table. Errors carry line numbers.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal

from yiwang.org.names import responsibility_notes, responsibility_units

CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}

# Parts of the plan by their Chinese number (the seed plan's order).
PART_KEY_TASKS, PART_HIGHLIGHTS, PART_AREAS, PART_SAFEGUARDS = 2, 3, 4, 5

_PART_RE = re.compile(r"^([一二三四五六七八九十]+)、(.*)$")
_SECTION_RE = re.compile(r"^（([一二三四五六七八九十]+)）(.*)$")
_ITEM_RE = re.compile(r"^(\d{1,2})[.．、](?!\d)(.*)$")
_LEADER_RE = re.compile(r"包抓领导[：:](.*?)[，,]\s*牵头部门[：:](.*)$")
_LEADER_NAME_RE = re.compile(r"^(.*(?:县长|书记|主任|部长))(.{2,4})$")
# A group of units leading a task: "各园区管委会牵头" (四（十八）8) names every park committee.
_GROUP_LEAD_RE = re.compile(r"各([^、，,（）()]*?管委会)牵头")
_YEAR_RE = re.compile(r"((?:19|20)\d{2})年")


def cn_number(text: str) -> int:
    """一 → 1, 十 → 10, 十八 → 18, 二十 → 20 (plans never number beyond 99)."""
    if text == "十":
        return 10
    if "十" in text:
        tens, _, units = text.partition("十")
        return (CN_DIGITS[tens] if tens else 1) * 10 + (CN_DIGITS[units] if units else 0)
    return CN_DIGITS[text]


@dataclass
class ParsedTarget:
    """A number the plan sets: ``comparator`` is "le" (以内, 不超过), "ge" (以上, 达到) or "eq"."""

    text: str
    value: Decimal
    unit: str
    comparator: str
    line: int


@dataclass
class ParsedMilestone:
    text: str
    due_on: dt.date
    line: int


@dataclass
class ParsedTask:
    part: int
    no: int
    title: str
    text: str
    line: int
    lead: list[str] = field(default_factory=list)
    co: list[str] = field(default_factory=list)
    lead_groups: list[str] = field(default_factory=list)  # "园区管委会" from "各园区管委会牵头"
    targets: list[ParsedTarget] = field(default_factory=list)
    milestones: list[ParsedMilestone] = field(default_factory=list)


@dataclass
class ParsedArea:
    no: int
    title: str
    leader: str
    leader_title: str
    lead: list[str]
    line: int
    tasks: list[ParsedTask] = field(default_factory=list)


@dataclass
class ParsedPlan:
    title: str
    year: int
    goal: str = ""
    key_tasks: list[ParsedTask] = field(default_factory=list)
    highlights: list[ParsedTask] = field(default_factory=list)
    areas: list[ParsedArea] = field(default_factory=list)
    safeguards: list[ParsedTask] = field(default_factory=list)

    def all_tasks(self) -> list[tuple[ParsedArea | None, ParsedTask]]:
        rows: list[tuple[ParsedArea | None, ParsedTask]] = [(None, t) for t in self.key_tasks + self.highlights]
        rows += [(area, t) for area in self.areas for t in area.tasks]
        rows += [(None, t) for t in self.safeguards]
        return rows


@dataclass
class LineError:
    line: int
    message: str

    def __str__(self) -> str:
        return f"第{self.line}行：{self.message}" if self.line else self.message


class PlanParseError(Exception):
    """Every problem found in a plan's text, each with its line number."""

    def __init__(self, errors: list[LineError]):
        self.errors = errors
        super().__init__("；".join(str(e) for e in errors))


def _clean(line: str) -> str:
    # Full-width spaces and the indentation some paragraphs carry; NFKC would also fold the
    # full-width brackets the numbering relies on, so only whitespace is touched.
    return line.replace("\u3000", " ").strip()


def _title_of(body: str) -> str:
    """A paragraph's title: its first sentence (up to 。), without the closing punctuation."""
    head = re.split(r"[。]", body, maxsplit=1)[0]
    # An area heading: the title ends where its parenthesised leader note starts.
    head = re.split(r"[（(]包抓领导", head, maxsplit=1)[0]
    return head.strip().rstrip("，,；;")


def split_note(note: str) -> tuple[list[str], list[str]]:
    """(lead units, co-operating units) of a task's closing note, as written."""
    if "牵头" in note:
        lead_part, _, co_part = note.partition("牵头")
        lead_part = lead_part.replace("，", "、").replace(",", "、")
        return responsibility_units(lead_part + "牵头"), responsibility_units(co_part)
    return responsibility_units(note), []


# --- targets and milestones ----------------------------------------------------------------------

_UNITS = {
    "个工作日": "工作日",
    "工作日": "工作日",
    "个重点领域": "个重点领域",
    "日": "日",
    "天": "日",
    "项": "项",
    "分钟": "分钟",
    "小时": "小时",
}
_NUMBER_LIST = r"(\d+(?:\.\d+)?(?:\s*个?\s*[、,，]\s*\d+(?:\.\d+)?)*)"
_QUANTITY_RE = re.compile(_NUMBER_LIST + r"\s*(个工作日|工作日|个重点领域|分钟|小时|项|日|天)(以内|以上|内)?")
_PERCENT_RE = re.compile(r"(\d+(?:\.\d+)?)\s*[%％](以上|以下)?")
_QUARTERLY_RE = re.compile(r"每(季度|月|年|半年)[开展进行]*一次")
_FREQUENCY_UNITS = {"季度": "次/季度", "月": "次/月", "年": "次/年", "半年": "次/半年"}
_MONTH_END_RE = re.compile(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(?:底|末)前")
_DAY_RE = re.compile(r"(?:((?:19|20)\d{2})年)?(\d{1,2})月(\d{1,2})日前")
_YEAR_END_RE = re.compile(r"(?:((?:19|20)\d{2})年|年)(?:底|末)前")


def _clause(text: str, start: int, end: int) -> str:
    """The clause around a match: from the previous to the next sentence or clause break."""
    left = max(text.rfind(ch, 0, start) for ch in "。；;（）()") + 1
    rights = [i for i in (text.find(ch, end) for ch in "。；;，") if i != -1]
    right = min(rights) if rights else len(text)
    return text[left:right].strip()


def _comparator(text: str, start: int, end: int, suffix: str | None) -> str:
    before = text[max(0, start - 6) : start]
    if suffix in ("以内", "内", "以下") or "不超过" in before or "压缩至" in before or "压减至" in before:
        return "le"
    if suffix == "以上" or "达到" in before:
        return "ge"
    return "eq"


def extract_targets(text: str, line: int) -> list[ParsedTarget]:
    """Every quantitative target in a task's text, in order (see the module docstring of ``services``)."""
    found: list[tuple[int, ParsedTarget]] = []
    taken: list[tuple[int, int]] = []
    for m in _PERCENT_RE.finditer(text):
        comparator = "ge" if m.group(2) == "以上" else "le" if m.group(2) == "以下" else "eq"
        clause = _clause(text, m.start(), m.end())
        found.append((m.start(), ParsedTarget(clause, Decimal(m.group(1)), "%", comparator, line)))
        taken.append((m.start(), m.end()))
    for m in _QUANTITY_RE.finditer(text):
        if any(a <= m.start() < b for a, b in taken):
            continue
        # "2021年" never reaches here (年 is no unit); "7×24小时" keeps 24.
        unit = _UNITS[m.group(2)]
        comparator = _comparator(text, m.start(), m.end(), m.group(3))
        clause = _clause(text, m.start(), m.end())
        for number in re.findall(r"\d+(?:\.\d+)?", m.group(1)):
            found.append((m.start(), ParsedTarget(clause, Decimal(number), unit, comparator, line)))
    for m in _QUARTERLY_RE.finditer(text):
        clause = _clause(text, m.start(), m.end())
        found.append((m.start(), ParsedTarget(clause, Decimal(1), _FREQUENCY_UNITS[m.group(1)], "ge", line)))
    # A phrase the text repeats (“15分钟政务服务圈” twice) is one target.
    unique: list[ParsedTarget] = []
    for _, target in sorted(found, key=lambda pair: pair[0]):
        if not any((t.value, t.unit, t.comparator) == (target.value, target.unit, target.comparator) for t in unique):
            unique.append(target)
    return unique


def _month_end(year: int, month: int) -> dt.date:
    first_next = dt.date(year + (month == 12), month % 12 + 1, 1)
    return first_next - dt.timedelta(days=1)


def extract_milestones(text: str, year: int, line: int) -> list[ParsedMilestone]:
    """Dated deadlines: "7月底前" → 31 July of the plan's year, "年底前"/"2021年底前" → 31 December."""
    found: list[tuple[int, ParsedMilestone]] = []
    for m in _MONTH_END_RE.finditer(text):
        y = int(m.group(1) or year)
        found.append(
            (m.start(), ParsedMilestone(_clause(text, m.start(), m.end()), _month_end(y, int(m.group(2))), line))
        )
    for m in _DAY_RE.finditer(text):
        y = int(m.group(1) or year)
        try:
            due = dt.date(y, int(m.group(2)), int(m.group(3)))
        except ValueError:
            continue
        found.append((m.start(), ParsedMilestone(_clause(text, m.start(), m.end()), due, line)))
    for m in _YEAR_END_RE.finditer(text):
        y = int(m.group(1) or year)
        found.append((m.start(), ParsedMilestone(_clause(text, m.start(), m.end()), dt.date(y, 12, 31), line)))
    return [milestone for _, milestone in sorted(found, key=lambda pair: pair[0])]


# --- the parser ----------------------------------------------------------------------------------


def parse_plan(text: str) -> ParsedPlan:
    """Parse a plan's text. Raises ``PlanParseError`` listing every problem with its line number."""
    errors: list[LineError] = []
    text = unicodedata.normalize("NFC", text or "")
    lines = [_clean(raw) for raw in text.splitlines()]
    if not any(lines):
        raise PlanParseError([LineError(0, "方案文本为空")])

    # Title: the lines before the preamble/first part; the year is the first "20xx年" in it.
    title_lines: list[str] = []
    for value in lines:
        if not value:
            if title_lines:
                continue
            continue
        if _PART_RE.match(value) or value.startswith("为") or len(value) > 60:
            break
        title_lines.append(value)
    title = "".join(title_lines)
    year_match = _YEAR_RE.search(title)
    if not year_match:
        errors.append(LineError(1, "未能从标题中读出方案年度（如“2021年”）"))
    plan = ParsedPlan(title=title or "（无标题）", year=int(year_match.group(1)) if year_match else 0)

    part: int | None = None
    parts_seen: list[int] = []
    current_task: ParsedTask | None = None
    current_area: ParsedArea | None = None
    goal_lines: list[str] = []

    def close_task():
        nonlocal current_task
        if current_task is None:
            return
        task = current_task
        current_task = None
        notes = [n for n in responsibility_notes(task.text) if "包抓领导" not in n]
        if task.part != PART_SAFEGUARDS:
            if not notes:
                errors.append(LineError(task.line, f"任务“{task.title}”缺少末尾括号中的牵头或责任部门"))
            else:
                task.lead, task.co = split_note(notes[-1])
                task.lead_groups = _GROUP_LEAD_RE.findall(notes[-1].partition("牵头")[0] + "牵头")
                if not task.lead and not task.co and "各" not in notes[-1]:
                    errors.append(LineError(task.line, f"任务“{task.title}”的责任说明中没有部门：（{notes[-1]}）"))
        task.targets = extract_targets(task.text, task.line)
        task.milestones = extract_milestones(task.text, plan.year or dt.date.today().year, task.line)

    def expect(no: int, seen: list, what: str, line: int) -> None:
        wanted = len(seen) + 1
        if no != wanted:
            errors.append(LineError(line, f"{what}编号应为{wanted}，实际为{no}"))

    for index, value in enumerate(lines, start=1):
        if not value:
            continue
        m = _PART_RE.match(value)
        if m and len(m.group(2)) <= 30:
            close_task()
            current_area = None
            part = cn_number(m.group(1))
            if parts_seen and part != parts_seen[-1] + 1:
                errors.append(LineError(index, f"部分编号应为{_cn(parts_seen[-1] + 1)}、，实际为{m.group(1)}、"))
            parts_seen.append(part)
            continue
        if part is None:
            continue  # title and preamble
        if part == 1:
            goal_lines.append(value)
            continue
        m = _SECTION_RE.match(value)
        if m and part in (PART_KEY_TASKS, PART_AREAS, PART_SAFEGUARDS):
            close_task()
            no, body = cn_number(m.group(1)), m.group(2).strip()
            if part == PART_AREAS:
                expect(no, plan.areas, "领域", index)
                current_area = _area_heading(no, body, index, errors)
                plan.areas.append(current_area)
                continue
            bucket = plan.key_tasks if part == PART_KEY_TASKS else plan.safeguards
            expect(no, bucket, "重点工作" if part == PART_KEY_TASKS else "保障措施", index)
            current_task = ParsedTask(part=part, no=no, title=_title_of(body), text=body, line=index)
            bucket.append(current_task)
            continue
        m = _ITEM_RE.match(value)
        if m and part in (PART_HIGHLIGHTS, PART_AREAS):
            close_task()
            no, body = int(m.group(1)), m.group(2).strip()
            if part == PART_HIGHLIGHTS:
                expect(no, plan.highlights, "特色亮点工作", index)
                current_task = ParsedTask(part=part, no=no, title=_title_of(body), text=body, line=index)
                plan.highlights.append(current_task)
            else:
                if current_area is None:
                    errors.append(LineError(index, "任务出现在第一个领域标题“（一）…（包抓领导：…）”之前"))
                    continue
                expect(no, current_area.tasks, f"领域（{_cn(current_area.no)}）的任务", index)
                current_task = ParsedTask(part=part, no=no, title=_title_of(body), text=body, line=index)
                current_area.tasks.append(current_task)
            continue
        # A paragraph without a number: it continues the open task, or (an area with a single
        # unnumbered task, like 四（七）) it is that area's only task.
        if current_task is not None:
            current_task.text += value
        elif part == PART_AREAS and current_area is not None and not current_area.tasks:
            current_task = ParsedTask(part=part, no=1, title=_title_of(value), text=value, line=index)
            current_area.tasks.append(current_task)
        elif part in (PART_KEY_TASKS, PART_HIGHLIGHTS, PART_SAFEGUARDS, PART_AREAS):
            errors.append(LineError(index, f"无法归属的段落：“{value[:20]}…”（缺少编号）"))
    close_task()
    plan.goal = "".join(goal_lines)

    for wanted, label in (
        (PART_KEY_TASKS, "二、重点工作"),
        (PART_HIGHLIGHTS, "三、特色亮点工作"),
        (PART_AREAS, "四、工作任务分工"),
        (PART_SAFEGUARDS, "五、保障措施"),
    ):
        if wanted not in parts_seen:
            errors.append(LineError(0, f"缺少“{label}”部分"))
    for area in plan.areas:
        if not area.tasks:
            errors.append(LineError(area.line, f"领域“{area.title}”下没有任务"))
    if errors:
        raise PlanParseError(sorted(errors, key=lambda e: e.line))
    return plan


def _cn(number: int) -> str:
    inverse = {v: k for k, v in CN_DIGITS.items()}
    if number <= 10:
        return inverse[number]
    tens, units = divmod(number, 10)
    return (inverse[tens] if tens > 1 else "") + "十" + (inverse[units] if units else "")


def _area_heading(no: int, body: str, line: int, errors: list[LineError]) -> ParsedArea:
    title = _title_of(body)
    leader = leader_title = ""
    lead: list[str] = []
    note = next((n for n in responsibility_notes(body) if "包抓领导" in n), None)
    if note is None:
        errors.append(LineError(line, f"领域“{title}”的标题缺少（包抓领导：…，牵头部门：…）"))
    else:
        m = _LEADER_RE.search(note)
        if not m:
            errors.append(LineError(line, f"领域“{title}”的标题应写作（包抓领导：…，牵头部门：…）"))
        else:
            person = m.group(1).strip()
            named = _LEADER_NAME_RE.match(person)
            leader_title, leader = (named.group(1), named.group(2)) if named else ("", person)
            lead = responsibility_units("牵头部门：" + m.group(2))
            if not lead:
                errors.append(LineError(line, f"领域“{title}”没有写明牵头部门"))
    return ParsedArea(no=no, title=title, leader=leader, leader_title=leader_title, lead=lead, line=line)
