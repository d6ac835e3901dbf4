"""How long free text may be: county defaults (the plan gives no numbers), overridable in settings.

    YIWANG_TEXT_LIMITS = {"APPEAL_CONTENT": 8000}

Forms and API schemas declare the same maximum (``max_length``) so a page or a client learns it up
front; services enforce it again with ``text_check`` (a refusal with ``text.too_long`` and the field),
so no path around a form stores more. Similarity and routing read only ``ANALYSIS_PREFIX`` characters
(``analysis_prefix``), so one very long text cannot slow the dispatch desk for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable

from yiwang.core.conf import app_settings
from yiwang.core.errors import ApplicationError

DEFAULTS = {
    # An appeal's description (诉求内容): a long letter fits; a pasted book does not.
    "APPEAL_CONTENT": 5000,
    # Replies and answers to the citizen, revisit notes.
    "REPLY": 5000,
    # Reasons, opinions, notes (退单理由, 审查意见, 暂停原因, 决定理由…).
    "NOTE": 2000,
    # One field of an application form (a form definition may set its own, shorter, max_length).
    "FORM_FIELD": 500,
    # Search boxes and lookups.
    "SEARCH_QUERY": 100,
    # Characters of a text that similarity and routing read.
    "ANALYSIS_PREFIX": 2000,
}

TEXT_LIMITS = app_settings("YIWANG_TEXT_LIMITS", DEFAULTS)


def text_limit(kind: str) -> int:
    return int(TEXT_LIMITS.get(kind))


def text_check(value: str | None, kind: str, *, field: str, label: str, code: str = "text.too_long") -> str:
    """``value`` if it is within the ``kind`` limit; otherwise a 400 refusal naming the field."""
    value = value or ""
    limit = text_limit(kind)
    if len(value) > limit:
        raise ApplicationError(
            code,
            f"{label}不能超过 {limit} 个字（现为 {len(value)} 个字）",
            details={"field": field, "limit": limit, "length": len(value)},
            status=400,
        )
    return value


def analysis_prefix(text: str | None) -> str:
    """The part of a text that similarity and routing read."""
    return analysis_prefixes([text])[0]


def analysis_prefixes(texts: Iterable[str | None]) -> list[str]:
    """``analysis_prefix`` of each text, the limit read once (a page scores hundreds of texts)."""
    limit = text_limit("ANALYSIS_PREFIX")
    return [(text or "")[:limit] for text in texts]
