"""Identifiers typed into URLs and forms: a row id is a positive 64-bit integer or nothing.

``id_or_none("abc")`` is ``None`` (so ``get_object_or_404(..., pk=id_or_none(v))`` answers 404, never a
``ValueError``); so are ``"0"``, ``"-3"`` and a number past the database's integer range, which SQLite
would refuse with an ``OverflowError``. ``MAX_ID`` bounds API path parameters the same way.
"""

from __future__ import annotations

MAX_ID = 2**63 - 1


def id_or_none(value) -> int | None:
    text = str(value if value is not None else "").strip()
    if not text.isascii() or not text.isdigit():
        return None
    number = int(text)
    return number if 1 <= number <= MAX_ID else None
