"""Configuration of 好差评: every number is a county default (the plan, 四(十五)6 and 三5, gives none).

``settings.YIWANG_RATINGS = {"RECTIFICATION_WORKDAYS": 3}`` overrides a key; an unknown key is refused.
Pages label each of these numbers "县级默认值" unless the deployment overrides it.
"""

from yiwang.core.conf import app_settings

# Standard sub-indicators of the national 好差评 system (政务服务评价工作指南), per channel group.
ONLINE_INDICATORS = {
    "overall": "总体评价",
    "efficiency": "办事效率",
    "guide_accuracy": "办事指南准确性",
    "convenience": "办事便捷程度",
    "usability": "平台易用性",
}
ON_SITE_INDICATORS = {
    "overall": "总体评价",
    "efficiency": "办事效率",
    "service_level": "服务水平",
    "attitude": "服务态度",
}

UNRATED_BASIC = "basic"  # counted as 基本满意
UNRATED_NOT_COUNTED = "not_counted"

DEFAULTS = {
    # 县级默认值: working days a department has to close a bad rating's rectification (plan: no number).
    "RECTIFICATION_WORKDAYS": 5,
    # 县级默认值: working days a check finding's rectification has.
    "FINDING_WORKDAYS": 5,
    # 县级默认值: a reminder this many working days before a rectification is due.
    "REMIND_LEAD_WORKDAYS": 1,
    # 县级默认值: what happens to a case or appeal nobody rated — "basic" (counted as 基本满意 after
    # UNRATED_WORKDAYS) or "not_counted".
    "UNRATED_POLICY": UNRATED_BASIC,
    "UNRATED_WORKDAYS": 7,
    # 县级默认值: how many days before the cutoff the daily sweep looks for unrated cases and appeals. The
    # sweep runs every day, so a subject is found on its first day past the cutoff; the window bounds the
    # look-up by an index instead of reading all history, and covers a sweep stopped for weeks.
    "UNRATED_LOOKBACK_DAYS": 60,
    # Sub-indicators by channel: online ones for 网上/移动端/短信, on-site ones for the counter pad and 12345.
    "INDICATORS": {
        "pad": ON_SITE_INDICATORS,
        "online": ONLINE_INDICATORS,
        "app": ONLINE_INDICATORS,
        "sms": ONLINE_INDICATORS,
        "hotline": ON_SITE_INDICATORS,
        "default": {},
    },
    # Targets (plan 四(十五)6: every bad rating verified and rectified): 实名差评回访率, 整改率 100 %;
    # on-time rectification rate, a county default.
    "TARGET_CALLBACK_RATE": 1.0,
    "TARGET_RECTIFICATION_RATE": 1.0,
    "TARGET_ON_TIME_RATE": 0.95,
    # Rows per bulk insert when the unrated sweep records implicit ratings.
    "UNRATED_BATCH": 500,
    # 县级默认值: the staff ratings list counts and pages at most this many of its newest ratings (a
    # province's history holds millions; counting them all took 266 ms a view at 10 M appeals); the month
    # and level filters reach the rest.
    "LIST_CAP": 5000,
}

RATINGS = app_settings("YIWANG_RATINGS", DEFAULTS)


def setting(key: str):
    return RATINGS.get(key)


def is_county_default(key: str) -> bool:
    return RATINGS.is_default(key)
