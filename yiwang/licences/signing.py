"""SM2 signatures over a licence's canonical form.

Canonical serialisation, version 1 (what the signature covers)::

    UTF-8 JSON of one object, keys sorted at every level, no whitespace (separators "," and ":"),
    non-ASCII characters written as themselves (not \\u escapes), dates as ISO 8601 (YYYY-MM-DD),
    absent dates as null. The object's keys:

    v             1 (this format)
    number        the licence number
    type          the licence type's code
    holder_kind   "person" or "enterprise"
    holder_name   the holder's name as printed
    holder_id     person: the HMAC-SM3 lookup hash of the ID number (the number itself never enters
                  the signed form); enterprise: the USCC
    fields        the licence's own fields (a JSON object of strings)
    issued_on     date of issue
    valid_until   last valid day, or null for 长期有效
    department    the issuing department's code
    key_id        the signing key's identifier

The state (valid / expired / revoked) is NOT covered: revocation and expiry are facts of the
register, checked at verification against the stored row, and never need a new signature.

Signature: SM2 with SM3 and the Z value of GM/T 0009 (default user ID "1234567812345678"), r||s
as 128 hex characters: e = SM3(Z || message), Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA).
gmssl does the curve arithmetic (``CryptSM2.sign`` / ``verify`` over e); e and Z are hashed with the
project's SM3 (``yiwang.core.gm``, OpenSSL when available) — gmssl's ``sign_with_sm3`` computes the
same two hashes in pure Python, which took half the time of a signature. Z depends only on the
public key and is cached. gmssl's nonce defaults to Python's ``random`` module, so every signature
here passes a fresh ``secrets`` nonce (a repeated or predictable k reveals the key).
"""

from __future__ import annotations

import datetime as dt
import json
import secrets
from functools import lru_cache

from gmssl import sm2

from yiwang.core.gm import sm3_digest

CANONICAL_VERSION = 1
_N = int(sm2.default_ecc_table["n"], 16)
_G = sm2.default_ecc_table["g"]
_ENTL_ID = "0080" + "31323334353637383132333435363738"  # 128 bits, "1234567812345678"


def canonical_dict(licence) -> dict:
    """The signed content of ``licence`` (see the module docstring)."""
    holder_id = licence.holder_id_number_hash if licence.holder_kind == "person" else licence.holder_uscc
    return {
        "v": CANONICAL_VERSION,
        "number": licence.number,
        "type": licence.licence_type.code,
        "holder_kind": licence.holder_kind,
        "holder_name": licence.holder_name,
        "holder_id": holder_id,
        "fields": {str(k): str(v) for k, v in (licence.fields or {}).items()},
        "issued_on": _iso(licence.issued_on),
        "valid_until": _iso(licence.valid_until),
        "department": licence.department.code,
        "key_id": licence.key.key_id,
    }


def canonical_bytes(content: dict) -> bytes:
    """Sorted keys, no whitespace, UTF-8."""
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def _iso(day) -> str | None:
    if day is None:
        return None
    if isinstance(day, dt.datetime):
        day = day.date()
    return day.isoformat()


def _crypt(private_key: str, public_key: str) -> sm2.CryptSM2:
    crypt = sm2.CryptSM2(private_key=private_key, public_key="")
    # Set directly: gmssl's constructor ``lstrip("04")``s a key that starts with "04", which also
    # eats leading "0"/"4" digits of x.
    crypt.public_key = public_key
    return crypt


def _nonce() -> str:
    """A uniformly random k in [1, n-1] from the OS generator, as 64 hex digits."""
    while True:
        k = secrets.randbelow(_N)
        if k:
            return f"{k:064x}"


def sm2_keypair() -> tuple[str, str]:
    """(private key d as 64 hex, public key x||y as 128 hex), d uniform in [1, n-2]."""
    d = secrets.randbelow(_N - 2) + 1
    public = _crypt("", "")._kg(d, _G)
    return f"{d:064x}", public


@lru_cache(maxsize=256)
def _z(public_key: str) -> bytes:
    table = sm2.default_ecc_table
    return sm3_digest(bytes.fromhex(_ENTL_ID + table["a"] + table["b"] + table["g"] + public_key))


def _e(public_key: str, data: bytes) -> bytes:
    """The signed digest e = SM3(Z || message) (GM/T 0003.2 §6.1)."""
    return sm3_digest(_z(public_key) + data)


def sm2_sign(*, private_key: str, public_key: str, data: bytes) -> str:
    """SM3withSM2 signature of ``data``, r||s hex (128 characters); a fresh secure nonce each time."""
    crypt = _crypt(private_key, public_key)
    digest = _e(public_key, data)
    while True:
        signature = crypt.sign(digest, _nonce())
        if signature:  # None when r = 0 or r + k = n, or s = 0: draw another nonce
            return signature


def sm2_verify(*, public_key: str, signature: str, data: bytes) -> bool:
    """Whether ``signature`` is a valid SM3withSM2 signature of ``data`` under ``public_key``."""
    if not isinstance(signature, str) or len(signature) != 128:
        return False
    try:
        r, s = int(signature[:64], 16), int(signature[64:], 16)
    except ValueError:
        return False
    if not (0 < r < _N and 0 < s < _N):
        return False
    try:
        return bool(_crypt("", public_key).verify(signature, _e(public_key, data)))
    except (TypeError, ValueError):
        return False
