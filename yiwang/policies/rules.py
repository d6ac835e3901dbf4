"""Eligibility rules as data: a small language stored as JSON on ``Policy.rules``.

    {"mode": "all",                       # all conditions must hold ("any": at least one)
     "conditions": [
        {"attribute": "industry_code", "operator": "prefix", "values": ["A015", "C1361"]},
        {"attribute": "registered_capital", "operator": "range", "min": "100", "max": null},
        {"attribute": "risk_class", "operator": "in", "values": ["A", "B"]},
        {"attribute": "tag", "operator": "has", "values": ["小微企业"]}]}

Attributes are those of ``credit.Entity`` (``ATTRIBUTES``); each allows a fixed set of operators:
``in`` / ``not_in`` (the value is one of / none of a set), ``prefix`` (the industry code starts with one
of the prefixes), ``has`` (the entity carries one of the tags), ``range`` (``min`` ≤ value ≤ ``max``,
either bound may be empty). ``rules_validate`` answers every problem with a specific Chinese message;
``rules_evaluate`` answers, per condition, met / not met with the entity's own value — the sentence
the enterprise and the officer read ("注册资本 80 万元，不满足 ≥ 100 万元"); ``rules_q`` turns the
rule into one database filter, so matching a policy against every entity is one query.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.db.models import Q, TextField
from django.db.models.functions import Cast

from yiwang.credit.models import Entity, RiskClass

MODES = {"all": "全部满足", "any": "满足其一"}

OPERATORS = {
    "in": "属于",
    "not_in": "不属于",
    "prefix": "以…开头",
    "has": "具有标签",
    "range": "介于",
}


@dataclass(frozen=True)
class Attribute:
    name: str
    label: str
    operators: tuple[str, ...]
    unit: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # fixed value sets; empty = free values


ATTRIBUTES: dict[str, Attribute] = {
    a.name: a
    for a in (
        Attribute("industry_code", "行业代码", ("prefix",)),
        Attribute("town", "所在镇街", ("in", "not_in")),
        Attribute("kind", "主体类型", ("in", "not_in"), choices=tuple(Entity.Kind.choices)),
        Attribute("size", "企业规模", ("in", "not_in"), choices=tuple(Entity.Size.choices)),
        Attribute("registered_capital", "注册资本", ("range",), unit="万元"),
        Attribute("age_years", "成立年限", ("range",), unit="年"),
        Attribute("risk_class", "信用风险分类", ("in", "not_in"), choices=tuple(RiskClass.choices)),
        Attribute("tag", "标签", ("has",)),
        Attribute("status", "登记状态", ("in", "not_in"), choices=tuple(Entity.Status.choices)),
    )
}


class RuleError(ValueError):
    """A rule that cannot be stored; ``errors`` lists (condition index or None, Chinese message)."""

    def __init__(self, errors: list[tuple[int | None, str]]):
        super().__init__("；".join(message for _, message in errors))
        self.errors = errors


def _decimal(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise ValueError(str(value)) from None
    if not number.is_finite():
        raise ValueError(str(value))
    return number


def _number_text(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def condition_errors(condition, *, valid_towns: set[str] | None = None) -> list[str]:
    """Every problem of one condition, in Chinese; [] when it is sound."""
    if not isinstance(condition, dict):
        return ["条件格式不正确"]
    name = condition.get("attribute")
    attribute = ATTRIBUTES.get(name)
    if attribute is None:
        return [f"未知的条件项“{name}”，可用：{'、'.join(a.label for a in ATTRIBUTES.values())}"]
    operator = condition.get("operator")
    if operator not in attribute.operators:
        allowed = "、".join(OPERATORS[o] for o in attribute.operators)
        shown = OPERATORS.get(operator, operator or "（空）")
        return [f"条件项“{attribute.label}”不能使用运算“{shown}”，只能使用：{allowed}"]
    errors = []
    if operator == "range":
        try:
            low, high = _decimal(condition.get("min")), _decimal(condition.get("max"))
        except ValueError as exc:
            return [f"条件项“{attribute.label}”的界限“{exc}”不是数字"]
        if low is None and high is None:
            errors.append(f"条件项“{attribute.label}”至少要填写下限或上限")
        elif low is not None and high is not None and low > high:
            errors.append(
                f"条件项“{attribute.label}”的下限 {_number_text(low)} {attribute.unit}"
                f"大于上限 {_number_text(high)} {attribute.unit}"
            )
        if (low is not None and low < 0) or (high is not None and high < 0):
            errors.append(f"条件项“{attribute.label}”的界限不能为负数")
        return errors
    values = condition.get("values")
    if not isinstance(values, list) or not [v for v in values if str(v).strip()]:
        return [f"条件项“{attribute.label}”的取值不能为空"]
    values = [str(v).strip() for v in values if str(v).strip()]
    if attribute.choices:
        allowed = dict(attribute.choices)
        unknown = [v for v in values if v not in allowed]
        if unknown:
            errors.append(
                f"条件项“{attribute.label}”的取值“{'、'.join(unknown)}”无效，可选：{'、'.join(str(x) for x in allowed.values())}"
            )
    if name == "industry_code":
        bad = [
            v
            for v in values
            if not (v[:1].isascii() and v[:1].isupper() and (v[1:] == "" or v[1:].isdigit()) and len(v) <= 5)
        ]
        if bad:
            errors.append(f"行业代码“{'、'.join(bad)}”格式不正确，应为门类字母或门类字母加数字，如 C、H62、A0151")
    if name == "town" and valid_towns is not None:
        unknown = [v for v in values if v not in valid_towns]
        if unknown:
            errors.append(f"所在镇街“{'、'.join(unknown)}”不是本县的镇街区划代码")
    return errors


def rules_validate(rules, *, valid_towns: set[str] | None = None) -> dict:
    """The rule in its stored (normalised) form, or ``RuleError`` listing every problem.

    At least one condition; every condition's attribute, operator and values are checked
    (``condition_errors``). ``valid_towns`` (region codes) limits the ``town`` attribute.
    """
    if not isinstance(rules, dict):
        raise RuleError([(None, "享受条件格式不正确")])
    errors: list[tuple[int | None, str]] = []
    mode = rules.get("mode", "all")
    if mode not in MODES:
        errors.append((None, f"条件组合方式“{mode}”无效，应为“全部满足”或“满足其一”"))
    conditions = rules.get("conditions")
    if not isinstance(conditions, list) or not conditions:
        errors.append((None, "至少需要一个享受条件"))
        conditions = []
    normalised = []
    for index, condition in enumerate(conditions):
        for message in condition_errors(condition, valid_towns=valid_towns):
            errors.append((index, f"第 {index + 1} 个条件：{message}"))
        if isinstance(condition, dict):
            normalised.append(_normalise(condition))
    if errors:
        raise RuleError(errors)
    return {"mode": mode, "conditions": normalised}


def _normalise(condition: dict) -> dict:
    out = {"attribute": condition.get("attribute"), "operator": condition.get("operator")}
    if out["operator"] == "range":
        for bound in ("min", "max"):
            try:
                value = _decimal(condition.get(bound))
            except ValueError:
                value = None
            out[bound] = None if value is None else _number_text(value)
    else:
        seen = []
        for value in condition.get("values") or []:
            value = str(value).strip()
            if value and value not in seen:
                seen.append(value)
        out["values"] = seen
    return out


# --- evaluation ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConditionResult:
    label: str
    met: bool
    actual: str
    requirement: str

    @property
    def sentence(self) -> str:
        return f"{self.label} {self.actual}，{'满足' if self.met else '不满足'} {self.requirement}"


@dataclass(frozen=True)
class Explanation:
    eligible: bool
    mode: str
    results: tuple[ConditionResult, ...]

    @property
    def summary(self) -> str:
        return "；".join(r.sentence for r in self.results)


def age_years(established_on: dt.date | None, today: dt.date) -> int | None:
    """Whole years since establishment (an anniversary day counts as a full year)."""
    if established_on is None:
        return None
    years = today.year - established_on.year
    if (today.month, today.day) < (established_on.month, established_on.day):
        years -= 1
    return years


def _years_ago(today: dt.date, years: int) -> dt.date:
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def _value_labels(attribute: Attribute, values, town_names: dict[str, str]) -> list[str]:
    if attribute.choices:
        labels = dict(attribute.choices)
        return [str(labels.get(v, v)) for v in values]
    if attribute.name == "town":
        return [town_names.get(v, v) for v in values]
    return list(values)


def _requirement(attribute: Attribute, condition: dict, town_names: dict[str, str]) -> str:
    operator = condition["operator"]
    if operator == "range":
        low, high = condition.get("min"), condition.get("max")
        unit = f" {attribute.unit}" if attribute.unit else ""
        if low is not None and high is not None:
            return f"{low}～{high}{unit}"
        if low is not None:
            return f"≥ {low}{unit}"
        return f"≤ {high}{unit}"
    shown = "、".join(_value_labels(attribute, condition["values"], town_names))
    return {
        "in": f"属于{shown}",
        "not_in": f"不属于{shown}",
        "prefix": f"行业代码以{shown}开头",
        "has": f"具有标签{shown}",
    }[operator]


def _entity_value(entity, name: str, today: dt.date):
    if name == "town":
        town = getattr(entity, "town", None)
        return (town.code, town.name) if town is not None else (None, None)
    if name == "age_years":
        return age_years(entity.established_on, today)
    if name == "tag":
        return list(entity.tags or [])
    return getattr(entity, name)


def _actual_text(attribute: Attribute, value) -> str:
    if value is None or value == "" or value == []:
        return "未登记"
    if attribute.name == "town":
        return value[1]
    if attribute.name == "tag":
        return "标签为" + "、".join(value)
    if attribute.name == "registered_capital":
        return f"{_number_text(Decimal(value))} 万元"
    if attribute.name == "age_years":
        return f"成立 {value} 年"
    if attribute.choices:
        return str(dict(attribute.choices).get(value, value))
    return str(value)


def condition_evaluate(condition: dict, entity, *, today: dt.date, town_names=None) -> ConditionResult:
    town_names = town_names or {}
    attribute = ATTRIBUTES[condition["attribute"]]
    value = _entity_value(entity, attribute.name, today)
    operator = condition["operator"]
    if operator == "range":
        low, high = _decimal(condition.get("min")), _decimal(condition.get("max"))
        met = value is not None and (low is None or Decimal(value) >= low) and (high is None or Decimal(value) <= high)
    elif operator == "prefix":
        met = bool(value) and any(str(value).startswith(p) for p in condition["values"])
    elif operator == "has":
        met = any(tag in value for tag in condition["values"])
    else:
        code = value[0] if attribute.name == "town" else value
        inside = code is not None and code in condition["values"]
        met = inside if operator == "in" else (code is not None and not inside)
    actual = _actual_text(attribute, value)
    if attribute.name == "industry_code" and value:
        name = getattr(entity, "industry_name", "")
        actual = f"{value}{f'（{name}）' if name else ''}"
    return ConditionResult(
        label=attribute.label, met=met, actual=actual, requirement=_requirement(attribute, condition, town_names)
    )


def rules_evaluate(rules: dict, entity, *, today: dt.date, town_names: dict[str, str] | None = None) -> Explanation:
    """Each condition met or not with the entity's value; eligible by the rule's mode (all / any).

    ``town_names`` maps town codes to names for the requirement text. An empty rule is not eligible.
    """
    conditions = (rules or {}).get("conditions") or []
    results = tuple(condition_evaluate(c, entity, today=today, town_names=town_names) for c in conditions)
    mode = (rules or {}).get("mode", "all")
    if not results:
        eligible = False
    elif mode == "any":
        eligible = any(r.met for r in results)
    else:
        eligible = all(r.met for r in results)
    implied = tuple(condition_evaluate(c, entity, today=today) for c in implied_conditions(rules))
    if results and implied:
        eligible = eligible and all(r.met for r in implied)
    return Explanation(eligible=eligible, mode=mode, results=results + implied)


def implied_conditions(rules: dict) -> list[dict]:
    """Conditions every rule carries unless it says otherwise: only entities 存续 (active) benefit."""
    conditions = (rules or {}).get("conditions") or []
    if any(c.get("attribute") == "status" for c in conditions):
        return []
    return [{"attribute": "status", "operator": "in", "values": [Entity.Status.ACTIVE.value]}]


# --- the database filter ------------------------------------------------------------------------


def _tag_q(tag: str) -> Q:
    # jsonb containment on PostgreSQL; elsewhere the JSON text (non-ASCII escaped, as Django stores it)
    # holds the tag as one quoted JSON string — see ``entities_for_rules``.
    from django.db import connection

    if connection.vendor == "postgresql":
        return Q(tags__contains=[tag])
    return Q(tags_text__contains=json.dumps(tag))


def entities_for_rules(qs):
    """``qs`` (entities) ready for ``rules_q``: on SQLite the tags' JSON text is exposed for tag tests."""
    from django.db import connection

    if connection.vendor == "postgresql":
        return qs
    return qs.alias(tags_text=Cast("tags", TextField()))


def condition_q(condition: dict, *, today: dt.date) -> Q:
    """The entities meeting one condition, as a filter on ``credit.Entity``."""
    name, operator = condition["attribute"], condition["operator"]
    if operator == "range":
        low, high = _decimal(condition.get("min")), _decimal(condition.get("max"))
        if name == "registered_capital":
            q = Q(registered_capital__isnull=False)
            if low is not None:
                q &= Q(registered_capital__gte=low)
            if high is not None:
                q &= Q(registered_capital__lte=high)
            return q
        # age_years: at least ``low`` whole years ⇔ established on or before today − low years
        q = Q(established_on__isnull=False)
        if low is not None:
            q &= Q(established_on__lte=_years_ago(today, int(low)))
        if high is not None:
            # at most ``high`` whole years ⇔ established after today − (high + 1) years
            q &= Q(established_on__gt=_years_ago(today, int(high) + 1))
        return q
    values = condition["values"]
    if operator == "prefix":
        q = Q(pk__in=[])
        for prefix in values:
            q |= Q(industry_code__startswith=prefix)
        return q
    if operator == "has":
        q = Q(pk__in=[])
        for tag in values:
            q |= _tag_q(tag)
        return q
    field = "town__code" if name == "town" else name
    inside = Q(**{f"{field}__in": values})
    if operator == "in":
        return inside
    not_null = Q(town__isnull=False) if name == "town" else Q(**{f"{field}__isnull": False}) & ~Q(**{field: ""})
    return not_null & ~inside


def rules_q(rules: dict, *, today: dt.date) -> Q:
    """The entities a rule matches, as one filter on ``entities_for_rules(Entity.objects…)``."""
    conditions = (rules or {}).get("conditions") or []
    if not conditions:
        return Q(pk__in=[])
    parts = [condition_q(c, today=today) for c in conditions]
    combined = parts[0]
    for part in parts[1:]:
        combined = (combined | part) if rules.get("mode") == "any" else (combined & part)
    for condition in implied_conditions(rules):
        combined &= condition_q(condition, today=today)
    return combined


def rules_text(rules: dict, *, town_names: dict[str, str] | None = None) -> list[str]:
    """The conditions as sentences for the public page ("注册资本 ≥ 100 万元")."""
    town_names = town_names or {}
    lines = []
    for condition in (rules or {}).get("conditions") or []:
        attribute = ATTRIBUTES.get(condition.get("attribute"))
        if attribute is None:
            continue
        lines.append(f"{attribute.label}：{_requirement(attribute, condition, town_names)}")
    return lines
