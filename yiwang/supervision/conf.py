"""Configuration of supervision: the plan's numbers and the county defaults, overridable in settings.

``settings.YIWANG_SUPERVISION = {"REMIND_LEAD_WORKDAYS": 5, ...}`` overrides any key below; an unknown
key is refused so a typo never silently keeps the default.
"""

from yiwang.core.conf import app_settings

DEFAULTS = {
    "COUNTY_CODE": "610326",
    # 县级默认值 (the plan says 督查督办 without numbers): remind the lead department this many
    # working days before a milestone is due; escalate to the leader in charge this many working
    # days after it is overdue and still open.
    "REMIND_LEAD_WORKDAYS": 3,
    "ESCALATE_AFTER_WORKDAYS": 5,
    # 县级默认值 (the plan gives no number): a department answers a 督办 on an overdue case or
    # appeal within this many working days; the office may set 1 … URGE_MAX_WORKDAYS.
    "URGE_ANSWER_WORKDAYS": 3,
    "URGE_MAX_WORKDAYS": 10,
    # 县级默认值: red/amber/green on the dashboard. A measured value within the target is green;
    # within AMBER_MARGIN (a share of the target) beyond it amber; further off red.
    "AMBER_MARGIN": 0.2,
    # 县级默认值: seconds a computed dashboard is reused (the figures are monthly roll-ups; a leader
    # sees them at most this old). 0 turns the cache off.
    "DASHBOARD_CACHE_SECONDS": 60,
    # 县级默认值: the assessment sheet (plan 五（二）: 完善全县营商环境工作考核办法). Weights in points.
    "ASSESSMENT_WEIGHTS": {"tasks_on_time": 40, "indicators": 30, "ratings": 15, "appeals": 15},
}

SETTINGS = app_settings("YIWANG_SUPERVISION", DEFAULTS)


def supervision_setting(key: str):
    return SETTINGS.get(key)
