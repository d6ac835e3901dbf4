from yiwang.org.selectors import region_ancestors, region_children, region_get, region_subtree


def test_it_reads_a_subtree_at_any_depth(meixian):
    codes = set(region_subtree(meixian.county).values_list("code", flat=True))
    assert codes == {
        "610326",
        "610326001",
        "610326001001",
        "610326101",
        "610326101201",
        "610326105",
        "610326105205",
    }
    assert set(region_subtree(meixian.huaiya, include_self=False).values_list("code", flat=True)) == {"610326101201"}


def test_it_lists_children_and_roots(meixian):
    assert [r.name for r in region_children(meixian.county)] == ["首善街道", "槐芽镇", "营头镇"]
    assert [r.code for r in region_children(None)] == ["610000"]


def test_it_reads_ancestors_from_the_path(meixian):
    assert [r.name for r in region_ancestors(meixian.dongguan)] == ["陕西省", "宝鸡市", "眉县", "首善街道", "东关社区"]
    assert region_get("610326") == meixian.county
    assert region_get("999999") is None
