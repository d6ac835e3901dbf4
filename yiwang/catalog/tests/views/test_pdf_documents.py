"""Guide and blank-form PDFs embed the notices' CJK font and print no artefacts or English words."""

import re

import pytest

from yiwang.catalog import pdf

pytestmark = pytest.mark.django_db


@pytest.fixture
def printed(monkeypatch):
    texts: list[str] = []
    original = pdf._p

    def spy(text, style):
        texts.append(str(text))
        return original(text, style)

    monkeypatch.setattr(pdf, "_p", spy)
    return texts


def test_the_guide_and_the_blank_form_embed_a_cjk_font(client, food_item):
    from yiwang.cases.notices import notice_font

    assert pdf._font() == notice_font()
    for url in ("/services/items/610326-XK-0001/guide.pdf", "/services/items/610326-XK-0001/form.pdf"):
        content = client.get(url).content
        assert b"/FontFile2" in content, url  # an embedded TrueType font, as in the decision notices


def test_the_guide_prints_no_artefacts_and_no_english(client, food_item, printed):
    client.get("/services/items/610326-XK-0001/guide.pdf")
    text = "\n".join(printed)
    assert "级：" not in text  # not "四级：四级（全程网办…）"
    assert food_item.get_online_depth_display() in text
    words = re.sub(r"https?://\S+", "", text.replace(food_item.code, ""))  # the QR code's address aside
    assert not re.search(r"[A-Za-z]{3,}", words), text


def test_the_blank_form_leaves_text_cells_blank(client, food_item, printed):
    client.get("/services/items/610326-XK-0001/form.pdf")
    text = "\n".join(printed)
    assert "（文本）" not in text and "（多行文本）" not in text
