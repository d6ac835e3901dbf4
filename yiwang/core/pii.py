"""Personal data (ID numbers, phone numbers): encryption at rest, keyed lookup hash, masking.

Why SM4: personal data of a government system falls under 密码法 and the 商用密码 rules (GM/T 0054
for information systems, 等保 level 3), which expect the national algorithms; SM4 (GB/T 32907-2016)
is the national block cipher and SM3 (GB/T 32905-2016) the national hash. The primitives live in
``yiwang.core.gm``.

Stored format, version 1 (``sm4$1$<iv>$<ciphertext>$<tag>``, each part URL-safe base64)::

    SM4-CBC with PKCS#7 padding, a fresh random 16-byte IV per value (so equal values never
    produce equal ciphertexts), then encrypt-then-MAC: tag = HMAC-SM3(mac_key, "sm4$1$<iv>$<ct>").
    CBC alone would let an edited ciphertext decrypt to garbage without notice; the tag turns
    any edit, or a wrong key, into a clear ``PiiError``.

Keys come from ``settings.PII_KEY`` (32 bytes, hex): the first 16 bytes are the SM4 key, the last
16 the HMAC-SM3 key of the lookup hash; the MAC key is derived from all 32 with HMAC-SM3 under a
fixed label, so no key serves two purposes. The version field leaves room for key rotation: a
later version can carry a key id and old values keep decrypting under version 1.

Lookup: encrypted values cannot be compared in SQL (random IVs), so each encrypted column has a
companion hash column holding HMAC-SM3(lookup_key, normalised value) — see ``yiwang.core.fields``.
``Model.objects.filter(**pii_lookup("id_number", value))`` finds rows by exact value.
"""

import base64
import binascii
import datetime
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings

from yiwang.core import gm

PREFIX = "sm4$1$"
_MAC_LABEL = b"yiwang.pii.ciphertext-mac.v1"


class PiiError(ValueError):
    """A stored PII value could not be decrypted: edited, truncated, or written under another key."""


@lru_cache(maxsize=4)
def _keys(pii_key_hex: str) -> tuple[bytes, bytes, bytes]:
    raw = bytes.fromhex(pii_key_hex)
    if len(raw) != 32:
        raise PiiError("PII_KEY 应为 64 位十六进制字符（32 字节）")
    return raw[:16], raw[16:], gm.hmac_sm3(raw, _MAC_LABEL)


def _current_keys() -> tuple[bytes, bytes, bytes]:
    return _keys(settings.PII_KEY)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text.encode("ascii"))


def is_encrypted(value) -> bool:
    return isinstance(value, str) and value.startswith(PREFIX)


def pii_encrypt(plaintext: str) -> str:
    """Encrypt one value into the versioned ``sm4$1$…`` format."""
    enc_key, _, mac_key = _current_keys()
    iv = secrets.token_bytes(gm.BLOCK_SIZE)
    ciphertext = gm.sm4_cbc_encrypt(enc_key, iv, plaintext.encode("utf-8"))
    body = f"{PREFIX}{_b64(iv)}${_b64(ciphertext)}"
    tag = gm.hmac_sm3(mac_key, body.encode("ascii"))
    return f"{body}${_b64(tag)}"


def pii_decrypt(token: str) -> str:
    """Decrypt a ``sm4$1$…`` value; PiiError if it is malformed, edited or under another key."""
    if not is_encrypted(token):
        raise PiiError("不是可识别的加密数据（应以 sm4$1$ 开头）")
    parts = token.split("$")
    if len(parts) != 5:
        raise PiiError("加密数据格式不正确")
    enc_key, _, mac_key = _current_keys()
    body = "$".join(parts[:4])
    try:
        iv, ciphertext, tag = _unb64(parts[2]), _unb64(parts[3]), _unb64(parts[4])
    except (binascii.Error, ValueError):
        raise PiiError("加密数据格式不正确（base64 解码失败）") from None
    expected = gm.hmac_sm3(mac_key, body.encode("ascii"))
    if not hmac.compare_digest(tag, expected):
        raise PiiError("加密数据校验失败：密文被修改，或使用了不同的 PII_KEY")
    try:
        return gm.sm4_cbc_decrypt(enc_key, iv, ciphertext).decode("utf-8")
    except (ValueError, UnicodeDecodeError) as exc:  # only reachable with a forged tag
        raise PiiError(f"加密数据解密失败：{exc}") from None


def normalize_for_lookup(value: str) -> str:
    """The form a value is hashed in: full-width → half-width (NFKC), no spaces or hyphens, upper case.

    "11010519491231002x", "１１０１０５ 1949 1231 002X" and "110105-19491231-002X" hash the same;
    so do "138 1234 5678" and "138-1234-5678".
    """
    text = unicodedata.normalize("NFKC", str(value))
    return "".join(ch for ch in text if not ch.isspace() and ch != "-").upper()


def pii_lookup_hash(value: str | None) -> str:
    """HMAC-SM3 (lookup key) of the normalised value, hex; "" for an empty value."""
    if value is None:
        return ""
    normalized = normalize_for_lookup(value)
    if not normalized:
        return ""
    _, lookup_key, _ = _current_keys()
    return gm.hmac_sm3(lookup_key, normalized.encode("utf-8")).hex()


def pii_lookup(field_name: str, value: str, *, hash_field: str | None = None) -> dict[str, str]:
    """Filter kwargs that find ``value`` in an encrypted field through its companion hash column.

    ``Applicant.objects.filter(**pii_lookup("id_number", "610326199001011234"))``; the companion is
    ``<field>_hash`` unless the model names it otherwise.
    """
    return {hash_field or f"{field_name}_hash": pii_lookup_hash(value)}


def _mask(value, keep_start: int, keep_end: int) -> str:
    if value is None:
        return ""
    text = str(value).strip()
    if len(text) <= keep_start + keep_end:
        return "*" * len(text)
    return text[:keep_start] + "*" * (len(text) - keep_start - keep_end) + text[len(text) - keep_end :]


def mask_id_number(value: str | None) -> str:
    """``610326199001011234`` → ``6103**********1234`` (region prefix and last four kept)."""
    return _mask(value, 4, 4)


def mask_phone(value: str | None) -> str:
    """``13812345678`` → ``138****5678``."""
    return _mask(value, 3, 4)


def mask_name(value: str | None) -> str:
    """``张三`` → ``张*``, ``欧阳娜娜`` → ``欧***``: only the first character stays."""
    if value is None:
        return ""
    text = str(value).strip()
    if len(text) <= 1:
        return "*" * len(text)
    return text[0] + "*" * (len(text) - 1)


# --- Phone and ID numbers inside free text ------------------------------------------------------
#
# People disguise numbers to get them past a filter: full-width digits, zero-width characters,
# a space or an underscore between every digit, slashes, brackets, dashes of any width, dots,
# grouped ID numbers (6-8-4). Detection therefore runs on a normalised copy of the text (NFKC,
# format characters removed, every run of separators between two digits reduced to one marker)
# that remembers, for each of its characters, where it came from; each number found there is
# masked in the ORIGINAL text, which is otherwise left as written.

_MARK = "\x1f"  # one run of separators between two digits (never a character of real text)
_SEP_CATEGORIES = frozenset({"Zs", "Zl", "Zp", "Pd", "Ps", "Pe", "Mn", "Me", "Cc"})
# Besides spaces, dashes and brackets of any width (the categories above, after NFKC): these.
_SEP_CHARS = frozenset("_/\\|.·・•‧∙⋅*")
_GAP = _MARK + "?"


def _digits(count: int) -> str:
    return r"\d" + rf"(?:{_GAP}\d)" * (count - 1)


# Mobile: optional +86 / 86 / 0086 prefix (kept as written), then 1[3-9] and nine more digits.
_PHONE_RE = re.compile(rf"(?<!\d)(?:(?:\+{_GAP}|00{_GAP})?86{_GAP})?(?P<n>1{_GAP}[3-9]{_GAP}{_digits(9)})(?!\d)")
# 18-digit ID (last may be X) and legacy 15-digit ID; province and birth date are checked below.
_ID18_RE = re.compile(rf"(?<!\d)(?P<n>{_digits(17)}{_GAP}[\dXx])(?!\d)")
_ID15_RE = re.compile(rf"(?<!\d)(?P<n>{_digits(15)})(?!\d)")
# Landline: area code 0xx / 0xxx, then a 7- or 8-digit subscriber number starting 2-9.
_LANDLINE_RE = re.compile(
    rf"(?<!\d)(?P<n>0{_GAP}[1-9]{_GAP}{_digits(1)}(?:{_GAP}\d)?{_GAP}[2-9](?:{_GAP}\d){{6,7}})(?!\d)"
)

# GB/T 2260 province-level codes (the first two digits of an ID number).
_PROVINCES = frozenset(
    {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52, 53, 54}
    | {61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
)


def _is_separator(ch: str) -> bool:
    return ch in _SEP_CHARS or ch.isspace() or unicodedata.category(ch) in _SEP_CATEGORIES


def normalize_text(text: str) -> tuple[str, list[int]]:
    """The text number detection runs on, and for each of its characters the index it came from.

    NFKC (full-width and circled digits become ASCII, ideographic spaces become spaces), any
    decimal digit of another script becomes its ASCII digit, format characters (category Cf:
    zero-width spaces and joiners, direction marks, soft hyphens) disappear, and every run of
    separators between two digits becomes one marker character (``\\x1f``) — a number may be
    written with separators anywhere, but a separator still ends a number that ends there.
    """
    chars: list[str] = []
    origin: list[int] = []
    for index, ch in enumerate(text):
        if unicodedata.category(ch) == "Cf":
            continue
        for out in unicodedata.normalize("NFKC", ch):
            if unicodedata.category(out) == "Cf":
                continue
            if out.isdecimal() and not ("0" <= out <= "9"):
                out = str(unicodedata.decimal(out))
            chars.append(out)
            origin.append(index)
    normal: list[str] = []
    normal_origin: list[int] = []
    i = 0
    while i < len(chars):
        ch = chars[i]
        if _is_separator(ch) and normal and normal[-1].isdigit():
            j = i
            while j < len(chars) and _is_separator(chars[j]):
                j += 1
            if j < len(chars) and chars[j] in "0123456789Xx":
                normal.append(_MARK)
                normal_origin.append(origin[i])
                i = j
                continue
        normal.append(ch)
        normal_origin.append(origin[i])
        i += 1
    return "".join(normal), normal_origin


def _valid_id(digits: str) -> bool:
    if int(digits[:2]) not in _PROVINCES:
        return False
    if len(digits) == 18:
        year, month, day = int(digits[6:10]), int(digits[10:12]), int(digits[12:14])
        if not 1900 <= year <= 2099:
            return False
    else:
        year, month, day = 1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12])
    try:
        datetime.date(year, month, day)
    except ValueError:
        return False
    return True


@dataclass(frozen=True)
class FoundNumber:
    kind: str  # "id", "phone" or "landline"
    start: int  # span in the original text: start … end (exclusive)
    end: int
    digits: str  # the number as digits only (an ID's X upper case)

    @property
    def masked(self) -> str:
        d = self.digits
        if self.kind == "id":
            return mask_id_number(d) if len(d) == 18 else d[:4] + "*" * 8 + d[-3:]
        if self.kind == "phone":
            return mask_phone(d)
        area = 3 if d[1] in "12" else 4
        return f"{d[:area]}-****{d[-4:]}"


def find_numbers(text: str | None) -> list[FoundNumber]:
    """Every ID, mobile and landline number in ``text``, however disguised, in text order."""
    if not text:
        return []
    normal, origin = normalize_text(str(text))
    if not any(ch.isdigit() for ch in normal):
        return []
    taken: list[tuple[int, int]] = []
    found: list[FoundNumber] = []
    for kind, pattern in (("id", _ID18_RE), ("id", _ID15_RE), ("phone", _PHONE_RE), ("landline", _LANDLINE_RE)):
        for match in pattern.finditer(normal):
            a, b = match.span("n")
            if any(a < end and start < b for start, end in taken):
                continue
            digits = match.group("n").replace(_MARK, "").upper()
            if kind == "id" and not _valid_id(digits):
                continue
            taken.append((a, b))
            found.append(FoundNumber(kind, origin[a], origin[b - 1] + 1, digits))
    return sorted(found, key=lambda f: f.start)


def mask_text(text: str | None) -> str:
    """``text`` with every phone and ID number in it masked (``138****5678``, ``6103**********1234``),
    the rest exactly as written. For public pages, Open311, logs and stored free text."""
    if not text:
        return text or ""
    text = str(text)
    out, last = [], 0
    for number in find_numbers(text):
        out += [text[last : number.start], number.masked]
        last = number.end
    out.append(text[last:])
    return "".join(out)


def has_numbers(text: str | None) -> bool:
    return bool(find_numbers(text))


# --- Free text stored with its numbers masked -------------------------------------------------
#
# A phone or ID number typed into free text (an appeal, a reply, an application form field) is
# personal data like the contact columns. The text column stores the MASKED text, so every reader
# that does not ask for more (lists, public pages, exports, search, routing) gets the masked form;
# the numbers as typed are kept SM4-encrypted beside it (``yiwang.core.fields.PiiOriginalsField``)
# as "originals": ``[[position in the masked text, masked form, as typed], …]``. ``reveal_text``
# puts them back for the owner and the handler (each original only where its masked form still
# stands, so an edited text never receives a number in the wrong place).


def protect_text(text: str | None, originals: list | None = None) -> tuple[str | None, list]:
    """``(masked text, originals)``; a text already masked keeps its originals."""
    originals = list(originals or [])
    if not text or not find_numbers(text):
        return text, originals
    full = reveal_text(text, originals) if originals else str(text)
    out, kept, last, length = [], [], 0, 0
    for number in find_numbers(full):
        before = full[last : number.start]
        out.append(before)
        length += len(before)
        kept.append([length, number.masked, full[number.start : number.end]])
        out.append(number.masked)
        length += len(number.masked)
        last = number.end
    out.append(full[last:])
    return "".join(out), kept


def reveal_text(text: str | None, originals: list | None) -> str | None:
    """The text as typed, from its masked form and its originals."""
    if not text or not originals:
        return text
    for position, masked, original in sorted(originals, key=lambda o: o[0], reverse=True):
        if text[position : position + len(masked)] == masked:
            text = text[:position] + original + text[position + len(masked) :]
    return text
