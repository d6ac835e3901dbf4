import pytest

from yiwang.org.services import department_load_from_data, region_load_from_data


@pytest.fixture
def loaded(db):
    region_load_from_data(actor=None)
    department_load_from_data(actor=None)


def test_it_lists_departments_with_their_aliases(client, loaded):
    html = client.get("/org/departments/").content.decode()
    assert "<h1" in html and "部门与别名" in html
    assert "眉县商务和工业信息化局" in html
    assert "县商务和工业化局" in html  # the plan's misspelling, shown as an alias
    assert "共 57 个部门" in html
    assert 'hx-get="/org/departments/"' in html


def test_it_searches_and_says_what_a_spelling_means(client, loaded):
    html = client.get("/org/departments/", {"q": "供电公司"}).content.decode()
    assert "“供电公司”指的是：<strong>国网陕西省电力有限公司眉县供电分公司</strong>" in html
    assert "共 1 个部门" in html
    assert "眉县财政局" not in html


def test_it_re_renders_only_the_rows_for_htmx(client, loaded):
    response = client.get("/org/departments/", {"q": "法院"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html and "<h1" not in html
    assert "眉县人民法院" in html
    assert "共 1 个部门" in html


def test_it_says_when_nothing_matches(client, loaded):
    html = client.get("/org/departments/", {"q": "档案局"}).content.decode()
    assert "没有找到符合条件的部门。" in html
    assert "指的是" not in html
