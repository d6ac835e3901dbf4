"""Hotline configuration: the plan's numbers as defaults, overridable with ``settings.HOTLINE``.

    HOTLINE = {"REPLY_WORKDAYS": {"general": 3}, "SIGN_OFF_WORKDAYS": 1}

A dict in settings overrides key by key (nested dicts merge), so a deployment changes only what
differs. Every deadline counted in days goes through ``yiwang.workdays``; the urgent tier is
counted in wall-clock hours (see ``URGENT_*``) because an urgent matter — a burst main, a cut
power line — does not wait for the next working day.
"""

from yiwang.core.conf import app_settings

DEFAULTS: dict = {
    # 签收 (sign-off) after dispatch, in working days (counted from the day after dispatch).
    "SIGN_OFF_WORKDAYS": 1,
    # Handling limit (reply due) per tier, working days — 县级默认值: plan 二(四) asks for 分级办理、
    # 限时办结 but gives no number. "simple" matters are answered on the spot by the operator, a
    # dispatched one gets one working day; "general" and "complex" are the county's hotline limits
    # (the plan's 1 and 7 working days are for 办不成事, 三、4, below — not for 12345 appeals).
    "REPLY_WORKDAYS": {"simple": 1, "general": 5, "complex": 7},
    # Urgent tier: wall-clock hours, day and night.
    "URGENT_SIGN_OFF_HOURS": 1,
    "URGENT_REPLY_HOURS": 24,
    # 办不成事 (plan 三、4): simple on the spot, general ≤ 1, complex ≤ 7 working days.
    "UNRESOLVED_WORKDAYS": {"simple": 0, "general": 1, "complex": 7},
    # 催办: remind this many working days before the due day (hours for the urgent tier).
    "REMINDER_LEAD_WORKDAYS": 1,
    "URGENT_REMINDER_LEAD_HOURS": 4,
    # Returns (退单) per dispatch; reopenings (重办) per appeal; longest single extension — all 县级默认值
    # (the plan gives none of these numbers); the sign-off day and urgent hours above likewise.
    "RETURN_LIMIT": 1,
    "REOPEN_LIMIT": 1,
    "EXTENSION_MAX_WORKDAYS": 10,
    # Minimum length of a reply to the citizen (characters).
    "REPLY_MIN_LENGTH": 10,
    # Smart routing: suggestions below this confidence are flagged for the dispatcher.
    "ROUTING_CONFIDENCE_THRESHOLD": 0.5,
    # Routing is trained on recent history only, at most this many latest replied appeals per
    # department (县级默认值): training time is bounded whatever the history, and the router follows
    # the county's current division of work.
    "ROUTING_HISTORY_MONTHS": 24,
    "ROUTING_SAMPLE_PER_CLASS": 2000,
    # The router's size and fitting time (县级默认值, measured by bench/routing.py): the character
    # n-grams and jieba words kept (most frequent first; None keeps every one seen twice) and the
    # folds that calibrate the SVM's scores into probabilities.
    "ROUTING_CHAR_FEATURES": 200_000,
    "ROUTING_WORD_FEATURES": 50_000,
    "ROUTING_CALIBRATION_FOLDS": 2,
    # Online appeals are suggested in batches after their commit (县级默认值): the first commit queues
    # a batch that starts this many seconds later, commits meanwhile join it; the flag that holds
    # them back expires after ROUTING_SUGGEST_PENDING_SECONDS (a lost task); at most
    # ROUTING_SUGGEST_BATCH appeals per prediction.
    "ROUTING_SUGGEST_DELAY_SECONDS": 2,
    "ROUTING_SUGGEST_PENDING_SECONDS": 60,
    "ROUTING_SUGGEST_BATCH": 200,
    # Appeals pushed in one request by a partner system (a call centre's work-order system, the city's
    # or province's 12345 platform): at most this many per batch (县级默认值; the plan gives no number).
    "INTAKE_BATCH_MAX": 100,
    # The public column (有问必应) lists, filters and searches the latest this many published replies
    # (县级默认值; the plan gives no number): some years of a county's replies, the latest days of a
    # province's, each page the same size however much history lies behind it.
    "PUBLIC_REPLIES_WINDOW": 5000,
    # Duplicate detection: look back this many calendar days (a search window, not a deadline).
    "SIMILAR_LOOKBACK_DAYS": 30,
    "SIMILARITY_THRESHOLD": 0.3,
    # The similar pairs of a new (or reopened) appeal are found and stored after its commit, in batches
    # (县级默认值): the first commit queues a batch this many seconds later, commits meanwhile join it;
    # the flag holding them back expires after SIMILAR_INDEX_PENDING_SECONDS; at most
    # SIMILAR_INDEX_BATCH appeals a transaction. Until then pages score them as they are read.
    "SIMILAR_INDEX_DELAY_SECONDS": 1,
    "SIMILAR_INDEX_PENDING_SECONDS": 60,
    "SIMILAR_INDEX_BATCH": 500,
    # Open311: API keys accepted for POST requests.json; empty = anyone may file (like the portal).
    "OPEN311_API_KEYS": [],
    "OPEN311_JURISDICTION": "meixian.gov.cn",
    # The county whose appeals this platform receives.
    "COUNTY_CODE": "610326",
}


HOTLINE = app_settings("HOTLINE", DEFAULTS)


def hotline_config() -> dict:
    """The effective configuration (defaults merged with ``settings.HOTLINE``, nested dicts key by
    key), read on each call so tests can override settings; an unknown key is refused."""
    return HOTLINE.as_dict()


def conf(key: str):
    return HOTLINE.get(key)
