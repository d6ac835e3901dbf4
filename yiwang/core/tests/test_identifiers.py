import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from yiwang.core.identifiers import (
    id_number_birth_date,
    id_number_checksum_ok,
    is_valid_id_number,
    is_valid_uscc,
    make_id_number,
    make_uscc,
    region_code_known,
    region_name,
    uscc_checksum_ok,
    validate_id_number,
    validate_uscc,
)

KNOWN_USCC = "91350100M000100Y43"
KNOWN_ID = "11010519491231002X"


def test_it_accepts_the_published_uscc_example():
    assert uscc_checksum_ok(KNOWN_USCC)
    assert is_valid_uscc(KNOWN_USCC)
    validate_uscc(KNOWN_USCC)


def test_it_builds_a_uscc_whose_check_char_validates():
    code = make_uscc("91610326MA6X00001")
    assert code == "91610326MA6X00001B"
    assert is_valid_uscc(code)
    assert make_uscc(KNOWN_USCC[:17]) == KNOWN_USCC


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("91350100M000100Y4", "统一社会信用代码应为18位"),
        ("91350100M000100Y434", "统一社会信用代码应为18位"),
        ("91350100M000100Y4I", "含有无效字符：I"),
        ("91350100m000100Y43", "含有无效字符：m"),
        ("B1350100M000100Y43", "登记管理部门代码"),
        ("91350100M000100Y44", "统一社会信用代码校验位不正确"),
        ("91350100M000100Y34", "统一社会信用代码校验位不正确"),  # swapped digits
    ],
)
def test_it_says_what_is_wrong_with_a_uscc(code, message):
    assert not is_valid_uscc(code)
    with pytest.raises(ValidationError, match=message):
        validate_uscc(code)


def test_it_maps_a_checksum_of_31_to_zero():
    # Find a body whose weighted sum is a multiple of 31: its check character is "0".
    body = next(b for b in (f"9161032600000{n:04d}" for n in range(10000)) if make_uscc(b)[-1] == "0")
    assert uscc_checksum_ok(body + "0")


def test_it_accepts_the_published_id_number_example():
    assert id_number_checksum_ok(KNOWN_ID)
    assert is_valid_id_number(KNOWN_ID)
    assert is_valid_id_number(KNOWN_ID.lower())
    assert id_number_birth_date(KNOWN_ID) == dt.date(1949, 12, 31)
    validate_id_number(KNOWN_ID)


def test_it_builds_an_id_number_whose_check_char_validates():
    number = make_id_number("610326", dt.date(1990, 1, 1), "123")
    assert number == "610326199001011233"
    assert is_valid_id_number(number)


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("11010519491231002", "身份证号码应为18位"),
        ("1101051949123100XX", "格式不正确"),
        ("11010519491231002Y", "格式不正确"),
        ("110105194912310021", "身份证号码校验位不正确"),
        ("110105194902300021", "出生日期无效"),  # 30 February
        ("110105189912310021", "出生日期无效"),  # before 1900
    ],
)
def test_it_says_what_is_wrong_with_an_id_number(number, message):
    assert not is_valid_id_number(number)
    with pytest.raises(ValidationError, match=message):
        validate_id_number(number)


def test_it_refuses_a_birth_date_in_the_future():
    tomorrow = dt.date.today() + dt.timedelta(days=2)
    number = make_id_number("610326", tomorrow, "001")
    assert id_number_checksum_ok(number)
    assert id_number_birth_date(number) is None
    assert not is_valid_id_number(number)


def test_it_keeps_region_knowledge_apart_from_the_checksum():
    unknown_region = make_id_number("619900", dt.date(1990, 1, 1), "001")
    assert is_valid_id_number(unknown_region)
    assert not region_code_known(unknown_region[:6])


@pytest.mark.parametrize(
    ("code", "known"),
    [
        ("610326", True),  # 眉县
        ("610322", True),  # 凤翔县, a historical code still inside old ID numbers
        ("610300", True),  # 宝鸡市
        ("610000", True),  # 陕西省
        ("610101", True),  # Xi'an's districts are not listed: known as far as the table reaches
        ("110105", True),  # Beijing lists no districts
        ("610399", False),  # Baoji lists its counties
        ("619900", False),  # Shaanxi lists its cities
        ("710000", False),  # not one of the 31 province-level divisions
        ("61032", False),
        ("61032a", False),
    ],
)
def test_it_knows_regions_as_deep_as_its_table(code, known):
    assert region_code_known(code) is known


def test_it_names_listed_regions():
    assert region_name("610326") == "陕西省宝鸡市眉县"
    assert region_name("610000") == "陕西省"
    assert region_name("110105") is None
