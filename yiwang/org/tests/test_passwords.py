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


# --- common and pattern passwords -----------------------------------------------------------------

PATTERN_WORDS = ["Meixian", "MEIXIAN", "meixian", "眉县", "Huaiya", "Shoushan", "Admin", "Password", "Spring", "Qwerty"]
PATTERN_TAILS = ["@2026", "2021!", "#123", "_1234", "@12345678", "!888888", ".2024", "@2026!", "123!"]


@pytest.mark.parametrize("password", [w + t for w in PATTERN_WORDS for t in PATTERN_TAILS])
def test_it_refuses_a_common_word_or_a_county_name_with_a_year_or_a_short_number(password):
    from yiwang.org.passwords import PatternPasswordValidator

    with pytest.raises(ValidationError) as excinfo:
        PatternPasswordValidator().validate(password)
    assert excinfo.value.error_list[0].code == "password_pattern"
    assert "密码过于常见" in excinfo.value.messages[0]


@pytest.mark.parametrize("password", ["Admin@123", "Meixian@2026", "meixian2026!A", "Ｍｅｉｘｉａｎ＠２０２６"])
def test_the_configured_validators_refuse_the_attackers_first_guesses(password, db):
    from django.contrib.auth.password_validation import validate_password

    with pytest.raises(ValidationError):
        validate_password(password)


@pytest.mark.parametrize(
    "password", ["Kiwi#Orchard2026", "Yiwang#2026pass", "Meixian#Qz7491k", "Tr0ub4dor&3x", "Calendar-admin-2026!"]
)
def test_it_accepts_passwords_that_are_not_a_word_and_a_year(password, db):
    from django.contrib.auth.password_validation import validate_password

    validate_password(password)


def test_the_demo_passwords_pass_every_validator(db):
    from django.contrib.auth.password_validation import validate_password

    from yiwang.org.demo import generate_password

    for _ in range(50):
        validate_password(generate_password())
