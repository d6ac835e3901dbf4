"""Chinese keyword search: the same results on SQLite and PostgreSQL, best match first."""

import pytest

from yiwang.catalog import selectors, services
from yiwang.catalog.search import query_terms
from yiwang.catalog.tests.factories import elements, publish

pytestmark = pytest.mark.django_db


def _licence(code, name, **overrides):
    return elements(
        code=code,
        name=name,
        kind="confirmation",
        handling_type="instant",
        promised_days=0,
        legal_days=15,
        online_depth=4,
        visits_required=0,
        visits_reason="",
        reform_mode="",
        pledge_allowed=False,
        materials=[],
        **overrides,
    )


@pytest.fixture
def catalog(admin_user, departments):
    return publish(
        admin_user,
        elements(),  # 食品经营许可（新办）, keywords 开饭店 餐馆, material 营业执照
        _licence("610326-QR-0001", "有限责任公司设立登记", keywords="开公司 营业执照"),
        _licence("610326-QR-0002", "个体工商户设立登记", keywords="开店 个体户 营业执照"),
        _licence(
            "610326-QR-0003", "居民身份证申领（补领）", keywords="身份证丢了", competent_department="admin-approval"
        ),
        _licence("610326-ZJ-0001", "个体工商户设立登记（镇级帮办）", level="town", keywords="营业执照"),
        _licence("610326-GG-0001", "农村村民宅基地审批", keywords="盖房 建房", audience="person"),
    )


def _names(outcome):
    return [item.name for item in outcome.queryset]


def test_it_finds_business_licences_first_for_yingye_zhizhao(catalog):
    outcome = selectors.item_search(query="营业执照")
    names = _names(outcome)
    assert names[:2] == ["有限责任公司设立登记", "个体工商户设立登记"]
    # The town-level twin follows the county item; the food licence only needs a licence copy.
    assert names.index("个体工商户设立登记（镇级帮办）") < names.index("食品经营许可（新办）")
    assert not outcome.fuzzy


def test_it_understands_everyday_words_and_drops_filler(catalog):
    assert query_terms("我要开饭店") == ["开饭店"]
    assert query_terms("营业执照怎么办理？") == ["营业执照"]
    assert _names(selectors.item_search(query="我要开饭店"))[0] == "食品经营许可（新办）"
    assert _names(selectors.item_search(query="盖房"))[0] == "农村村民宅基地审批"


def test_full_width_and_spaces_are_folded(catalog):
    assert _names(selectors.item_search(query="  个体工商户　设立 "))[0] == "个体工商户设立登记"


def test_every_term_must_match(catalog):
    assert _names(selectors.item_search(query="个体工商户 镇级")) == ["个体工商户设立登记（镇级帮办）"]


def test_an_unknown_tail_falls_back_to_what_the_catalog_knows(catalog):
    outcome = selectors.item_search(query="身份证补办")
    assert outcome.fuzzy
    assert _names(outcome)[0] == "居民身份证申领（补领）"


def test_a_query_the_catalog_does_not_know_finds_nothing(catalog):
    assert _names(selectors.item_search(query="火星移民")) == []


def test_filters_narrow_the_results(catalog):
    assert _names(selectors.item_search(query="", level="town")) == ["个体工商户设立登记（镇级帮办）"]
    assert "食品经营许可（新办）" in _names(selectors.item_search(kind="licensing"))
    assert len(_names(selectors.item_search(kind="licensing"))) == 1
    by_department = _names(selectors.item_search(department="admin-approval"))
    assert "居民身份证申领（补领）" in by_department and len(by_department) == 6  # competent or implementing
    assert _names(selectors.item_search(online_depth=3)) == ["食品经营许可（新办）"]
    assert "农村村民宅基地审批" in _names(selectors.item_search(audience="person"))
    assert "有限责任公司设立登记" not in _names(selectors.item_search(audience="person"))


def test_life_event_filter_uses_bundles(catalog, admin_user, dept_a):
    services.bundle_create(
        code="qiye-kaiban",
        name="企业开办",
        lead_department=dept_a,
        item_codes=["610326-QR-0001", "610326-XK-0001"],
        actor=admin_user,
    )
    assert _names(selectors.item_search(bundle="qiye-kaiban")) == ["有限责任公司设立登记", "食品经营许可（新办）"]


def test_unpublished_items_are_never_found(catalog, admin_user):
    services.item_withdraw(item=catalog[1], reason="停止办理", actor=admin_user)
    assert "有限责任公司设立登记" not in _names(selectors.item_search(query="营业执照"))
    assert selectors.item_guide("610326-QR-0001") is None
