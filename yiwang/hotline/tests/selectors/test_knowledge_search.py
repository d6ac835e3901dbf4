"""The knowledge base search ranks every matching entry: it once read 50 matches (the most used first)
and ranked only those, so with more matches the entry sharing the most words could be missed."""

import random

from yiwang.hotline import selectors
from yiwang.hotline.models import KnowledgeEntry


def _entry(question: str, keywords: str = "", use_count: int = 0, **fields) -> KnowledgeEntry:
    return KnowledgeEntry.objects.create(
        question=question, answer="按口径答复。", keywords=keywords, use_count=use_count, **fields
    )


def test_it_finds_the_entry_sharing_the_most_words_among_many_matches(db):
    # 60 much-used entries share one word (申请) with the question
    for i in range(60):
        _entry(f"第{i:02d}类补贴申请须知", use_count=100 + i)
    best = _entry("农村低保申请条件是什么？", keywords="低保 农村")
    second = _entry("困难群众低保怎么申请？", use_count=5)
    _entry("农村低保申请条件（已停用）", keywords="低保 农村", is_active=False)

    found = selectors.knowledge_search("农村低保申请条件")

    # most shared words first (4, then 2), then the most used among equals
    assert found[:2] == [best, second]
    assert [e.question for e in found[2:]] == ["第59类补贴申请须知", "第58类补贴申请须知", "第57类补贴申请须知"]
    assert len(selectors.knowledge_search("农村低保申请条件", limit=100)) == 62


def test_it_counts_a_word_in_the_keywords_or_the_question_once(db):
    keywords_only = _entry("城乡居民医保缴费", keywords="医保 缴费 标准", use_count=1)
    both = _entry("医保缴费标准", keywords="医保 缴费", use_count=0)
    fewer = _entry("医保报销", use_count=50)

    assert selectors.knowledge_search("医保缴费标准") == [keywords_only, both, fewer]


def test_it_searches_with_the_whole_text_of_a_long_appeal(db):
    """The answer tab searches with an appeal's title and content: hundreds of words. One OR of them all
    was deeper than SQLite parses (Expression tree is too large)."""
    rng = random.Random(7)
    common = "农村低保申请条件医保缴费标准营业执照个体工商户道路维修路灯噪音扰民拖欠工资物业服务供暖供水停电小区"
    content = "".join(rng.choice(common) for _ in range(5000))
    best = _entry("农村低保申请条件和医保缴费标准", keywords="营业执照 个体工商户 道路维修 拖欠工资")
    lamp = _entry("路灯不亮找谁", use_count=90)

    assert selectors.knowledge_search(f"低保 {content}")[:2] == [best, lamp]
