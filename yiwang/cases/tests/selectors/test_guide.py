import pytest

from yiwang.cases import guide

pytestmark = pytest.mark.django_db


def test_the_guide_asks_until_every_question_is_answered():
    event = guide.EVENTS_BY_SLUG["kai-fandian"]
    assert guide.next_question(event, {})["key"] == "subject"
    assert guide.next_question(event, {"subject": "individual"})["key"] == "size"
    assert guide.next_question(event, guide.clean_answers(event, {"subject": "nonsense"}))["key"] == "subject"


def test_the_guide_resolves_published_items_and_lists_missing_ones(food_item):
    event = guide.EVENTS_BY_SLUG["kai-fandian"]
    result = guide.guide_resolve(event, {"subject": "company", "size": "large", "sign": "yes"})
    assert [i.name for i in result.items] == ["食品经营许可（新办）"]
    assert "qiye-kaiban" in result.unavailable and "户外广告设施设置审批（新设）" in result.unavailable


def test_the_guide_leads_to_a_bundle(opening_bundle):
    result = guide.guide_resolve(guide.EVENTS_BY_SLUG["kai-gongsi"], {"trade": "kiwi"})
    assert result.bundle == opening_bundle
