"""Identifiers: 统一社会信用代码 (USCC, GB 32100-2015) and 公民身份号码 (ID number, GB 11643-1999).

Checksum validity and region knowledge are separate questions on purpose: a number can be
arithmetically valid yet come from a region code our table does not know (``region_code_known``),
and the caller decides whether that is an error or a warning.
"""

import csv
import datetime as dt
from functools import cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import timezone

# GB 32100-2015 §4: the code uses digits and upper-case letters except I, O, Z, S, V.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
# GB 32100-2015 Table 1, 登记管理部门代码: 1 机构编制, 2 外交, 3 司法行政, 4 文化, 5 民政, 6 旅游,
# 7 宗教, 8 工会, 9 工商, A 中央军委改革和编制办公室, N 农业, Y 其他.
USCC_REGISTRATION_DEPARTMENTS = frozenset("123456789ANY")

# GB 11643-1999 §8.2: ISO 7064 MOD 11-2 over the first 17 digits.
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK_CHARS = "10X98765432"
ID_EARLIEST_BIRTH = dt.date(1900, 1, 1)

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"


# --- 统一社会信用代码 -------------------------------------------------------------------------


def uscc_check_char(body17: str) -> str:
    """The 18th character for a 17-character body (GB 32100-2015 §5: 31 − Σ mod 31, 31 → 0)."""
    if len(body17) != 17 or any(ch not in USCC_ALPHABET for ch in body17):
        raise ValueError(f"USCC body must be 17 characters from {USCC_ALPHABET}: {body17!r}")
    total = sum(USCC_ALPHABET.index(ch) * w for ch, w in zip(body17, USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def uscc_checksum_ok(code: str) -> bool:
    """18 characters from the USCC alphabet whose last character matches the checksum."""
    if not isinstance(code, str) or len(code) != 18 or any(ch not in USCC_ALPHABET for ch in code):
        return False
    return uscc_check_char(code[:17]) == code[17]


def is_valid_uscc(code: str) -> bool:
    """Checksum valid and the first character a known registration department code."""
    return uscc_checksum_ok(code) and code[0] in USCC_REGISTRATION_DEPARTMENTS


def make_uscc(body17: str) -> str:
    """Append the check character (demo data, factories)."""
    return body17 + uscc_check_char(body17)


def validate_uscc(value: str) -> None:
    """Django validator with a specific message for each way a USCC can be wrong."""
    code = value if isinstance(value, str) else str(value)
    if len(code) != 18:
        raise ValidationError("统一社会信用代码应为18位", code="uscc_length")
    bad = sorted({ch for ch in code if ch not in USCC_ALPHABET})
    if bad:
        raise ValidationError(
            "统一社会信用代码含有无效字符：%(chars)s（只用数字和大写字母，不用 I、O、Z、S、V）",
            code="uscc_characters",
            params={"chars": "".join(bad)},
        )
    if code[0] not in USCC_REGISTRATION_DEPARTMENTS:
        raise ValidationError("统一社会信用代码第1位（登记管理部门代码）不正确", code="uscc_department")
    if not uscc_checksum_ok(code):
        raise ValidationError("统一社会信用代码校验位不正确", code="uscc_checksum")


# GB 11714-1997 组织机构代码 (positions 9–17 of a USCC): 8 body characters and a check character,
# C9 = 11 − Σ(Ci·Wi) mod 11 with 10 → X and 11 → 0; letters count A = 10 … Z = 35.
ORG_CODE_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check_char(body8: str) -> str:
    """The 9th character of an organisation code (GB 11714-1997 §5) for its 8-character body."""
    if len(body8) != 8 or not all(ch.isascii() and (ch.isdigit() or ch.isupper()) for ch in body8):
        raise ValueError(f"organisation code body must be 8 digits or upper-case letters: {body8!r}")
    total = sum(int(ch, 36) * w for ch, w in zip(body8, ORG_CODE_WEIGHTS, strict=True))
    value = 11 - total % 11
    return "X" if value == 10 else "0" if value == 11 else str(value)


# --- 公民身份号码 -----------------------------------------------------------------------------


def id_number_check_char(first17: str) -> str:
    if len(first17) != 17 or not first17.isascii() or not first17.isdigit():
        raise ValueError(f"ID number body must be 17 digits: {first17!r}")
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARS[total % 11]


def _id_shape_ok(number) -> bool:
    return (
        isinstance(number, str)
        and len(number) == 18
        and number.isascii()
        and number[:17].isdigit()
        and (number[17].isdigit() or number[17] in "Xx")
    )


def id_number_checksum_ok(number: str) -> bool:
    """18 characters, 17 digits and a matching check character (lower-case x accepted)."""
    return _id_shape_ok(number) and id_number_check_char(number[:17]) == number[17].upper()


def id_number_birth_date(number: str) -> dt.date | None:
    """The birth date in positions 7–14 if it is a real date from 1900 up to today, else None."""
    if not _id_shape_ok(number):
        return None
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        return None
    if birth < ID_EARLIEST_BIRTH or birth > timezone.localdate():
        return None
    return birth


def is_valid_id_number(number: str) -> bool:
    """Shape, a real birth date not in the future, and the checksum. The region is not checked."""
    return id_number_birth_date(number) is not None and id_number_checksum_ok(number)


def make_id_number(region6: str, birth: dt.date, seq3: str) -> str:
    """Region code + birth date + 3-digit sequence (odd = male) + check character."""
    if len(region6) != 6 or not region6.isdigit() or len(seq3) != 3 or not seq3.isdigit():
        raise ValueError("region6 must be 6 digits and seq3 3 digits")
    first17 = f"{region6}{birth:%Y%m%d}{seq3}"
    return first17 + id_number_check_char(first17)


def validate_id_number(value: str) -> None:
    """Django validator with a specific message for each way an ID number can be wrong."""
    number = value if isinstance(value, str) else str(value)
    if len(number) != 18:
        raise ValidationError("身份证号码应为18位", code="id_number_length")
    if not _id_shape_ok(number):
        raise ValidationError("身份证号码格式不正确：前17位应为数字，末位为数字或X", code="id_number_format")
    if id_number_birth_date(number) is None:
        raise ValidationError("身份证号码中的出生日期无效", code="id_number_birth_date")
    if not id_number_checksum_ok(number):
        raise ValidationError("身份证号码校验位不正确", code="id_number_checksum")


# --- 行政区划代码 -----------------------------------------------------------------------------


@cache
def _regions() -> dict[str, str]:
    with REGIONS_CSV.open(encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle)}


def region_code_known(code6: str) -> bool:
    """Whether a 6-digit division code (GB/T 2260) is known, as deep as our table reaches.

    The table (``data/regions.csv``) lists the 31 province-level divisions, Shaanxi's cities and
    Baoji's counties and districts (historical codes included: ID numbers keep the code of the
    place of first registration). A level is checked only where the table lists that level for
    the parent: 110105 is known (Beijing; districts not listed), 619900 is not (Shaanxi lists its
    cities), nor is 610399 (Baoji lists its counties).
    """
    if not isinstance(code6, str) or len(code6) != 6 or not code6.isascii() or not code6.isdigit():
        return False
    regions = _regions()
    province, city = code6[:2] + "0000", code6[:4] + "00"
    if province not in regions:
        return False
    if code6 == province:
        return True
    lists_cities = any(c.startswith(code6[:2]) and c[2:] != "0000" and c[4:] == "00" for c in regions)
    if lists_cities and city not in regions:
        return False
    if code6 == city:
        return True
    lists_counties = any(c.startswith(code6[:4]) and c[4:] != "00" for c in regions)
    return code6 in regions if lists_counties else True


def region_name(code6: str) -> str | None:
    """Full name of a code listed in the table ("陕西省宝鸡市眉县"), else None."""
    regions = _regions()
    if code6 not in regions:
        return None
    levels = dict.fromkeys([code6[:2] + "0000", code6[:4] + "00", code6])
    return "".join(regions[c] for c in levels if c in regions)
