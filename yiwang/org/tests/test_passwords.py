import pytest
from django.core.exceptions import ValidationError

from yiwang.org.passwords import ComplexityValidator, character_classes


def test_it_accepts_three_of_four_classes():
    ComplexityValidator().validate("meixian2021kiwi!")  # lower, digit, symbol
    ComplexityValidator().validate("Meixian2021kiwi")  # upper, lower, digit


def test_it_rejects_two_classes_with_a_chinese_reason():
    with pytest.raises(ValidationError) as excinfo:
        ComplexityValidator().validate("meixian2021")
    message = excinfo.value.messages[0]
    assert "大写字母、小写字母、数字、符号中的至少 3 类" in message
    assert "当前只有 2 类" in message
    assert excinfo.value.error_list[0].code == "password_too_simple"


def test_it_counts_non_ascii_punctuation_as_a_symbol():
    assert character_classes("Aa1！") == {"upper", "lower", "digit", "symbol"}


def test_it_gives_chinese_help_text():
    assert (
        ComplexityValidator(min_classes=4).get_help_text() == "密码须包含大写字母、小写字母、数字、符号中的至少 4 类。"
    )
