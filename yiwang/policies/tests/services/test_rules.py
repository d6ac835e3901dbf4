import datetime as dt
from decimal import Decimal
from types import SimpleNamespace

import pytest

from yiwang.policies.rules import RuleError, age_years, rules_evaluate, rules_validate


def _errors(rules, **kwargs):
    with pytest.raises(RuleError) as info:
        rules_validate(rules, **kwargs)
    return [message for _, message in info.value.errors]


def test_it_refuses_an_unknown_attribute():
    errors = _errors({"conditions": [{"attribute": "revenue", "operator": "range", "min": "1"}]})
    assert errors[0].startswith("第 1 个条件：未知的条件项“revenue”")


def test_it_refuses_an_operator_the_attribute_does_not_take():
    errors = _errors({"conditions": [{"attribute": "registered_capital", "operator": "in", "values": ["1"]}]})
    assert errors == ["第 1 个条件：条件项“注册资本”不能使用运算“属于”，只能使用：介于"]


def test_it_refuses_an_empty_set():
    errors = _errors({"conditions": [{"attribute": "town", "operator": "in", "values": [" "]}]})
    assert errors == ["第 1 个条件：条件项“所在镇街”的取值不能为空"]


def test_it_refuses_min_above_max():
    errors = _errors(
        {"conditions": [{"attribute": "registered_capital", "operator": "range", "min": "200", "max": "100"}]}
    )
    assert errors == ["第 1 个条件：条件项“注册资本”的下限 200 万元大于上限 100 万元"]


def test_it_refuses_unknown_choices_bad_codes_and_towns_and_no_conditions():
    assert _errors({"conditions": []}) == ["至少需要一个享受条件"]
    assert "取值“huge”无效" in _errors({"conditions": [{"attribute": "size", "operator": "in", "values": ["huge"]}]})[0]
    assert (
        "格式不正确"
        in _errors({"conditions": [{"attribute": "industry_code", "operator": "prefix", "values": ["15"]}]})[0]
    )
    errors = _errors(
        {"conditions": [{"attribute": "town", "operator": "in", "values": ["999"]}]}, valid_towns={"610326101"}
    )
    assert errors == ["第 1 个条件：所在镇街“999”不是本县的镇街区划代码"]
    assert _errors({"mode": "most", "conditions": [{"attribute": "tag", "operator": "has", "values": ["x"]}]})[
        0
    ].startswith("条件组合方式“most”无效")


def test_it_normalises_a_sound_rule():
    rules = rules_validate(
        {
            "mode": "any",
            "conditions": [
                {"attribute": "registered_capital", "operator": "range", "min": "100.0", "max": ""},
                {"attribute": "risk_class", "operator": "in", "values": ["A", "B", "A"]},
            ],
        }
    )
    assert rules == {
        "mode": "any",
        "conditions": [
            {"attribute": "registered_capital", "operator": "range", "min": "100", "max": None},
            {"attribute": "risk_class", "operator": "in", "values": ["A", "B"]},
        ],
    }


def _entity(**kw):
    base = dict(
        industry_code="A0151",
        industry_name="仁果类和核果类水果种植",
        town=SimpleNamespace(code="610326101", name="槐芽镇"),
        kind="enterprise",
        size="small",
        registered_capital=Decimal("80"),
        established_on=dt.date(2020, 6, 1),
        risk_class="B",
        tags=["小微企业"],
        status="active",
    )
    base.update(kw)
    return SimpleNamespace(**base)


def test_it_explains_each_condition_with_the_entity_value():
    rules = rules_validate(
        {
            "conditions": [
                {"attribute": "registered_capital", "operator": "range", "min": "100"},
                {"attribute": "industry_code", "operator": "prefix", "values": ["A015"]},
                {"attribute": "age_years", "operator": "range", "min": "3", "max": "10"},
                {"attribute": "town", "operator": "in", "values": ["610326101"]},
            ]
        }
    )
    result = rules_evaluate(rules, _entity(), today=dt.date(2026, 11, 30), town_names={"610326101": "槐芽镇"})
    assert not result.eligible
    sentences = [r.sentence for r in result.results]
    assert sentences[0] == "注册资本 80 万元，不满足 ≥ 100 万元"
    assert sentences[1] == "行业代码 A0151（仁果类和核果类水果种植），满足 行业代码以A015开头"
    assert sentences[2] == "成立年限 成立 6 年，满足 3～10 年"
    assert sentences[3] == "所在镇街 槐芽镇，满足 属于槐芽镇"
    assert sentences[4] == "登记状态 存续，满足 属于存续"  # implied: only active entities benefit


def test_any_mode_and_the_implied_status():
    rules = {
        "mode": "any",
        "conditions": [{"attribute": "tag", "operator": "has", "values": ["高新技术企业", "小微企业"]}],
    }
    assert rules_evaluate(rules, _entity(), today=dt.date(2026, 1, 1)).eligible
    assert not rules_evaluate(rules, _entity(status="cancelled"), today=dt.date(2026, 1, 1)).eligible
    assert not rules_evaluate(rules, _entity(tags=[]), today=dt.date(2026, 1, 1)).eligible


def test_age_counts_whole_years():
    assert age_years(dt.date(2020, 12, 1), dt.date(2026, 11, 30)) == 5
    assert age_years(dt.date(2020, 11, 30), dt.date(2026, 11, 30)) == 6
    assert age_years(None, dt.date(2026, 11, 30)) is None
