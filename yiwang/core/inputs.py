"""Cleaning what people type into forms: mobile numbers, ID numbers, dates, names.

Each ``clean_*`` takes the text as typed and returns the value to store, or raises ``ValidationError``
with a specific Chinese message. People type full-width digits (１３８…), spaces and dashes
("138 1234 5678", "138-1234-5678"), a +86 prefix, a lower-case x, dates as 2026年3月1日 or 2026/3/1:
those are understood; what cannot be right is refused with the reason.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

from django.core.exceptions import ValidationError

from yiwang.core.identifiers import validate_id_number

MOBILE_RE = re.compile(r"^1[3-9]\d{9}$")
LANDLINE_RE = re.compile(r"^0\d{2,3}\d{7,8}$")
_DATE_RE = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_NAME_RE = re.compile(r"^[\u3400-\u9fff·•]{2,30}$|^[A-Za-z][A-Za-z .'-]{1,59}$")


def compact(value) -> str:
    """Full-width → half-width (NFKC), without spaces (any width), dashes or dots between digits."""
    text = unicodedata.normalize("NFKC", str(value or ""))
    return re.sub(r"[\s\-‐‑‒–—―]+", "", text)


def clean_mobile(value) -> str:
    """An 11-digit mainland mobile number (1 then 3–9), from what was typed; "+86"/"86" dropped."""
    text = compact(value)
    if text.startswith("+86"):
        text = text[3:]
    elif text.startswith("0086"):
        text = text[4:]
    elif text.startswith("86") and len(text) == 13:
        text = text[2:]
    if not text:
        raise ValidationError("请填写手机号", code="phone_required")
    if not text.isdigit():
        raise ValidationError("手机号只能由数字组成", code="phone_characters")
    if text.startswith("0"):
        raise ValidationError("请填写11位手机号（固定电话收不到短信）", code="phone_landline")
    if len(text) != 11:
        raise ValidationError("手机号应为11位数字（您填写了%(n)d位）", code="phone_length", params={"n": len(text)})
    if not MOBILE_RE.match(text):
        raise ValidationError("手机号应以13至19开头", code="phone_prefix")
    return text


def clean_phone(value) -> str:
    """A mobile number, or a landline with its area code (029-12345678 → 02912345678)."""
    text = compact(value)
    if text.startswith("0") and text.isdigit():
        if not LANDLINE_RE.match(text):
            raise ValidationError("固定电话应为区号加7–8位号码，如 0917-5521234", code="landline_format")
        return text
    return clean_mobile(value)


def clean_id_number(value) -> str:
    """An 18-digit 公民身份号码 (GB 11643) with a real birth date and a matching check character."""
    text = compact(value).upper()
    if not text:
        raise ValidationError("请填写身份证号码", code="id_number_required")
    if len(text) == 15 and text.isdigit():
        raise ValidationError("这是15位的旧身份证号码，请填写第二代身份证上的18位号码", code="id_number_legacy")
    validate_id_number(text)
    return text


def clean_date(value) -> dt.date:
    """A date that exists: 2026-03-01, 2026/3/1, 2026.3.1 or 2026年3月1日; 2月30日 is refused as such."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    match = _DATE_RE.match(text)
    if not match:
        raise ValidationError("日期格式不正确，请按“2026-03-01”填写", code="date_format")
    year, month, day = (int(part) for part in match.groups())
    if not 1 <= month <= 12:
        raise ValidationError("月份应在1至12之间", code="date_month")
    try:
        return dt.date(year, month, day)
    except ValueError:
        raise ValidationError(
            "%(year)d年%(month)d月没有%(day)d日",
            code="date_not_exist",
            params={"year": year, "month": month, "day": day},
        ) from None


def clean_person_name(value) -> str:
    """A person's name: 2–30 Chinese characters (a middle dot allowed), or a name in Latin letters."""
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    text = re.sub(r"\s+", " ", text)
    if not text:
        raise ValidationError("请填写姓名", code="name_required")
    if re.search(r"\d", text):
        raise ValidationError("姓名中不能有数字", code="name_digits")
    if not _NAME_RE.match(text.replace(" ", "") if re.match(r"^[\u3400-\u9fff]", text) else text):
        raise ValidationError("请填写身份证上的姓名（2至30个汉字）", code="name_format")
    return text.replace(" ", "") if re.match(r"^[\u3400-\u9fff]", text) else text
