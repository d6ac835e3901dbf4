"""Password rules for 等保 level 3 (GB/T 22239-2019 8.1.4.1: 口令应有复杂度要求).

Minimum length is MinimumLengthValidator's job (settings.AUTH_PASSWORD_VALIDATORS);
``ComplexityValidator`` asks for at least three of the four character classes;
``PatternPasswordValidator`` refuses the patterns that pass both and are still guessed first: a common
word or one of the county's own names with a year or a short number ("Admin@123", "Meixian@2026").
"""

import re
import string
import unicodedata

from django.contrib.auth.password_validation import CommonPasswordValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHARACTER_CLASSES = {
    "upper": lambda ch: ch in string.ascii_uppercase,
    "lower": lambda ch: ch in string.ascii_lowercase,
    "digit": lambda ch: ch in string.digits,
    # Any printable non-alphanumeric character counts as a symbol (spaces included).
    "symbol": lambda ch: not ch.isalnum(),
}


def character_classes(password: str) -> set[str]:
    return {name for name, test in CHARACTER_CLASSES.items() if any(test(ch) for ch in password)}


class ComplexityValidator:
    """At least ``min_classes`` of: upper-case letters, lower-case letters, digits, symbols."""

    def __init__(self, min_classes: int = 3):
        self.min_classes = min_classes

    def validate(self, password, user=None):
        found = character_classes(password or "")
        if len(found) < self.min_classes:
            raise ValidationError(
                _("密码过于简单：须包含大写字母、小写字母、数字、符号中的至少 %(min)d 类（当前只有 %(found)d 类）。"),
                code="password_too_simple",
                params={"min": self.min_classes, "found": len(found)},
            )

    def get_help_text(self):
        return _("密码须包含大写字母、小写字母、数字、符号中的至少 %(min)d 类。") % {"min": self.min_classes}


# The county's own names (county, towns, city, province, the platform's public names) and the words
# every guesser tries with them; matched case-insensitively after NFKC.
COUNTY_WORDS = (
    "眉县",
    "眉縣",
    "meixian",
    "meix",
    "宝鸡",
    "baoji",
    "陕西",
    "shaanxi",
    "shanxi",
    "首善",
    "shoushan",
    "横渠",
    "hengqu",
    "槐芽",
    "huaiya",
    "汤峪",
    "tangyu",
    "常兴",
    "changxing",
    "金渠",
    "jinqu",
    "齐镇",
    "qizhen",
    "营头",
    "yingtou",
    "猕猴桃",
    "kiwi",
    "太白山",
    "taibaishan",
    "政务",
    "zhengwu",
    "12345",
    "admin",
    "administrator",
    "root",
    "password",
    "passw0rd",
    "gov",
)
_COUNTY_RE = re.compile("|".join(re.escape(w) for w in sorted(COUNTY_WORDS, key=len, reverse=True)))
_DIGITS = "0123456789"


def _weak_number(digits: str) -> bool:
    """A year, a short number, a run (1234, 9876) or a repetition (888888)."""
    if len(digits) <= 6 or len(set(digits)) <= 2:
        return True
    return digits in _DIGITS or digits in _DIGITS[::-1]


class PatternPasswordValidator(CommonPasswordValidator):
    """Refuse a common word or a county name with only a year or a short number and symbols around it.

    The password is normalised (NFKC, lower case); the county's names are taken out; what is left
    is split into its letters and the rest. Refused when the letters are nothing (only county names)
    or a word of Django's common-password list, and the rest is no more than symbols and a weak
    number (``_weak_number``).
    """

    def validate(self, password, user=None):
        text = unicodedata.normalize("NFKC", password or "").casefold()
        stripped = _COUNTY_RE.sub("", text)
        letters = "".join(ch for ch in stripped if ch.isalpha())
        digits = "".join(ch for ch in stripped if ch.isdigit())
        word_is_guessable = (not letters and stripped != text) or letters in self.passwords
        if word_is_guessable and _weak_number(digits):
            raise ValidationError(
                _("密码过于常见：常用词或本县地名加年份、简单数字（如“Meixian@2026”“Admin@123”）很容易被猜中。"),
                code="password_pattern",
            )

    def get_help_text(self):
        return _("密码不能是常用词或本县地名加年份、简单数字。")
