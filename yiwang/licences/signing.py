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

Speed: gmssl's scalar multiplication works on hex strings (~7 ms for one k·P on an idle core, two
per verification). Its ``_kg`` is overridden with integer Jacobian arithmetic: multiples of the base
point G (the whole cost of a signature, half of a verification) from a table of j·16^i·G (4-bit comb,
64 × 15 affine points built once per process): 64 mixed additions and one inversion; other points (a
department's public key in a verification) by a 4-bit fixed window. gmssl's signature and
verification equations are unchanged, and tests check both multiplications against gmssl's own
``_kg`` for random and edge-case scalars and points. Like gmssl, this is not constant-time.
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


_P = int(sm2.default_ecc_table["p"], 16)
_A = int(sm2.default_ecc_table["a"], 16)
_INFINITY = (1, 1, 0)


def _double(X1: int, Y1: int, Z1: int) -> tuple[int, int, int]:
    """2·P in Jacobian coordinates (any a)."""
    if Z1 == 0 or Y1 == 0:
        return _INFINITY
    xx, yy, zz = X1 * X1 % _P, Y1 * Y1 % _P, Z1 * Z1 % _P
    s = 4 * X1 * yy % _P
    m = (3 * xx + _A * zz * zz) % _P
    X3 = (m * m - 2 * s) % _P
    Y3 = (m * (s - X3) - 8 * yy * yy) % _P
    return X3, Y3, 2 * Y1 * Z1 % _P


def _add_affine(X1: int, Y1: int, Z1: int, x2: int, y2: int) -> tuple[int, int, int]:
    """P (Jacobian) + Q (affine), in Jacobian coordinates."""
    if Z1 == 0:
        return x2, y2, 1
    z1z1 = Z1 * Z1 % _P
    h = (x2 * z1z1 - X1) % _P
    r = (y2 * Z1 * z1z1 - Y1) % _P
    if h == 0:
        return _double(X1, Y1, Z1) if r == 0 else _INFINITY
    hh = h * h % _P
    hhh = h * hh % _P
    v = X1 * hh % _P
    X3 = (r * r - hhh - 2 * v) % _P
    Y3 = (r * (v - X3) - Y1 * hhh) % _P
    return X3, Y3, Z1 * h % _P


def _affine(X: int, Y: int, Z: int) -> tuple[int, int]:
    zi = pow(Z, -1, _P)  # modular inverse (extended Euclid; Python ≥ 3.8)
    zi2 = zi * zi % _P
    return X * zi2 % _P, Y * zi2 * zi % _P


@lru_cache(maxsize=1)
def _g_table() -> list[list[tuple[int, int] | None]]:
    """table[i][j] = j·16^i·G (affine), j = 1…15, for i = 0…63."""
    gx, gy = int(_G[:64], 16), int(_G[64:], 16)
    table, base = [], (gx, gy, 1)
    for _ in range(64):
        bx, by = _affine(*base)
        row, acc = [None, (bx, by)], (bx, by, 1)
        for _j in range(2, 16):
            acc = _add_affine(*acc, bx, by)
            row.append(_affine(*acc))
        table.append(row)
        for _d in range(4):
            base = _double(*base)
    return table


def fixed_base_multiply(k: int) -> str:
    """k·G as gmssl writes points: x||y, 64 hex digits each (k in [1, n-1])."""
    table, acc = _g_table(), _INFINITY
    for i in range(64):
        nibble = (k >> (4 * i)) & 15
        if nibble:
            acc = _add_affine(*acc, *table[i][nibble])
    x, y = _affine(*acc)
    return f"{x:064x}{y:064x}"


def point_multiply(k: int, point: str) -> str:
    """k·P for a point given as gmssl writes it (x||y hex): 4-bit fixed window over 1…15·P."""
    px, py = int(point[:64], 16), int(point[64:128], 16)
    row, acc = [None, (px, py)], (px, py, 1)
    for _j in range(2, 16):
        acc = _add_affine(*acc, px, py)
        row.append(_affine(*acc) if acc[2] else None)
    acc = _INFINITY
    for i in range(63, -1, -1):
        for _d in range(4):
            acc = _double(*acc)
        nibble = (k >> (4 * i)) & 15
        if nibble:
            multiple = row[nibble]
            if multiple is None:  # j·P at infinity: P has order ≤ 15, never a curve point of ours
                raise ValueError("point of small order")
            acc = _add_affine(*acc, *multiple)
    if acc[2] == 0:
        raise ValueError("k·P is the point at infinity")
    x, y = _affine(*acc)
    return f"{x:064x}{y:064x}"


class _CryptSM2(sm2.CryptSM2):
    """gmssl's SM2 equations with the scalar multiplications in integer arithmetic: multiples of G
    from the comb table, other points by a fixed window (see the module docstring)."""

    def _kg(self, k, Point):
        if not 0 < k < _N or len(Point) != 128:
            return super()._kg(k, Point)
        if Point == _G:
            return fixed_base_multiply(k)
        return point_multiply(k, Point)


def _crypt(private_key: str, public_key: str) -> sm2.CryptSM2:
    crypt = _CryptSM2(private_key=private_key, public_key="")
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
