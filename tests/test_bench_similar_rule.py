"""bench/hotline.py --similar-rule's reference: the rule scored one pair at a time over every open or
replied appeal of the place and window, which the pages' batch look-up (hotline.similar) must equal."""

import importlib.util
import sys
from pathlib import Path

import pytest

from yiwang.conftest import dept_a, dept_b, dept_hotline, dispatcher, handler_a, handler_b, meixian  # noqa: F401
from yiwang.hotline import services
from yiwang.hotline.selectors import similar_open_appeals_for
from yiwang.hotline.tests.conftest import categories, make_appeal, operator  # noqa: F401

BENCH = Path(__file__).resolve().parent.parent / "bench" / "hotline.py"

TEXTS = (
    ("村道路面坑洼积水", "红河谷村村道路面坑洼，下雨后积水严重，车辆行人通行困难，请尽快修补。"),
    ("村道坑洼积水", "红河谷村的村道路面坑洼不平，雨后大量积水，行人通行困难。"),
    ("夜间施工噪音", "营头镇街道工地夜间施工噪音很大，影响居民休息。"),
    ("工地夜间噪音扰民", "营头镇街道一处工地每天夜间施工，噪音扰民，影响休息。"),
    ("路灯不亮", "红河谷村一组路灯损坏多日不亮，夜间出行不便。"),
)


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("bench_hotline", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_hotline"] = module
    spec.loader.exec_module(module)
    yield module
    sys.modules.pop("bench_hotline", None)


def test_the_reference_rule_equals_what_the_pages_show(bench, make_appeal, meixian, operator, dept_a):  # noqa: F811
    appeals = []
    for copy in range(3):
        for title, content in TEXTS:
            address = "红河谷村一组" if copy == 0 else ""
            appeals.append(make_appeal(title=title, content=content, address=address, village=meixian.honghegu))
    # one dispatched (still open: a candidate), one merged away (not a candidate)
    services.appeal_dispatch(appeal=appeals[1], department=dept_a, actor=operator)
    services.appeal_merge(appeal=appeals[5], into=appeals[0], actor=operator)
    asked = [a for a in appeals if a.pk != appeals[5].pk]

    shown = similar_open_appeals_for(asked, limit=5)
    scorer = bench.Scorer()
    rule = {a.pk: bench.rule_similar_open_appeals(a, limit=5, scorer=scorer) for a in asked}

    assert sum(len(v) for v in rule.values()) >= len(asked)  # every text has look-alikes
    assert all(appeals[5].pk not in dict(v) for v in rule.values())
    for appeal in asked:
        assert [(s.appeal.pk, s.score) for s in shown[appeal.pk]] == rule[appeal.pk]
