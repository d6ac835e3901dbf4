"""Normalising unit names so that the many ways a document writes one department meet in one key.

The plan writes the same unit as 县市场监管局, 市场监管局 and 眉县市场监督管理局 (the last one is an
alias row); punctuation may be full-width or half-width and pasted text carries stray spaces.
"""

import re
import unicodedata

COUNTY_PREFIXES = ("眉县", "县")


def normalize_department_name(name: str) -> str:
    """Return the lookup key of a unit name.

    NFKC folds full-width letters, digits and brackets to their ASCII forms; whitespace and
    punctuation are dropped; one leading "眉县" or "县" is removed, because the plan writes
    县人社局 and 人社局 for the same unit.
    """
    kept = fold_name(name)
    for prefix in COUNTY_PREFIXES:
        if kept.startswith(prefix) and len(kept) > len(prefix):
            return kept[len(prefix) :]
    return kept


# The one-character prefix a region's own documents write before its units: 区人社局 in a 广安区 list
# means 广安区人社局, 县人社局 in a 眉县 list 眉县人社局, 市/省 likewise for a city or province.
REGION_SHORT_PREFIXES = ("省", "市", "区", "县", "旗")


def fold_name(name: str) -> str:
    """NFKC-folded, whitespace and punctuation dropped; no prefix removed."""
    folded = unicodedata.normalize("NFKC", name or "")
    return "".join(ch for ch in folded if not ch.isspace() and not unicodedata.category(ch).startswith("P"))


def region_short_prefix(region_name: str) -> str:
    """区 for 广安区, 县 for 眉县, 市 for 广州市, 省 for 广东省; "" for a town or village."""
    last = (region_name or "")[-1:]
    return last if last in REGION_SHORT_PREFIXES else ""


def region_qualified_names(name: str, region_name: str) -> list[str]:
    """The spellings ``name`` may stand for when written in a document of the region ``region_name``.

    Rule: a unit written with the region's short prefix (区人社局) or with no prefix (人社局) is that
    region's own unit (广安区人社局); a name that already carries the region's name stays as written.
    市场监管局 in a 广州市 list may be 广州市市场监管局 or 广州市场监管局, so both are given.
    """
    kept = fold_name(name)
    region_name = fold_name(region_name)
    if not kept or not region_name:
        return []
    if kept.startswith(region_name):
        return [kept]
    names = []
    prefix = region_short_prefix(region_name)
    if prefix and kept.startswith(prefix) and len(kept) > len(prefix):
        names.append(region_name + kept[len(prefix) :])
    names.append(region_name + kept)
    return names


# A parenthesised note, allowing one level of nesting: "（县行政审批服务局牵头，各镇（街）、…负责）".
_NOTE_RE = re.compile(r"[（(]((?:[^（）()]|[（(][^（）()]*[）)])*)[）)]")
_SEPARATORS_RE = re.compile(r"[、，,；;]")
_DUTY_TAIL_RE = re.compile(r"按照?职责分[工开]负责.*$")
_ROLE_SUFFIXES = ("牵头", "负责")
# Words that name a group of units, not one unit.
_GROUP_WORDS = frozenset({"园区", "部门", "相关部门", "镇街", "政务分中心"})


def responsibility_notes(text: str) -> list[str]:
    """The parenthesised responsibility notes of a plan: "（县住建局牵头，县发改局…按职责分工负责）"
    and the area headers "（包抓领导：…，牵头部门：县住建局）"."""
    return [m.group(1) for m in _NOTE_RE.finditer(text) if "牵头" in m.group(1) or "负责" in m.group(1)]


def responsibility_units(note: str) -> list[str]:
    """The unit names in one responsibility note, as written (县发改局, 市场监管局, 供电眉县分公司…).

    Group references (各相关部门, 各镇（街）, 园区) are left out; in an area header only the part
    after "牵头部门：" names units (the rest names leaders).
    """
    if "牵头部门：" in note:
        note = note.split("牵头部门：", 1)[1]
    units = []
    for part in _SEPARATORS_RE.split(note):
        part = _DUTY_TAIL_RE.sub("", part.strip())
        part = part.split("等", 1)[0]
        for suffix in _ROLE_SUFFIXES:
            part = part.removesuffix(suffix)
        part = part.removeprefix("及").strip()
        if not part or part.startswith("各") or part in _GROUP_WORDS:
            continue
        units.append(part)
    return units
