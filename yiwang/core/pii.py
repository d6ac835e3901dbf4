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
import hmac
import secrets
import unicodedata
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
