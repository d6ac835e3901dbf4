"""Password rules for 等保 level 3 (GB/T 22239-2019 8.1.4.1: 口令应有复杂度要求).

Minimum length is MinimumLengthValidator's job (settings.AUTH_PASSWORD_VALIDATORS); this validator
asks for at least three of the four character classes.
"""

import string

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
