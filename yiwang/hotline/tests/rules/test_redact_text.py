import pytest

from yiwang.hotline.rules import redact_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("请回电13812345678。", "请回电138****5678。"),
        ("电话 138-1234-5678 找王师傅", "电话 138****5678 找王师傅"),
        ("电话 138 1234 5678", "电话 138****5678"),
        ("电话 +86 13812345678", "电话 +86 138****5678"),
        ("电话 +86-138-1234-5678", "电话 +86-138****5678"),
        ("电话 8613812345678", "电话 86138****5678"),
        ("电话 1\u200b3\u200b8 1_2_3_4/5(6)7–8", "电话 138****5678"),
        ("电话１３８１２３４５６７８", "电话138****5678"),
        ("电话＋８６　１３８　１２３４　５６７８", "电话＋８６　138****5678"),
    ],
)
def test_it_masks_mobile_numbers_in_any_common_format(text, expected):
    assert redact_text(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("身份证610326199001011234号", "身份证6103**********1234号"),
        ("身份证 61032619900101123X", "身份证 6103**********123X"),
        ("身份证 610326 19900101 1234", "身份证 6103**********1234"),
        ("身份证６１０３２６１９９００１０１１２３４", "身份证6103**********1234"),
        ("老身份证610326900101123", "老身份证6103********123"),
        ("老身份证 610326 900101 123", "老身份证 6103********123"),
        ("身份证 ６１０３２６－１９９００１０１－１２３Ｘ", "身份证 6103**********123X"),
    ],
)
def test_it_masks_18_and_15_digit_id_numbers(text, expected):
    assert redact_text(text) == expected


def test_it_leaves_no_original_digits_of_a_mixed_text():
    text = "联系人 138-1234-5678，身份证 610326 19900101 1234，座机 0917-5512345。"
    out = redact_text(text)
    assert "1234-5678" not in out and "19900101" not in out
    assert "138****5678" in out and "6103**********1234" in out


def test_it_keeps_ordinary_numbers_and_codes():
    text = "编号YW2024010112345，面积 120 平方米，2024-05-01 反映。"
    assert redact_text(text) == text
